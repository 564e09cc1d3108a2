package io.openirsa.cli;

import io.openirsa.core.model.OidcProvider;
import io.openirsa.core.sts.IssuerTrust;
import io.openirsa.store.JdbcStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "provider", mixinStandardHelpOptions = true, description = "OpenIRSA's settings of IAM OIDC providers, beyond what IAM has.",
        subcommands = ProviderCommand.SetCa.class)
final class ProviderCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "set-ca", mixinStandardHelpOptions = true,
            description = "Trust a private CA for a provider's TLS: its discovery and JWKS are then fetched over https that chains to these certificates.")
    static final class SetCa implements Callable<Integer> {
        @Option(names = "--url", required = true, description = "the provider URL, as registered (https://...)")
        String url;

        @Option(names = "--ca-file", description = "PEM file of CA certificates")
        Path caFile;

        @Option(names = "--clear", description = "trust only the JDK's roots (and thumbprints) again")
        boolean clear;

        @Option(names = "--data", description = "data folder (default: $OPENIRSA_DATA, else ~/.openirsa)")
        Path data;

        @Override
        public Integer call() throws Exception {
            if (clear == (caFile != null)) {
                System.err.println("give either --ca-file FILE or --clear");
                return 2;
            }
            String pem = null;
            if (caFile != null) {
                pem = Files.readString(caFile, StandardCharsets.US_ASCII);
                if (!IssuerTrust.isCertificateBundle(pem)) {
                    System.err.println(caFile + " holds no PEM certificate, or one that does not parse");
                    return 2;
                }
            }
            Path dir = DataDir.resolve(data);
            DataDir.ServerInfo info = new DataDir(dir).readServerInfo();
            try (JdbcStore store = new DataDir(dir).store()) {
                OidcProvider p = store.provider(info.accountId(), OidcProvider.hostPath(url)).filter(x -> x.url().equals(url)).orElse(null);
                if (p == null) {
                    System.err.println("no OIDC provider " + url + " in account " + info.accountId());
                    return 1;
                }
                store.updateProvider(p.withCaBundle(pem));
                System.out.println(p.arn() + (pem == null ? ": trusts the JDK's roots" : ": also trusts the CAs of " + caFile));
                return 0;
            }
        }
    }
}
