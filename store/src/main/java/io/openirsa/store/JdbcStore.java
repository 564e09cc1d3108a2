package io.openirsa.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.openirsa.core.audit.AuditPage;
import io.openirsa.core.audit.AuditQuery;
import io.openirsa.core.audit.AuditRecord;
import io.openirsa.core.model.AccessKey;
import io.openirsa.core.model.Account;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.ManagedPolicy;
import io.openirsa.core.model.OidcProvider;
import io.openirsa.core.model.PodIdentityAssociation;
import io.openirsa.core.model.PolicyVersion;
import io.openirsa.core.model.Role;
import io.openirsa.core.model.StoredKey;
import io.openirsa.core.store.Store;
import io.openirsa.core.store.StoreUnavailable;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/** The {@link Store} over JDBC, in portable SQL; SQLite by default. Schema by Flyway migrations. */
public final class JdbcStore implements Store {
    /** Made at the first JSON column read or written: a command that reads access keys never needs it (bench/short-commands). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
    private static final TypeReference<List<String>> LIST = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() { };

    private final HikariDataSource dataSource;
    private final String vendor;
    /** Reads are cached between changes: heard from other replicas (PostgreSQL) or other processes on the file (SQLite). */
    private final ReadCache cache;
    private final ReadCache.Changes feed;

    /**
     * The newest migration's version for the vendor: the baseline, and SQLite's change counter. A database
     * already there opens without starting Flyway, which loads some 1,500 classes and scans the class
     * path: most of a short command's time (bench/short-commands).
     */
    static int schemaVersion(String vendor) {
        return vendor.equals("sqlite") ? 2 : 1;
    }

