package io.openirsa.bench;

import io.openirsa.policy.Wildcard;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * IAM's glob on the worst case of a scan per position: a literal of {@code length} characters
 * ({@code a}s and a final {@code b}) between stars, against a value of twice as many {@code a}s,
 * where every position nearly matches. A scan per position costs length x value length; the
 * matcher's should grow linearly with {@code length} (issue 22: 2.95 s a call at 40,000).
 *
 * <p>Run: {@code ./mvnw -q -DskipTests package -pl policy,bench -am && java -jar bench/target/benchmarks.jar WildcardBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WildcardBenchmark {
    @Param({"1000", "10000", "40000"})
    int length;

    Wildcard pattern;
    String value;

    @Setup
    public void setUp() {
        pattern = Wildcard.compile("*" + "a".repeat(length) + "b*");
        value = "a".repeat(2 * length);
    }

    @Benchmark
    public boolean longLiteralBetweenStars() {
        return pattern.matches(value);
    }
}
