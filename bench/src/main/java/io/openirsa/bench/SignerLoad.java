package io.openirsa.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.openirsa.signer.v1alpha1.ExternalJWTSignerGrpc;
import io.openirsa.signer.v1alpha1.SignJWTRequest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sign calls over the signer's Unix socket as kube-apiserver makes them (one connection, calls from
 * several threads), for a while; prints one JSON line: calls, rate, p50, p99, max.
 * Usage: SignerLoad SOCKET ISSUER THREADS SECONDS
 */
public final class SignerLoad {
    public static void main(String[] args) throws Exception {
        String socket = args[0];
        String issuer = args[1];
        int threads = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        EpollEventLoopGroup loop = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket)).channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(loop).usePlaintext().build();
        var stub = ExternalJWTSignerGrpc.newBlockingStub(channel);
        for (int i = 0; i < 200; i++) { // warm-up
            stub.sign(request(issuer));
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> perThread = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        int[] counts = new int[threads];
        long started = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            long[] latencies = new long[2_000_000];
            perThread.add(latencies);
            int n = t;
            workers.add(Thread.ofPlatform().start(() -> {
                int i = 0;
                while (!stop.get() && i < latencies.length) {
                    SignJWTRequest r = request(issuer);
                    long t0 = System.nanoTime();
                    stub.sign(r);
                    latencies[i++] = System.nanoTime() - t0;
                }
                counts[n] = i;
            }));
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] all = new long[Arrays.stream(counts).sum()];
        int at = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(perThread.get(t), 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        System.out.printf("{\"workload\":\"Sign\",\"threads\":%d,\"calls\":%d,\"seconds\":%.1f,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}%n",
                threads, all.length, elapsed, all.length / elapsed, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
                all[all.length - 1] / 1e6);
        channel.shutdownNow();
        loop.shutdownGracefully();
    }

    /** A claim set as kube-apiserver makes one for a pod's projected token. */
    static SignJWTRequest request(String issuer) {
        long now = Instant.now().getEpochSecond();
        String claims = "{\"aud\":[\"sts.amazonaws.com\"],\"exp\":" + (now + 3600) + ",\"iat\":" + now + ",\"iss\":\"" + issuer + "\",\"jti\":\""
                + UUID.randomUUID() + "\",\"kubernetes.io\":{\"namespace\":\"default\",\"serviceaccount\":{\"name\":\"app\",\"uid\":\""
                + UUID.randomUUID() + "\"}},\"nbf\":" + now + ",\"sub\":\"system:serviceaccount:default:app\"}";
        return SignJWTRequest.newBuilder().setClaims(Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8)))
                .build();
    }
}
