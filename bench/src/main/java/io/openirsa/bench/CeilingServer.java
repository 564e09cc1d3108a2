package io.openirsa.bench;

import io.helidon.webserver.WebServer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ceiling for bench/run: the server's HTTP stack (Helidon SE, virtual threads, one catch-all
 * route) answering every request with a fixed body as large as the real answer, and doing nothing
 * else. How close a real endpoint comes to this is what the request's own work costs.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.openirsa.bench.CeilingServer PORT BODY_BYTES}
 */
public final class CeilingServer {
    private CeilingServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        byte[] body = new byte[Integer.parseInt(args[1])];
        Arrays.fill(body, (byte) 'x');
        WebServer server = WebServer.builder().host("127.0.0.1").port(port)
                .routing(r -> r.any((req, res) -> {
                    req.content().consume();
                    res.header("Content-Type", "text/xml");
                    res.send(body);
                }))
                .build().start();
        System.out.println("ceiling listening on " + server.port() + " with a " + body.length + "-byte body");
        Thread.currentThread().join();
    }
}
