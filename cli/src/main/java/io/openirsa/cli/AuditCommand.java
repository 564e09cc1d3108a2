package io.openirsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.openirsa.core.audit.AuditRecord;
import io.openirsa.policy.Wildcard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Read the audit trail (CloudTrail records), newest first: the IRSA guide's filters without a log service. From --data when given, "
                + "else from the server the AWS_* environment points at (LookupEvents, with the caller's permissions), else from the default data folder.")
final class AuditCommand implements Callable<Integer> {

    @Option(names = "--event", description = "event name, e.g. AssumeRoleWithWebIdentity")
    String event;

    @Option(names = "--role", description = "role name the call was about")
    String role;

    @Option(names = "--subject", description = "web identity subject or session name, * and ? as wildcards (e.g. 'system:serviceaccount:prod:*')")
    String subject;

    @Option(names = "--errors", description = "only refused calls")
    boolean errors;

    @Option(names = "--since", description = "how far back: 30m, 2h, 7d (default: 90d)")
    String since;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many records (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--follow", description = "keep printing new records as they come (then oldest first, the newest last)")
    boolean follow;

    @Option(names = "--format", defaultValue = "table", description = "table, json or jsonl (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--data", description = "data folder of a local server (default: the AWS_* environment's server, else $OPENIRSA_DATA, else ~/.openirsa)")
    Path data;

    Map<String, String> env = System.getenv();

    @Override
    public Integer call() throws Exception {
        if (!Set.of("table", "json", "jsonl").contains(format)) {
            System.err.println("--format must be table, json or jsonl");
            return 2;
        }
        Duration back;
        try {
            back = since == null ? Duration.ofDays(90) : duration(since);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Wildcard subjectPattern = subject == null ? null : Wildcard.compile(subject);
        try (AuditSource source = AuditSource.open(data, env)) {
            List<AuditRecord> found = source.select(event, Instant.now().minus(back), r -> matches(r, subjectPattern), limit);
            if (format.equals("json")) {
                List<JsonNode> records = new ArrayList<>();
                for (AuditRecord r : found) {
                    records.add(RemoteServer.Json.MAPPER.readTree(r.json()));
                }
                System.out.println(RemoteServer.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(records));
            } else {
                if (format.equals("table")) {
                    System.out.printf("%-20s %-26s %-40s %-24s %s%n", "TIME", "EVENT", "WHO", "ROLE", "RESULT");
                }
                // Newest first, as the help says; when following, oldest first, so the new ones come last.
                (follow ? found.reversed() : found).forEach(this::print);
            }
            if (follow) {
                Set<String> seen = new HashSet<>();
                found.forEach(r -> seen.add(r.eventId()));
                while (true) {
                    Thread.sleep(1000);
                    List<AuditRecord> fresh = source.select(event, Instant.now().minus(Duration.ofMinutes(10)), r -> matches(r, subjectPattern), limit);
                    for (AuditRecord r : fresh.reversed()) {
                        if (seen.add(r.eventId())) {
                            print(r);
                        }
                    }
                    System.out.flush();
                }
            }
        }
        return 0;
    }

    private boolean matches(AuditRecord r, Wildcard subjectPattern) {
        if (errors && r.errorCode() == null) {
            return false;
        }
        if (role != null && (r.resourceName() == null || !r.resourceName().endsWith("/" + role))) {
            return false;
        }
        return subjectPattern == null || (r.username() != null && subjectPattern.matches(r.username()));
    }

    private void print(AuditRecord r) {
        if (format.equals("jsonl")) {
            System.out.println(r.json());
            return;
        }
        String roleName = r.resourceName() == null ? "-" : r.resourceName().substring(r.resourceName().lastIndexOf('/') + 1);
        System.out.printf("%-20s %-26s %-40s %-24s %s%n", r.eventTime().truncatedTo(ChronoUnit.SECONDS).toString().replace("T", " "),
                r.eventName(), r.username() == null ? "-" : r.username(), roleName,
                r.errorCode() == null ? "ok" : r.errorCode() + " (bin/irsa explain " + r.requestId() + ")");
    }

    static Duration duration(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.length() < 2) {
            throw new IllegalArgumentException("--since takes a number and a unit: 30m, 2h, 7d");
        }
        long n;
        try {
            n = Long.parseLong(v.substring(0, v.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--since takes a number and a unit: 30m, 2h, 7d");
        }
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("--since takes a number and a unit: 30m, 2h, 7d");
        };
    }

    static JsonNode parse(String json) throws IOException {
        return RemoteServer.Json.MAPPER.readTree(json);
    }
}
