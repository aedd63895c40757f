package armsgraph;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.neo4j.cli.ExecutionContext;
import org.neo4j.importer.ImportCommand;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import picocli.CommandLine;

/**
 * Neo4j's offline importer (what `neo4j-admin database import full` runs) on the launcher's data
 * folder, before the database starts: a first load written straight into the store files, at the
 * importer's speed, instead of one transaction per batch.
 *
 * It runs in the launcher's JVM, before the DBMS opens the folder, so whoever owns the folder (the
 * state file the Node side keeps, and Neo4j's own file lock, which the importer takes) owns the import
 * too: a folder another Neo4j has open is refused by the lock, never written under it.
 *
 * The arguments file holds the importer's options one per line (the Node side writes it next to the
 * CSV files it generated: src/import/sipri/bulk-load.ts).
 */
final class BulkImport {
    private BulkImport() {}

    /** Runs the import; returns its report, or throws with the importer's own message. */
    static String run(Path homeDir, Path argsFile) throws IOException {
        List<String> args = new ArrayList<>(List.of("--overwrite-destination=true"));
        for (String line : Files.readAllLines(argsFile, StandardCharsets.UTF_8)) {
            if (!line.isEmpty()) {
                args.add(line);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
                DefaultFileSystemAbstraction fs = new DefaultFileSystemAbstraction();
                ReadAheadWaker waker = new ReadAheadWaker()) {
            ExecutionContext ctx = new ExecutionContext(homeDir, homeDir.resolve("conf"), o, e, fs);
            code = new CommandLine(new ImportCommand.Full(ctx)).execute(args.toArray(new String[0]));
        }
        String report = out.toString(StandardCharsets.UTF_8);
        if (code != 0) {
            String why = err.toString(StandardCharsets.UTF_8).trim();
            throw new IOException("the offline import failed (exit " + code + "): "
                    + (why.isEmpty() ? lastLines(report, 20) : lastLines(why, 20)));
        }
        return report;
    }

    private static String lastLines(String text, int n) {
        String[] lines = text.split("\n");
        int from = Math.max(0, lines.length - n);
        return String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
