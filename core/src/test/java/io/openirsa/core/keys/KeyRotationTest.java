package io.openirsa.core.keys;

import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The rotation plan, run over simulated weeks: the invariants every issuer relies on. */
class KeyRotationTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final KeyRotation.Policy POLICY = new KeyRotation.Policy(Duration.ofDays(7), Duration.ofHours(1), Duration.ofDays(1));

    /** A keyset that applies plans as ClusterIssuers does, and remembers when each key started signing. */
    static final class Keyset {
        final List<StoredKey> keys = new ArrayList<>();
        final Map<String, Instant> published = new HashMap<>();
        final Map<String, Instant> signedFrom = new HashMap<>();
        final Map<String, Instant> signedUntil = new HashMap<>();
        int next;

        Keyset() {
            keys.add(new StoredKey("c", "k0", KeyStatus.PRIMARY, "", T0, T0));
            published.put("k0", T0);
            signedFrom.put("k0", T0);
        }

        List<KeyRotation.Step> run(Instant now, boolean force) {
            List<KeyRotation.Step> steps = KeyRotation.plan(List.copyOf(keys), now, POLICY, force);
            for (KeyRotation.Step s : steps) {
                switch (s) {
                    case KeyRotation.Step.AddPending a -> {
                        String id = "k" + (++next);
                        keys.add(new StoredKey("c", id, KeyStatus.PENDING, "", now, now));
                        published.put(id, now);
                    }
                    case KeyRotation.Step.Promote p -> {
                        keys.replaceAll(k -> k.status() == KeyStatus.PRIMARY ? k.withStatus(KeyStatus.RETIRED, now) : k);
                        keys.replaceAll(k -> k.keyId().equals(p.keyId()) ? k.withStatus(KeyStatus.PRIMARY, now) : k);
                        signedUntil.put(primaryBefore(p), now);
                        signedFrom.put(p.keyId(), now);
                    }
                    case KeyRotation.Step.Destroy d -> {
                        StoredKey gone = keys.stream().filter(k -> k.keyId().equals(d.keyId())).findFirst().orElseThrow();
                        assertThat(gone.status()).isEqualTo(KeyStatus.RETIRED);
                        // every token it signed (lifetime at most 1 day) has expired
                        assertThat(signedUntil.get(d.keyId()).plus(POLICY.retainAfterRetire())).isBeforeOrEqualTo(now);
                        keys.remove(gone);
                    }
                }
            }
            assertThat(keys.stream().filter(k -> k.status() == KeyStatus.PRIMARY)).hasSize(1);
            return steps;
        }

        private String primaryBefore(KeyRotation.Step.Promote p) {
            return keys.stream().filter(k -> k.status() == KeyStatus.RETIRED && !signedUntil.containsKey(k.keyId()))
                    .map(StoredKey::keyId).findFirst().orElseThrow();
        }
    }

    @Test
    void overSixWeeks_eachKeySignsAboutAWeek_publishedAnHourAhead_destroyedAfterItsTokens() {
        Keyset ks = new Keyset();
        for (Instant now = T0; now.isBefore(T0.plus(Duration.ofDays(42))); now = now.plus(Duration.ofMinutes(1))) {
            ks.run(now, false);
        }
        assertThat(ks.signedFrom).hasSize(6); // k0 .. k5 each took over
        for (String id : ks.signedFrom.keySet()) {
            if (!id.equals("k0")) {
                assertThat(Duration.between(ks.published.get(id), ks.signedFrom.get(id))).isGreaterThanOrEqualTo(Duration.ofHours(1));
            }
            if (ks.signedUntil.containsKey(id)) {
                assertThat(Duration.between(ks.signedFrom.get(id), ks.signedUntil.get(id))).isEqualTo(Duration.ofDays(7));
            }
        }
        assertThat(ks.keys.size()).isBetween(1, 3);
    }

    @Test
    void nothingIsDue_forAFreshKey() {
        assertThat(new Keyset().run(T0.plus(Duration.ofDays(1)), false)).isEmpty();
    }

    @Test
    void forcedRotation_publishesAtOnce_signsOnlyAfterAnHour() {
        Keyset ks = new Keyset();
        assertThat(ks.run(T0.plus(Duration.ofDays(1)), true)).containsExactly(new KeyRotation.Step.AddPending());
        assertThat(ks.run(T0.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(59)), false)).isEmpty();
        assertThat(ks.run(T0.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(60)), false)).containsExactly(new KeyRotation.Step.Promote("k1"));
        // forcing again while a key is pending adds nothing more
        ks.run(T0.plus(Duration.ofDays(2)), true);
        assertThat(ks.run(T0.plus(Duration.ofDays(2)), true)).isEmpty();
    }
}
