package emend.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Resolves the layered configuration: command-line overrides, then a user file, then the shipped defaults. */
public final class Settings {

    private static final String CONTROL_TOKEN = "emend.control.token";

    private Settings() {}

    /**
     * @param file an optional HOCON file (null for none)
     * @param overrides dotted keys such as {@code emend.rl.alpha} with values in HOCON syntax
     */
    public static Config load(Path file, Map<String, String> overrides) {
        return load(ConfigFactory.empty(), file, overrides);
    }

    /**
     * The settings a run was started with (its settings.json), as the layer under {@code file} and the overrides,
     * so a resumed run trains as it began unless told otherwise.
     */
    public static Config savedRun(Path runDirectory) {
        Path file = runDirectory.resolve("settings.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(runDirectory + " is not a run directory: it has no settings.json");
        }
        try {
            // the saved token is masked; a resumed run gets a fresh one unless the command line sets it again
            return ConfigFactory.parseFile(file.toFile()).atPath("emend").withoutPath(CONTROL_TOKEN);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(file + " is corrupt: " + e.getMessage(), e);
        }
    }

    /** @param savedRun settings between the shipped defaults and {@code file} (empty for a new run) */
    public static Config load(Config savedRun, Path file, Map<String, String> overrides) {
        Config reference = ConfigFactory.parseResources("reference.conf");
        Config config = runLayer(file, overrides).withFallback(savedRun).withFallback(reference);
        try {
            config = config.resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration error: " + e.getMessage(), e);
        }
        KnownKeys.requireKnown(config, reference);
        return config;
    }

    /**
     * What the run's command line sets, unresolved and without defaults: the overrides over {@code file}. A node's
     * actor system takes its Pekko keys from this layer (above emend-node.conf), so {@code --set pekko.x=y} works.
     *
     * @param file an optional HOCON file (null for none)
     */
    public static Config runLayer(Path file, Map<String, String> overrides) {
        Config config = ConfigFactory.empty();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("config file " + file + " does not exist");
            }
            try {
                config = ConfigFactory.parseFile(file.toFile());
            } catch (ConfigException e) {
                throw new IllegalArgumentException("config file " + file + " is not valid HOCON: " + e.getMessage(), e);
            }
        }
        for (Map.Entry<String, String> override : overrides.entrySet()) {
            // merged like a file layer: an object value adds to the keys under it instead of replacing them all
            config = ConfigFactory.empty().withValue(override.getKey(), SettingOverride.value(override.getKey(), override.getValue()))
                    .withFallback(config);
        }
        return config;
    }

    /**
     * The {@code emend} block as JSON, for printing and for saving with the run; a configured control token is
     * masked, because the console and settings.json are read by more people than the token is meant for.
     */
    public static String emendJson(Config config) {
        Config shown = config;
        if (config.hasPath(CONTROL_TOKEN) && !config.getString(CONTROL_TOKEN).isBlank()) {
            shown = config.withValue(CONTROL_TOKEN, ConfigValueFactory.fromAnyRef("(set, not shown)"));
        }
        return shown.getConfig("emend").root().render(ConfigRenderOptions.concise().setFormatted(true));
    }
}
