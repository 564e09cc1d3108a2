package io.openirsa.cli;

import io.openirsa.core.OpenIrsa;
import io.openirsa.core.Settings;
import io.openirsa.core.model.AccessKey;
import io.openirsa.server.OpenIrsaServer;
import io.openirsa.store.JdbcStore;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;

/** A started server with its store and domain: what {@code serve} runs and what tests start in-process. */
public final class RunningServer implements AutoCloseable {
    private final JdbcStore store;
    private final OpenIrsa domain;
    private final OpenIrsaServer server;
    private final AccessKey adminKey;

    private RunningServer(JdbcStore store, OpenIrsa domain, OpenIrsaServer server, AccessKey adminKey) {
        this.store = store;
        this.domain = domain;
        this.server = server;
        this.adminKey = adminKey;
    }

    /**
     * @param port 0 picks a free port
     * @param publicUrl null means http://HOST:PORT (127.0.0.1 for a wildcard host)
     */
    public static RunningServer start(Path data, String host, int port, String publicUrl, String accountId, String region,
                                      long maxTokenSeconds, Clock clock) throws IOException {
        int bound = port == 0 ? freePort(host) : port;
        String url = publicUrl;
        if (url == null) {
            String clientHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
            url = "http://" + (clientHost.contains(":") ? "[" + clientHost + "]" : clientHost) + ":" + bound;
        }
        JdbcStore store = JdbcStore.sqlite(data);
        try {
            OpenIrsa domain = new OpenIrsa(store, new Settings(url, region, maxTokenSeconds, 2048, Settings.DEFAULT_STALE_IF_ERROR, clock));
            AccessKey admin = domain.bootstrap(accountId);
            OpenIrsaServer server = OpenIrsaServer.start(domain, host, bound);
            new DataDir(data).writeServerInfo(new DataDir.ServerInfo(url, accountId, region));
            return new RunningServer(store, domain, server, admin);
        } catch (RuntimeException | IOException e) {
            store.close();
            throw e;
        }
    }

    /** Starts on a free loopback port with defaults, for tests. */
    public static RunningServer startLocal(Path data, Clock clock) throws IOException {
        return start(data, "127.0.0.1", 0, null, Settings.DEFAULT_ACCOUNT, Settings.DEFAULT_REGION, 7 * 86400L, clock);
    }

    public String endpoint() {
        return domain.settings().publicUrl();
    }

    public int port() {
        return server.port();
    }

    public OpenIrsa domain() {
        return domain;
    }

    public AccessKey adminKey() {
        return adminKey;
    }

    @Override
    public void close() {
        server.close();
        store.close();
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }
}
