package io.openirsa.webhook;

import java.util.Optional;
import java.util.Set;

/** Where the webhook learns what a pod's ServiceAccount asks for. */
public interface ServiceAccounts extends AutoCloseable {

    /** The ServiceAccount's IRSA settings, or empty when it is unknown. */
    Optional<ServiceAccountSettings> find(String namespace, String name);

    /** Whether lookups can be answered yet (an informer has synced, a file was read). */
    boolean ready();

    /**
     * The variable names a ConfigMap gives through {@code envFrom}, or empty when this source cannot
     * tell (then the mutator assumes the worst for optional variables).
     */
    default Optional<Set<String>> configMapKeys(String namespace, String name) {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
