package io.openirsa.store;

import io.openirsa.core.audit.AuditRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQLite store's audit journal: records reach the table once each and in order, through
 * rotation, a process that died (abandoned journals) and damaged files.
 */
class AuditJournalTest {
    private static final Instant T = Instant.parse("2026-11-29T12:00:00Z");

    /**
     * The table as the journal sees it: records and marks, as JdbcStore keeps them in one transaction.
     * The records come without their JSON, which is in the encoding; the encoding of every run of them
     * is what encoding the whole records makes, and the rows kept are the whole records it holds.
     */
    static final class Table implements AuditJournal.Table {
        final List<AuditRecord> rows = new ArrayList<>();
        final Map<String, Long> marks = new HashMap<>();

        @Override
        public synchronized void move(List<AuditRecord> records, AuditBatches.Encoding encoding, String file, long movedThrough) {
            int n = records.size();
            byte[] all = encoding.of(0, n);
            List<AuditRecord> whole;
            try {
                whole = AuditJournal.decode(all, 0, all.length);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            assertThat(records).allSatisfy(r -> assertThat(r.json()).isNull());
            assertThat(whole).extracting(r -> withoutJson(r)).isEqualTo(records);
            for (int[] run : new int[][]{{0, n}, {0, n / 2}, {n / 3, n}, {n / 2, n / 2 + 1}}) {
                if (run[1] <= n) {
                    assertThat(encoding.of(run[0], run[1])).isEqualTo(AuditJournal.encode(whole.subList(run[0], run[1])));
                }
            }
            rows.addAll(whole);
            marks.put(file, movedThrough);
        }

        private static AuditRecord withoutJson(AuditRecord r) {
            return new AuditRecord(r.eventId(), r.accountId(), r.eventTime(), r.eventName(), r.eventSource(), r.readOnly(), r.username(),
                    r.accessKeyId(), r.resourceType(), r.resourceName(), r.requestId(), r.errorCode(), null);
        }

        @Override
        public synchronized Long mark(String file) {
            return marks.get(file);
        }

        @Override
        public synchronized void forget(String file) {
            marks.remove(file);
        }

        synchronized List<String> ids() {
            return rows.stream().map(AuditRecord::eventId).toList();
        }
    }

    static AuditRecord record(int i) {
        return new AuditRecord("e" + i, "123456789012", T.plusMillis(i), "AssumeRoleWithWebIdentity", "sts.amazonaws.com", false,
                "system:serviceaccount:default:app", i % 3 == 0 ? null : "ASIA" + i, "AWS::IAM::Role", "arn:aws:iam::123456789012:role/app",
                "req-" + i, i % 5 == 0 ? "AccessDenied" : null, "{\"eventID\":\"e" + i + "\",\"note\":\"é ✓\"}");
    }

