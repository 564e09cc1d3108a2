package io.openirsa.webhook;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ServiceAccounts from the Kubernetes API: an informer keeps them cached; a ServiceAccount the
 * cache does not have yet (a pod created right after it) is fetched directly, with a short timeout,
 * so the pod is still mutated. Ready once the informer's first list has arrived.
 */
public final class KubernetesServiceAccounts implements ServiceAccounts {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesServiceAccounts.class);
    static final int LOOKUP_TIMEOUT_MILLIS = 1000;

    private final String prefix;
    private final KubernetesClient client;
    private final KubernetesClient lookups;
    private final SharedIndexInformer<ServiceAccount> informer;

    /** @param config where the API server is and how to authenticate (fabric8 reads kubeconfig or in-cluster settings) */
    public KubernetesServiceAccounts(Config config, String annotationPrefix, long resyncMillis) {
        this.prefix = annotationPrefix + "/";
        this.client = new KubernetesClientBuilder().withConfig(config).build();
        this.lookups = new KubernetesClientBuilder().withConfig(new ConfigBuilder(config)
                .withRequestTimeout(LOOKUP_TIMEOUT_MILLIS).withConnectionTimeout(LOOKUP_TIMEOUT_MILLIS).withRequestRetryBackoffLimit(0).build()).build();
        try { // the lookup client's first request costs ~0.8 s cold (classes, connection): paid here, not by a pod's admission
            lookups.serviceAccounts().inNamespace("default").withName("openirsa-webhook-warm-up").get();
        } catch (KubernetesClientException e) {
            LOG.debug("the lookup client's warm-up request failed: {}", e.getMessage());
        }
        this.informer = client.serviceAccounts().inAnyNamespace().runnableInformer(resyncMillis);
        informer.start().whenComplete((v, e) -> {
            if (e != null) {
                LOG.error("the ServiceAccount informer could not start", e);
            } else {
                LOG.info("ServiceAccount informer synced");
            }
        });
    }

    @Override
    public Optional<ServiceAccountSettings> find(String namespace, String name) {
        ServiceAccount sa = informer.getIndexer().getByKey(namespace + "/" + name);
        if (sa == null) {
            try {
                sa = lookups.serviceAccounts().inNamespace(namespace).withName(name).get();
                if (sa != null) {
                    LOG.info("ServiceAccount {}/{} was not cached yet: fetched from the API", namespace, name);
                }
            } catch (KubernetesClientException e) {
                LOG.warn("ServiceAccount {}/{} is not cached and could not be fetched: {}", namespace, name, e.getMessage());
            }
        }
        if (sa == null) {
            return Optional.empty();
        }
        Map<String, String> values = new HashMap<>();
        Map<String, String> annotations = sa.getMetadata().getAnnotations();
        if (annotations != null) {
            annotations.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    values.put(k.substring(prefix.length()), v);
                }
            });
        }
        return Optional.of(ServiceAccountSettings.of(values));
    }

    @Override
    public boolean ready() {
        return informer.hasSynced();
    }

    @Override
    public Optional<Set<String>> configMapKeys(String namespace, String name) {
        try {
            ConfigMap cm = lookups.configMaps().inNamespace(namespace).withName(name).get();
            if (cm == null) {
                return Optional.of(Set.of()); // an optional ConfigMap that does not exist gives nothing
            }
            Set<String> keys = new HashSet<>();
            if (cm.getData() != null) {
                keys.addAll(cm.getData().keySet());
            }
            if (cm.getBinaryData() != null) {
                keys.addAll(cm.getBinaryData().keySet());
            }
            return Optional.of(keys);
        } catch (KubernetesClientException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        informer.close();
        client.close();
        lookups.close();
    }
}
