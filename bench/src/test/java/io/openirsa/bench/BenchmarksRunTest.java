package io.openirsa.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each JMH benchmark's set-up, every benchmark method once, and its tear-down, with each parameter's
 * first value: a benchmark whose set-up fails gives JMH no score, only a stack trace in its output,
 * and ExchangeBenchmark ran so for a week before anyone looked (the loopback issuer became private).
 */
class BenchmarksRunTest {
    @ParameterizedTest
    @ValueSource(classes = {ExchangeBenchmark.class, TrustPolicyBenchmark.class, WildcardBenchmark.class, AuditAppendBenchmark.class})
    void setsUpAndRunsEveryMethodOnce(Class<?> benchmark) throws Exception {
        Object state = benchmark.getDeclaredConstructor().newInstance();
        for (Field f : benchmark.getDeclaredFields()) {
            Param p = f.getAnnotation(Param.class);
            if (p != null) {
                f.setAccessible(true);
                f.set(state, convert(p.value()[0], f.getType()));
            }
        }
        List<Method> methods = Arrays.stream(benchmark.getMethods()).toList();
        List<Method> benchmarks = methods.stream().filter(m -> m.isAnnotationPresent(Benchmark.class)).toList();
        assertThat(benchmarks).isNotEmpty();
        for (Method m : methods) {
            if (m.isAnnotationPresent(Setup.class)) {
                m.invoke(state);
            }
        }
        try {
            for (Method m : benchmarks) {
                m.invoke(state); // throws what the benchmark would have thrown under JMH
            }
        } finally {
            for (Method m : methods) {
                if (m.isAnnotationPresent(TearDown.class)) {
                    m.invoke(state);
                }
            }
        }
    }

    private static Object convert(String value, Class<?> type) {
        if (type == int.class) {
            return Integer.parseInt(value);
        }
        if (type == long.class) {
            return Long.parseLong(value);
        }
        return value;
    }
}
