package io.openirsa.store;

import io.openirsa.core.audit.AuditPage;
import io.openirsa.core.audit.AuditQuery;
import io.openirsa.core.audit.AuditRecord;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The audit trail stored a batch to a row answers exactly what a row per record did: every lookup
 * is checked against the same filter over the records in memory, newest first, page by page.
 */
class AuditBatchesTest {
    private static final Instant T = Instant.parse("2026-11-01T00:00:00Z");
    private static final String LONG = "arn:aws:iam::123456789012:role/" + "x".repeat(600); // kept in its term as a digest

    /**
     * Records drawn from small pools, so that values repeat across batches and within them. Most ids are
     * time-ordered UUIDs of their record's time (up to 100 s apart in one append, wider than a batch's id
     * range may be), some are not UUIDs at all, and every other pair of records shares a request.
     */
    private static List<AuditRecord> records(Random random, int n, int from) {
        String[] accounts = {"111111111111", "222222222222", null};
        String[] names = {"AssumeRoleWithWebIdentity", "GetCallerIdentity", "CreateRole"};
        String[] users = {"system:serviceaccount:default:app", "root", null, "ü-ser"};
        String[] resources = {"arn:aws:iam::111111111111:role/app", LONG, null};
        List<AuditRecord> out = new ArrayList<>();
        String request = null;
        for (int i = from; i < from + n; i++) {
            Instant time = T.plusMillis(random.nextInt(100_000));
            String eventId = random.nextInt(10) == 0 ? "event-" + i : uuid(random, time);
            if (i % 4 != 1 || i == from) {
                request = random.nextInt(10) == 0 ? "request-" + i : uuid(random, time);
            }
            out.add(new AuditRecord(eventId, accounts[random.nextInt(3)], time, names[random.nextInt(3)],
                    random.nextBoolean() ? "sts.amazonaws.com" : "iam.amazonaws.com", random.nextBoolean(), users[random.nextInt(4)],
                    random.nextInt(4) == 0 ? null : "ASIA" + random.nextInt(3), random.nextBoolean() ? "AWS::IAM::Role" : null, resources[random.nextInt(3)],
                    request, random.nextInt(5) == 0 ? "AccessDenied" : null, "{\"i\":" + i + "}"));
        }
        return out;
    }

    /** A version 7 UUID of the time, as Identifiers makes them. */
    private static String uuid(Random random, Instant time) {
        return new java.util.UUID(time.toEpochMilli() << 16 | 0x7000L | random.nextInt(0x1000), random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L)
                .toString();
    }

    private static List<AuditRecord> pageThrough(JdbcStore s, String account, String attribute, String value, Instant start, Instant end) {
        List<AuditRecord> all = new ArrayList<>();
        Long next = null;
        do {
            AuditPage page = s.lookupAudit(new AuditQuery(account, attribute, value, start, end, 7, next));
            assertThat(page.records()).hasSizeLessThanOrEqualTo(7);
            all.addAll(page.records());
            next = page.next();
        } while (next != null);
        return all;
    }