    /** The highest migration applied successfully, or 0 (no database yet, or not one of ours). */
    static int schemaVersion(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE success")) {
            int max = 0;
            while (rs.next()) {
                try {
                    max = Math.max(max, Integer.parseInt(rs.getString(1)));
                } catch (NumberFormatException e) {
                    // a version of another shape: not ours to compare
                }
            }
            return max;
        } catch (SQLException e) {
            return 0;
        }
    }

    /** @param vendor sqlite or postgresql: the folder of migrations written for that database, beside the common ones */
    private JdbcStore(HikariDataSource dataSource, String vendor) {
        this.dataSource = dataSource;
        this.vendor = vendor;
        int found = schemaVersion(dataSource);
        if (found != schemaVersion(vendor)) {
            if (found > schemaVersion(vendor)) {
                throw new IllegalStateException("the database's schema (version " + found + ") was made by a build before the first release "
                        + "or a newer one: start from an empty data folder or database");
            }
            Flyway.configure().dataSource(dataSource)
                    .locations(vendor.equals("sqlite") ? new String[] {"classpath:db/migration/common", "classpath:db/migration/sqlite"}
                            : new String[] {"classpath:db/migration/common"})
                    .placeholders(vendor.equals("sqlite") ? Map.of("audit_seq", "INTEGER PRIMARY KEY", "blob", "BLOB")
                            : Map.of("audit_seq", "BIGSERIAL PRIMARY KEY", "blob", "BYTEA"))
                    .load().migrate();
        }
        this.cache = new ReadCache(vendor.equals("postgresql"));
        this.feed = vendor.equals("postgresql") ? new ChangeFeed(dataSource, cache) : new ChangeCounter(dataSource, cache);
    }

    /**
     * The store a server is configured with: PostgreSQL when {@code database} is a {@code postgresql://} URL, else SQLite in the data folder.
     *
     * @param database null, or {@code postgresql://USER:PASSWORD@HOST:PORT/DATABASE[?PARAMS]}
     */
    public static JdbcStore open(String database, Path dataDir) {
        if (database == null || database.isBlank()) {
            return sqlite(dataDir);
        }
        return postgresql(database);
    }

    /** PostgreSQL, from a {@code postgresql://user:password@host:port/database} URL (the form psql takes). */
    public static JdbcStore postgresql(String url) {
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a postgresql:// URL: the database URL does not parse");
        }
        if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme())) {
            throw new IllegalArgumentException("the database URL must start with postgresql://");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getRawPath()
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
        if (u.getRawUserInfo() != null) {
            String[] user = u.getRawUserInfo().split(":", 2);
            config.setUsername(URLDecoder.decode(user[0], StandardCharsets.UTF_8));
            if (user.length == 2) {
                config.setPassword(URLDecoder.decode(user[1], StandardCharsets.UTF_8));
            }
        }
        config.setMaximumPoolSize(11); // ten for requests, one held by the change feed
        config.setConnectionTimeout(2000); // in an outage, fail (or serve cached reads) quickly
        // A connection whose server went silent (a dead network path) fails in 30 s instead of hanging: callers
        // wait for the audit writer, which must answer them (AuditTrail.COMMIT_WITHIN bounds the statements).
        config.addDataSourceProperty("socketTimeout", 30);
        config.setPoolName("openirsa-postgresql");
        return new JdbcStore(new HikariDataSource(config), "postgresql");
    }

    /** The connection pool's figures, for metrics. */
    public HikariPoolMXBean pool() {
        return dataSource.getHikariPoolMXBean();
    }

    /** sqlite or postgresql. */
    public String vendor() {
        return vendor;
    }

    /**
     * Where sqlite-jdbc's native library is kept once ({@code -Dopenirsa.native.dir}, set by bin/irsa), so that
     * it is not copied out of the jar into /tmp again by every process: 60 ms of a short command (bench/short-commands).
     */
    static final String NATIVE_DIR = "openirsa.native.dir";

    private static void useKeptNativeLibrary() {
        String dir = System.getProperty(NATIVE_DIR);
        if (dir == null || System.getProperty("org.sqlite.lib.path") != null) {
            return;
        }
        String folder = nativeFolder();
        if (folder == null) {
            return; // a platform sqlite-jdbc tells apart by running programs (uname): it finds its library itself
        }
        String name = System.mapLibraryName("sqlitejdbc");
        try (var in = JdbcStore.class.getResourceAsStream("/org/sqlite/native/" + folder + "/" + name)) {
            if (in == null) {
                return; // no library for this platform in the jar: sqlite-jdbc looks elsewhere itself
            }
            byte[] library = in.readAllBytes();
            Path kept = Path.of(dir, folder, name);
            if (!Files.exists(kept) || Files.size(kept) != library.length || !Arrays.equals(Files.readAllBytes(kept), library)) {
                Files.createDirectories(kept.getParent());
                Path tmp = Files.createTempFile(kept.getParent(), name, ".tmp");
                Files.write(tmp, library);
                Files.move(tmp, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            System.setProperty("org.sqlite.lib.path", kept.getParent().toString());
            System.setProperty("org.sqlite.lib.name", name);
        } catch (IOException e) {
            // a read-only folder, say: sqlite-jdbc extracts the library to /tmp as it always did
        }
    }

    /**
     * sqlite-jdbc's folder for this platform's library, for glibc Linux on x86_64 and aarch64 (servers and
     * the container image); null elsewhere. Asking sqlite-jdbc's OSInfo runs {@code uname}: 20 ms.
     */
    private static String nativeFolder() {
        String arch = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (arch == null || !System.getProperty("os.name", "").equals("Linux")) {
            return null;
        }
        try (var musl = Files.newDirectoryStream(Path.of("/lib"), "ld-musl-*")) {
            if (musl.iterator().hasNext()) {
                return null; // musl (Alpine): sqlite-jdbc's Linux-Musl folder
            }
        } catch (IOException e) {
            return null;
        }
        return "Linux/" + arch;
    }

    /** An SQLite database in {@code dataDir/openirsa.db}, created if missing. */
    public static JdbcStore sqlite(Path dataDir) {
        useKeptNativeLibrary();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create data directory " + dataDir, e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + dataDir.resolve("openirsa.db").toAbsolutePath()
                + "?journal_mode=WAL&busy_timeout=10000&synchronous=NORMAL"
                // No generated keys are read: without this the driver runs a query after every INSERT.
                + "&jdbc.get_generated_keys=false");
        config.setConnectionInitSql("PRAGMA wal_autocheckpoint=0"); // ChangeCounter checkpoints, off the audit writer's path
        config.setMaximumPoolSize(4);
        // Connections as they are needed, not four at once: a short command uses one (bench/short-commands).
        config.setMinimumIdle(1);
        config.setPoolName("openirsa-sqlite");
        return new JdbcStore(new HikariDataSource(config), "sqlite");
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** How long /readyz waits for the database: under Kubernetes' default probe timeout of 1 s. */
    static final Duration READY_WITHIN = Duration.ofMillis(500);
    private final AtomicReference<CompletableFuture<Boolean>> probe =
            new AtomicReference<>();

    /**
     * Whether the database answers now (a fresh round trip, never the cache), within {@link #READY_WITHIN}:
     * for /readyz. At most one round trip is in flight; callers meanwhile wait for it.
     */
    public boolean reachable() {
        CompletableFuture<Boolean> p = probe.get();
        if (p == null || p.isDone()) {
            CompletableFuture<Boolean> next = new CompletableFuture<>();
            if (probe.compareAndSet(p, next)) {
                Thread.ofVirtual().name("openirsa-readiness").start(() -> {
                    try {
                        next.complete(inConnection(c -> c.isValid(2)));
                    } catch (RuntimeException e) {
                        next.complete(false);
                    }
                });
            }
            p = probe.get();
        }
        try {
            return p.get(READY_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Reads answered from the cache, and reads answered from it because the database did not answer. */
    public long cacheHits() {
        return cache.hits();
    }

    public long staleReads() {
        return cache.staleServed();
    }

    /**
     * Hears now of changes other processes made to the SQLite file (a CLI command), which reads
     * otherwise see within {@value ChangeCounter#POLL_MILLIS} ms; for the server's scheduled jobs.
     */
    public void catchUp() {
        feed.catchUp();
    }

    @Override
    public void close() {
        feed.close();
        dataSource.close();
    }

    // ---- accounts ----

    @Override
    public boolean insertAccount(Account a) {
        return update("INSERT INTO accounts (id, created) VALUES (?, ?) ON CONFLICT DO NOTHING", a.id(), a.created().toString()) == 1;
    }

    @Override
    public Optional<Account> account(String id) {
        return one("SELECT id, created FROM accounts WHERE id = ?", rs -> new Account(rs.getString(1), instant(rs, 2)), id);
    }

    @Override
    public boolean insertAccessKey(AccessKey k) {
        return update("INSERT INTO access_keys (access_key_id, secret, account_id, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                k.accessKeyId(), k.secretAccessKey(), k.accountId(), k.created().toString()) == 1;
    }

    @Override
    public Optional<AccessKey> accessKey(String accessKeyId) {
        return one(ACCESS_KEY + "WHERE access_key_id = ?", JdbcStore::accessKey, accessKeyId);
    }

    @Override
    public List<AccessKey> accessKeys(String accountId) {
        return list(ACCESS_KEY + ACCOUNT_KEYS,
                JdbcStore::accessKey, accountId);
    }

    /**
     * An account's access keys, oldest first, read over one plain connection: no pool, no change feed,
     * no migration (when the schema is not current, through a store opened as usual).
     * What {@code irsa env} needs, and all it needs: opening the whole store was half its time
     * (bench/short-commands). Secrets come as stored (sealed).
     */
    public static List<AccessKey> accessKeysOnce(String database, Path dataDir, String accountId) {
        boolean sqlite = database == null || database.isBlank();
        if (sqlite) {
            useKeptNativeLibrary();
        }
        String url = sqlite ? "jdbc:sqlite:" + dataDir.resolve("openirsa.db").toAbsolutePath() + "?busy_timeout=10000" : null;
        if (url == null || !Files.exists(dataDir.resolve("openirsa.db"))) {
            try (JdbcStore store = open(database, dataDir)) {
                return store.accessKeys(accountId);
            }
        }
        SQLiteDataSource single = new SQLiteDataSource();
        single.setUrl(url);
        if (schemaVersion(single) != schemaVersion("sqlite")) {
            try (JdbcStore store = open(database, dataDir)) {
                return store.accessKeys(accountId);
            }
        }
        try (Connection c = single.getConnection();
             PreparedStatement st = c.prepareStatement(ACCESS_KEY + ACCOUNT_KEYS)) {
            st.setString(1, accountId);
            List<AccessKey> keys = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    keys.add(accessKey(rs));
                }
            }
            return keys;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static final String ACCESS_KEY = "SELECT access_key_id, secret, account_id, created FROM access_keys ";
    private static final String ACCOUNT_KEYS = "WHERE account_id = ? ORDER BY created, access_key_id";

    private static AccessKey accessKey(ResultSet rs) throws SQLException {
        return new AccessKey(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4));
    }

    // ---- clusters ----

    private static final String CLUSTER = "SELECT account_id, name, id, region, issuer, version, role_arn, created, tags, registered, discovery_ca_bundle, discovery_token FROM clusters ";

    @Override
    public boolean insertCluster(Cluster c) {
        Cluster.Discovery d = c.discovery();
        return update("INSERT INTO clusters (account_id, name, id, region, issuer, version, role_arn, created, tags, registered, "
                        + "discovery_ca_bundle, discovery_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                c.accountId(), c.name(), c.id(), c.region(), c.issuer(), c.version(), c.roleArn(), c.createdAt().toString(), json(c.tags()),
                d == null ? 0 : 1, d == null ? null : d.caBundle(), d == null ? null : d.bearerToken()) == 1;
    }

    @Override
    public Optional<Cluster> cluster(String accountId, String name) {
        return one(CLUSTER + "WHERE account_id = ? AND name = ?", JdbcStore::cluster, accountId, name);
    }

    @Override
    public Optional<Cluster> clusterById(String id) {
        return one(CLUSTER + "WHERE id = ?", JdbcStore::cluster, id);
    }

    @Override
    public List<Cluster> clusters(String accountId) {
        return list(CLUSTER + "WHERE account_id = ? ORDER BY name", JdbcStore::cluster, accountId);
    }

    @Override
    public List<Cluster> allClusters() {
        return list(CLUSTER + "ORDER BY account_id, name", JdbcStore::cluster);
    }

    @Override
    public boolean deleteCluster(String accountId, String name) {
        return change(c -> {
            run(c, "DELETE FROM pod_identity_associations WHERE account_id = ? AND cluster_name = ?", accountId, name);
            return run(c, "DELETE FROM clusters WHERE account_id = ? AND name = ?", accountId, name) == 1;
        });
    }

    // ---- Pod Identity associations ----

    private static final String ASSOCIATION = "SELECT account_id, region, cluster_name, association_id, namespace, service_account, role_arn, "
            + "target_role_arn, external_id, policy, disable_session_tags, tags, client_request_token, created, modified FROM pod_identity_associations ";

    @Override
    public boolean insertAssociation(PodIdentityAssociation a) {
        return update("INSERT INTO pod_identity_associations (account_id, region, cluster_name, association_id, namespace, service_account, role_arn, "
                        + "target_role_arn, external_id, policy, disable_session_tags, tags, client_request_token, created, modified) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                a.accountId(), a.region(), a.clusterName(), a.associationId(), a.namespace(), a.serviceAccount(), a.roleArn(), a.targetRoleArn(),
                a.externalId(), a.policy(), Boolean.toString(a.disableSessionTags()), json(a.tags()), a.clientRequestToken(),
                a.createdAt().toString(), a.modifiedAt().toString()) == 1;
    }

    @Override
    public Optional<PodIdentityAssociation> association(String accountId, String clusterName, String associationId) {
        return one(ASSOCIATION + "WHERE account_id = ? AND cluster_name = ? AND association_id = ?", JdbcStore::association,
                accountId, clusterName, associationId);
    }

    @Override
    public List<PodIdentityAssociation> associations(String accountId, String clusterName) {
        return list(ASSOCIATION + "WHERE account_id = ? AND cluster_name = ? ORDER BY association_id", JdbcStore::association, accountId, clusterName);
    }

    @Override
    public boolean updateAssociation(PodIdentityAssociation a) {
        return update("UPDATE pod_identity_associations SET role_arn = ?, target_role_arn = ?, external_id = ?, policy = ?, "
                        + "disable_session_tags = ?, modified = ? WHERE account_id = ? AND cluster_name = ? AND association_id = ?",
                a.roleArn(), a.targetRoleArn(), a.externalId(), a.policy(), Boolean.toString(a.disableSessionTags()), a.modifiedAt().toString(),
                a.accountId(), a.clusterName(), a.associationId()) == 1;
    }

    @Override
    public boolean deleteAssociation(String accountId, String clusterName, String associationId) {
        return update("DELETE FROM pod_identity_associations WHERE account_id = ? AND cluster_name = ? AND association_id = ?",
                accountId, clusterName, associationId) == 1;
    }

    private static PodIdentityAssociation association(ResultSet rs) throws SQLException {
        return new PodIdentityAssociation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), Boolean.parseBoolean(rs.getString(11)),
                fromJson(rs.getString(12), MAP), rs.getString(13), instant(rs, 14), instant(rs, 15));
    }

    private static Cluster cluster(ResultSet rs) throws SQLException {
        return new Cluster(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), instant(rs, 8), fromJson(rs.getString(9), MAP),
                rs.getInt(10) == 0 ? null : new Cluster.Discovery(rs.getString(11), rs.getString(12)));
    }

    // ---- keys ----

    @Override
    public boolean insertKey(StoredKey k) {
        return update("INSERT INTO keys (owner, key_id, status, material, created, changed) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                k.owner(), k.keyId(), k.status().name(), k.material(), k.createdAt().toString(), k.changedAt().toString()) == 1;
    }

    private final ConcurrentHashMap<String, ReentrantLock> localLocks = new ConcurrentHashMap<>();

    @Override
    public boolean runExclusively(String name, Runnable work) {
        if (vendor.equals("sqlite")) {
            var lock = localLocks.computeIfAbsent(name, n -> new ReentrantLock());
            if (!lock.tryLock()) {
                return false;
            }
            try {
                work.run();
                return true;
            } finally {
                lock.unlock();
            }
        }
        // A session-level advisory lock, held on one connection for the duration of the work.
        try (Connection c = dataSource.getConnection()) {
            boolean locked;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    locked = rs.next() && rs.getBoolean(1);
                }
            }
            if (!locked) {
                return false;
            }
            try {
                work.run();
                return true;
            } finally {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                    ps.setString(1, name);
                    ps.execute();
                }
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public List<StoredKey> keys(String owner) {
        return list("SELECT owner, key_id, status, material, created, changed FROM keys WHERE owner = ? ORDER BY created, key_id",
                rs -> new StoredKey(rs.getString(1), rs.getString(2), KeyStatus.valueOf(rs.getString(3)), rs.getString(4), instant(rs, 5),
                        instant(rs, 6)),
                owner);
    }

    @Override
    public void deleteKeys(String owner) {
        update("DELETE FROM keys WHERE owner = ?", owner);
    }

    @Override
    public void updateKeyStatus(String owner, String keyId, KeyStatus status, Instant changedAt) {
        update("UPDATE keys SET status = ?, changed = ? WHERE owner = ? AND key_id = ?", status.name(), changedAt.toString(), owner, keyId);
    }

    @Override
    public void promoteKey(String owner, String keyId, Instant changedAt) {
        change(c -> {
            run(c, "UPDATE keys SET status = ?, changed = ? WHERE owner = ? AND status = ?", KeyStatus.RETIRED.name(), changedAt.toString(), owner,
                    KeyStatus.PRIMARY.name());
            return run(c, "UPDATE keys SET status = ?, changed = ? WHERE owner = ? AND key_id = ?", KeyStatus.PRIMARY.name(), changedAt.toString(),
                    owner, keyId);
        });
    }

    @Override
    public void deleteKey(String owner, String keyId) {
        update("DELETE FROM keys WHERE owner = ? AND key_id = ?", owner, keyId);
    }

    // ---- OIDC providers ----

    private static final String PROVIDER = "SELECT account_id, url, client_ids, thumbprints, created, tags, ca_bundle FROM oidc_providers ";

    @Override
    public boolean insertProvider(OidcProvider p) {
        return update("INSERT INTO oidc_providers (account_id, host_path, url, client_ids, thumbprints, created, tags, ca_bundle) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                p.accountId(), p.hostPath(), p.url(), json(p.clientIds()), json(p.thumbprints()), p.createdAt().toString(), json(p.tags()),
                p.caBundle()) == 1;
    }

    @Override
    public Optional<OidcProvider> provider(String accountId, String hostPath) {
        return one(PROVIDER + "WHERE account_id = ? AND host_path = ?", JdbcStore::provider, accountId, hostPath);
    }

    @Override
    public List<OidcProvider> providers(String accountId) {
        return list(PROVIDER + "WHERE account_id = ? ORDER BY host_path", JdbcStore::provider, accountId);
    }

    @Override
    public void updateProvider(OidcProvider p) {
        update("UPDATE oidc_providers SET client_ids = ?, thumbprints = ?, tags = ?, ca_bundle = ? WHERE account_id = ? AND host_path = ?",
                json(p.clientIds()), json(p.thumbprints()), json(p.tags()), p.caBundle(), p.accountId(), p.hostPath());
    }

    @Override
    public boolean deleteProvider(String accountId, String hostPath) {
        return update("DELETE FROM oidc_providers WHERE account_id = ? AND host_path = ?", accountId, hostPath) == 1;
    }

    private static OidcProvider provider(ResultSet rs) throws SQLException {
        return new OidcProvider(rs.getString(1), rs.getString(2), fromJson(rs.getString(3), LIST), fromJson(rs.getString(4), LIST),
                instant(rs, 5), fromJson(rs.getString(6), MAP), rs.getString(7));
    }

    // ---- roles ----

    private static final String ROLE = "SELECT account_id, name, path, role_id, trust_policy, description, max_session_duration, created, tags FROM roles ";

    @Override
    public boolean insertRole(Role r) {
        return update("INSERT INTO roles (account_id, name_key, name, path, role_id, trust_policy, description, max_session_duration, created, tags) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                r.accountId(), key(r.name()), r.name(), r.path(), r.roleId(), r.trustPolicy(), r.description(),
                r.maxSessionDuration(), r.createdAt().toString(), json(r.tags())) == 1;
    }

    @Override
    public Optional<Role> role(String accountId, String name) {
        return one(ROLE + "WHERE account_id = ? AND name_key = ?", JdbcStore::role, accountId, key(name));
    }

    @Override
    public List<Role> roles(String accountId) {
        return list(ROLE + "WHERE account_id = ? ORDER BY name_key", JdbcStore::role, accountId);
    }

    @Override
    public void updateRole(Role r) {
        update("UPDATE roles SET trust_policy = ?, description = ?, max_session_duration = ?, tags = ? WHERE account_id = ? AND name_key = ?",
                r.trustPolicy(), r.description(), r.maxSessionDuration(), json(r.tags()), r.accountId(), key(r.name()));
    }

    @Override
    public boolean deleteRole(String accountId, String name) {
        return change(c -> {
            for (String table : List.of("role_attached_policies", "role_inline_policies")) {
                run(c, "DELETE FROM " + table + " WHERE account_id = ? AND name_key = ?", accountId, key(name));
            }
            return run(c, "DELETE FROM roles WHERE account_id = ? AND name_key = ?", accountId, key(name)) == 1;
        });
    }

    private static Role role(ResultSet rs) throws SQLException {
        return new Role(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getInt(7), instant(rs, 8), fromJson(rs.getString(9), MAP));
    }

    @Override
    public List<String> attachedPolicies(String accountId, String roleName) {
        return list("SELECT policy_arn FROM role_attached_policies WHERE account_id = ? AND name_key = ? ORDER BY policy_arn",
                rs -> rs.getString(1), accountId, key(roleName));
    }

    @Override
    public boolean attachPolicy(String accountId, String roleName, String policyArn) {
        return update("INSERT INTO role_attached_policies (account_id, name_key, policy_arn) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                accountId, key(roleName), policyArn) == 1;
    }

    @Override
    public boolean detachPolicy(String accountId, String roleName, String policyArn) {
        return update("DELETE FROM role_attached_policies WHERE account_id = ? AND name_key = ? AND policy_arn = ?",
                accountId, key(roleName), policyArn) == 1;
    }

    @Override
    public void putRolePolicy(String accountId, String roleName, String policyName, String document) {
        update("INSERT INTO role_inline_policies (account_id, name_key, policy_name, document) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (account_id, name_key, policy_name) DO UPDATE SET document = excluded.document",
                accountId, key(roleName), policyName, document);
    }

    @Override
    public Optional<String> rolePolicy(String accountId, String roleName, String policyName) {
        return one("SELECT document FROM role_inline_policies WHERE account_id = ? AND name_key = ? AND policy_name = ?",
                rs -> rs.getString(1), accountId, key(roleName), policyName);
    }

    @Override
    public List<String> rolePolicyNames(String accountId, String roleName) {
        return list("SELECT policy_name FROM role_inline_policies WHERE account_id = ? AND name_key = ? ORDER BY policy_name",
                rs -> rs.getString(1), accountId, key(roleName));
    }

    @Override
    public boolean deleteRolePolicy(String accountId, String roleName, String policyName) {
        return update("DELETE FROM role_inline_policies WHERE account_id = ? AND name_key = ? AND policy_name = ?",
                accountId, key(roleName), policyName) == 1;
    }

    // ---- managed policies ----

    private static final String POLICY = "SELECT account_id, name, path, policy_id, description, default_version, next_version, created, updated, tags "
            + "FROM managed_policies ";

    @Override
    public boolean insertPolicy(ManagedPolicy p, PolicyVersion first) {
        return change(c -> {
            if (run(c, "INSERT INTO managed_policies (arn, account_id, name_key, name, path, policy_id, description, default_version, next_version, "
                            + "created, updated, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    p.arn(), p.accountId(), key(p.name()), p.name(), p.path(), p.policyId(), p.description(), p.defaultVersionId(), p.nextVersion(),
                    p.createdAt().toString(), p.updatedAt().toString(), json(p.tags())) != 1) {
                return false;
            }
            run(c, "INSERT INTO policy_versions (arn, version_id, document, created) VALUES (?, ?, ?, ?)",
                    first.policyArn(), first.versionId(), first.document(), first.createdAt().toString());
            return true;
        });
    }

    @Override
    public Optional<ManagedPolicy> policy(String arn) {
        return one(POLICY + "WHERE arn = ?", JdbcStore::managedPolicy, arn);
    }

    @Override
    public List<ManagedPolicy> policies(String accountId) {
        return list(POLICY + "WHERE account_id = ? ORDER BY name_key", JdbcStore::managedPolicy, accountId);
    }

    @Override
    public void updatePolicy(ManagedPolicy p) {
        update("UPDATE managed_policies SET default_version = ?, next_version = ?, updated = ?, description = ?, tags = ? WHERE arn = ?",
                p.defaultVersionId(), p.nextVersion(), p.updatedAt().toString(), p.description(), json(p.tags()), p.arn());
    }

    @Override
    public boolean deletePolicy(String arn) {
        return change(c -> {
            run(c, "DELETE FROM policy_versions WHERE arn = ?", arn);
            return run(c, "DELETE FROM managed_policies WHERE arn = ?", arn) == 1;
        });
    }

    @Override
    public void insertPolicyVersion(PolicyVersion v) {
        update("INSERT INTO policy_versions (arn, version_id, document, created) VALUES (?, ?, ?, ?)",
                v.policyArn(), v.versionId(), v.document(), v.createdAt().toString());
    }

    @Override
    public Optional<PolicyVersion> policyVersion(String arn, String versionId) {
        return one("SELECT arn, version_id, document, created FROM policy_versions WHERE arn = ? AND version_id = ?",
                JdbcStore::policyVersion, arn, versionId);
    }

    @Override
    public List<PolicyVersion> policyVersions(String arn) {
        return list("SELECT arn, version_id, document, created FROM policy_versions WHERE arn = ? ORDER BY created DESC, version_id DESC",
                JdbcStore::policyVersion, arn);
    }

    @Override
    public boolean deletePolicyVersion(String arn, String versionId) {
        return update("DELETE FROM policy_versions WHERE arn = ? AND version_id = ?", arn, versionId) == 1;
    }

    @Override
    public int attachmentCount(String policyArn) {
        return one("SELECT COUNT(*) FROM role_attached_policies WHERE policy_arn = ?", rs -> rs.getInt(1), policyArn).orElse(0);
    }

    private static ManagedPolicy managedPolicy(ResultSet rs) throws SQLException {
        return new ManagedPolicy(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getInt(7), instant(rs, 8), instant(rs, 9), fromJson(rs.getString(10), MAP));
    }

    private static PolicyVersion policyVersion(ResultSet rs) throws SQLException {
        return new PolicyVersion(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4));
    }

    // ---- audit trail ----

    @Override
    public void appendAudit(List<AuditRecord> batch) {
        // One INSERT, its own transaction: no BEGIN and COMMIT around it. Not a change: nothing cached depends on audit records.
        inConnection(c -> {
            AuditBatch.insert(c, batch);
            return null;
        });
    }

    @Override
    public AuditPage lookupAudit(AuditQuery q) {
        return inConnection(c -> AuditBatch.lookup(c, q));
    }

    @Override
    public Optional<AuditRecord> auditByRequestId(String requestId) {
        return Optional.ofNullable(inConnection(c -> AuditBatch.byRequestId(c, requestId)));
    }

    /** A thousand batches per transaction: SQLite's write lock is held meanwhile, and the calls' records wait for it. */
    @Override
    public int deleteAuditBefore(Instant instant) {
        int deleted = 0;
        int some;
        do {
            some = inTransaction(c -> AuditBatch.deleteSome(c, instant.toEpochMilli(), 1000));
            deleted += some;
        } while (some > 0);
        return deleted;
    }

    // ---- JDBC plumbing ----

    @FunctionalInterface
    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return Instant.parse(rs.getString(column));
    }

    private int update(String sql, Object... args) {
        return change(c -> run(c, sql, args));
    }

    /** A write to what reads may have cached: announced to every replica (PostgreSQL; SQLite's triggers count it), and dropped here. */
    private <T> T change(Work<T> work) {
        try {
            return inTransaction(c -> {
                T result = work.run(c);
                if (feed instanceof ChangeFeed) {
                    ChangeFeed.announce(c);
                }
                return result;
            });
        } finally {
            cache.invalidate();
        }
    }

    private static int run(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    private <T> Optional<T> one(String sql, Row<T> row, Object... args) {
        List<T> all = list(sql, row, args);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private <T> List<T> list(String sql, Row<T> row, Object... args) {
        return cache.read(sql, args, () -> query(sql, row, args));
    }

    private <T> List<T> query(String sql, Row<T> row, Object... args) {
        return inConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(row.map(rs));
                    }
                    return out;
                }
            }
        });
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private <T> T inConnection(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            T result = work.run(c);
            cache.outage(false);
            return result;
        } catch (SQLException e) {
            if (unreachable(e)) {
                cache.outage(true);
                throw new StoreUnavailable("database unreachable: " + e.getMessage(), e);
            }
            throw new StoreException(e);
        }
    }

    /**
     * No connection could be had, or it broke (SQLSTATE class 08), or the server is shutting down or
     * starting (class 57: 57P01 on a fast shutdown, 57P03): the database, not the statement.
     */
    private static boolean unreachable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SocketException || t instanceof EOFException
                    || (t instanceof SQLException s && s.getSQLState() != null && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57")))) {
                return true;
            }
        }
        return false;
    }

    private <T> T inTransaction(Work<T> work) {
        return inConnection(c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException lost) {
                    e.addSuppressed(lost); // the connection broke: the server rolls back by itself
                }
                throw e;
            } finally {
                if (!c.isClosed()) {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    private static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T fromJson(String text, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse", e);
        }
    }
}
