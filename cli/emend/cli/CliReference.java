package emend.cli;

import java.util.Map;
import picocli.CommandLine;

/**
 * The reference of every command's options, rendered from the same picocli declarations that parse them, so
 * docs/cli-usage.md cannot drift from the code (a test compares the two).
 */
public final class CliReference {

    /** Wide enough that no option's line wraps differently from one terminal to another. */
    private static final int WIDTH = 120;

    private CliReference() {}

    public static String markdown() {
        StringBuilder out = new StringBuilder("# Command reference\n\n"
                + "Generated from the commands' declarations (`CliUsageDocTest` fails when this file is out of date and writes\n"
                + "the current text to `target/cli-usage.md`). The guide with examples is [cli.md](cli.md).\n");
        append(new CommandLine(new Main()), out);
        return out.toString();
    }

    private static void append(CommandLine command, StringBuilder out) {
        command.setUsageHelpWidth(WIDTH);
        out.append("\n## ").append(command.getCommandSpec().qualifiedName()).append("\n\n```\n")
                .append(command.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            // aliases list a command twice; each is rendered under its own name once
            if (sub.getKey().equals(sub.getValue().getCommandName())) {
                append(sub.getValue(), out);
            }
        }
    }
}
