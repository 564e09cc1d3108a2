package io.openirsa.cli;

import io.openirsa.core.OpenIrsa;
import io.openirsa.core.Settings;
import io.openirsa.core.model.AccessKey;
import io.openirsa.core.store.Store;
import io.openirsa.server.OpenIrsaServer;
import io.openirsa.store.JdbcStore;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A server whose heap ran out once is not fit to serve, and its probes say so: after an
 * OutOfMemoryError while handling a call, that call gets a 500 in its protocol and /healthz and
 * /readyz answer 503, so Kubernetes restarts the pod (bin/irsa also exits on it, e2e/launcher.sh).
 * The error is raised by the store here, where a real one would come from any allocation.
 */
class OutOfMemoryTest {

    @Test
    void anOutOfMemoryError_turnsTheProbesTo503() throws Exception {
        AtomicBoolean exhausted = new AtomicBoolean();
        try (JdbcStore real = JdbcStore.sqlite(Files.createTempDirectory("openirsa-oom"))) {
            Store store = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, (proxy, method, args) -> {
                if (exhausted.get() && method.getName().equals("role")) {
                    throw new OutOfMemoryError("Java heap space");
                }
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
            OpenIrsa domain = new OpenIrsa(store, new Settings("http://127.0.0.1:1", Settings.DEFAULT_REGION, 86_400, 2048,
                    Settings.DEFAULT_STALE_IF_ERROR, Settings.DEFAULT_KEY_ROTATION, Clock.systemUTC()));
            AccessKey admin = domain.bootstrap(Settings.DEFAULT_ACCOUNT);
            try (OpenIrsaServer server = OpenIrsaServer.start(domain, "127.0.0.1", 0, () -> true)) {
                String endpoint = "http://127.0.0.1:" + server.port();
                HttpClient http = HttpClient.newHttpClient();
                assertThat(status(http, endpoint + "/readyz")).isEqualTo(200);
                try (IamClient iam = IamClient.builder().endpointOverride(URI.create(endpoint)).region(Region.AWS_GLOBAL)
                        .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
                        .httpClient(UrlConnectionHttpClient.create()).build()) {
                    exhausted.set(true);
                    AwsServiceException e = catchThrowableOfType(AwsServiceException.class, () -> iam.getRole(b -> b.roleName("any")));
                    assertThat(e.statusCode()).isEqualTo(500);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceFailure");
                }
                assertThat(status(http, endpoint + "/healthz")).isEqualTo(503);
                assertThat(status(http, endpoint + "/readyz")).isEqualTo(503);
            }
        }
    }

    static int status(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
