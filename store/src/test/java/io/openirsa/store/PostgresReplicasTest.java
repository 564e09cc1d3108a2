package io.openirsa.store;

import io.openirsa.core.model.Account;
import io.openirsa.core.model.Role;
import io.openirsa.core.store.StoreUnavailable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two stores on one database, as two replicas have (or, with SQLite, the server and a CLI command on
 * its data folder): changes heard within a second, outages survived by reads.
 */
class PostgresReplicasTest {
    static final Instant T = Instant.parse("2026-11-29T12:00:00Z");
    static final String ACCOUNT = "123456789012";

    static Role role(String name, String trust) {
        return new Role(ACCOUNT, name, "/", "AROA" + name.toUpperCase() + "0000000000", trust, null, 3600, T, Map.of());
    }

    static <T> T within(long millis, java.util.function.Supplier<T> read, java.util.function.Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        T value = read.get();
        while (!done.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            value = read.get();
        }
        return value;
    }

    /** Two stores on one database: two PostgreSQL replicas, or two processes on one SQLite file (the server and a CLI command). */
    static JdbcStore[] twoStores(String vendor) throws Exception {
        if (vendor.equals("sqlite")) {
            java.nio.file.Path dir = TestDatabases.tempDir();
            return new JdbcStore[] {JdbcStore.sqlite(dir), JdbcStore.sqlite(dir)};
        }
        String url = TestDatabases.freshPostgresDatabase();
        return new JdbcStore[] {JdbcStore.postgresql(url), JdbcStore.postgresql(url)};
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "sqlite"})
    void aChangeThroughOneStoreIsSeenByTheOtherWithinASecond(String vendor) throws Exception {
        JdbcStore[] stores = twoStores(vendor);
        try (JdbcStore a = stores[0]; JdbcStore b = stores[1]) {
            a.insertAccount(new Account(ACCOUNT, T));
            a.insertRole(role("app", "{\"v\":1}"));
            within(2000, () -> b.role(ACCOUNT, "app"), Optional::isPresent);
            // B now serves the role from its cache...
            // (once its feed is heard from: a store trusts its cache only after that)
            assertThat(within(2000, () -> {
                assertThat(b.role(ACCOUNT, "app")).get().extracting(Role::trustPolicy).isEqualTo("{\"v\":1}");
                return b.cacheHits();
            }, n -> n > 0)).isPositive();
            // ...until A changes it.
            Role changed = role("app", "{\"v\":2}");
            a.updateRole(changed);
            long started = System.nanoTime();
            Optional<Role> seen = within(1000, () -> b.role(ACCOUNT, "app"), r -> r.get().trustPolicy().equals("{\"v\":2}"));
            assertThat(seen).get().extracting(Role::trustPolicy).isEqualTo("{\"v\":2}");
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1000);

            a.deleteRole(ACCOUNT, "app");
            assertThat(within(1000, () -> b.role(ACCOUNT, "app"), Optional::isEmpty)).isEmpty();
        }
    }

    @Test
    void duringAnOutageReadsAnsweredBeforeAreServedAndWritesFailWhole() throws Exception {
        String url = TestDatabases.freshPostgresDatabase();
        try (CuttableProxy proxy = CuttableProxy.to(url); JdbcStore s = JdbcStore.postgresql(proxy.url(url))) {
            s.insertAccount(new Account(ACCOUNT, T));
            s.insertRole(role("app", "{}"));
            assertThat(s.role(ACCOUNT, "app")).isPresent();
            assertThat(s.account(ACCOUNT)).isPresent();

            proxy.cut();
            assertThatThrownBy(() -> s.role(ACCOUNT, "never-read")).isInstanceOf(StoreUnavailable.class);
            // Fresh entries answer until the change feed notices the outage; then the last answers do.
            assertThat(within(3000, () -> {
                assertThat(s.role(ACCOUNT, "app")).isPresent();
                return s.staleReads();
            }, n -> n > 0)).isPositive();
            assertThat(s.account(ACCOUNT)).isPresent();
            assertThatThrownBy(() -> s.insertRole(role("other", "{}"))).isInstanceOf(StoreUnavailable.class);
            assertThatThrownBy(() -> s.deleteRole(ACCOUNT, "app")).isInstanceOf(StoreUnavailable.class);

            proxy.restore();
            // Nothing of the failed writes is there; the store works again.
            assertThat(within(15_000, () -> {
                try {
                    return s.roles(ACCOUNT).size();
                } catch (StoreUnavailable e) {
                    return -1;
                }
            }, n -> n >= 0)).isEqualTo(1);
            assertThat(s.role(ACCOUNT, "other")).isEmpty();
            assertThat(s.role(ACCOUNT, "app")).isPresent();
            assertThat(s.insertRole(role("other", "{}"))).isTrue();
        }
    }
}
