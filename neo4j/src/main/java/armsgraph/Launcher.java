package armsgraph;

import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded, with only its Bolt connector open on 127.0.0.1.
 *
 * The Node side (src/neo4j/embedded.ts) spawns this JVM and keeps its stdin open.
 * When stdin closes the parent is gone, whatever the reason (exit, crash, SIGKILL),
 * so we shut down: that is what guarantees no orphan java process is left behind.
 *
 * Options: --data-dir DIR --bolt-port N --password-file FILE [--page-cache SIZE] [--tx-timeout SECONDS]
 * [--bulk-import ARGS-FILE] (Neo4j's offline importer first, see BulkImport; its report goes to the
 * log file the Node side keeps, and "ARMSGRAPH_NEO4J_IMPORTED" tells it the import is done).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        watchParent();
        try {
            run(args);
        } catch (RuntimeException e) {
            // Whatever went wrong, never linger half-started: Bolt threads would keep the JVM alive.
            fail("Neo4j failed: " + rootMessage(e));
        }
    }

    /** Exits when stdin ends, i.e. when the parent process is gone, whatever the reason. */
    private static void watchParent() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // Anything written to stdin is ignored; only its end matters.
                }
            } catch (IOException ignored) {
                // A broken pipe means the same as end of input.
            }
            System.exit(0);
        }, "armsgraph-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void run(String[] args) {
        Map<String, String> opts = parse(args);
        Path dataDir = Path.of(require(opts, "data-dir")).toAbsolutePath();
        int port = Integer.parseInt(require(opts, "bolt-port"));
        String password;
        try {
            password = Files.readString(Path.of(require(opts, "password-file")), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            fail("cannot read the password file: " + e.getMessage());
            return;
        }

        if (opts.containsKey("bulk-import")) {
            try {
                String report = BulkImport.run(dataDir, Path.of(opts.get("bulk-import")));
                System.err.println(report);
            } catch (IOException | RuntimeException e) {
                if (causedBy(e, org.neo4j.io.locker.FileLockException.class)) {
                    fail("the data folder " + dataDir + " is locked by another Neo4j process: no bulk import");
                }
                fail("bulk import failed: " + rootMessage(e));
            }
            System.out.println("ARMSGRAPH_NEO4J_IMPORTED");
            System.out.flush();
        }

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(dataDir)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(opts.getOrDefault("page-cache", "512m")))
                // A stop waited 5 s for Bolt's connections and another 5 s for its thread pool, with
                // nothing left to wait for: the service closes its driver before it stops Neo4j, and a
                // transaction cut short by a stop is rolled back whole (a commit is durable once
                // acknowledged). Even one second each was spent whole at every stop ("Termination of
                // boss/worker event loop group has exceeded maximum permitted duration"), after the
                // databases had stopped and checkpointed: 2 s of a CLI import's end for nothing.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(100))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(100));
        if (opts.containsKey("tx-timeout")) {
            builder.setConfig(GraphDatabaseSettings.transaction_timeout,
                    Duration.ofSeconds(Long.parseLong(opts.get("tx-timeout"))));
        }

        DatabaseManagementService dbms;
        try {
            dbms = builder.build();
        } catch (RuntimeException e) {
            if (causedBy(e, BindException.class)) {
                fail("port " + port + " on 127.0.0.1 is already in use; set NEO4J_LOCAL_BOLT_PORT to a free port");
            }
            if (causedBy(e, org.neo4j.io.locker.FileLockException.class)) {
                fail("the data folder " + dataDir + " is locked by another Neo4j process");
            }
            fail("Neo4j did not start: " + rootMessage(e));
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "armsgraph-neo4j-shutdown"));

        // The password lives in a file only its owner can read; applying it at every start keeps the
        // file the single source of truth, and the embedded API runs with full rights on `system`.
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (QueryExecutionException e) {
            // Neo4j refuses to "change" a password to the one it already has: nothing to do then.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }

        System.out.println("ARMSGRAPH_NEO4J_READY bolt://127.0.0.1:" + port);
        System.out.flush();
        // The Bolt threads keep the JVM running; the parent watcher ends it.
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                fail("unexpected argument " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            fail("missing --" + key);
        }
        return v;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    private static void fail(String message) {
        System.out.println("ARMSGRAPH_NEO4J_ERROR " + message);
        System.out.flush();
        System.exit(2);
    }
}
