package io.openirsa.cli;

import io.openirsa.core.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the server: STS, IAM, EKS, the clusters' OIDC issuers and TokenRequest, on one listener.")
final class ServeCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    LogOptions logs = new LogOptions();

    @Option(names = "--config", description = "YAML file of settings, named like these flags without the dashes (also: $OPENIRSA_CONFIG); "
            + "every setting can also come from OPENIRSA_<NAME>, e.g. OPENIRSA_KEY_ROTATION_HOURS")
    Path config;

    @Option(names = "--listen", description = "HOST:PORT to listen on (default ${DEFAULT-VALUE}; port 0 picks a free one)",
            defaultValue = "127.0.0.1:8580", converter = Main.Listen.Converter.class)
    Main.Listen listen;

    @Option(names = "--data", description = "data folder (default: $OPENIRSA_DATA, else ~/.openirsa)")
    Path data;

    @Option(names = "--public-url", description = "URL clients reach this server at; issuer URLs are built from it (default: http://HOST:PORT)")
    String publicUrl;

    @Option(names = "--account-id", description = "account created on first start (default ${DEFAULT-VALUE})", defaultValue = Settings.DEFAULT_ACCOUNT)
    String accountId;

    @Option(names = "--region", description = "region in ARNs and signatures (default ${DEFAULT-VALUE})", defaultValue = Settings.DEFAULT_REGION)
    String region;

    @Option(names = "--max-token-seconds", description = "longest service-account token lifetime (default ${DEFAULT-VALUE})", defaultValue = "604800")
    long maxTokenSeconds;

    @Option(names = "--key-rotation-hours", description = "how long an issuer signing key, or a session-token key, is used before the next takes over (default ${DEFAULT-VALUE})",
            defaultValue = "168")
    long keyRotationHours;

    @Option(names = "--jwks-stale-if-error-hours", description = "how long an issuer's cached keys stay in use while the issuer "
            + "cannot be reached (default ${DEFAULT-VALUE})", defaultValue = "6")
    long staleIfErrorHours;

    @Option(names = "--database", description = "postgresql://USER:PASSWORD@HOST:PORT/DB for replicas sharing one PostgreSQL "
            + "(default: $OPENIRSA_DATABASE, else SQLite in the data folder)")
    String database;

    @Option(names = "--key-encryption-key-file", description = "file with the key that encrypts signing and session keys in the store "
            + "(base64 of 32 bytes; also: $OPENIRSA_KEY_ENCRYPTION_KEY_FILE or $IRSA_KEY_ENCRYPTION_KEY_FILE)")
    String keyEncryptionKeyFile;

    @Option(names = "--allow-private-issuers", description = "fetch identity providers on loopback, private and link-local addresses "
            + "too (local development; by default a provider URL must resolve to a public address, so no tenant reaches this network)")
    boolean allowPrivateIssuers;

    @Option(names = "--audit-retention-days", description = "how long audit records are kept (default ${DEFAULT-VALUE})", defaultValue = "90")
    long auditRetentionDays;

    @Option(names = "--kubernetes-port", description = "port of the clusters' Kubernetes API endpoint, over TLS with a certificate "
            + "from the CA DescribeCluster gives (default: the --listen port + 1; 0 picks a free one; -1 serves none)")
    Integer kubernetesPort;

    /** The --listen port + 1, or, when that is taken and the port was not asked for, a free one. */
    static int derivedKubernetesPort(String host, int port, Logger log) {
        if (port == 0) {
            return 0;
        }
        try (var probe = new ServerSocket(port + 1, 1, InetAddress.getByName(host))) {
            return port + 1;
        } catch (IOException e) {
            log.warn("port {} is taken: the clusters' Kubernetes API listens on a free port instead (--kubernetes-port sets one)", port + 1);
            return 0;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!logs.apply()) {
            return 2;
        }
        Logger log = LoggerFactory.getLogger(ServeCommand.class);
        if (!accountId.matches("\\d{12}")) {
            System.err.println("--account-id must be 12 digits");
            return 2;
        }
        Main.Listen at = listen;
        String host = at.host();
        int port = at.port();
        Path dir = DataDir.resolve(data);
        if (keyRotationHours < 2) {
            System.err.println("--key-rotation-hours must be at least 2: a new key is published an hour before it signs");
            return 2;
        }
        String kek = keyEncryptionKeyFile != null ? keyEncryptionKeyFile : System.getenv("IRSA_KEY_ENCRYPTION_KEY_FILE");
        if (kek != null && Path.of(kek).toAbsolutePath().normalize().startsWith(dir.toAbsolutePath().normalize())) {
            System.err.println("--key-encryption-key-file must be outside the data folder: a key kept beside what it encrypts protects nothing");
            return 2;
        }
        RunningServer server;
        try {
            server = RunningServer.start(new RunningServer.Options(dir, host, port, publicUrl, accountId, region,
                    maxTokenSeconds, Duration.ofHours(keyRotationHours), Duration.ofHours(staleIfErrorHours),
                    Duration.ofDays(auditRetentionDays),
                    database,
                    kek, Clock.systemUTC(), allowPrivateIssuers, kubernetesPort != null ? kubernetesPort : derivedKubernetesPort(host, port, log)));
        } catch (IllegalStateException e) {
            System.err.println("irsa serve: " + e.getMessage());
            return 1;
        }
        log.info("OpenIRSA listening on {}:{} (public URL {}), account {}, data {}", host, server.port(), server.endpoint(), accountId, dir);
        if (server.kubernetesUrl() != null) {
            log.info("clusters' Kubernetes API (TLS) at {}/clusters/NAME", server.kubernetesUrl());
        }
        log.info("point the AWS CLI at it with: eval \"$(bin/irsa env --data {})\"", dir);
        Main.serveUntilStopped(server);
        return 0;
    }
}
