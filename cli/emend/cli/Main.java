package emend.cli;

import emend.engine.DjlRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code emend} launcher. */
@Command(name = "emend", mixinStandardHelpOptions = true, versionProvider = Main.BuildVersion.class,
        description = "Train language models to correct their own mistakes (SCoRe) on a Pekko cluster.",
        subcommands = {TrainCommand.class, NodeCommand.class, EvalCommand.class, VerifyCommand.class, BenchCommand.class,
                CtlCommand.class, ReportCommand.class, ExperimentCommand.class, CertCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        DjlRuntime.configureOffline();
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler(new UserErrorHandler())
                .execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The version the build wrote into version.properties (pom.xml), not a constant that drifts from it. */
    static final class BuildVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws java.io.IOException {
            java.util.Properties build = new java.util.Properties();
            try (java.io.InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IllegalStateException("version.properties is missing from the class path (a build problem)");
                }
                build.load(in);
            }
            return new String[] {"emend " + build.getProperty("version")};
        }
    }
}
