package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CloudTrail's LookupEvents quota, two a second per account: over it, ThrottlingException (400),
 * which the SDKs back off and retry. One tenant's lookups (each may read 10,000 records) are bounded
 * so, and do not use up another's. Clients here do not retry, to see each answer.
 */
class LookupEventsThrottleTest extends ServerTest {
    CloudTrailClient client(String keyId, String secret) {
        return CloudTrailClient.builder().endpointOverride(f.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1))).httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** The tests share the server: each starts with its account's quota full. */
    @BeforeEach
    void quotaRefilled() throws InterruptedException {
        Thread.sleep(1100);
    }

    @Test
    void pastTwoASecond_anAccountIsThrottled_andAnotherIsNot() throws Exception {
        JsonNode other = AccountCommand.Create.create(new RemoteServer(f.server.endpoint(), f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey(), null, "us-east-1"), "210987654321");
        try (CloudTrailClient admin = client(f.server.adminKey().accessKeyId(), f.server.adminKey().secretAccessKey());
             CloudTrailClient tenant = client(other.path("accessKeyId").asText(), other.path("secretAccessKey").asText())) {
            List<AwsServiceException> throttled = new ArrayList<>();
            int answered = 0;
            // Six in a row: all six could pass only if each took half a second.
            for (int i = 0; i < 6; i++) {
                try {
                    admin.lookupEvents(b -> b.maxResults(1));
                    answered++;
                } catch (AwsServiceException e) {
                    throttled.add(e);
                }
            }
            assertThat(answered).as("the first two pass").isGreaterThanOrEqualTo(2);
            assertThat(throttled).isNotEmpty().allSatisfy(e -> {
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
                assertThat(e.isThrottlingException()).as("the SDK backs off and retries it").isTrue();
            });
            // Another tenant's quota is its own.
            assertThat(tenant.lookupEvents(b -> b.maxResults(1)).events()).isNotNull();
            // And the account's comes back: a lookup a second later passes.
            Thread.sleep(1000);
            assertThat(admin.lookupEvents(b -> b.maxResults(1)).events()).isNotNull();
        }
    }

    @Test
    void irsaAuditAndExplain_overLookupEvents_waitOutTheQuota() throws Exception {
        RemoteServer server = RemoteServer.required(Map.of("AWS_ENDPOINT_URL", f.server.endpoint(),
                "AWS_ACCESS_KEY_ID", f.server.adminKey().accessKeyId(), "AWS_SECRET_ACCESS_KEY", f.server.adminKey().secretAccessKey()));
        try (AuditSource remote = new AuditSource.Remote(server)) {
            // Eight lookups in a row, four times the quota: each throttled one backs off and asks again.
            List<Integer> found = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                found.add(remote.select(null, Instant.now().minusSeconds(3600), r -> true, 1).size());
            }
            assertThat(found.getLast()).as("every lookup is itself a record: the last finds the others").isEqualTo(1);
        }
    }
}
