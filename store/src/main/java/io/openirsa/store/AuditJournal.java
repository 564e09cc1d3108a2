package io.openirsa.store;

import io.openirsa.core.audit.AuditRecord;
import io.openirsa.core.store.StoreUnavailable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * The SQLite store's commit point for audit records. Each batch is one checksummed frame appended to
 * this process's journal file: one write, no index pages. A background thread moves the records into
 * the table ({@link AuditBatches}) every 100 ms, a few hundred per transaction. Inserting the two or three records
 * a commit holds under load cost about 30 µs a record, most of it index pages copied to the WAL at every commit;
 * hundreds at a time, as one compressed batch, cost a few (docs/benchmarks.md).
 *
 * <p>A frame is as durable as an SQLite commit with {@code synchronous=NORMAL}: it survives the
 * process being killed, not the machine losing power. Each process appends to its own file and holds
 * a lock on it. A file no process holds was left by one that died: whoever opens the folder next
 * replays it into the table. How far a file has been moved is stored in the transaction that moves
 * the records, so a replay neither loses nor repeats a record.
 *
 * <p>A journal that is full and moved is not removed but kept for the next one: appends then
 * overwrite pages the file system has already allocated and cached, where a new file's cost the
 * kernel a page allocation each (most of the append's {@code pwrite}, async-profiler). Its header
 * gets a new random mask, which every frame's checksum is XORed with, so the frames of its earlier
 * use that lie past the new end fail their check and are never read as records.
 *
 * <p>Reads of the audit trail call {@link #settle()} first, which moves what this process holds,
 * replays dead processes' files, and waits (up to {@value #SETTLE_MILLIS} ms) for live ones to move
 * what they held when it was called: a lookup sees every record committed before it started.
 */
final class AuditJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditJournal.class);
    static final String FOLDER = "audit-journal";
    private static final String SUFFIX = ".journal";
    private static final int MAGIC = 0x4f49414a; // "OIAJ"
    /** Version 1: magic, version; checksums as they are. Version 2 adds the mask; version 1 journals (left by an earlier release) are still replayed. */
    static final int VERSION_1 = 1;
    private static final int VERSION = 2;
    static final int HEADER_1 = 8;
    static final int HEADER = 12; // magic, version, mask
    /** A frame's payload is never this large (a batch is at most 500 records); a length over it is damage. */
    static final int MAX_FRAME = 64 << 20;
    /** A journal this long is retired (kept for reuse, or removed, once moved) and a new one started. */
    static final long ROTATE_AT = 64L << 20;
    private static final long MOVE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Bytes waiting that wake the mover before its next tick (a few thousand records). */
    private static final long MOVE_AT_BYTES = 4 << 20;
    /** Bytes of frames read and moved in one transaction (a few hundred records); under G1's humongous size. */
    private static final int MOVE_BYTES = 256 << 10;
    static final long SETTLE_MILLIS = 2000;
    /**
     * Journals this JVM writes, by path: never opened by another store here, since closing any channel
     * on a file drops the JVM's lock on it; such a store reads how far they are written from here.
     */
    private static final Map<Path, Segment> WRITTEN_HERE = new ConcurrentHashMap<>();

    /** Where the records go: the table, and how far each journal has been moved into it. */
    interface Table {
        /**
         * Inserts the records (their encoding as read back, for storing as it is) and stores {@code movedThrough} as the file's mark, in one transaction.
         * The records' JSON is null: it is in the encoding, and is not decoded only to be dropped.
         */
        void move(List<AuditRecord> records, AuditBatches.Encoding encoding, String file, long movedThrough);

        /** How far the file is moved, or null. */
        Long mark(String file);

        void forget(String file);
    }

    private final Path folder;
    private final Table table;
    private final long rotateAt;
    private final Object moving = new Object();

    /** A journal file this process writes, and how far it is written and moved. */
    private static final class Segment {
        final String name;
        final Path path;
        final FileChannel channel;
        final FileLock lock;
        /** XORed with each frame's checksum: a reused file's earlier frames fail the check. */
        final int mask;
        /** Appended through (written under the journal's lock), and moved into the table through (the mover's). */
        volatile long end = HEADER;
        volatile long moved = HEADER;

        Segment(String name, Path path, FileChannel channel, FileLock lock, int mask) {
            this.name = name;
            this.path = path;
            this.channel = channel;
            this.lock = lock;
            this.mask = mask;
        }

        /** Releases the file, and deletes it if everything in it is moved. */
        void close(boolean delete) throws IOException {
            try {
                if (delete) {
                    Files.delete(path);
                }
                lock.release();
                channel.close();
            } finally {
                WRITTEN_HERE.remove(path.toAbsolutePath(), this);
            }
        }
    }

    /**
     * Guards the segments and their ends. A lock, not a monitor: appenders are virtual threads, and
     * a monitor hands each waiter on through the JVM's unblocker thread, a context switch more per
     * contended append (3 % of an exchange's CPU, async-profiler).
     */
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private Segment current;
    /** Full journals, moved before the current one: the order of the trail is the order of the appends. */
    private final ArrayDeque<Segment> retired = new ArrayDeque<>();
    /** A moved journal with a fresh header, for the next rotation; or null. */
    private Segment spare;
    private boolean closed;
    private Thread mover;

    AuditJournal(Path dataDir, Table table) {
        this(dataDir, table, ROTATE_AT);
    }

    /** @param rotateAt the length at which a journal is retired and a new one started */
    AuditJournal(Path dataDir, Table table, long rotateAt) {
        this.folder = dataDir.resolve(FOLDER);
        this.table = table;
        this.rotateAt = rotateAt;
    }

    /** Appends the batch as one frame; returns once it is written to the file. */
    void append(List<AuditRecord> batch) {
        write(frame(batch));
    }

    private void write(ByteBuffer frame) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the audit journal is closed");
            }
            Segment s = current;
            try {
                if (s == null) {
                    s = current = newSegment();
                    mover = Thread.ofPlatform().daemon().name("audit-journal-mover").start(this::moveLoop);
                }
                frame.putInt(4, frame.getInt(4) ^ s.mask);
                while (frame.hasRemaining()) {
                    s.channel.write(frame, s.end + frame.position());
                }
            } catch (IOException e) {
                try {
                    if (s != null) {
                        s.channel.truncate(s.end); // no torn frame for a later one to follow
                    }
                } catch (IOException ignored) {
                    e.addSuppressed(ignored);
                }
                throw new StoreUnavailable("the audit journal cannot be written: " + e.getMessage(), e);
            }
            s.end += frame.limit();
            if (s.end >= rotateAt) {
                try {
                    current = spare != null ? spare : newSegment();
                    spare = null;
                    retired.add(s);
                } catch (IOException e) {
                    LOG.warn("a new audit journal cannot be started ({}); the full one goes on", e.getMessage());
                }
            }
            if (s.end - s.moved >= MOVE_AT_BYTES) {
                LockSupport.unpark(mover);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves what this process holds, replays dead processes' journals and waits for live ones. */
    void settle() {
        moveOwn();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
        for (Path other : others()) {
            if (!adopt(other)) {
                awaitMoved(other, deadline);
            }
        }
    }

    /** Replays the journals of processes that died; for a store being opened. */
    void adoptOrphans() {
        for (Path other : others()) {
            try {
                adopt(other);
            } catch (RuntimeException e) { // a journal that cannot be read now must not keep the store from opening
                LOG.error("audit journal {} could not be replayed now; it is kept and tried again at the next lookup: {}",
                        other.getFileName(), e.getMessage());
            }
        }
    }

    private Segment newSegment() throws IOException {
        Files.createDirectories(folder);
        String name = HexFormat.of().formatHex(randomBytes());
        // Written and locked under a name others skip, then renamed: nobody sees an unlocked new journal.
        Path temporary = folder.resolve(name + ".new");
        FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.lock();
            int mask = writeHeader(channel);
            Path path = folder.resolve(name + SUFFIX);
            Segment s = new Segment(name, path, channel, lock, mask);
            WRITTEN_HERE.put(path.toAbsolutePath(), s);
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                WRITTEN_HERE.remove(path.toAbsolutePath(), s);
                throw e;
            }
            return s;
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    /** Writes a header with a new mask; returns the mask. */
    private static int writeHeader(FileChannel channel) throws IOException {
        int mask = ThreadLocalRandom.current().nextInt();
        ByteBuffer header = ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).putInt(mask).flip();
        while (header.hasRemaining()) {
            channel.write(header, header.position());
        }
        return mask;
    }

    /**
     * The moved journal under a new name and mask, to be appended to from the start. The header
     * first: should the process die before the rename, what lies past the old name's mark fails the
     * new mask. The old name's mark is forgotten after the rename; a mark without its file is harmless.
     */
    private Segment recycled(Segment s) throws IOException {
        int mask = writeHeader(s.channel);
        String name = HexFormat.of().formatHex(randomBytes());
        Path path = folder.resolve(name + SUFFIX);
        Segment reused = new Segment(name, path, s.channel, s.lock, mask);
        WRITTEN_HERE.put(path.toAbsolutePath(), reused);
        try {
            Files.move(s.path, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            WRITTEN_HERE.remove(path.toAbsolutePath(), reused);
            throw e;
        }
        WRITTEN_HERE.remove(s.path.toAbsolutePath(), s);
        return reused;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private void moveLoop() {
        long backoff = MOVE_EVERY_NANOS;
        while (!isClosed()) {
            LockSupport.parkNanos(backoff);
            try {
                moveOwn();
                backoff = MOVE_EVERY_NANOS;
            } catch (RuntimeException e) {
                if (backoff == MOVE_EVERY_NANOS) {
                    LOG.error("audit records cannot be moved from the journal into the database ({}); they are kept in the journal and retried",
                            e.getMessage());
                }
                backoff = Math.min(backoff * 2, TimeUnit.SECONDS.toNanos(5));
            }
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves every record this process has appended so far into the table, read back from the file
     * (the page cache) rather than kept in memory, where thousands of records waiting 100 ms would
     * outlive a young collection; full journals first, then removed.
     */
    private void moveOwn() {
        synchronized (moving) {
            while (true) {
                Segment s;
                boolean full;
                long through;
                lock.lock();
                try {
                    full = !retired.isEmpty();
                    s = full ? retired.peekFirst() : current;
                    if (s == null) {
                        return;
                    }
                    through = s.end;
                } finally {
                    lock.unlock();
                }
                try {
                    s.moved = moveFrames(s.channel, s.name, s.mask, s.moved, through);
                } catch (IOException e) {
                    throw new StoreUnavailable("the audit journal cannot be read: " + e.getMessage(), e);
                }
                if (!full) {
                    return;
                }
                // Nothing is appended to a retired journal, and all of it is moved: kept for reuse, or removed.
                boolean reused = false;
                lock.lock();
                try {
                    if (spare == null && !closed) {
                        spare = recycled(s);
                        retired.removeFirst(); // at once: the file is never both retired and the spare
                        reused = true;
                    }
                } catch (IOException e) {
                    LOG.warn("moved audit journal {} could not be kept for reuse: {}", s.name, e.getMessage());
                } finally {
                    lock.unlock();
                }
                if (!reused) {
                    try {
                        s.close(true);
                    } catch (IOException e) {
                        LOG.warn("moved audit journal {} could not be removed: {}", s.name, e.getMessage());
                    }
                }
                table.forget(s.name);
                if (!reused) {
                    lock.lock();
                    try {
                        retired.removeFirst();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        }
    }

    /** One buffer for reading frames back, allocated once: a fresh one per move would be a humongous object every 100 ms. */
    private ByteBuffer readBuffer;

    private ByteBuffer readBuffer() {
        if (readBuffer == null) {
            readBuffer = ByteBuffer.allocate(MOVE_BYTES);
        }
        return readBuffer;
    }

    /**
     * Moves the whole frames between the offsets into the table, {@value #MOVE_BYTES} bytes of them per transaction,
     * and returns the offset after the last one moved: {@code to} unless a frame is cut short or damaged.
     */
    private long moveFrames(FileChannel ch, String fileName, int mask, long from, long to) throws IOException {
        long position = from;
        while (position < to) {
            int length = (int) Math.min(MOVE_BYTES, to - position);
            ByteBuffer chunk = readBuffer();
            chunk.clear().limit(length);
            readFully(ch, chunk, position);
            List<AuditRecord> records = new ArrayList<>();
            Spans spans = new Spans();
            int offset = 0;
            while (offset + 8 <= length) {
                int size = chunk.getInt(offset);
                int checksum = chunk.getInt(offset + 4);
                if (size < 4 || size > MAX_FRAME || position + offset + 8 + size > to) {
                    break;
                }
                if (offset + 8 + size > length) {
                    if (offset == 0) { // one frame longer than a chunk: read it alone
                        chunk = ByteBuffer.allocate(8 + size);
                        readFully(ch, chunk, position);
                        length = chunk.capacity();
                    } else {
                        break; // the next chunk starts with it
                    }
                }
                CRC32C crc = new CRC32C();
                crc.update(chunk.array(), offset + 8, size);
                if (((int) crc.getValue() ^ mask) != checksum) {
                    break;
                }
                try {
                    records.addAll(decode(chunk.array(), offset + 8, size, spans));
                } catch (IOException | RuntimeException e) {
                    break;
                }
                offset += 8 + size;
            }
            if (offset == 0) {
                break; // not a whole frame: damage, or a crash in the middle of a write
            }
            position += offset;
            spans.buffer = chunk.array();
            table.move(records, spans, fileName, position);
        }
        return position;
    }

    private List<Path> others() {
        Set<Path> own = new HashSet<>();
        lock.lock();
        try {
            retired.forEach(s -> own.add(s.path));
            if (current != null) {
                own.add(current.path);
            }
            if (spare != null) {
                own.add(spare.path);
            }
        } finally {
            lock.unlock();
        }
        List<Path> found = new ArrayList<>();
        try (var files = Files.list(folder)) {
            files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).filter(p -> !own.contains(p)).forEach(found::add);
        } catch (NoSuchFileException e) {
            return found;
        } catch (IOException e) {
            throw new StoreUnavailable("the audit journal folder cannot be read: " + e.getMessage(), e);
        }
        return found;
    }

    /** Replays and removes a journal if its process is gone; false if a live process holds it. */
    private boolean adopt(Path file) {
        if (WRITTEN_HERE.containsKey(file.toAbsolutePath())) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock held;
            try {
                held = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return false;
            }
            if (held == null) {
                return false;
            }
            String fileName = nameOf(file);
            replay(ch, fileName);
            Files.delete(file); // before the mark: a mark without a file is harmless, a file without its mark would be replayed again
            table.forget(fileName);
            return true;
        } catch (NoSuchFileException e) {
            return true; // someone else replayed it
        } catch (IOException e) {
            throw new StoreUnavailable("the audit journal " + file.getFileName() + " cannot be replayed: " + e.getMessage(), e);
        }
    }

    private void replay(FileChannel ch, String fileName) throws IOException {
        Header h = header(ch);
        if (h == null) {
            return; // never got its header: nothing was committed to it
        }
        Long mark = table.mark(fileName);
        long from = mark != null ? mark : h.length;
        long size = ch.size();
        long through;
        synchronized (moving) { // one reader of the read buffer at a time
            through = moveFrames(ch, fileName, h.mask, from, size);
        }
        if (through < size) {
            // A frame cut short by the crash is a batch no caller was answered for; a reused file's earlier frames fail the new
            // mask; anything else is damage.
            LOG.info("audit journal {}: the {} bytes after offset {} are not whole frames of its last use and were not replayed",
                    fileName, size - through, through);
        }
        if (through > from) {
            LOG.info("audit journal {}: records left by a process that stopped were moved into the database ({} bytes)", fileName, through - from);
        }
    }

    /**
     * Waits until the live process holding the file has moved what the file held now: its whole
     * frames from the mark on. A reused file's length is no guide, so the frames are read (another
     * process's file) or the end asked of the store writing it (this JVM's).
     */
    private void awaitMoved(Path file, long deadline) {
        String fileName = nameOf(file);
        Path path = file.toAbsolutePath();
        Segment here = WRITTEN_HERE.get(path);
        BooleanSupplier moved;
        if (here != null) {
            long written = here.end;
            moved = () -> here.moved >= written || !WRITTEN_HERE.containsKey(path);
        } else {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                Header h = header(ch);
                if (h == null) {
                    return;
                }
                Long mark = table.mark(fileName);
                long from = mark != null ? mark : h.length;
                long written = framesEnd(ch, h.mask, from, ch.size());
                if (written <= from) {
                    return; // nothing past the mark: a new journal, or one kept for reuse
                }
                moved = () -> {
                    Long now = table.mark(fileName);
                    return (now != null && now >= written) || !Files.exists(file);
                };
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                throw new StoreUnavailable("the audit journal " + file.getFileName() + " cannot be read: " + e.getMessage(), e);
            }
        }
        while (System.nanoTime() < deadline) {
            if (moved.getAsBoolean()) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        LOG.warn("audit journal {}: records its process holds were not moved within {} ms; this read may miss them", fileName, SETTLE_MILLIS);
    }

    /** The offset after the last whole frame from {@code from}, its checksum checked; nothing decoded. */
    static long framesEnd(FileChannel ch, int mask, long from, long size) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(8);
        ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
        long position = from;
        while (position + 8 <= size) {
            head.clear();
            readFully(ch, head, position);
            int length = head.getInt(0);
            if (length < 4 || length > MAX_FRAME || position + 8 + length > size) {
                break;
            }
            CRC32C crc = new CRC32C();
            for (long at = position + 8, end = at + length; at < end; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
                readFully(ch, chunk, at);
                crc.update(chunk.array(), 0, chunk.limit());
                at += chunk.limit();
            }
            if (((int) crc.getValue() ^ mask) != head.getInt(4)) {
                break;
            }
            position += 8 + length;
        }
        return position;
    }

    private static String nameOf(Path file) {
        String f = file.getFileName().toString();
        return f.substring(0, f.length() - SUFFIX.length());
    }

    /** A journal's header: its length and the frames' mask (none in version 1). */
    private record Header(int length, int mask) {
    }

    /** The file's header, or null if it has none it could have been written with. */
    private static Header header(FileChannel ch) throws IOException {
        if (ch.size() < HEADER_1) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.limit((int) Math.min(HEADER, ch.size()));
        readFully(ch, header, 0);
        if (header.getInt(0) != MAGIC) {
            return null;
        }
        int version = header.getInt(4);
        if (version == VERSION_1) {
            return new Header(HEADER_1, 0);
        }
        return version == VERSION && header.limit() == HEADER ? new Header(HEADER, header.getInt(8)) : null;
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into, position + into.position()) < 0) {
                throw new EOFException();
            }
        }
    }

    @Override
    public void close() {
        Thread stopping;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            stopping = mover;
        } finally {
            lock.unlock();
        }
        if (stopping == null) {
            return; // never appended
        }
        LockSupport.unpark(stopping);
        try {
            stopping.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean moved;
        try {
            moveOwn();
            moved = true;
        } catch (RuntimeException e) {
            LOG.error("audit records in this process's journal could not be moved at shutdown; the next start replays them", e);
            moved = false;
        }
        release(moved);
    }

    /** Lets go of this process's journals as a killed process would: unmoved, for another store to replay. */
    void abandon() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(mover);
        release(false);
    }

    private void release(boolean moved) {
        lock.lock();
        try {
            List<Segment> all = new ArrayList<>(retired);
            if (current != null) {
                all.add(current);
            }
            for (Segment s : all) {
                try {
                    s.close(moved);
                    if (moved) {
                        table.forget(s.name);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("audit journal {} could not be closed cleanly: {}", s.name, e.getMessage());
                }
            }
            retired.clear();
            current = null;
            if (spare != null) {
                try {
                    spare.close(true); // holds no record: its frames fail its new mask
                    table.forget(spare.name);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("audit journal {} could not be removed: {}", spare.name, e.getMessage());
                }
                spare = null;
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- frames: a count, then each record's fields, strings as a length (-1 for null) and UTF-8, the time as epoch milliseconds ----

    /** A frame: its payload's length and CRC32C, then the payload; built in one buffer, as it is written per request. */
    static ByteBuffer frame(List<AuditRecord> batch) {
        byte[][] strings = new byte[batch.size() * STRINGS][];
        int size = 4;
        int k = 0;
        for (AuditRecord r : batch) {
            for (String field : strings(r)) {
                byte[] b = field == null ? null : field.getBytes(StandardCharsets.UTF_8);
                strings[k++] = b;
                size += 4 + (b == null ? 0 : b.length);
            }
            size += 8 + 1; // the time and readOnly
        }
        ByteBuffer frame = ByteBuffer.allocate(8 + size);
        frame.position(8);
        frame.putInt(batch.size());
        k = 0;
        for (AuditRecord r : batch) {
            put(frame, strings[k++]);
            put(frame, strings[k++]);
            frame.putLong(r.eventTime().toEpochMilli());
            put(frame, strings[k++]);
            put(frame, strings[k++]);
            frame.put((byte) (r.readOnly() ? 1 : 0));
            for (int i = 4; i < STRINGS; i++) {
                put(frame, strings[k++]);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), 8, size);
        return frame.putInt(0, size).putInt(4, (int) crc.getValue()).flip();
    }

    private static final int STRINGS = 11;

    /** The string fields in the order they are written: two, the time, two, readOnly, then the rest. */
    private static String[] strings(AuditRecord r) {
        return new String[]{r.eventId(), r.accountId(), r.eventName(), r.eventSource(), r.username(), r.accessKeyId(), r.resourceType(),
                r.resourceName(), r.requestId(), r.errorCode(), r.json()};
    }

    private static void put(ByteBuffer frame, byte[] b) {
        if (b == null) {
            frame.putInt(-1);
        } else {
            frame.putInt(b.length).put(b);
        }
    }

    /** A frame's payload alone. */
    static byte[] encode(List<AuditRecord> batch) {
        ByteBuffer frame = frame(batch);
        return Arrays.copyOfRange(frame.array(), 8, frame.limit());
    }

    /** The records of a frame's payload; IOException (never an allocation of what a damaged length claims) for anything else. */
    static List<AuditRecord> decode(byte[] bytes, int offset, int length) throws IOException {
        return decode(bytes, offset, length, null);
    }

    /** The same, noting where each record's encoding lies if {@code spans} is given. */
    private static List<AuditRecord> decode(byte[] bytes, int offset, int length, Spans spans) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        try {
            int count = in.getInt();
            if (count < 0 || count > length) {
                throw new IOException("bad record count " + count);
            }
            List<AuditRecord> records = new ArrayList<>(count);
            int[] ends = spans == null ? null : new int[count];
            int first = in.position();
            for (int i = 0; i < count; i++) {
                records.add(new AuditRecord(string(in), string(in), Instant.ofEpochMilli(in.getLong()), string(in), string(in), in.get() != 0,
                        string(in), string(in), string(in), string(in), string(in), string(in), spans == null ? string(in) : skip(in)));
                if (ends != null) {
                    ends[i] = in.position();
                }
            }
            if (in.hasRemaining()) {
                throw new IOException("bytes after the last record");
            }
            if (spans != null) { // only once the whole frame is read: a damaged one adds none
                for (int i = 0; i < count; i++) {
                    spans.add(i == 0 ? first : ends[i - 1], ends[i]);
                }
            }
            return records;
        } catch (BufferUnderflowException e) {
            throw new IOException("a record runs past the frame", e);
        }
    }

    /**
     * Where each record read back lies in the read buffer. A batch of a run of them is their bytes
     * after a count, as {@link #encode} would write them: not encoded again (that was a sixth of the
     * mover's time).
     */
    private static final class Spans implements AuditBatches.Encoding {
        byte[] buffer;
        private int[] starts = new int[256];
        private int[] ends = new int[256];
        private int count;

        void add(int start, int end) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
            }
            starts[count] = start;
            ends[count++] = end;
        }

        @Override
        public byte[] of(int from, int to) {
            int size = 4;
            for (int i = from; i < to; i++) {
                size += ends[i] - starts[i];
            }
            ByteBuffer out = ByteBuffer.allocate(size).putInt(to - from);
            for (int i = from; i < to; i++) {
                out.put(buffer, starts[i], ends[i] - starts[i]);
            }
            return out.array();
        }
    }

    /** Passes over a string, checked as {@link #string} checks it; null. */
    private static String skip(ByteBuffer in) throws IOException {
        int length = length(in);
        in.position(in.position() + Math.max(length, 0));
        return null;
    }

    /** A string's length, -1 for null; checked against what the frame holds. */
    private static int length(ByteBuffer in) throws IOException {
        int length = in.getInt();
        if (length < -1 || length > in.remaining()) {
            throw new IOException("bad string length " + length);
        }
        return length;
    }

    /** Straight from the buffer's array: a stream in between was half the mover's decoding time. */
    private static String string(ByteBuffer in) throws IOException {
        int length = length(in);
        if (length == -1) {
            return null;
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }
}
