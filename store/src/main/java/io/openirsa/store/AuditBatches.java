package io.openirsa.store;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import io.openirsa.core.Sha256;
import io.openirsa.core.audit.AuditPage;
import io.openirsa.core.audit.AuditQuery;
import io.openirsa.core.audit.AuditRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The audit trail's tables: CloudTrail records a batch to a row, compressed together, and lookup terms
 * saying which batches hold a record with a given attribute value. A lookup reads the batches its
 * term names and filters their records.
 *
 * <p>Why: a row per record with five indexes cost the SQLite mover 13 µs a record, the largest single
 * cost of an exchange (docs/benchmarks.md). A batch is one row, and its terms are the distinct values
 * of its records, a handful per batch. Event and request ids are distinct per record, so they are not
 * terms: a batch keeps the range of each, and a range is kept narrow (a run of time-ordered ids within
 * {@value #ID_SPAN_MILLIS} ms of each other, or one id), so the batches that may hold an id are found
 * in a bounded stretch of an index.
 *
 * <p>A record's position, which orders the trail (newest first) and pages through it, is its batch's
 * id and its index in the batch in one long.
 */
final class AuditBatches {
    /** Records in one batch at most: the index in a position has {@value #INDEX_BITS} bits. */
    static final int MAX_RECORDS = 4096;
    private static final int INDEX_BITS = 16;
    /** Batches fetched per query while a page fills. */
    private static final int CANDIDATES = 16;
    /** A value longer than this is kept in its term as a SHA-256: PostgreSQL's index entries are at most 2,704 bytes. */
    private static final int TERM_VALUE_MAX = 256;
    /** What a batch may decompress to at most; more is damage, not a batch. */
    private static final int MAX_DECOMPRESSED = 256 << 20;

    /** What a term is made of: a letter, a colon, the value. */
    enum Term {
        ACCOUNT("a", AuditRecord::accountId),
        // LookupEvents' attributes, by the names AuditQuery uses for them; event_id is an Id.
        EVENT_NAME("n", AuditRecord::eventName),
        READ_ONLY("o", r -> Boolean.toString(r.readOnly())),
        USERNAME("u", AuditRecord::username),
        RESOURCE_TYPE("t", AuditRecord::resourceType),
        RESOURCE_NAME("m", AuditRecord::resourceName),
        EVENT_SOURCE("s", AuditRecord::eventSource),
        ACCESS_KEY_ID("k", AuditRecord::accessKeyId);

        private final String letter;
        private final Function<AuditRecord, String> value;

        Term(String letter, Function<AuditRecord, String> value) {
            this.letter = letter;
            this.value = value;
        }

        /** The attribute AuditQuery names (event_name, username, ...); never the account, and event_id is an Id. */
        static Term attribute(String name) {
            for (Term t : values()) {
                if (t != ACCOUNT && t.name().equalsIgnoreCase(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("not an audit attribute: " + name);
        }

        String of(String v) {
            if (v.length() <= TERM_VALUE_MAX / 3) { // no UTF-8 encoding to measure: a char is at most three bytes of it
                return letter + ":" + v;
            }
            byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
            return utf8.length <= TERM_VALUE_MAX ? letter + ":" + v : letter + "#" + HexFormat.of().formatHex(Sha256.digest(utf8));
        }

        boolean holds(AuditRecord r, String v) {
            return Objects.equals(value.apply(r), v);
        }
    }

    /** How far apart in time (their first 48 bits) the ids of one batch's range may be. */
    static final long ID_SPAN_MILLIS = 60_000;

    /** The ids kept as a range per batch, in columns {@code min_NAME_id} and {@code max_NAME_id}. */
    enum Id {
        EVENT("event", AuditRecord::eventId),
        REQUEST("request", AuditRecord::requestId);

        private final String min;
        private final String max;
        private final Function<AuditRecord, String> value;

        Id(String name, Function<AuditRecord, String> value) {
            this.min = "min_" + name + "_id";
            this.max = "max_" + name + "_id";
            this.value = value;
        }

        /** Batches whose range may hold the id: those starting at most the span before it (an id not time-ordered: only itself). */
        Where holding(String id) {
            long millis = millis(id);
            long earliest = Math.max(0, millis - ID_SPAN_MILLIS);
            String from = millis < 0 ? id : String.format("%08x-%04x", earliest >>> 16, earliest & 0xFFFF);
            return new Where("SELECT b.id, b.payload FROM audit_batches b WHERE b." + min + " >= ? AND b." + min + " <= ? AND b." + max + " >= ?",
                    "b.id", List.of(from, id, id));
        }

        /**
         * The first 48 bits of a time-ordered id ({@code 01a232f7-f43f-7...}, lower-case hex, as
         * Identifiers makes them) as milliseconds, or -1 for anything else: compared as text, such ids
         * sort as their times do.
         */
        static long millis(String id) {
            if (id.length() != 36 || id.charAt(8) != '-') {
                return -1;
            }
            long ms = 0;
            for (int i = 0; i < 13; i++) {
                if (i == 8) {
                    continue;
                }
                char c = id.charAt(i);
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                if (d < 0) {
                    return -1;
                }
                ms = ms << 4 | d;
            }
            return ms;
        }
    }

    /** The range of one kind of id over a run of records: one id, or time-ordered ids at most the span apart. */
    private static final class IdRange {
        String min;
        String max;

        /** Takes the id in if the range stays narrow; else leaves the range as it was and says no. */
        boolean admit(String id) {
            if (min == null) {
                min = max = id;
                return true;
            }
            String lo = id.compareTo(min) < 0 ? id : min;
            String hi = id.compareTo(max) > 0 ? id : max;
            // Two ids or more: all time-ordered (min stands for the rest, which are if there are several).
            if (!lo.equals(hi) && (Id.millis(id) < 0 || Id.millis(min) < 0 || Id.millis(hi) - Id.millis(lo) > ID_SPAN_MILLIS)) {
                return false;
            }
            min = lo;
            max = hi;
            return true;
        }
    }

    /** Which batches a lookup reads: a select of id and payload with its conditions so far, the column the batch id is in, the arguments. */
    record Where(String select, String batchColumn, List<Object> args) {
        static final Where ALL = new Where("SELECT b.id, b.payload FROM audit_batches b WHERE 1 = 1", "b.id", List.of());

        static Where term(String term) {
            return new Where("SELECT b.id, b.payload FROM audit_terms t JOIN audit_batches b ON b.id = t.batch WHERE t.term = ?", "t.batch", List.of(term));
        }
    }

    private AuditBatches() {
    }

    /** The encoding ({@link AuditJournal#encode}) of a run of the records being inserted, from index {@code from} to before {@code to}. */
    interface Encoding {
        byte[] of(int from, int to);
    }

    /** Stores the records in order, in batches of at most {@value #MAX_RECORDS} whose id ranges stay narrow, with their terms. */
    static void insert(Connection c, List<AuditRecord> records) throws SQLException {
        insert(c, records, (from, to) -> AuditJournal.encode(records.subList(from, to)));
    }

    /** The same, with the records' encoding at hand. */
    static void insert(Connection c, List<AuditRecord> records, Encoding encoding) throws SQLException {
        int from = 0;
        while (from < records.size()) {
            IdRange events = new IdRange();
            IdRange requests = new IdRange();
            int to = from;
            while (to < records.size() && to - from < MAX_RECORDS && events.admit(records.get(to).eventId())) {
                if (!requests.admit(records.get(to).requestId())) {
                    events = ranges(records.subList(from, to), Id.EVENT); // the event id was taken in: back to the run's
                    break;
                }
                to++;
            }
            List<AuditRecord> batch = records.subList(from, to);
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_batches (min_time, max_time, records, min_event_id, max_event_id, "
                    + "min_request_id, max_request_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                bindBatch(ps, batch, events, requests, encoding.of(from, to));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            terms(c, "INSERT INTO audit_terms (term, batch) VALUES (?, ?)", id, terms(batch));
            from = to;
        }
    }

    /** A batch's columns, in the order both the insert and the rewrite name them: times, count, id ranges, payload. */
    private static void bindBatch(PreparedStatement ps, List<AuditRecord> batch, IdRange events, IdRange requests, byte[] encoded)
            throws SQLException {
        LongSummaryStatistics times = batch.stream().mapToLong(r -> r.eventTime().toEpochMilli()).summaryStatistics();
        ps.setLong(1, times.getMin());
        ps.setLong(2, times.getMax());
        ps.setInt(3, batch.size());
        ps.setString(4, events.min);
        ps.setString(5, events.max);
        ps.setString(6, requests.min);
        ps.setString(7, requests.max);
        ps.setBytes(8, compress(encoded));
    }

    private static IdRange ranges(List<AuditRecord> records, Id kind) {
        IdRange range = new IdRange();
        records.forEach(r -> range.admit(kind.value.apply(r)));
        return range;
    }

    /** The newest records the query matches, a page of them, and where the next page starts. */
    static AuditPage lookup(Connection c, AuditQuery q) throws SQLException {
        boolean byEventId = "event_id".equals(q.attribute());
        Term attribute = q.attribute() == null || byEventId ? null : Term.attribute(q.attribute());
        Where where = byEventId ? Id.EVENT.holding(q.value()) : attribute != null ? Where.term(attribute.of(q.value()))
                : q.accountId() != null ? Where.term(Term.ACCOUNT.of(q.accountId())) : Where.ALL;
        Predicate<AuditRecord> matches = r -> (q.accountId() == null || q.accountId().equals(r.accountId()))
                && (attribute == null || attribute.holds(r, q.value())) && (!byEventId || q.value().equals(r.eventId()));
        return page(c, where, q.before() == null ? Long.MAX_VALUE : q.before(), q.start().toEpochMilli(), q.end().toEpochMilli(), matches, q.limit());
    }

    /** The newest record of the request. */
    static AuditRecord byRequestId(Connection c, String requestId) throws SQLException {
        List<AuditRecord> newest = page(c, Id.REQUEST.holding(requestId), Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE,
                r -> requestId.equals(r.requestId()), 1).records();
        return newest.isEmpty() ? null : newest.getFirst();
    }

    /**
     * Up to {@code limit} records before the position, between the times (epoch milliseconds, inclusive), that
     * match, newest first, from the batches the condition picks; and the position the next page starts before.
     */
    private static AuditPage page(Connection c, Where where, long before, long start, long end, Predicate<AuditRecord> matches, int limit)
            throws SQLException {
        List<AuditRecord> found = new ArrayList<>();
        long lastPosition = 0;
        long below = before == Long.MAX_VALUE ? Long.MAX_VALUE : (before >>> INDEX_BITS) + 1;
        while (true) {
            List<Stored> candidates = candidates(c, where, below, start, end);
            for (Stored b : candidates) {
                List<AuditRecord> records = b.records();
                for (int i = records.size() - 1; i >= 0; i--) {
                    long position = b.id << INDEX_BITS | i;
                    AuditRecord r = records.get(i);
                    long t = r.eventTime().toEpochMilli();
                    if (position >= before || t < start || t > end || !matches.test(r)) {
                        continue;
                    }
                    if (found.size() == limit) {
                        return new AuditPage(found, lastPosition);
                    }
                    found.add(r);
                    lastPosition = position;
                }
                below = b.id;
            }
            if (candidates.size() < CANDIDATES) {
                return new AuditPage(found, null);
            }
        }
    }

    /**
     * Deletes records older than the cutoff from up to {@value #CANDIDATES} of the oldest batches holding
     * any, with the terms no record left names. A batch holding newer records too is written again without them.
     */
    static Expired deleteSome(Connection c, long cutoff) throws SQLException {
        List<Stored> old = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, payload FROM audit_batches WHERE min_time < ? ORDER BY min_time LIMIT " + CANDIDATES)) {
            ps.setLong(1, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    old.add(new Stored(rs.getLong(1), rs.getBytes(2)));
                }
            }
        }
        int removed = 0;
        for (Stored b : old) {
            List<AuditRecord> records = b.records();
            List<AuditRecord> kept = records.stream().filter(r -> r.eventTime().toEpochMilli() >= cutoff).toList();
            Set<String> gone = terms(records);
            gone.removeAll(terms(kept));
            terms(c, "DELETE FROM audit_terms WHERE term = ? AND batch = ?", b.id, gone);
            if (kept.isEmpty()) {
                run(c, "DELETE FROM audit_batches WHERE id = ?", b.id);
            } else {
                try (PreparedStatement ps = c.prepareStatement("UPDATE audit_batches SET min_time = ?, max_time = ?, records = ?, min_event_id = ?, "
                        + "max_event_id = ?, min_request_id = ?, max_request_id = ?, payload = ? WHERE id = ?")) {
                    bindBatch(ps, kept, ranges(kept, Id.EVENT), ranges(kept, Id.REQUEST), AuditJournal.encode(kept)); // a part of a narrow range is narrow
                    ps.setLong(9, b.id);
                    ps.executeUpdate();
                }
            }
            removed += records.size() - kept.size();
        }
        return new Expired(removed, old.size() == CANDIDATES);
    }

    /** @param more whether older batches may be left */
    record Expired(int records, boolean more) {
    }

    /** Batches below {@code below} (by id, newest first) that the condition picks and that may hold records between the times. */
    private static List<Stored> candidates(Connection c, Where where, long below, long start, long end) throws SQLException {
        // Ordered by the column the condition's index is in: the term's (term, batch) key is read backwards, not sorted.
        String sql = where.select() + " AND " + where.batchColumn() + " < ? AND b.max_time >= ? AND b.min_time <= ? ORDER BY "
                + where.batchColumn() + " DESC LIMIT " + CANDIDATES;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object arg : where.args()) {
                ps.setObject(i++, arg);
            }
            ps.setLong(i++, below);
            ps.setLong(i++, start);
            ps.setLong(i, end);
            List<Stored> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Stored(rs.getLong(1), rs.getBytes(2)));
                }
            }
            return out;
        }
    }

    /** A batch as read: decoded only when it is looked into. */
    private record Stored(long id, byte[] payload) {
        List<AuditRecord> records() {
            byte[] encoded = decompress(payload);
            try {
                return AuditJournal.decode(encoded, 0, encoded.length);
            } catch (IOException e) {
                throw new IllegalStateException("audit batch " + id + " is damaged: " + e.getMessage(), e);
            }
        }
    }

    /** Every term the records' values make, once each; values repeat, so each is made into a term once. */
    private static Set<String> terms(List<AuditRecord> records) {
        Set<String> terms = new LinkedHashSet<>();
        for (Term t : Term.values()) {
            Set<String> seen = new HashSet<>();
            for (AuditRecord r : records) {
                String v = t.value.apply(r);
                if (v != null && seen.add(v)) {
                    terms.add(t.of(v));
                }
            }
        }
        return terms;
    }

    private static void terms(Connection c, String sql, long batch, Set<String> terms) throws SQLException {
        if (terms.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (String t : terms) {
                ps.setString(1, t);
                ps.setLong(2, batch);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void run(Connection c, String sql, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    /**
     * Zstandard at level 1: the records of a batch are alike, and it takes them to about a twentieth,
     * 4.4 times as fast as deflate at its fastest level and 43 % smaller (docs/benchmarks.md).
     */
    static byte[] compress(byte[] encoded) {
        synchronized (ZSTD) { // one mover or writer at a time, as a rule: the lock is seldom contended
            return ZSTD.compress(encoded);
        }
    }

    /**
     * One context, kept: a context per batch allocated and freed its megabyte of native workspace each
     * time, and the native heap grew by 6 MiB under load. With a checksum, as deflate's had: damage
     * is found, not read.
     */
    private static final ZstdCompressCtx ZSTD = new ZstdCompressCtx().setLevel(1).setChecksum(true);

    /** A batch's encoded records: Zstandard, or deflate as batches were stored before it. */
    static byte[] decompress(byte[] stored) {
        if (stored.length >= 4 && (stored[0] & 0xFF) == 0x28 && (stored[1] & 0xFF) == 0xB5 && (stored[2] & 0xFF) == 0x2F
                && (stored[3] & 0xFF) == 0xFD) {
            long size = Zstd.getFrameContentSize(stored);
            if (size < 0 || size > MAX_DECOMPRESSED) { // unknown, an error code, or more than a batch can be: damage
                throw new IllegalStateException("an audit batch is damaged: its size reads " + size);
            }
            try {
                byte[] out = Zstd.decompress(stored, (int) size);
                if (out.length != size) {
                    throw new IllegalStateException("an audit batch is cut short");
                }
                return out;
            } catch (ZstdException e) {
                throw new IllegalStateException("an audit batch is not compressed data: " + e.getMessage(), e);
            }
        }
        return inflate(stored);
    }

    private static byte[] inflate(byte[] deflated) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(deflated);
            ByteArrayOutputStream out = new ByteArrayOutputStream(deflated.length * 8);
            byte[] buffer = new byte[64 << 10];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalStateException("an audit batch is cut short");
                }
                if (out.size() + n > MAX_DECOMPRESSED) {
                    throw new IllegalStateException("an audit batch inflates past " + MAX_DECOMPRESSED + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalStateException("an audit batch is not compressed data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
