package emend.cli;

import emend.config.Settings;
import emend.sandbox.PythonSandbox;
import emend.sandbox.SandboxSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration options of the commands that run the code sandbox (a picocli mixin), and the sandbox they give. */
final class SandboxOptions {

    @Option(names = "--config", description = "HOCON file (emend.verify sandbox settings).")
    Path config;

    @Option(names = "--set", description = "Override one key, e.g. --set emend.verify.timeout=10s (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The sandbox these settings describe; a warning about weak isolation goes to stderr. */
    PythonSandbox open() {
        return new PythonSandbox(SandboxSettings.fromConfig(Settings.load(config, overrides)), System.err);
    }
}
