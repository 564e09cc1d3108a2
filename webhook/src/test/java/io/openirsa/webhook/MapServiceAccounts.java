package io.openirsa.webhook;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** ServiceAccounts and ConfigMap keys held in maps, for fixtures: keys {@code namespace/name} or {@code namespace/*}. */
final class MapServiceAccounts implements ServiceAccounts {
    final Map<String, ServiceAccountSettings> accounts = new HashMap<>();
    final Map<String, Set<String>> configMaps = new HashMap<>();
    /** Every ServiceAccount looked up, in order, as {@code namespace/name}. */
    final List<String> accountsFetched = new ArrayList<>();
    /** Every ConfigMap looked up, in order, as {@code namespace/name}. */
    final List<String> configMapsFetched = new ArrayList<>();

    @Override
    public Optional<ServiceAccountSettings> find(String namespace, String name) {
        accountsFetched.add(namespace + "/" + name);
        ServiceAccountSettings s = accounts.get(namespace + "/" + name);
        return Optional.ofNullable(s != null ? s : accounts.get(namespace + "/*"));
    }

    volatile boolean ready = true;

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public Optional<Set<String>> configMapKeys(String namespace, String name) {
        configMapsFetched.add(namespace + "/" + name);
        return Optional.ofNullable(configMaps.get(namespace + "/" + name));
    }
}
