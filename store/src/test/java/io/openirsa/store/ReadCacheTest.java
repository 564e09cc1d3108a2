package io.openirsa.store;

import io.openirsa.core.store.StoreUnavailable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When a cached read may be served: fresh and trusted; or stale, only when the database is unreachable. */
class ReadCacheTest {
    final ReadCache cache = new ReadCache(true);
    final AtomicInteger loads = new AtomicInteger();

    Supplier<List<String>> db(String value) {
        return () -> {
            loads.incrementAndGet();
            return List.of(value);
        };
    }

    static Supplier<List<String>> down() {
        return () -> {
            throw new StoreUnavailable("down", null);
        };
    }

    @Test
    void untrustedCacheReadsTheDatabaseEveryTime() {
        cache.read("q", new Object[]{"a"}, db("1"));
        cache.read("q", new Object[]{"a"}, db("1"));
        assertThat(loads).hasValue(2);
        assertThat(cache.hits()).isZero();
    }

    @Test
    void trustedCacheAnswersUntilAChange() {
        cache.trusted(true);
        assertThat(cache.read("q", new Object[]{"a"}, db("1"))).containsExactly("1");
        assertThat(cache.read("q", new Object[]{"a"}, db("2"))).containsExactly("1");
        assertThat(cache.read("q", new Object[]{"b"}, db("3"))).containsExactly("3");
        assertThat(loads).hasValue(2);
        cache.invalidate();
        assertThat(cache.read("q", new Object[]{"a"}, db("2"))).containsExactly("2");
        assertThat(cache.hits()).isEqualTo(1);
    }

    @Test
    void aChangeDuringALoadLeavesNoFreshEntry() {
        cache.trusted(true);
        cache.read("q", new Object[]{"a"}, () -> {
            cache.invalidate(); // another replica's NOTIFY arrives while this read runs
            return List.of("old");
        });
        assertThat(cache.read("q", new Object[]{"a"}, db("new"))).containsExactly("new");
    }

    @Test
    void withNoOutageToBridge_aChangeDropsEveryEntry() {
        ReadCache local = new ReadCache(false); // SQLite: a file, not a network
        local.trusted(true);
        local.read("q", new Object[]{"a"}, db("1"));
        local.invalidate();
        local.outage(true);
        assertThatThrownBy(() -> local.read("q", new Object[]{"a"}, down())).isInstanceOf(StoreUnavailable.class);
        assertThat(local.staleServed()).isZero();
    }

    @Test
    void lastAnswerIsServedOnlyWhileTheDatabaseIsUnreachable() {
        cache.trusted(true);
        cache.read("q", new Object[]{"a"}, db("1"));
        cache.trusted(false); // the change feed dropped with the database
        assertThat(cache.read("q", new Object[]{"a"}, down())).containsExactly("1");
        assertThat(cache.staleServed()).isEqualTo(1);
        assertThatThrownBy(() -> cache.read("q", new Object[]{"never-read"}, down())).isInstanceOf(StoreUnavailable.class);
        // A refused statement is not an outage: no stale answer for it.
        assertThatThrownBy(() -> cache.read("q", new Object[]{"a"}, () -> {
            throw new IllegalStateException("refused");
        })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void duringAKnownOutageKnownAnswersDoNotWaitForTheDatabase() {
        cache.read("q", new Object[]{"a"}, db("1"));
        cache.outage(true);
        assertThat(cache.read("q", new Object[]{"a"}, db("2"))).containsExactly("1");
        assertThat(loads).hasValue(1);
        // Unknown reads still try the database, and a good answer ends the outage.
        assertThat(cache.read("q", new Object[]{"b"}, db("3"))).containsExactly("3");
        cache.outage(false);
        assertThat(cache.read("q", new Object[]{"a"}, db("4"))).containsExactly("4");
    }

    @Test
    void argumentsArePartOfTheKeyAndCopied() {
        cache.trusted(true);
        Object[] args = {"a"};
        cache.read("q", args, db("1"));
        args[0] = "b";
        assertThat(cache.read("q", new Object[]{"b"}, db("2"))).containsExactly("2");
        assertThat(cache.read("q", new Object[]{"a"}, db("3"))).containsExactly("1");
    }
}
