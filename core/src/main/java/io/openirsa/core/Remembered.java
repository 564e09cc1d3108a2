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

    public Remembered(int limit) {
        this.limit = limit;
    }

    /** The value kept for the key, or null. */
    public V get(K key) {
        return entries.get(key);
    }

    public void remember(K key, V value) {
        if (entries.size() >= limit) {
            entries.clear();
        }
        entries.put(key, value);
    }
}
