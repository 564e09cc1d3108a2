package io.openirsa.core.keys;

import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.StoredKey;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeysetTest {
    static final Instant T = Instant.parse("2026-12-07T00:00:00Z");

    static StoredKey key(String id, KeyStatus status) {
        return new StoredKey("owner", id, status, "material-" + id, T, T);
    }

    @Test
    void aKeyset_hasItsPrimary_andEveryKeyByItsId() {
        Keyset<String> ks = Keyset.of(List.of(key("1", KeyStatus.RETIRED), key("2", KeyStatus.PRIMARY), key("3", KeyStatus.PENDING)),
                StoredKey::material);
        assertThat(ks.primaryId()).isEqualTo("2");
        assertThat(ks.primary()).isEqualTo("material-2");
        assertThat(ks.key("1")).isEqualTo("material-1");
        assertThat(ks.key("9")).isNull();
        assertThat(ks.keys()).containsExactly("material-1", "material-2", "material-3");
    }

    @Test
    void noPrimary_twoPrimaries_orARepeatedId_isNoKeyset() {
        assertThatThrownBy(() -> Keyset.of(List.of(key("1", KeyStatus.RETIRED)), StoredKey::material))
                .hasMessageContaining("exactly one primary key, found 0");
        assertThatThrownBy(() -> Keyset.of(List.of(), StoredKey::material)).hasMessageContaining("found 0");
        assertThatThrownBy(() -> Keyset.of(List.of(key("1", KeyStatus.PRIMARY), key("2", KeyStatus.PRIMARY)), StoredKey::material))
                .hasMessageContaining("found 2");
        assertThatThrownBy(() -> Keyset.of(List.of(key("1", KeyStatus.PRIMARY), key("1", KeyStatus.RETIRED)), StoredKey::material))
                .hasMessageContaining("key 1 appears twice");
    }
}
