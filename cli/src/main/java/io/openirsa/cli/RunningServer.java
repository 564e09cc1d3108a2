package io.openirsa.cli;

import io.openirsa.core.OpenIrsa;
import io.openirsa.core.Settings;
import io.openirsa.core.model.AccessKey;
import io.openirsa.core.sts.KeyEncryption;
import io.openirsa.server.OpenIrsaServer;
import io.openirsa.store.JdbcStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A started server with its store, domain and background work (issuer key rotation every minute):
 * what {@code serve} runs and what tests start in-process.
 */
public final class RunningServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunningServer.class);

    /**
     * How to run.
     *
     * @param port 0 picks a free port
     * @param publicUrl null means http://HOST:PORT (127.0.0.1 for a wildcard host)
     * @param privateIssuers whether identity providers on loopback and private addresses may be fetched
     * @param kubernetesPort the port of the clusters' Kubernetes API endpoint over TLS: 0 picks a free one, -1 serves none
     */
    public record Options(Path data, String host, int port, String publicUrl, String accountId, String region,
                          long maxTokenSeconds, Duration keyRotationPeriod, Duration jwksStaleIfError, Duration auditRetention,
                          String database, String keyEncryptionKeyFile, Clock clock, boolean privateIssuers, int kubernetesPort) {

        /** A free loopback port and the defaults, for tests; their stand-in issuers run on loopback. */
        public static Options local(Path data, Clock clock) {
            return new Options(data, "127.0.0.1", 0, null, Settings.DEFAULT_ACCOUNT, Settings.DEFAULT_REGION, 7 * 86400L,
                    Settings.DEFAULT_KEY_ROTATION, Settings.DEFAULT_STALE_IF_ERROR, Duration.ofDays(90), null, null, clock, true, 0);
        }

        public Options withDatabase(String url) {
            return new Options(data, host, port, publicUrl, accountId, region, maxTokenSeconds, keyRotationPeriod, jwksStaleIfError,
                    auditRetention, url, keyEncryptionKeyFile, clock, privateIssuers, kubernetesPort);
        }

        public Options withData(Path folder) {
            return new Options(folder, host, port, publicUrl, accountId, region, maxTokenSeconds, keyRotationPeriod, jwksStaleIfError,
                    auditRetention, database, keyEncryptionKeyFile, clock, privateIssuers, kubernetesPort);
        }

        /** These options with identity providers on public addresses only, as a server runs by default. */
        public Options publicIssuersOnly() {
            return new Options(data, host, port, publicUrl, accountId, region, maxTokenSeconds, keyRotationPeriod, jwksStaleIfError,
                    auditRetention, database, keyEncryptionKeyFile, clock, false, kubernetesPort);
        }
    }

    private final JdbcStore store;
    private final OpenIrsa domain;
    private final OpenIrsaServer server;
    private final AccessKey adminKey;
    private final ScheduledExecutorService background;
    private final Duration auditRetention;

    private final FileLock lock;

    private RunningServer(JdbcStore store, OpenIrsa domain, OpenIrsaServer server, AccessKey adminKey, Duration auditRetention,
                          FileLock lock) {
        this.lock = lock;
        this.auditRetention = auditRetention;
        this.store = store;
        this.domain = domain;
        this.server = server;
        this.adminKey = adminKey;
        this.background = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("key-rotation").factory());
        background.scheduleWithFixedDelay(this::rotateKeys, 1, 60, TimeUnit.SECONDS);
    }

    public static RunningServer start(Options o) throws IOException {
        try (ReservedPort api = ReservedPort.of(o.host(), o.port()); ReservedPort kubernetes = ReservedPort.of(o.host(), o.kubernetesPort())) {
            String url = o.publicUrl();
            if (url == null) {
                String clientHost = o.host().equals("0.0.0.0") || o.host().equals("::") ? "127.0.0.1" : o.host();
                url = "http://" + (clientHost.contains(":") ? "[" + clientHost + "]" : clientHost) + ":" + api.port();
            }
            DataDir dataDir = new DataDir(o.data());
            FileLock lock = dataDir.lock();
            try {
                return start(o, api, url, kubernetes, dataDir, lock);
            } catch (RuntimeException | IOException e) {
                lock.channel().close();
                throw e;
            }
        }
    }

    /**
     * A port chosen before its listener starts (the URLs name it first), held open until then: a port
     * only looked up and let go was once taken meanwhile by another socket, in CI. A port given, or -1
     * for none, is passed through.
     */
    private static final class ReservedPort implements AutoCloseable {
        private final int port;
        private ServerSocket held;

        private ReservedPort(int port, ServerSocket held) {
            this.port = port;
            this.held = held;
        }

        static ReservedPort of(String host, int port) throws IOException {
            if (port != 0) {
                return new ReservedPort(port, null);
            }
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 1);
            return new ReservedPort(s.getLocalPort(), s);
        }

        int port() {
            return port;
        }

        /** The port, let go for its listener to bind at once. */
        int release() throws IOException {
            close();
            return port;
        }

        @Override
        public void close() throws IOException {
            if (held != null) {
                held.close();
                held = null;
            }
        }
    }

    private static RunningServer start(Options o, ReservedPort api, String url, ReservedPort kubernetes, DataDir dataDir, FileLock lock)
            throws IOException {
        int kubernetesPort = kubernetes.port();
        dataDir.makePrivate();
        String kekFile = dataDir.keyEncryptionKeyFile(o.keyEncryptionKeyFile(), o.database() == null || o.database().isBlank());
        KeyEncryption keyEncryption = DataDir.keyEncryption(kekFile);
        if (!keyEncryption.enabled() && o.database() != null) {
            LOG.warn("keys are stored unencrypted in the database: give --key-encryption-key-file");
        }
        OpenIrsaServer.loadClassesAside(); // beside the store's opening: a faster start (docs/benchmarks.md)
        JdbcStore store = JdbcStore.open(o.database(), o.data());
        OpenIrsa domain = null;
        try {
            String publicHost = URI.create(url).getHost();
            String kubernetesUrl = kubernetesPort < 0 ? null : "https://" + publicHost + ":" + kubernetesPort;
            domain = new OpenIrsa(store, new Settings(url, o.region(), o.maxTokenSeconds(), 2048,
                    o.jwksStaleIfError(), o.keyRotationPeriod(), o.clock(), o.privateIssuers(), kubernetesUrl), keyEncryption);
            AccessKey admin = domain.bootstrap(o.accountId());
            dataDir.makePrivate(); // the database's files too, now that they exist
            OpenIrsaServer server = OpenIrsaServer.start(domain, o.host(), api.release(), store::reachable);
            if (kubernetesPort >= 0) { // after the API is up: its certificate authority and serving certificate take a moment
                List<String> hosts = new ArrayList<>(List.of(publicHost, "127.0.0.1", "::1", "localhost"));
                if (!o.host().equals("0.0.0.0") && !o.host().equals("::")) {
                    hosts.add(o.host());
                }
                var serving = domain.clusterCertificateAuthority().serving(hosts, o.clock().instant());
                server.startKubernetes(o.host(), kubernetes.release(), serving);
            }
            var pool = store.pool();
            server.observability().gauge("openirsa_db_connections_active", "Database connections in use", () -> pool.getActiveConnections());
            server.observability().gauge("openirsa_db_connections_idle", "Idle database connections", () -> pool.getIdleConnections());
            server.observability().counter("openirsa_db_cache_hits", "Store reads answered from the in-process cache", store::cacheHits);
            server.observability().counter("openirsa_db_stale_reads", "Store reads answered from the cache because the database was unreachable",
                    store::staleReads);
            server.observability().gauge("openirsa_db_threads_waiting", "Requests waiting for a database connection", () -> pool.getThreadsAwaitingConnection());
            dataDir.writeServerInfo(new DataDir.ServerInfo(url, o.accountId(), o.region(), o.maxTokenSeconds(),
                    o.keyRotationPeriod().toHours(), o.database(), kekFile));
            return new RunningServer(store, domain, server, admin, o.auditRetention(), lock);
        } catch (RuntimeException | IOException e) {
            if (domain != null) {
                domain.close();
            }
            store.close();
            throw e;
        }
    }

    /** Applies whatever key rotation is due: every cluster's issuer keys, and the session-token keys. */
    public void rotateKeys() {
        catchUp(); // a `keys rotate` run a moment ago by another process counts
        try {
            domain.issuers().rotateAll();
        } catch (RuntimeException e) {
            LOG.error("key rotation failed", e);
        }
        try {
            domain.sessionTokens().rotate(domain.settings().clock().instant()).forEach(step -> LOG.info("session-token keys: {}", step));
        } catch (RuntimeException e) {
            LOG.error("session-token key rotation failed", e);
        }
        try {
            int expired = domain.expireAudit(auditRetention);
            if (expired > 0) {
                LOG.info("deleted {} audit records older than {}", expired, auditRetention);
            }
        } catch (RuntimeException e) {
            LOG.error("audit retention failed", e);
        }
    }

    /**
     * Hears now of what other processes changed in the data folder's database (a CLI command), which
     * requests otherwise see within 50 ms, as IAM's own changes take a moment to reach every reader.
     */
    public void catchUp() {
        store.catchUp();
    }

    public String endpoint() {
        return domain.settings().publicUrl();
    }

    public int port() {
        return server.port();
    }

    /** The clusters' Kubernetes API endpoint's base URL (https), or null when none is served. */
    public String kubernetesUrl() {
        return domain.settings().kubernetesUrl();
    }

    public OpenIrsa domain() {
        return domain;
    }

    public AccessKey adminKey() {
        return adminKey;
    }

    @Override
    public void close() {
        background.shutdownNow();
        server.close();
        domain.close(); // the audit writer commits what it holds
        store.close();
        try {
            lock.channel().close();
        } catch (IOException e) {
            LOG.warn("could not let go of the data folder's lock: {}", e.toString());
        }
    }

}
