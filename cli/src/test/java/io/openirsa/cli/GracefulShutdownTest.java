package io.openirsa.cli;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Shutdown drains: /readyz turns 503 at once, and a request already in flight still gets its answer. */
class GracefulShutdownTest {

    @Test
    void aRequestInFlightIsAnsweredWhileTheServerDrains() throws Exception {
        Fixture f = new Fixture();
        URI endpoint = f.endpoint();
        String body = "Action=GetCallerIdentity&Version=2011-06-15";
        Thread closing;
        try (Socket slow = new Socket(endpoint.getHost(), endpoint.getPort())) {
            OutputStream out = slow.getOutputStream();
            // Headers and half the body: the server is reading this request when shutdown starts.
            out.write(("POST / HTTP/1.1\r\nHost: " + endpoint.getHost() + ":" + endpoint.getPort()
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n\r\n"
                    + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(300);

            closing = Thread.ofPlatform().start(f::close);
            Thread.sleep(300);
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint.resolve("/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("shutting down");
            assertThat(closing.isAlive()).as("shutdown waits for the request in flight").isTrue();

            out.write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(slow.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            // Unsigned GetCallerIdentity: AWS's refusal, answered in full rather than cut off.
            assertThat(status).startsWith("HTTP/1.1 403");
            StringBuilder rest = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                rest.append(line).append('\n');
                if (line.contains("</ErrorResponse>")) {
                    break;
                }
            }
            assertThat(rest.toString()).contains("MissingAuthenticationToken");
        }
        closing.join(15_000);
        assertThat(closing.isAlive()).isFalse();
    }
}
