package io.openirsa.core.keys;

import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import io.openirsa.core.store.Store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * When a keyset's keys change (an issuer's signing keys, the session-token keys), as a pure function
 * of (keys, now, policy): add a pending key, promote it, destroy a retired one. Keys move PENDING
 * (known to all, signs or seals nothing) -> PRIMARY (signs or seals) -> RETIRED (still verifies or
 * opens) -> destroyed. {@link #apply} carries a plan out on the store.
 *
 * <ul>
 *   <li>A pending key is added {@code publishAhead} before the primary is {@code period} old, so it
 *       is in every client's cached JWKS, or every replica's keyset, before it signs anything.</li>
 *   <li>It is promoted once it has been published for {@code publishAhead}; the old primary retires.</li>
 *   <li>A retired key is destroyed {@code retainAfterRetire} after it retired: the longest token it
 *       can have signed has expired by then.</li>
 * </ul>
 */
public final class KeyRotation {

    /**
     * @param period how long a key is primary
     * @param publishAhead how long a key is published before it signs (at least the JWKS cache lifetime)
     * @param retainAfterRetire how long a retired key stays published (at least the longest token lifetime)
     */
    public record Policy(Duration period, Duration publishAhead, Duration retainAfterRetire) {
        public Policy {
            if (publishAhead.compareTo(period) >= 0) {
                throw new IllegalArgumentException("keys must be primary for longer than they are published ahead");
            }
        }
    }

    /** One change to make to the keyset. */
    public sealed interface Step {
        record AddPending() implements Step {
        }

        /** The pending key becomes primary; the current primary retires. */
        record Promote(String keyId) implements Step {
        }

        record Destroy(String keyId) implements Step {
        }
    }

    private KeyRotation() {
    }

    /**
     * Carries out the steps on the owner's stored keys. A promotion retires the old primary in the same
     * transaction, so a keyset read meanwhile always has exactly one primary.
     *
     * @param pending makes a new pending key
     */
    public static void apply(Store store, String owner, List<Step> steps, Instant now, Supplier<StoredKey> pending) {
        for (Step step : steps) {
            switch (step) {
                case Step.AddPending add -> store.insertKey(pending.get());
                case Step.Promote promote -> store.promoteKey(owner, promote.keyId(), now);
                case Step.Destroy destroy -> store.deleteKey(owner, destroy.keyId());
            }
        }
    }

    /** What to change now; empty when nothing is due. {@code force} asks for a new key even before its time. */
    public static List<Step> plan(List<StoredKey> keys, Instant now, Policy policy, boolean force) {
        List<Step> steps = new ArrayList<>();
        Optional<StoredKey> primary = keys.stream().filter(k -> k.status() == KeyStatus.PRIMARY).findFirst();
        Optional<StoredKey> pending = keys.stream().filter(k -> k.status() == KeyStatus.PENDING)
                .max(Comparator.comparing(StoredKey::changedAt));
        if (pending.isPresent()) {
            if (!now.isBefore(pending.get().changedAt().plus(policy.publishAhead()))) {
                steps.add(new Step.Promote(pending.get().keyId()));
            }
        } else if (force || primary.isEmpty()
                || !now.isBefore(primary.get().changedAt().plus(policy.period()).minus(policy.publishAhead()))) {
            steps.add(new Step.AddPending());
        }
        for (StoredKey k : keys) {
            if (k.status() == KeyStatus.RETIRED && !now.isBefore(k.changedAt().plus(policy.retainAfterRetire()))) {
                steps.add(new Step.Destroy(k.keyId()));
            }
        }
        return steps;
    }
}
