package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import emend.engine.TensorSlices;
import emend.util.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The named parameter tensors of one model, owned by a manager of their own.
 *
 * <p>Closing the weights frees every tensor. Names and shapes always match {@link ModelConfig#parameterShapes()}:
 * the constructor checks, so a loaded checkpoint that does not fit the config fails here with a list of what
 * differs.
 */
public final class Weights implements AutoCloseable {

    private static final double INIT_STD = 0.02;

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> tensors;

    private Weights(ModelConfig config, NDManager manager, Map<String, NDArray> tensors) {
        this.config = config;
        this.manager = manager;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Fresh random weights: normal(0, 0.02) matrices, residual output projections scaled by 1/sqrt(2·layers),
     * unit norms, zero biases. Drawn from java.util.Random seeded per tensor name, so the result depends on the seed only.
     */
    public static Weights initialize(ModelConfig config, long seed, NDManager parent) {
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        double residualStd = INIT_STD / Math.sqrt(2.0 * config.layers());
        config.parameterShapes().forEach((name, shape) -> {
            float[] values = new float[Math.toIntExact(shape.size())];
            if (name.endsWith(".bias")) {
                // zeros, as allocated
            } else if (shape.dimension() == 1) {
                java.util.Arrays.fill(values, 1f);
            } else {
                boolean residual = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight");
                double std = residual ? residualStd : INIT_STD;
                Random random = new Random(Seeds.derive(seed, name.hashCode()));
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
            }
            tensors.put(name, Tensors.copyOf(manager, values, shape));
        });
        return new Weights(config, manager, tensors);
    }

    /**
     * Wraps loaded tensors, which must already belong to {@code manager}; takes ownership of the manager.
     *
     * @throws IllegalArgumentException naming every missing, unexpected or mis-shaped tensor
     */
    public static Weights of(ModelConfig config, NDManager manager, Map<String, NDArray> loaded) {
        List<String> problems = new ArrayList<>();
        Map<String, Shape> expected = config.parameterShapes();
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        expected.forEach((name, shape) -> {
            NDArray array = loaded.get(name);
            if (array == null) {
                problems.add("missing tensor " + name + " " + shape);
            } else if (!array.getShape().equals(shape)) {
                problems.add("tensor " + name + " has shape " + array.getShape() + ", the config needs " + shape);
            } else if (array.getDataType() != DataType.FLOAT32) {
                problems.add("tensor " + name + " has dtype " + array.getDataType() + ", expected float32");
            } else {
                ordered.put(name, array);
            }
        });
        loaded.keySet().stream()
                .filter(name -> !expected.containsKey(name))
                .forEach(name -> problems.add("unexpected tensor " + name));
        if (!problems.isEmpty()) {
            manager.close();
            throw new IllegalArgumentException("weights do not match the model config: " + String.join("; ", problems));
        }
        return new Weights(config, manager, ordered);
    }

    /** A deep copy on a new child manager of {@code parent}, e.g. the frozen reference policy. */
    public Weights copy(NDManager parent) {
        NDManager copyManager = parent.newSubManager();
        Map<String, NDArray> copies = new LinkedHashMap<>();
        tensors.forEach((name, array) -> {
            NDArray copy = array.duplicate();
            copy.attach(copyManager);
            copies.put(name, copy);
        });
        return new Weights(config, copyManager, copies);
    }

    /**
     * Writes {@code source}'s values (same config) into these tensors' own memory, so every view of them (the
     * transposed weights a {@link Transformer} keeps) sees the new values.
     */
    public void overwriteWith(Weights source) {
        tensors.forEach((name, tensor) -> TensorSlices.overwrite(tensor, source.get(name)));
    }

    public NDArray get(String name) {
        NDArray array = tensors.get(name);
        if (array == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return array;
    }

    /** All tensors by name, in {@link ModelConfig#parameterShapes()} order. */
    public Map<String, NDArray> tensors() {
        return tensors;
    }

    public ModelConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
