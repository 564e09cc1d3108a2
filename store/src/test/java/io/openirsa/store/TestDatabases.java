package io.openirsa.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fresh stores for tests: SQLite in a new folder, or PostgreSQL in a new database of the server that
 * OPENIRSA_TEST_POSTGRES names (.ci/run starts one). Without it, PostgreSQL tests are skipped
 * locally, and fail under CI, where skipping would hide them.
 */
public final class TestDatabases {
    static final String POSTGRES = System.getenv("OPENIRSA_TEST_POSTGRES");

    private TestDatabases() {
    }

    static JdbcStore open(String vendor) throws Exception {
        if (vendor.equals("sqlite")) {
            return JdbcStore.sqlite(Files.createTempDirectory("openirsa-store"));
        }
        return JdbcStore.postgresql(freshPostgresDatabase());
    }

    /** A new, empty database on the test server; its URL. */
    public static String freshPostgresDatabase() throws Exception {
        if (POSTGRES == null || POSTGRES.isBlank()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("OPENIRSA_TEST_POSTGRES is not set: .ci/run must start PostgreSQL for these tests");
            }
            assumeTrue(false, "OPENIRSA_TEST_POSTGRES is not set: start one with `export OPENIRSA_TEST_POSTGRES=\"$(.ci/postgres start)\"`");
        }
        java.net.URI u = java.net.URI.create(POSTGRES);
        String name = "openirsa_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String user = u.getUserInfo() == null ? "postgres" : u.getUserInfo().split(":")[0];
        String password = u.getUserInfo() != null && u.getUserInfo().contains(":") ? u.getUserInfo().split(":", 2)[1] : "";
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), user, password);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "postgresql://" + (u.getUserInfo() == null ? "" : u.getUserInfo() + "@") + u.getHost() + ":" + u.getPort() + "/" + name;
    }

    static Path tempDir() throws Exception {
        return Files.createTempDirectory("openirsa-store");
    }
}
