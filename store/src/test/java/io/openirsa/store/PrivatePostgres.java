package io.openirsa.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A PostgreSQL server of a test's own (the Debian package's binaries), which the test may stop, as
 * an operator or a crash would, and start again: the shared one of {@link TestDatabases} must stay up.
 * Without the binaries, the test is skipped, unless OPENIRSA_TEST_POSTGRES says PostgreSQL tests are
 * to run (.ci/run): then it fails.
 */
public final class PrivatePostgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;

    private PrivatePostgres(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** initdb in a new folder under {@code parent} (a small file system, say) and start it. */
    public static PrivatePostgres start(Path parent) throws Exception {
        Path bin = binaries();
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x")); // the postgres user goes through it
        Path dir = Files.createTempDirectory(parent, "postgres");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PrivatePostgres pg = new PrivatePostgres(bin, dir, port);
        pg.asPostgres(true, "chown", "postgres", dir.toString());
        pg.asPostgres(false, bin.resolve("initdb").toString(), "-D", dir.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8");
        pg.start();
        pg.asPostgres(false, bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "openirsa");
        return pg;
    }

    public String url() {
        return "postgresql://postgres@127.0.0.1:" + port + "/openirsa";
    }

    public void start() throws Exception {
        asPostgres(false, bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "-l", dir.resolve("server.log").toString(), "-w",
                "-o", "-p " + port + " -k /tmp -c listen_addresses=127.0.0.1", "start");
    }

    /** pg_ctl stop in a shutdown mode: smart, fast (connections end with SQLSTATE 57P01) or immediate (no checkpoint: a crash). */
    public void stop(String mode) throws Exception {
        asPostgres(false, bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "-m", mode, "-w", "stop");
    }

    /** Whether its postmaster runs: after a PANIC that its startup could not recover from, it does not. */
    public boolean running() throws Exception {
        try {
            asPostgres(false, bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "status");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() throws Exception {
        try {
            stop("immediate");
        } catch (Exception e) {
            // not running
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void asPostgres(boolean plain, String... command) throws Exception {
        List<String> line = new ArrayList<>();
        if (!plain && "root".equals(System.getProperty("user.name"))) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        if (plain && !"root".equals(System.getProperty("user.name"))) {
            return; // chown: not needed when the tests do not run as root
        }
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", line) + " failed: " + out + tail(dir.resolve("server.log")));
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        Path found = null;
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparing(b -> b.getParent().getFileName().toString())).orElse(null);
            }
        }
        if (found == null) {
            if (TestDatabases.POSTGRES != null) {
                throw new IllegalStateException("PostgreSQL's binaries are not in /usr/lib/postgresql: .ci/run installs them");
            }
            assumeTrue(false, "PostgreSQL is not installed (apt-get install postgresql)");
        }
        return found;
    }
}
