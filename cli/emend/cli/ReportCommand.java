package emend.cli;

import emend.experiment.AblationReport;
import emend.report.RunReport;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code emend report RUN_DIR}: PNG curves and a markdown summary of a run, or the comparison of an ablation
 * experiment's runs, from the files they saved.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write RUN_DIR/report/report.md and PNG curves (rewards, KL, loss, tokens/s, dev accuracy) from the run's "
                + "metrics.jsonl and results.json; works on a finished, stopped or running run. On an experiment directory "
                + "(emend experiment ablations) it writes the comparison again.")
final class ReportCommand implements Runnable {

    @Parameters(paramLabel = "RUN_DIR", description = "A run directory (runs/<date-time>-seed<seed> or --run-dir).")
    Path runDir;

    @Override
    public void run() {
        System.out.println("report: " + (AblationReport.isExperiment(runDir) ? AblationReport.write(runDir) : RunReport.write(runDir)));
    }
}
