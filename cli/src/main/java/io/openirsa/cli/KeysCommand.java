package io.openirsa.cli;

import io.openirsa.core.OpenIrsa;
import io.openirsa.core.Settings;
import io.openirsa.core.keys.KeyRotation;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.StoredKey;
import io.openirsa.store.JdbcStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "The signing keys of a cluster's OIDC issuer.",
        subcommands = {KeysCommand.ListKeys.class, KeysCommand.Rotate.class})
final class KeysCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Opens the data folder of a server (which may be running) and finds the cluster. */
    abstract static class OnCluster implements Callable<Integer> {
        @Option(names = "--cluster", required = true, description = "cluster name")
        String cluster;

        @Option(names = "--data", description = "data folder (default: $OPENIRSA_DATA, else ~/.openirsa)")
        Path data;

        @Override
        public Integer call() throws Exception {
            Path dir = DataDir.resolve(data);
            DataDir.ServerInfo info = new DataDir(dir).readServerInfo();
            try (JdbcStore store = new DataDir(dir).store()) {
                Cluster c = store.cluster(info.accountId(), cluster).orElse(null);
                if (c == null) {
                    System.err.println("no cluster " + cluster + " in account " + info.accountId());
                    return 1;
                }
                OpenIrsa domain = new OpenIrsa(store, new Settings(info.endpoint(), info.region(), info.maxTokenSeconds(), 2048,
                        Settings.DEFAULT_STALE_IF_ERROR, Duration.ofHours(info.keyRotationHours()), Clock.systemUTC()),
                        DataDir.keyEncryption(info.keyEncryptionKeyFile()));
                return run(domain, c);
            }
        }

        abstract int run(OpenIrsa domain, Cluster cluster);

        static void print(List<StoredKey> keys) {
            System.out.printf("%-44s %-8s %-20s %s%n", "KID", "STATE", "CREATED", "STATE SINCE");
            for (StoredKey k : keys) {
                System.out.printf("%-44s %-8s %-20s %s%n", k.keyId(), k.status(), k.createdAt().truncatedTo(ChronoUnit.SECONDS),
                        k.changedAt().truncatedTo(ChronoUnit.SECONDS));
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Show the keys and their states: PENDING (published, not signing yet), PRIMARY (signs), RETIRED (published until its tokens expire).")
    static final class ListKeys extends OnCluster {
        @Override
        int run(OpenIrsa domain, Cluster cluster) {
            print(domain.issuers().storedKeys(cluster.id()));
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Start a rotation now: a new key is published at once and signs after one JWKS cache lifetime (1 hour).")
    static final class Rotate extends OnCluster {
        @Override
        int run(OpenIrsa domain, Cluster cluster) {
            List<KeyRotation.Step> steps = domain.issuers().rotate(cluster.id(), true);
            steps.forEach(s -> System.out.println(s));
            print(domain.issuers().storedKeys(cluster.id()));
            return 0;
        }
    }
}
