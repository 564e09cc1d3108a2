package io.openirsa.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A store opens without Flyway only when it is at {@link JdbcStore#schemaVersion(String)}: that figure is
 * the vendor's newest migration, and a fresh store reaches it.
 */
class SchemaVersionTest {
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void schemaVersion_isTheNewestMigration(String vendor) throws Exception {
        Pattern version = Pattern.compile("V(\\d+)__.*\\.sql");
        int newest = 0;
        for (String folder : new String[] {"common", vendor}) {
            Path dir = Path.of("src/main/resources/db/migration", folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Matcher m = version.matcher(f.getFileName().toString());
                    if (m.matches()) {
                        newest = Math.max(newest, Integer.parseInt(m.group(1)));
                    }
                }
            }
        }
        assertThat(JdbcStore.schemaVersion(vendor)).isEqualTo(newest);
    }

    @Test
    void aFreshStore_isMigratedToIt_andOpensAgainAtIt() throws Exception {
        Path dir = Files.createTempDirectory("schema-version");
        try (JdbcStore store = JdbcStore.sqlite(dir)) {
            assertThat(JdbcStore.schemaVersion(store.dataSource())).isEqualTo(JdbcStore.schemaVersion("sqlite"));
        }
        try (JdbcStore again = JdbcStore.sqlite(dir)) {
            assertThat(again.clusters("123456789012")).isEmpty();
        }
    }

    @Test
    void aDatabaseOfAPreReleaseBuild_isRefusedWithWhatToDo() throws Exception {
        Path dir = Files.createTempDirectory("schema-version");
        try (JdbcStore store = JdbcStore.sqlite(dir); Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE flyway_schema_history SET version = '11' WHERE version = '2'"); // as a build before the squashed baseline left it
        }
        assertThatThrownBy(() -> JdbcStore.sqlite(dir)).hasMessageContaining("start from an empty data folder or database");
    }
}
