package io.openirsa.cli;

import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of connections that never finish their headers, against a server with bin/irsa's 96 MiB
 * heap, in its own process: 2,569 of them with 60 KB each ran it out of memory. Connections are now
 * capped (512) and header blocks too (32 KiB), so it is still alive and ready once they go.
 */
class ConnectionFloodTest {

    @Test
    void unfinishedHeaderBlocks_doNotExhaustTheHeap() throws Exception {
        Path data = Files.createTempDirectory("openirsa-flood");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), "io.openirsa.cli.Main", "serve", "--data", data.toString(),
                "--listen", "127.0.0.1:0").redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
        List<Socket> held = new ArrayList<>();
        try {
            String endpoint = AuditReliabilityTest.awaitServer(data, server);
            URI uri = URI.create(endpoint);
            StringBuilder headers = new StringBuilder("POST / HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < 31; i++) {
                headers.append("X-Pad-").append(i).append(": ").append("a".repeat(1000)).append("\r\n"); // 31 KB, under the 32 KiB limit
            }
            byte[] unfinished = headers.toString().getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 3000 && server.isAlive(); i++) {
                try {
                    Socket s = new Socket();
                    held.add(s);
                    s.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
                    s.getOutputStream().write(unfinished);
                } catch (java.io.IOException e) {
                    break; // the listen queue is full: the flood has done what it can
                }
            }
            Thread.sleep(2000);
            assertThat(server.isAlive()).as("alive with %d connections held: %s", held.size(), Files.readString(data.resolve("server.log"))).isTrue();
            for (Socket s : held) {
                s.close();
            }
            held.clear();
            HttpClient http = HttpClient.newHttpClient();
            int status = 0;
            for (int i = 0; i < 50 && status != 200; i++) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/readyz")).timeout(java.time.Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (java.io.IOException e) {
                    Thread.sleep(200);
                }
            }
            assertThat(status).as("ready again once the connections are gone").isEqualTo(200);
            assertThat(server.isAlive()).isTrue();
        } finally {
            for (Socket s : held) {
                s.close();
            }
            server.destroy();
            server.waitFor();
        }
    }
}
