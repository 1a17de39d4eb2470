package emend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import emend.testing.HfModelFixture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a user arriving with a Hugging Face model and a public data set runs: {@code emend train --model DIR --task
 * jsonl --format gsm8k --problems FILE} on a Llama 3.2-style directory (llama3 rope scaling, grouped-query
 * attention, tied embeddings, written here in Hugging Face's layout) and GSM8K as published, with its rollout
 * workers on two named device slots, end to end through the actor runtime.
 */
final class OwnModelAndDataTest {

    @TempDir
    Path dir;

    /** GSM8K's published layout: a question, and an answer whose rationale ends in "#### N". */
    private Path gsm8k(int problems) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= problems; i++) {
            int a = i % 9 + 1;
            int b = i % 7 + 2;
            lines.add("{\"question\": \"ann has " + a + " pens and buys " + b + " more. how many pens does she have?\", "
                    + "\"answer\": \"" + a + " + " + b + " = <<" + a + "+" + b + "=" + (a + b) + ">>" + (a + b) + "\\n#### " + (a + b) + "\"}");
        }
        Path file = dir.resolve("train.jsonl");
        Files.write(file, lines);
        return file;
    }

    @Test
    void trainOnAHuggingFaceLlamaDirectoryAndGsm8kAsPublished_withWorkersOnNamedDevices() throws IOException {
        Path model = dir.resolve("llama-3.2-style");
        JsonObject config = HfModelFixture.llama32Config();
        config.addProperty("max_position_embeddings", 512);   // the fixture's 64 cannot hold a GSM8K dialogue
        HfModelFixture.write(model, config, 7);
        Path run = dir.resolve("run");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setExecutionExceptionHandler(new UserErrorHandler());
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute("train", "--model", model.toString(), "--task", "jsonl", "--format", "gsm8k",
                "--problems", gsm8k(30).toString(), "--device", "cpu,cpu", "--run-dir", run.toString(),
                "--schedule", "stage1:1,stage2:1",
                "--set", "emend.runtime.workers-per-node=2", "--set", "emend.rl.prompts-per-step=2",
                "--set", "emend.rl.samples-per-prompt=2", "--set", "emend.task.max-attempt-tokens=8",
                "--set", "emend.eval.sampled-per-problem=0", "--set", "emend.runtime.metrics-port=0",
                "--set", "emend.runtime.management-port=0");
        assertEquals(0, status, err.toString());
        assertTrue(Files.isRegularFile(run.resolve("results.json")), "the run wrote its results");
        String metrics = Files.readString(run.resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"step\":2"), "both steps were taken: " + metrics);
    }
}
