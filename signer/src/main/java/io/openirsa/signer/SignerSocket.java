package io.openirsa.signer;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The ExternalJWTSigner on a Unix domain socket, as kube-apiserver's {@code --service-account-signing-endpoint}
 * names it. The socket is its owner's alone (mode 0600): whoever can connect can have tokens signed.
 */
public final class SignerSocket implements AutoCloseable {
    private final Server server;
    private final EventLoopGroup loop;
    private final Path path;

    private SignerSocket(Server server, EventLoopGroup loop, Path path) {
        this.server = server;
        this.loop = loop;
        this.path = path;
    }

    /** Listens on {@code path} (a stale socket file there is replaced). */
    public static SignerSocket start(Path path, SigningBackend backend, Clock clock) throws IOException {
        Files.deleteIfExists(path);
        EventLoopGroup loop = new EpollEventLoopGroup(2);
        Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(path.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(loop)
                .workerEventLoopGroup(loop)
                .maxInboundMessageSize(256 * 1024) // a claim set is a few hundred bytes
                .addService(new ExternalJwtSigner(backend, clock))
                .build();
        try {
            server.start();
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.shutdownNow();
            loop.shutdownGracefully();
            throw e;
        }
        return new SignerSocket(server, loop, path);
    }

    public Path path() {
        return path;
    }

    /** Blocks until the signer stops. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the next start replaces it
        }
    }
}
