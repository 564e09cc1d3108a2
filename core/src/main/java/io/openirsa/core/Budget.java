package io.openirsa.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * An amount that callers hold shares of at once, and a limit on their total: request bodies in
 * flight, audit records waiting for the database. A share that would pass the limit is refused at
 * once, so a flood gets errors instead of the heap.
 */
public final class Budget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    public Budget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code amount}, or nothing and false when the total would pass the limit. */
    public boolean take(long amount) {
        if (held.addAndGet(amount) > limit) {
            held.addAndGet(-amount);
            return false;
        }
        return true;
    }

    /** Gives back what {@link #take} took. */
    public void give(long amount) {
        held.addAndGet(-amount);
    }

    /** What is held now. */
    public long held() {
        return held.get();
    }
}
