package armsgraph;

import java.util.concurrent.locks.LockSupport;

import org.neo4j.csv.reader.ThreadAhead;

/**
 * Wakes the offline importer's read-ahead threads while an import runs.
 *
 * Neo4j's CSV reader reads each input on a thread of its own (ThreadAhead) that naps 100 ms between
 * checks, and closing an input waits for that thread to end without waking it. The importer opens
 * every input group twice to estimate the import and again per stage, so each group cost up to 100 ms
 * of idle waiting each time: about 3.5 s of a first load of the real register (a JFR recording: 38
 * waits in ThreadAhead.close, 2 s of them in the estimate alone), whatever the rows.
 *
 * A nap cut short changes nothing else: the thread re-checks its state and naps again, as it must
 * anyway (LockSupport.parkNanos may return early at any time, and ThreadAhead loops on its flags).
 */
final class ReadAheadWaker implements AutoCloseable {
    /** Short against the importer's 100 ms nap; enumerating the JVM's threads costs microseconds. */
    private static final long PERIOD_NANOS = 2_000_000L;

    private final Thread thread;
    private volatile boolean stopped;

    ReadAheadWaker() {
        thread = new Thread(this::run, "armsgraph-read-ahead-waker");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[256];
        while (!stopped) {
            int n = root.enumerate(threads, true);
            if (n == threads.length) {
                threads = new Thread[threads.length * 2];
                continue;
            }
            for (int i = 0; i < n; i++) {
                if (threads[i] instanceof ThreadAhead) {
                    LockSupport.unpark(threads[i]);
                }
                threads[i] = null;
            }
            LockSupport.parkNanos(PERIOD_NANOS);
        }
    }

    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(thread);
    }
}
