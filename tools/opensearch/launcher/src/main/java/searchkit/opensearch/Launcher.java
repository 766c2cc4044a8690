package searchkit.opensearch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.join.ParentJoinPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts one OpenSearch 2.19 node from the jars on the classpath, with the modules searchkit needs.
 *
 * <p>Usage: {@code java -cp target/classes:target/lib/* searchkit.opensearch.Launcher --path.home=DIR
 * --key=value ...}. Every {@code --key=value} argument is a node setting. The node runs until the
 * process gets SIGTERM (or SIGINT), then closes cleanly; with {@code -Dsearchkit.exit.on.stdin.eof=true}
 * it also stops when its stdin reaches end of file. It is started without the distribution's
 * bootstrap: no bootstrap checks, no security manager, no modules/ or plugins/ folders.
 */
public final class Launcher {

    /** The modules a distribution would load from modules/, named here so a wrong class fails the build. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,          // HTTP and transport
        CommonAnalysisPlugin.class,  // elision, asciifolding, stemmer, ...
        ParentJoinPlugin.class,      // join field, has_child, has_parent
        ReindexPlugin.class          // _delete_by_query, _update_by_query, _reindex
    );

    /** Node's constructor that takes classpath plugins is protected: this subclass opens it. */
    static final class SearchkitNode extends Node {
        SearchkitNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("opensearch launcher: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path home = Path.of(settings.get("path.home")).toAbsolutePath();
        Path config = home.resolve("config");
        writeDefaultLogConfig(config);

        String nodeName = settings.get("node.name", "searchkit");
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), config, () -> nodeName);
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(env);

        if (Boolean.getBoolean("searchkit.exit.on.stdin.eof")) {
            exitWhenStdinCloses();
        }
        Node node = new SearchkitNode(env, PLUGINS);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("opensearch launcher: error while closing the node: " + e);
            } finally {
                closed.countDown();
            }
        }, "searchkit-node-shutdown"));
        try {
            node.start();
        } catch (Exception e) {
            e.printStackTrace();
            // Last, so the tail of the output that node.py shows ends with why.
            System.err.println("opensearch launcher: the node failed to start: " + causes(e));
            // halt, not exit: the shutdown hook would wait on a node that never started.
            Runtime.getRuntime().halt(1);
        }
        // The node's own threads are daemons: keep the JVM alive until the shutdown hook has run.
        closed.await();
    }

    /**
     * A test run keeps a pipe to the node's stdin: when that process dies, even by SIGKILL, the pipe
     * closes and the node exits (through the shutdown hook) instead of outliving it.
     */
    private static void exitWhenStdinCloses() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the parent writes nothing; only the end of the stream matters
                }
            } catch (IOException e) {
                // a broken pipe means the same as the end of the stream
            }
            System.exit(0);
        }, "searchkit-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** The chain of causes on one line, e.g. {@code BindHttpException: Failed to bind ... <- BindException: ...}. */
    static String causes(Throwable e) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (line.length() > 0) {
                line.append(" <- ");
            }
            line.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return line.toString();
    }

    /** {@code --key=value} arguments to node settings; {@code path.home} is required. */
    static Settings parse(String[] args) {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 3) {
                throw new IllegalArgumentException("expected --key=value, got: " + arg);
            }
            builder.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();
        if (settings.get("path.home") == null) {
            throw new IllegalArgumentException("--path.home=DIR is required");
        }
        return settings;
    }

    /** The bundled log4j2.properties, copied into the config folder unless one is already there. */
    private static void writeDefaultLogConfig(Path config) throws IOException {
        Path target = config.resolve("log4j2.properties");
        if (Files.exists(target)) {
            return;
        }
        Files.createDirectories(config);
        try (InputStream in = Launcher.class.getResourceAsStream("log4j2.properties")) {
            if (in == null) {
                throw new IOException("log4j2.properties is missing from the launcher's classpath");
            }
            Files.copy(in, target);
        }
    }
}