    static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "e" + i).toList();
    }

    /** Records from to to, one frame each. */
    private static void appendEach(AuditJournal journal, int from, int to) {
        for (int i = from; i < to; i++) {
            journal.append(List.of(record(i)));
        }
    }

    private static List<Path> journals(Path data) throws Exception {
        try (var files = Files.list(data.resolve(AuditJournal.FOLDER))) {
            return files.filter(p -> p.toString().endsWith(".journal")).toList();
        }
    }

    @Test
    void framesRoundTrip_nullsAndUnicodeIntact() throws Exception {
        List<AuditRecord> batch = IntStream.range(0, 11).mapToObj(AuditJournalTest::record).toList();
        byte[] bytes = AuditJournal.encode(batch);
        assertThat(AuditJournal.decode(bytes, 0, bytes.length)).isEqualTo(batch);
    }

    @Test
    void settle_movesEverythingAppended_inOrder_andForgetsTheFileAtClose(@TempDir Path data) throws Exception {
        Table table = new Table();
        try (AuditJournal journal = new AuditJournal(data, table)) {
            for (int i = 0; i < 50; i++) {
                journal.append(List.of(record(2 * i), record(2 * i + 1)));
            }
            journal.settle();
            assertThat(table.ids()).isEqualTo(ids(0, 100));
            Path file = journals(data).getFirst();
            assertThat(table.marks).containsEntry(file.getFileName().toString().replace(".journal", ""), Files.size(file));
        }
        assertThat(journals(data)).isEmpty();
        assertThat(table.marks).isEmpty();
        assertThat(table.ids()).hasSize(100); // nothing moved twice at close
    }

    @Test
    void fullJournals_areRetiredAndRemoved_withoutLosingOrRepeating(@TempDir Path data) throws Exception {
        Table table = new Table();
        try (AuditJournal journal = new AuditJournal(data, table, 4096)) {
            appendEach(journal, 0, 300);
            journal.settle();
            assertThat(table.ids()).isEqualTo(ids(0, 300));
            assertThat(journals(data)).hasSize(2); // the current one and one kept for reuse; the other full ones are gone
            assertThat(table.marks).hasSize(1); // the current one's: the reused one starts afresh under a new name
        }
    }

    @Test
    void reusedJournals_holdTheirEarlierFrames_butReplayOnlyTheirLastUse(@TempDir Path data) throws Exception {
        Table table = new Table();
        AuditJournal dead = new AuditJournal(data, table, 4096);
        Set<Object> files = new java.util.HashSet<>();
        for (int i = 0; i < 400; i += 20) {
            appendEach(dead, i, i + 20);
            dead.settle();
            for (Path p : journals(data)) {
                files.add(Files.getAttribute(p, "unix:ino"));
            }
        }
        // About 60 journals' worth of frames went through a few files: reused, not made anew.
        assertThat(files).hasSizeLessThan(6);
        assertThat(journals(data)).allSatisfy(p -> assertThat(Files.size(p)).isGreaterThan(2048)); // earlier frames still in them
        appendEach(dead, 400, 403);
        dead.abandon(); // killed: three records only in its journal, the earlier use's frames after them

        try (AuditJournal next = new AuditJournal(data, table)) {
            next.adoptOrphans();
        }
        assertThat(table.ids()).isEqualTo(ids(0, 403)); // once each: no earlier frame read as a record
        assertThat(journals(data)).isEmpty();
    }

    @Test
    void framesEnd_isTheLastWholeFrameOfThisUse_notTheFileLength(@TempDir Path data) throws Exception {
        Path file = data.resolve("j.journal");
        ByteBuffer now = masked(AuditJournal.frame(List.of(record(1))), 0x5eed);
        ByteBuffer before = masked(AuditJournal.frame(List.of(record(2))), 0x01d);
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(AuditJournal.HEADER));
            ch.write(now);
            long end = ch.position();
            ch.write(before);
            assertThat(AuditJournal.framesEnd(ch, 0x5eed, AuditJournal.HEADER, ch.size())).isEqualTo(end);
            assertThat(AuditJournal.framesEnd(ch, 0x01d, AuditJournal.HEADER, ch.size())).isEqualTo(AuditJournal.HEADER);
        }
    }

    private static ByteBuffer masked(ByteBuffer frame, int mask) {
        return frame.putInt(4, frame.getInt(4) ^ mask);
    }

    @Test
    void aVersion1Journal_leftByAnEarlierRelease_isReplayed(@TempDir Path data) throws Exception {
        Path folder = Files.createDirectories(data.resolve(AuditJournal.FOLDER));
        ByteBuffer frame = AuditJournal.frame(List.of(record(0), record(1))); // version 1: checksums as they are
        ByteBuffer file = ByteBuffer.allocate(AuditJournal.HEADER_1 + frame.limit()).putInt(0x4f49414a).putInt(AuditJournal.VERSION_1).put(frame);
        Files.write(folder.resolve("0123456789abcdef.journal"), file.array());
        Table table = new Table();
        try (AuditJournal next = new AuditJournal(data, table)) {
            next.adoptOrphans();
        }
        assertThat(table.ids()).isEqualTo(ids(0, 2));
        assertThat(journals(data)).isEmpty();
    }

    @Test
    void aProcessThatDied_isReplayedOnce_fromWhereItsMoveStopped(@TempDir Path data) throws Exception {
        Table table = new Table();
        AuditJournal dead = new AuditJournal(data, table);
        appendEach(dead, 0, 10);
        dead.settle(); // the first ten are in the table, with the mark
        appendEach(dead, 10, 25);
        dead.abandon(); // killed: fifteen records only in its file

        try (AuditJournal next = new AuditJournal(data, table)) {
            next.adoptOrphans();
            assertThat(table.ids()).isEqualTo(ids(0, 25));
            assertThat(journals(data)).isEmpty();
            assertThat(table.marks).isEmpty();
        }
    }

    @Test
    void aFrameCutShortByTheCrash_isLeftOut_andTheWholeOnesBeforeItMoved(@TempDir Path data) throws Exception {
        Table table = new Table();
        AuditJournal dead = new AuditJournal(data, table);
        appendEach(dead, 0, 5);
        dead.abandon();
        Path file = journals(data).getFirst();
        byte[] whole = AuditJournal.encode(List.of(record(99)));
        ByteBuffer torn = ByteBuffer.allocate(8 + whole.length / 2).putInt(whole.length).putInt(0).put(whole, 0, whole.length / 2).flip();
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.APPEND)) {
            ch.write(torn);
        }

        try (AuditJournal next = new AuditJournal(data, table)) {
            next.adoptOrphans();
        }
        assertThat(table.ids()).isEqualTo(ids(0, 5));
        assertThat(journals(data)).isEmpty();
    }

    @Test
    void hostileJournals_moveNothing_andNeitherThrowNorAllocateWhatTheyClaim(@TempDir Path data) throws Exception {
        Path folder = Files.createDirectories(data.resolve(AuditJournal.FOLDER));
        Random random = new Random(7);
        byte[] noise = new byte[10_000];
        random.nextBytes(noise);
        Files.write(folder.resolve("noise.journal"), noise);
        Files.write(folder.resolve("empty.journal"), new byte[0]);
        // A valid header, then a frame that claims 2 GiB, then one that claims 1 KiB with a wrong checksum.
        ByteBuffer header = ByteBuffer.allocate(AuditJournal.HEADER_1 + 16 + 1024).putInt(0x4f49414a).putInt(1)
                .putInt(Integer.MAX_VALUE).putInt(0).putInt(1024).putInt(42);
        Files.write(folder.resolve("huge.journal"), header.array());
        byte[] payload = AuditJournal.encode(List.of(record(1)));
        ByteBuffer badCrc = ByteBuffer.allocate(AuditJournal.HEADER_1 + 8 + payload.length).putInt(0x4f49414a).putInt(1)
                .putInt(payload.length).putInt(12345).put(payload);
        Files.write(folder.resolve("crc.journal"), badCrc.array());
        // A whole frame with the right checksum whose records lie about their lengths.
        byte[] lying = ByteBuffer.allocate(12).putInt(1).putInt(Integer.MAX_VALUE).putInt(0).array();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(lying);
        ByteBuffer lies = ByteBuffer.allocate(AuditJournal.HEADER_1 + 8 + lying.length).putInt(0x4f49414a).putInt(1)
                .putInt(lying.length).putInt((int) crc.getValue()).put(lying);
        Files.write(folder.resolve("lies.journal"), lies.array());

        Table table = new Table();
        try (AuditJournal next = new AuditJournal(data, table)) {
            next.adoptOrphans();
        }
        assertThat(table.rows).isEmpty();
        assertThat(journals(data)).isEmpty();
    }

    @Test
    void anotherStoreOnTheFolder_seesRecordsStillInALiveJournal(@TempDir Path data) throws Exception {
        try (JdbcStore writer = JdbcStore.sqlite(data); JdbcStore reader = JdbcStore.sqlite(data)) {
            writer.appendAudit(List.of(record(1), record(2)));
            assertThat(journals(data)).hasSize(1); // the writer's, held by it
            assertThat(reader.auditByRequestId("req-2")).hasValueSatisfying(r -> assertThat(r).isEqualTo(record(2)));
            assertThat(reader.auditByRequestId("req-1")).isPresent();
        }
    }

    @Test
    void aStoreOpened_afterAWriterDied_hasItsRecords(@TempDir Path data) throws Exception {
        JdbcStore writer = JdbcStore.sqlite(data);
        try {
            writer.appendAudit(List.of(record(3)));
            writer.abandonAuditJournal();
            try (JdbcStore next = JdbcStore.sqlite(data)) {
                assertThat(journals(data)).isEmpty(); // replayed as it opened
                assertThat(next.auditByRequestId("req-3")).hasValue(record(3));
            }
        } finally {
            writer.close();
        }
    }
}