    private static List<AuditRecord> expected(List<AuditRecord> appended, Predicate<AuditRecord> p) {
        return appended.reversed().stream().filter(p).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void lookups_pagesAndRetention_matchTheSameFilterInMemory(String vendor) throws Exception {
        Random random = new Random(7);
        try (JdbcStore s = TestDatabases.open(vendor)) {
            List<AuditRecord> appended = new ArrayList<>();
            for (int size : new int[]{1, 700, 3, AuditBatches.MAX_RECORDS + 5, 40, 1}) { // one call over a batch's limit
                List<AuditRecord> batch = records(random, size, appended.size());
                s.appendAudit(batch);
                appended.addAll(batch);
            }
            Instant start = T.plusMillis(20_000);
            Instant end = T.plusMillis(70_000);
            Predicate<AuditRecord> inRange = r -> !r.eventTime().isBefore(start) && !r.eventTime().isAfter(end);
            record Attribute(String name, Function<AuditRecord, String> value, String probe) {
            }
            List<Attribute> attributes = List.of(
                    new Attribute("event_name", AuditRecord::eventName, "CreateRole"),
                    new Attribute("username", AuditRecord::username, "ü-ser"),
                    new Attribute("resource_name", AuditRecord::resourceName, LONG),
                    new Attribute("resource_type", AuditRecord::resourceType, "AWS::IAM::Role"),
                    new Attribute("event_source", AuditRecord::eventSource, "iam.amazonaws.com"),
                    new Attribute("access_key_id", AuditRecord::accessKeyId, "ASIA2"),
                    new Attribute("read_only", r -> Boolean.toString(r.readOnly()), "true"),
                    new Attribute("event_id", AuditRecord::eventId, appended.get(4000).eventId()),
                    new Attribute("event_id", AuditRecord::eventId, appended.get(17).eventId()),
                    new Attribute("event_id", AuditRecord::eventId, appended.stream().map(AuditRecord::eventId).filter(e -> e.startsWith("event-"))
                            .skip(20).findFirst().orElseThrow()),
                    new Attribute("event_name", AuditRecord::eventName, "NoSuchEvent"));
            for (Attribute a : attributes) {
                assertThat(pageThrough(s, "111111111111", a.name(), a.probe(), start, end)).as(a.name() + " " + a.probe())
                        .isEqualTo(expected(appended, r -> inRange.test(r) && "111111111111".equals(r.accountId()) && a.probe().equals(a.value().apply(r))));
                assertThat(pageThrough(s, null, a.name(), a.probe(), T, T.plusSeconds(100))).as(a.name() + " " + a.probe() + ", any account")
                        .isEqualTo(expected(appended, r -> a.probe().equals(a.value().apply(r))));
            }
            assertThat(pageThrough(s, "222222222222", null, null, start, end)).isEqualTo(expected(appended, r -> inRange.test(r) && "222222222222".equals(r.accountId())));
            assertThat(pageThrough(s, null, null, null, start, end)).isEqualTo(expected(appended, inRange));
            for (int i : new int[]{3, 1, 702, 2001, 4401, appended.size() - 1}) { // each the second of its request's two, or alone
                AuditRecord r = appended.get(i);
                assertThat(s.auditByRequestId(r.requestId())).as(r.requestId()).contains(r);
            }
            assertThat(appended.stream().filter(r -> r.requestId().startsWith("request-")).count()).isGreaterThan(100);
            assertThat(s.auditByRequestId("request-none")).isEmpty();
            assertThat(s.auditByRequestId(uuid(random, T.plusSeconds(50)))).isEmpty();
            // Every batch's id ranges are one id, or time-ordered ids at most the span apart; together they hold every record.
            int stored = 0;
            try (Connection c = s.dataSource().getConnection(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT records, min_event_id, max_event_id, min_request_id, max_request_id FROM audit_batches")) {
                while (rs.next()) {
                    stored += rs.getInt(1);
                    for (int k : new int[]{2, 4}) {
                        String min = rs.getString(k);
                        String max = rs.getString(k + 1);
                        if (!min.equals(max)) {
                            assertThat(AuditBatches.Id.millis(min)).isNotNegative();
                            assertThat(AuditBatches.Id.millis(max) - AuditBatches.Id.millis(min)).isBetween(0L, AuditBatches.ID_SPAN_MILLIS);
                        }
                    }
                }
            }
            assertThat(stored).isEqualTo(appended.size());
            assertThatThrownBy(() -> s.lookupAudit(new AuditQuery(null, "request_id", "x", T, end, 5, null)))
                    .isInstanceOf(IllegalArgumentException.class);

            Instant cutoff = T.plusMillis(50_000);
            long older = appended.stream().filter(r -> r.eventTime().isBefore(cutoff)).count();
            assertThat(s.deleteAuditBefore(cutoff)).isEqualTo(older);
            assertThat(s.deleteAuditBefore(cutoff)).isZero();
            assertThat(pageThrough(s, null, null, null, T, T.plusSeconds(100))).isEqualTo(expected(appended, r -> !r.eventTime().isBefore(cutoff)));
            assertThat(pageThrough(s, null, "resource_name", LONG, T, T.plusSeconds(100)))
                    .isEqualTo(expected(appended, r -> !r.eventTime().isBefore(cutoff) && LONG.equals(r.resourceName())));
            // Every term left names a batch, and every term a remaining record makes is there.
            try (Connection c = s.dataSource().getConnection(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM audit_terms t WHERE NOT EXISTS (SELECT 1 FROM audit_batches b WHERE b.id = t.batch)")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void recordsOfOneMove_withTheServersIds_areOneBatch(String vendor) throws Exception {
        try (JdbcStore s = TestDatabases.open(vendor)) {
            List<AuditRecord> move = new ArrayList<>();
            for (int i = 0; i < 500; i++) { // a move's worth, ids made as the server makes them
                move.add(new AuditRecord(io.openirsa.core.Identifiers.timeOrderedUuid(), "111111111111", Instant.ofEpochMilli(System.currentTimeMillis()), "GetCallerIdentity",
                        "sts.amazonaws.com", true, "app", "ASIA1", null, null, io.openirsa.core.Identifiers.timeOrderedUuid(), null, "{}"));
            }
            s.appendAudit(move);
            assertThat(s.auditByRequestId(move.get(250).requestId())).contains(move.get(250)); // and SQLite's journal moved
            try (Connection c = s.dataSource().getConnection(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*), sum(records) FROM audit_batches")) {
                rs.next();
                assertThat(rs.getInt(1)).isOne();
                assertThat(rs.getInt(2)).isEqualTo(500);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void recordsStoredARowEach_areMovedIntoBatches_inTheirOrder(String vendor) throws Exception {
        Path folder = TestDatabases.tempDir();
        String url = vendor.equals("sqlite") ? null : TestDatabases.freshPostgresDatabase();
        Flyway old = vendor.equals("sqlite")
                ? Flyway.configure().dataSource("jdbc:sqlite:" + folder.resolve("openirsa.db"), null, null)
                .locations("classpath:db/migration/common", "classpath:db/migration/sqlite").target("8").load()
                : Flyway.configure().dataSource(jdbc(url), user(url), "").locations("classpath:db/migration/common", "classpath:db/migration/postgresql")
                .target("6").load(); // V7 and V8 are SQLite's alone
        old.migrate();
        List<AuditRecord> rows = records(new Random(3), 2500, 0);
        try (Connection c = old.getConfiguration().getDataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO audit_events (event_id, account_id, event_time, event_name, event_source, read_only, "
                     + "username, access_key_id, resource_type, resource_name, request_id, error_code, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (AuditRecord r : rows) {
                Object[] v = {r.eventId(), r.accountId(), r.eventTime().toEpochMilli(), r.eventName(), r.eventSource(), Boolean.toString(r.readOnly()),
                        r.username(), r.accessKeyId(), r.resourceType(), r.resourceName(), r.requestId(), r.errorCode(), r.json()};
                for (int i = 0; i < v.length; i++) {
                    ps.setObject(i + 1, v[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (JdbcStore s = vendor.equals("sqlite") ? JdbcStore.sqlite(folder) : JdbcStore.postgresql(url)) {
            assertThat(pageThrough(s, null, null, null, T, T.plusSeconds(100))).isEqualTo(rows.reversed());
            assertThat(pageThrough(s, "111111111111", "event_name", "CreateRole", T, T.plusSeconds(100)))
                    .isEqualTo(expected(rows, r -> "111111111111".equals(r.accountId()) && "CreateRole".equals(r.eventName())));
            assertThat(s.auditByRequestId(rows.get(21).requestId())).contains(rows.get(21));
            assertThat(s.auditByRequestId(rows.get(1402).requestId())).contains(rows.get(1402));
            try (Connection c = s.dataSource().getConnection()) {
                assertThat(c.getMetaData().getTables(null, null, "audit_events", null).next()).isFalse();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void batchesStoredDeflated_beforeZstandard_areStillRead() throws Exception {
        byte[] encoded = AuditJournal.encode(records(new Random(5), 300, 0));
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED);
        d.setInput(encoded);
        d.finish();
        byte[] deflated = new byte[encoded.length + 64];
        int n = d.deflate(deflated);
        d.end();
        assertThat(AuditBatches.decompress(java.util.Arrays.copyOf(deflated, n))).isEqualTo(encoded);
        byte[] compressed = AuditBatches.compress(encoded);
        assertThat(compressed.length).isLessThan(n);
        assertThat(AuditBatches.decompress(compressed)).isEqualTo(encoded);
    }

    @org.junit.jupiter.api.Test
    void damagedBatches_areRefused_withoutAllocatingWhatTheyClaim() {
        byte[] compressed = AuditBatches.compress(AuditJournal.encode(records(new Random(6), 50, 0)));
        // A frame header claiming 2 GiB of content (single segment, 8-byte size), then nothing.
        byte[] huge = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, (byte) 0xE0, 0, 0, 0, (byte) 0x80, 0, 0, 0, 0};
        byte[] truncated = java.util.Arrays.copyOf(compressed, compressed.length / 2);
        byte[] flipped = compressed.clone();
        flipped[compressed.length / 2] ^= 0x5A;
        for (byte[] damaged : List.of(huge, truncated, flipped, new byte[]{0x28, (byte) 0xB5, 0x2F, (byte) 0xFD}, "not a batch".getBytes())) {
            assertThatThrownBy(() -> AuditBatches.decompress(damaged)).isInstanceOf(IllegalStateException.class);
        }
    }

    private static String jdbc(String url) {
        java.net.URI u = java.net.URI.create(url);
        return "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath();
    }

    private static String user(String url) {
        String info = java.net.URI.create(url).getUserInfo();
        return info == null ? "postgres" : info.split(":")[0];
    }
}
