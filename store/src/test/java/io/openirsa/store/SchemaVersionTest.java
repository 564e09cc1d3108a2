package io.openirsa.store;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store opens without Flyway only when it is at {@link JdbcStore#SCHEMA_VERSION}: that constant is
 * the newest migration, and a fresh store reaches it.
 */
class SchemaVersionTest {
    @Test
    void schemaVersion_isTheNewestMigration() throws Exception {
        Pattern version = Pattern.compile("V(\\d+)__.*\\.(sql|java)");
        int newest = 0;
        for (Path dir : new Path[] {Path.of("src/main/resources/db/migration"), Path.of("src/main/java/io/openirsa/store")}) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.toList()) {
                    Matcher m = version.matcher(f.getFileName().toString());
                    if (m.matches()) {
                        newest = Math.max(newest, Integer.parseInt(m.group(1)));
                    }
                }
            }
        }
        assertThat(JdbcStore.SCHEMA_VERSION).isEqualTo(newest);
    }

    @Test
    void aFreshStore_isMigratedToIt_andOpensAgainAtIt() throws Exception {
        Path dir = Files.createTempDirectory("schema-version");
        try (JdbcStore store = JdbcStore.sqlite(dir)) {
            assertThat(JdbcStore.schemaVersion(store.dataSource())).isEqualTo(JdbcStore.SCHEMA_VERSION);
        }
        try (JdbcStore again = JdbcStore.sqlite(dir)) {
            assertThat(again.clusters("123456789012")).isEmpty();
        }
    }
}
