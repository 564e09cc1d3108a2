package io.openirsa.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openirsa.core.Identifiers;
import io.openirsa.core.sts.KeyEncryption;
import io.openirsa.store.JdbcStore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data folder: the database, and {@code server.json}, where a running server says how it is
 * reached so that {@code irsa env} can tell clients.
 */
record DataDir(Path path) {
    /** The folder given, else $OPENIRSA_DATA, else ~/.openirsa. */
    static Path resolve(Path given) {
        if (given != null) {
            return given;
        }
        String env = System.getenv("OPENIRSA_DATA");
        return env != null && !env.isEmpty() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".openirsa");
    }

    /**
     * What a running server says about itself, for the commands that work on its data folder.
     *
     * @param database the PostgreSQL URL it uses, or null for SQLite in the data folder
     * @param keyEncryptionKeyFile where its key-encryption key is, or null
     */
    record ServerInfo(String endpoint, String accountId, String region, long maxTokenSeconds, long keyRotationHours, String database,
                      String keyEncryptionKeyFile) {
    }

    /** How the store's key material and access keys are sealed: with the key-encryption key the server last ran with. */
    KeyEncryption keyEncryption() throws IOException {
        ServerInfo info = Files.exists(path.resolve("server.json")) ? readServerInfo() : null;
        return keyEncryption(info == null ? null : info.keyEncryptionKeyFile());
    }

    /** A command that reads a server's data folder found none there: the user's mistake, said in one line. */
    static final class NoServer extends UserMistake {
        NoServer(Path path) {
            super("no server has run with data folder " + path + " (start one with: bin/irsa serve --data " + path
                    + ", or give the folder of one with --data)");
        }
    }

    /**
     * The folder's lock, held by a running server for its whole life (the OS lets go of it when the
     * process dies, however it dies): a second server on the same folder would write the same
     * database and overwrite the server.json by which commands find the server.
     *
     * @throws IllegalStateException when another live server holds it
     */
    FileLock lock() throws IOException {
        Files.createDirectories(path);
        FileChannel channel = FileChannel.open(path.resolve("server.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by a server in this same process
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another server is running with data folder " + path
                    + " (stop it, or give this one another --data)");
        }
        return lock;
    }

    /** The store of the server that uses this folder; nothing is created where no server has run. */
    JdbcStore store() throws IOException {
        ServerInfo info = readServerInfo();
        return JdbcStore.open(info.database(), path);
    }

    /** Where a server on SQLite keeps the key-encryption key it generated when none was given. */
    static final String GENERATED_KEK = "key-encryption-key";

    /**
     * Creates the folder readable by its owner only (0700) or narrows an existing one to that, and
     * makes the files already in it 0600: they hold the administrator's key and the keys that sign
     * tokens and seal sessions.
     */
    void makePrivate() throws IOException {
        Files.createDirectories(path);
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
            try (var files = Files.walk(path)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    if (!p.equals(path)) {
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                                Files.isDirectory(p) ? "rwx------" : "rw-------"));
                    }
                }
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own access control applies
        }
    }

    /**
     * The key-encryption key file a server uses: the one given, else for SQLite one generated into
     * the folder on first start (32 random bytes, 0600), so keys are never stored in the clear by
     * default; else (PostgreSQL, whose replicas must share one) none.
     */
    String keyEncryptionKeyFile(String given, boolean sqlite) throws IOException {
        if (given != null && !given.isBlank()) {
            return given;
        }
        if (!sqlite) {
            return null;
        }
        Path file = path.resolve(GENERATED_KEK);
        if (!Files.exists(file)) {
            Path tmp = path.resolve(GENERATED_KEK + ".tmp");
            Files.writeString(tmp, Base64.getEncoder().encodeToString(Identifiers.bytes(32)) + "\n");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        return file.toString();
    }

    /** The key-encryption key named in a file (base64 of 32 bytes, or the 32 bytes), or none. */
    static KeyEncryption keyEncryption(String file) throws IOException {
        if (file == null || file.isBlank()) {
            return KeyEncryption.NONE;
        }
        byte[] raw = Files.readAllBytes(Path.of(file));
        String text = new String(raw, StandardCharsets.US_ASCII).trim();
        try {
            byte[] decoded = Base64.getDecoder().decode(text);
            if (decoded.length == 32) {
                return KeyEncryption.of(decoded);
            }
        } catch (IllegalArgumentException e) {
            // not base64: the raw bytes
        }
        return KeyEncryption.of(raw);
    }

    void writeServerInfo(ServerInfo info) throws IOException {
        Files.createDirectories(path);
        Path tmp = path.resolve("server.json.tmp");
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("endpoint", info.endpoint());
        values.put("accountId", info.accountId());
        values.put("region", info.region());
        values.put("maxTokenSeconds", info.maxTokenSeconds());
        values.put("keyRotationHours", info.keyRotationHours());
        values.put("database", info.database());
        values.put("keyEncryptionKeyFile", info.keyEncryptionKeyFile());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), values);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------")); // it may name a database password
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.move(tmp, path.resolve("server.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    ServerInfo readServerInfo() throws IOException {
        Path file = path.resolve("server.json");
        if (!Files.exists(file)) {
            throw new NoServer(path);
        }
        // Jackson's streaming parser: every command reads this file, and starting an ObjectMapper was 60 ms of
        // `irsa env` (bench/short-commands). A flat object of strings and numbers.
        Map<String, String> values = new HashMap<>();
        try (JsonParser p = STREAMING.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(file + " is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                    values.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
        return new ServerInfo(values.getOrDefault("endpoint", ""), values.getOrDefault("accountId", ""), values.getOrDefault("region", ""),
                number(values.get("maxTokenSeconds"), 7 * 86400L), number(values.get("keyRotationHours"), 168),
                values.get("database"), values.get("keyEncryptionKeyFile"));
    }

    private static final JsonFactory STREAMING = new JsonFactory();

    private static long number(String value, long otherwise) {
        try {
            return value == null ? otherwise : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
