package emend.cli;

import emend.engine.DjlRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code emend} launcher. */
@Command(name = "emend", mixinStandardHelpOptions = true, version = "emend 0.1.0",
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
}
