package io.openirsa.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    io.openirsa.core.sts.KeyEncryption keyEncryption() throws IOException {
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
     * database, journal and server.json.
     *
     * @throws IllegalStateException when another live server holds it
     */
    java.nio.channels.FileLock lock() throws IOException {
        Files.createDirectories(path);
        java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(path.resolve("server.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
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
    io.openirsa.store.JdbcStore store() throws IOException {
        ServerInfo info = readServerInfo();
        return io.openirsa.store.JdbcStore.open(info.database(), path);
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
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            try (var files = Files.walk(path)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    if (!p.equals(path)) {
                        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
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
            Files.writeString(tmp, java.util.Base64.getEncoder().encodeToString(io.openirsa.core.Identifiers.bytes(32)) + "\n");
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return file.toString();
    }

    /** The key-encryption key named in a file (base64 of 32 bytes, or the 32 bytes), or none. */
    static io.openirsa.core.sts.KeyEncryption keyEncryption(String file) throws IOException {
        if (file == null || file.isBlank()) {
            return io.openirsa.core.sts.KeyEncryption.NONE;
        }
        byte[] raw = Files.readAllBytes(Path.of(file));
        String text = new String(raw, java.nio.charset.StandardCharsets.US_ASCII).trim();
        try {
            byte[] decoded = java.util.Base64.getDecoder().decode(text);
            if (decoded.length == 32) {
                return io.openirsa.core.sts.KeyEncryption.of(decoded);
            }
        } catch (IllegalArgumentException e) {
            // not base64: the raw bytes
        }
        return io.openirsa.core.sts.KeyEncryption.of(raw);
    }

    void writeServerInfo(ServerInfo info) throws IOException {
        Files.createDirectories(path);
        Path tmp = path.resolve("server.json.tmp");
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        values.put("endpoint", info.endpoint());
        values.put("accountId", info.accountId());
        values.put("region", info.region());
        values.put("maxTokenSeconds", info.maxTokenSeconds());
        values.put("keyRotationHours", info.keyRotationHours());
        values.put("database", info.database());
        values.put("keyEncryptionKeyFile", info.keyEncryptionKeyFile());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), values);
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")); // it may name a database password
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.move(tmp, path.resolve("server.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    ServerInfo readServerInfo() throws IOException {
        Path file = path.resolve("server.json");
        if (!Files.exists(file)) {
            throw new NoServer(path);
        }
        // Jackson's streaming parser: every command reads this file, and starting an ObjectMapper was 60 ms of
        // `irsa env` (bench/short-commands). A flat object of strings and numbers.
        Map<String, String> values = new java.util.HashMap<>();
        try (com.fasterxml.jackson.core.JsonParser p = STREAMING.createParser(file.toFile())) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                throw new IOException(file + " is not a JSON object");
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = p.currentName();
                com.fasterxml.jackson.core.JsonToken value = p.nextToken();
                if (value.isScalarValue() && value != com.fasterxml.jackson.core.JsonToken.VALUE_NULL) {
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

    private static final com.fasterxml.jackson.core.JsonFactory STREAMING = new com.fasterxml.jackson.core.JsonFactory();

    private static long number(String value, long otherwise) {
        try {
            return value == null ? otherwise : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
