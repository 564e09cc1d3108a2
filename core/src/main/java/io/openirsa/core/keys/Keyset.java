package io.openirsa.core.keys;

import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The keys of one owner (an issuer, the session-token sealer), opened for use: exactly one primary,
 * which signs or seals, and the others, which still verify or open what they made. Its invariants
 * are checked when it is built, so a keyset that exists is one that can be used.
 */
public final class Keyset<K> {
    private final Map<String, K> keys;
    private final String primaryId;

    private Keyset(Map<String, K> keys, String primaryId) {
        this.keys = keys;
        this.primaryId = primaryId;
    }

    /**
     * @param open turns a stored key into a usable one (unsealing its material)
     * @throws IllegalStateException if a key id repeats, or the keys have no primary or more than one
     */
    public static <K> Keyset<K> of(List<StoredKey> stored, Function<StoredKey, K> open) {
        Map<String, K> keys = new LinkedHashMap<>();
        List<String> primaries = new ArrayList<>();
        for (StoredKey k : stored) {
            if (keys.containsKey(k.keyId())) {
                throw new IllegalStateException("key " + k.keyId() + " appears twice in the keyset of " + k.owner());
            }
            keys.put(k.keyId(), open.apply(k));
            if (k.status() == KeyStatus.PRIMARY) {
                primaries.add(k.keyId());
            }
        }
        if (primaries.size() != 1) {
            throw new IllegalStateException("a keyset needs exactly one primary key, found " + primaries.size()
                    + (stored.isEmpty() ? "" : " in the keyset of " + stored.getFirst().owner()));
        }
        return new Keyset<>(Collections.unmodifiableMap(keys), primaries.getFirst());
    }

    public String primaryId() {
        return primaryId;
    }

    public K primary() {
        return keys.get(primaryId);
    }

    /** The key with this id, or null. */
    public K key(String keyId) {
        return keys.get(keyId);
    }

    /** Every key, in the order stored. */
    public Collection<K> keys() {
        return keys.values();
    }
}
