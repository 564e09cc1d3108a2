package io.openirsa.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Results kept so a hot path need not compute them again (a verified token, an opened session token,
 * a derived signing key), at most {@code limit} of them. Full means start again: what rotates out
 * (keys, expired tokens, a day's scopes) cannot pile up, and nothing is kept in order to evict.
 * Callers keep only what was already checked, so a lookup never decides on its own.
 */
public final class Remembered<K, V> {
    private final int limit;
    private final ConcurrentHashMap<K, V> entries = new ConcurrentHashMap<>();
    /**
     * For a memory that keeps keys on their second sight: a hash of the key last offered in each slot,
     * else null. Races between threads only admit a key early or late, never wrongly, as every key
     * offered was already checked.
     */
    private final int[] offered;
    private final int slotShift;

    public Remembered(int limit) {
        this(limit, null);
    }

    private Remembered(int limit, int[] offered) {
        this.limit = limit;
        this.offered = offered;
        this.slotShift = offered == null ? 0 : Integer.numberOfLeadingZeros(offered.length) + 1;
    }

    /**
     * A memory that keeps a key only when it is offered again within about {@code window} other
     * offers (the doorkeeper of Caffeine's TinyLFU). A token that comes once (each pod of a rollout)
     * then never enters, so it dies young with its request instead of being promoted and dying in the
     * old generation when the memory fills: that churn made a small heap's full collections stop the
     * server (docs/benchmarks.md). The doorkeeper is a fixed array of ints, 4 bytes a slot.
     */
    public static <K, V> Remembered<K, V> onSecondSight(int limit, int window) {
        if (window < 2) {
            throw new IllegalArgumentException("window " + window);
        }
        return new Remembered<>(limit, new int[Integer.highestOneBit(window - 1) << 1]);
    }

    /** The value kept for the key, or null. */
    public V get(K key) {
        return entries.get(key);
    }

    public void remember(K key, V value) {
        if (offered != null && !offeredBefore(key)) {
            return;
        }
        if (entries.size() >= limit) {
            entries.clear();
        }
        entries.put(key, value);
    }

    private boolean offeredBefore(K key) {
        int hash = key.hashCode() * 0x9E3779B9; // Fibonacci hashing: the top bits pick the slot
        int slot = hash >>> slotShift;
        if (offered[slot] == hash) {
            return true;
        }
        offered[slot] = hash;
        return false;
    }
}
