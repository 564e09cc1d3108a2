package io.openirsa.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.openirsa.core.audit.AuditPage;
import io.openirsa.core.audit.AuditQuery;
import io.openirsa.core.audit.AuditRecord;
import io.openirsa.core.store.AuditTrail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * The audit trail's table: the records of one group commit in one row, a JSON array deflated
 * together. A lookup reads batches newest first and filters their records; a record's position
 * (its batch's id and its index in the batch) orders the trail and is where a page ends.
 *
 * <p>Why not a row per record: with the indexes LookupEvents would want, SQLite's insert cost 40-60 µs
 * a record and an exchange lost half its throughput; with only a time index, the throughput was the
 * same but the p99 under full load five to eight times higher. Deflated: a record alone takes a third
 * of its bytes, and under load the WAL checkpoint that holds the writer lasts as long as the bytes it
 * copies (docs/benchmarks.md, 2026-12-07).
 */
final class AuditBatch {
    private static final JsonFactory JSON = new JsonFactory();
    /** The bits of a position that are a record's index in its batch: AuditLog commits at most 500. */
    private static final int INDEX_BITS = 16;
    /** Batches read per query while a page fills. */
    private static final int READ_AHEAD = 32;
    /**
     * Records one lookup decodes at most (about 0.1 s of CPU): a page that is not full by then ends
     * where the reading stopped, with a NextToken, as CloudTrail's pages may. One caller's lookup cannot
     * make the server read the whole trail of every tenant at once. Counted in records, not batches: a
     * batch holds up to 500.
     */
    static final int SCAN_BUDGET = 10_000;
    /** Replicas' clocks differ: a batch may be older than one committed before it by this much. */
    private static final long SKEW_MILLIS = Duration.ofMinutes(1).toMillis();
    /** Where a request's record may lie around the time in its id. */
    private static final long ID_WINDOW_MILLIS = Duration.ofMinutes(2).toMillis();
    /** LookupEvents' attributes as AuditQuery names them. */
    private static final Map<String, Function<AuditRecord, String>> ATTRIBUTES = Map.of(
            "event_id", AuditRecord::eventId, "event_name", AuditRecord::eventName, "read_only", r -> Boolean.toString(r.readOnly()),
            "username", AuditRecord::username, "resource_type", AuditRecord::resourceType, "resource_name", AuditRecord::resourceName,
            "event_source", AuditRecord::eventSource, "access_key_id", AuditRecord::accessKeyId);

    private AuditBatch() {
    }

    static void insert(Connection c, List<AuditRecord> records) throws SQLException {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (AuditRecord r : records) {
            min = Math.min(min, r.eventTime().toEpochMilli());
            max = Math.max(max, r.eventTime().toEpochMilli());
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_batches (min_time, max_time, records, payload) VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, min);
            ps.setLong(2, max);
            ps.setInt(3, records.size());
            ps.setBytes(4, encode(records));
            ps.setQueryTimeout((int) AuditTrail.COMMIT_WITHIN.toSeconds()); // callers wait for this commit: never forever
            ps.executeUpdate();
        }
    }

    /** The newest records the query matches, up to its limit, and where the next page starts. */
    static AuditPage lookup(Connection c, AuditQuery q) throws SQLException {
        Function<AuditRecord, String> attribute = q.attribute() == null ? null : ATTRIBUTES.get(q.attribute());
        if (q.attribute() != null && attribute == null) {
            throw new IllegalArgumentException("not an audit attribute: " + q.attribute());
        }
        long from = q.start().toEpochMilli();
        long to = q.end().toEpochMilli();
        return page(c, q.before() == null ? Long.MAX_VALUE : q.before(), from, to,
                r -> r.eventTime().toEpochMilli() >= from && r.eventTime().toEpochMilli() <= to
                        && (q.accountId() == null || q.accountId().equals(r.accountId()))
                        && (attribute == null || Objects.equals(attribute.apply(r), q.value())), q.limit());
    }

    /**
     * The newest record of a request: looked for first in the batches made within two minutes of the
     * time in its id (request ids are time-ordered), then among the newest batches.
     */
    static AuditRecord byRequestId(Connection c, String requestId) throws SQLException {
        long t = idMillis(requestId);
        List<AuditRecord> found = t < 0 ? List.of()
                : page(c, Long.MAX_VALUE, t - ID_WINDOW_MILLIS, t + ID_WINDOW_MILLIS, r -> requestId.equals(r.requestId()), 1).records();
        if (found.isEmpty()) { // an id of another form, or a clock that is not the one ids are made with (a test's)
            found = page(c, Long.MAX_VALUE, Long.MIN_VALUE + SKEW_MILLIS, Long.MAX_VALUE, r -> requestId.equals(r.requestId()), 1).records();
        }
        return found.isEmpty() ? null : found.getFirst();
    }

    private static AuditPage page(Connection c, long before, long start, long end, Predicate<AuditRecord> matches, int limit)
            throws SQLException {
        List<AuditRecord> found = new ArrayList<>();
        long below = before == Long.MAX_VALUE ? Long.MAX_VALUE : (before >>> INDEX_BITS) + 1;
        int read = 0;
        long last = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT id, max_time, records, payload FROM audit_batches WHERE id < ? AND min_time <= ? "
                + "ORDER BY id DESC LIMIT " + READ_AHEAD)) {
            while (true) {
                ps.setLong(1, below);
                ps.setLong(2, end);
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        long id = rs.getLong(1);
                        if (read >= SCAN_BUDGET) {
                            return new AuditPage(found, (id + 1) << INDEX_BITS); // the next page begins with this batch
                        }
                        read += rs.getInt(3);
                        below = id;
                        if (rs.getLong(2) < start - SKEW_MILLIS) {
                            return new AuditPage(found, null); // older than the range: so is every batch before it
                        }
                        if (rs.getLong(2) < start) {
                            continue;
                        }
                        List<AuditRecord> records = decode(rs.getBytes(4));
                        for (int i = records.size() - 1; i >= 0; i--) {
                            long position = id << INDEX_BITS | i;
                            if (position >= before || !matches.test(records.get(i))) {
                                continue;
                            }
                            if (found.size() == limit) {
                                return new AuditPage(found, last);
                            }
                            found.add(records.get(i));
                            last = position;
                        }
                    }
                }
                if (rows < READ_AHEAD) {
                    return new AuditPage(found, null);
                }
            }
        }
    }

    /** Deletes batches whose newest record is older than the cutoff, up to {@code most}; returns the records deleted. */
    static int deleteSome(Connection c, long cutoff, int most) throws SQLException {
        List<long[]> expired = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, records FROM audit_batches WHERE min_time < ? AND max_time < ? LIMIT " + most)) {
            ps.setLong(1, cutoff);
            ps.setLong(2, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    expired.add(new long[] {rs.getLong(1), rs.getLong(2)});
                }
            }
        }
        int records = 0;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_batches WHERE id = ?")) {
            for (long[] e : expired) {
                ps.setLong(1, e[0]);
                ps.addBatch();
                records += (int) e[1];
            }
            ps.executeBatch();
        }
        return records;
    }

    /**
     * The first 48 bits of a time-ordered id ({@code 01a232f7-f43f-7...}, as Identifiers makes request
     * ids) as epoch milliseconds, or -1 for an id of another form.
     */
    static long idMillis(String id) {
        if (id == null || id.length() != 36 || id.charAt(8) != '-' || id.charAt(13) != '-' || id.charAt(14) != '7') {
            return -1;
        }
        try {
            return Long.parseLong(id.substring(0, 8) + id.substring(9, 13), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One per thread, reset for each batch: a new Deflater allocates zlib's state, 256 KiB, every time. */
    private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED));

    /**
     * A JSON array with an array per record: its twelve fields, then the CloudTrail record as it is
     * (written raw: escaped as a string, its quotes cost time and deflate worse).
     */
    static byte[] encode(List<AuditRecord> records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        try (DeflaterOutputStream out = new DeflaterOutputStream(bytes, deflater);
             JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (AuditRecord r : records) {
                g.writeStartArray();
                g.writeString(r.eventId());
                g.writeString(r.accountId());
                g.writeNumber(r.eventTime().toEpochMilli());
                g.writeString(r.eventName());
                g.writeString(r.eventSource());
                g.writeBoolean(r.readOnly());
                g.writeString(r.username());
                g.writeString(r.accessKeyId());
                g.writeString(r.resourceType());
                g.writeString(r.resourceName());
                g.writeString(r.requestId());
                g.writeString(r.errorCode());
                g.writeRawValue(r.json());
                g.writeEndArray();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static List<AuditRecord> decode(byte[] stored) {
        String text;
        try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(stored))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("an audit batch does not inflate", e);
        }
        List<AuditRecord> records = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            expect(p, JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.START_ARRAY) {
                String[] f = new String[12];
                for (int i = 0; i < f.length; i++) {
                    p.nextToken();
                    f[i] = p.currentToken() == JsonToken.VALUE_NULL ? null : p.getValueAsString();
                }
                expect(p, JsonToken.START_OBJECT);
                int from = (int) p.currentTokenLocation().getCharOffset();
                p.skipChildren();
                int to = (int) p.currentLocation().getCharOffset();
                expect(p, JsonToken.END_ARRAY);
                records.add(new AuditRecord(f[0], f[1], Instant.ofEpochMilli(Long.parseLong(f[2])), f[3], f[4], Boolean.parseBoolean(f[5]), f[6], f[7],
                        f[8], f[9], f[10], f[11], text.substring(from, to)));
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("an audit batch does not decode", e);
        }
        return records;
    }

    private static void expect(JsonParser p, JsonToken token) throws IOException {
        if (p.nextToken() != token) {
            throw new IOException("expected " + token + " at " + p.currentLocation());
        }
    }
}
