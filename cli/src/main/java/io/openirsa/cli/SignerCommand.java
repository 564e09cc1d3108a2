package io.openirsa.cli;

import io.openirsa.signer.SignerSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

@Command(name = "signer", mixinStandardHelpOptions = true,
        description = "Sign one cluster's service-account tokens for its kube-apiserver (Kubernetes' ExternalJWTSigner on a Unix socket, "
                + "--service-account-signing-endpoint), with the cluster's keys, which stay in OpenIRSA; from the AWS_* environment.")
final class SignerCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    LogOptions logs = new LogOptions();

    @Option(names = "--cluster", required = true, description = "the OpenIRSA cluster whose keys sign")
    String cluster;

    @Option(names = "--socket", required = true, description = "the Unix socket to serve (kube-apiserver's --service-account-signing-endpoint)")
    Path socket;

    @Override
    public Integer call() throws Exception {
        if (!logs.apply()) {
            return 2;
        }
        RemoteServer server = RemoteServer.required(System.getenv());
        try (SignerSocket s = SignerSocket.start(socket, new RemoteSigningBackend(server, cluster), Clock.systemUTC())) {
            LoggerFactory.getLogger(SignerCommand.class).info("signing for cluster {} on {} (OpenIRSA at {})", cluster, socket, server.endpoint());
            Runtime.getRuntime().addShutdownHook(new Thread(s::close));
            s.awaitTermination();
        }
        return 0;
    }
}
