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
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a running server says about itself, for the commands that work on its data folder. */
    record ServerInfo(String endpoint, String accountId, String region, long maxTokenSeconds, long keyRotationHours) {
    }

    void writeServerInfo(ServerInfo info) throws IOException {
        Files.createDirectories(path);
        Path tmp = path.resolve("server.json.tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), Map.of(
                "endpoint", info.endpoint(), "accountId", info.accountId(), "region", info.region(),
                "maxTokenSeconds", info.maxTokenSeconds(), "keyRotationHours", info.keyRotationHours()));
        Files.move(tmp, path.resolve("server.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    ServerInfo readServerInfo() throws IOException {
        Path file = path.resolve("server.json");
        if (!Files.exists(file)) {
            throw new IOException("no server has run with data folder " + path + " (start one with: bin/irsa serve --data " + path + ")");
        }
        var node = JSON.readTree(file.toFile());
        return new ServerInfo(node.path("endpoint").asText(), node.path("accountId").asText(), node.path("region").asText(),
                node.path("maxTokenSeconds").asLong(7 * 86400L), node.path("keyRotationHours").asLong(168));
    }
}
