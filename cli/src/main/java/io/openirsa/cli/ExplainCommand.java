package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.audit.AuditRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Say why a call was answered as it was, by the request id the caller got (x-amzn-RequestId, or RequestId in the error): "
                + "the stage that refused it, the exact reason, and the fix. Callers only ever get AWS's answer; this is for the administrator. "
                + "From --data when given, else from the server the AWS_* environment points at (LookupEvents), else from the default data folder.")
final class ExplainCommand implements Callable<Integer> {
    @Parameters(paramLabel = "REQUEST_ID")
    String requestId;

    @Option(names = "--data", description = "data folder of a local server (default: the AWS_* environment's server, else $OPENIRSA_DATA, else ~/.openirsa)")
    Path data;

    Map<String, String> env = System.getenv();

    @Override
    public Integer call() throws Exception {
        Optional<AuditRecord> found;
        try (AuditSource source = AuditSource.open(data, env)) {
            found = source.byRequestId(requestId);
        }
        if (found.isEmpty()) {
            System.err.println("no audit record for request " + requestId);
            return 1;
        }
        JsonNode r = AuditCommand.parse(found.get().json());
        JsonNode who = r.path("userIdentity");
        System.out.println("request   " + requestId + " at " + r.path("eventTime").asText());
        System.out.println("call      " + r.path("eventSource").asText() + " " + r.path("eventName").asText()
                + (r.path("requestParameters").path("roleArn").isMissingNode() ? "" : " on " + r.path("requestParameters").path("roleArn").asText()));
        System.out.println("caller    " + (who.has("userName") ? who.path("userName").asText() + " via " + who.path("identityProvider").asText()
                : who.path("arn").asText(who.path("type").asText())) + " from " + r.path("sourceIPAddress").asText());
        if (!r.hasNonNull("errorCode")) {
            String by = r.path("additionalEventData").path("allowedBy").asText("");
            System.out.println("answer    allowed" + (by.isEmpty() ? "" : " by the trust policy's " + by));
            return 0;
        }
        System.out.println("answer    " + r.path("errorCode").asText() + ": " + r.path("errorMessage").asText());
        JsonNode denial = r.path("additionalEventData").path("denial");
        if (denial.isMissingNode()) {
            System.out.println("why       the caller's request itself was refused (see the answer); no policy was evaluated");
        } else {
            System.out.println("stage     " + denial.path("stage").asText());
            System.out.println("why       " + denial.path("reason").asText());
            System.out.println("fix       " + denial.path("fix").asText());
        }
        return 0;
    }
}
