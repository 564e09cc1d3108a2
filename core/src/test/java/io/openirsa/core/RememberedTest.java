package io.openirsa.core;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RememberedTest {

    @Test
    void keepsOnFirstSight_andStartsAgainWhenFull() {
        Remembered<String, Integer> memory = new Remembered<>(3);
        memory.remember("a", 1);
        memory.remember("b", 2);
        memory.remember("c", 3);
        assertThat(memory.get("a")).isEqualTo(1);
        memory.remember("d", 4);
        assertThat(memory.get("a")).isNull();
        assertThat(memory.get("c")).isNull();
        assertThat(memory.get("d")).isEqualTo(4);
    }

    @Test
    void onSecondSight_keepsAKeyOnlyWhenItComesAgain() {
        Remembered<String, Integer> memory = Remembered.onSecondSight(100, 64);
        memory.remember("token", 1);
        assertThat(memory.get("token")).isNull();
        memory.remember("other", 2);
        memory.remember("token", 1);
        assertThat(memory.get("token")).isEqualTo(1);
        assertThat(memory.get("other")).isNull();
    }

    @Test
    void onSecondSight_keysThatComeOnceInARolloutAreNotKept() {
        int window = 1024;
        Remembered<Integer, Integer> memory = Remembered.onSecondSight(10_000, window);
        int pods = 12 * window;
        // Each pod's token twice, a rollout apart: the doorkeeper has forgotten almost all of them.
        for (int pass = 0; pass < 2; pass++) {
            for (int pod = 0; pod < pods; pod++) {
                memory.remember(pod, pod);
            }
        }
        long kept = IntStream.range(0, pods).filter(pod -> memory.get(pod) != null).count();
        assertThat(kept).isLessThan(pods / 100);
        // The same keys, each twice in a row (a script's calls): every one is kept.
        Remembered<Integer, Integer> script = Remembered.onSecondSight(10_000, window);
        for (int call = 0; call < 5_000; call++) {
            script.remember(call, call);
            script.remember(call, call);
        }
        assertThat(IntStream.range(0, 5_000).filter(call -> script.get(call) != null).count()).isEqualTo(5_000);
    }

    @Test
    void onSecondSight_neverHoldsMoreThanItsLimit() {
        Remembered<Integer, Integer> memory = Remembered.onSecondSight(10, 16);
        for (int i = 0; i < 1000; i++) {
            memory.remember(i % 13, i);
            memory.remember(i % 13, i);
        }
        assertThat(IntStream.range(0, 13).filter(i -> memory.get(i) != null).count()).isLessThanOrEqualTo(10);
    }

    @Test
    void aWindowTooSmallIsRefused() {
        assertThatThrownBy(() -> Remembered.onSecondSight(10, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
