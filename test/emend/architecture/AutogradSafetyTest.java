package emend.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * No tensor in Emend may alias a Java buffer, because autograd can outlive the buffer (see
 * {@link emend.model.Tensors}): host data goes through {@code Tensors.copyOf}, scalars through
 * {@code Tensors.scalar}. AdamW is exempt: it runs with gradient recording off, so nothing is saved. Nor may a
 * tensor's values be replaced with DJL's {@code NDArray.set(Buffer)} or {@code copyTo}: they give the tensor new
 * memory (on the CPU a Java buffer's), so views of it go stale; {@code TensorSlices.overwrite} writes in place.
 */
final class AutogradSafetyTest {

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("emend");

    private static final Set<String> SCALAR_OVERLOADS = Set.of("mul", "muli", "div", "divi", "pow", "powi");

    private static final DescribedPredicate<JavaCall<?>> HOST_BUFFER_OR_SCALAR_TENSOR = DescribedPredicate.describe(
            "NDManager.create(...) or NDArray.mul/div/pow(Number)", call -> {
                var target = call.getTarget();
                if (target.getOwner().isAssignableTo(NDManager.class) && target.getName().equals("create")) {
                    return true;
                }
                List<?> params = target.getRawParameterTypes();
                return target.getOwner().isAssignableTo(NDArray.class) && SCALAR_OVERLOADS.contains(target.getName())
                        && params.size() == 1 && target.getRawParameterTypes().get(0).isEquivalentTo(Number.class);
            });

    private static final DescribedPredicate<JavaCall<?>> NEW_MEMORY_FOR_A_TENSOR = DescribedPredicate.describe(
            "NDArray.set(Buffer) or NDArray.copyTo(NDArray)", call -> {
                var target = call.getTarget();
                List<?> params = target.getRawParameterTypes();
                return target.getOwner().isAssignableTo(NDArray.class) && params.size() == 1
                        && (target.getName().equals("copyTo")
                            || target.getName().equals("set") && target.getRawParameterTypes().get(0).isAssignableTo(java.nio.Buffer.class));
            });

    @Test
    void noTensorIsGivenNewMemoryBehindItsViews() {
        noClasses().should().callMethodWhere(NEW_MEMORY_FOR_A_TENSOR)
                .because("a Transformer multiplies by views of its weights (stale after such a write), and on the CPU the "
                        + "tensor would alias a Java buffer; write in place with TensorSlices.overwrite")
                .check(PRODUCTION);
    }

    @Test
    void noTensorAliasesAJavaBuffer() {
        noClasses().that().doNotHaveSimpleName("Tensors").and().doNotHaveSimpleName("AdamW")
                .should().callMethodWhere(HOST_BUFFER_OR_SCALAR_TENSOR)
                .because("from_blob tensors saved by autograd are read after Java frees them (intermittent NaN gradients)")
                .check(PRODUCTION);
    }
}
