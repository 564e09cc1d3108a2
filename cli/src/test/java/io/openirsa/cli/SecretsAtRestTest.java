package io.openirsa.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data folder of a server started as the README says: readable by its owner only, and no secret
 * in the clear in the database even without --key-encryption-key-file (a key-encryption key is
 * generated into the folder on first start).
 */
class SecretsAtRestTest extends ServerTest {

    @Test
    void theDataFolderIsPrivate_andItsFilesToo() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.data))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.walk(f.data)) {
            files.filter(Files::isRegularFile).forEach(p -> {
                try {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rw-------");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void noSecretIsStoredInTheClear_byDefault() throws Exception {
        Path kek = f.data.resolve(DataDir.GENERATED_KEK);
        assertThat(kek).exists();
        assertThat(Files.readString(f.data.resolve("server.json"))).contains(kek.toString());
        f.createCluster("at-rest"); // an issuer signing key
        String secret = f.server.adminKey().secretAccessKey();
        try (Stream<Path> files = Files.walk(f.data)) {
            for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.equals(kek)).toList()) {
                String content = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(content).as(p.toString()).doesNotContain(secret).doesNotContain("\"d\":\"").doesNotContain("\"p\":\"");
            }
        }
    }
}
