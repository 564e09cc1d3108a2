package io.openirsa.webhook;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.eks.model.PodIdentityAssociationSummary;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cluster's Pod Identity associations, read from the EKS API at start and again every period.
 * If a refresh fails, the last list read stays in use. A pod created within one period of a new
 * association gets IRSA (or nothing), as EKS warns that associations take a few seconds to apply.
 */
public final class EksPodIdentityAssociations implements PodIdentityAssociations {
    private static final Logger LOG = LoggerFactory.getLogger(EksPodIdentityAssociations.class);

    private final EksClient eks;
    private final String cluster;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
            .name("pod-identity-associations").factory());
    private volatile Set<String> associated;

    private final boolean ownsClient;

    /** @param eks a client this object uses but does not close */
    public EksPodIdentityAssociations(EksClient eks, String cluster, Duration period) {
        this(eks, cluster, period, false);
    }

    private EksPodIdentityAssociations(EksClient eks, String cluster, Duration period, boolean ownsClient) {
        this.eks = eks;
        this.ownsClient = ownsClient;
        this.cluster = cluster;
        this.associated = read(); // fails the start if the API cannot be read at all
        refresher.scheduleWithFixedDelay(this::refresh, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** With the AWS SDK's defaults: credentials from its default chain, the endpoint from AWS_ENDPOINT_URL. */
    public static EksPodIdentityAssociations fromEnvironment(String cluster, Duration period) {
        return new EksPodIdentityAssociations(EksClient.builder()
                .httpClient(UrlConnectionHttpClient.create()).build(), cluster, period, true);
    }

    private Set<String> read() {
        Set<String> found = new HashSet<>();
        for (PodIdentityAssociationSummary a : eks.listPodIdentityAssociationsPaginator(b -> b.clusterName(cluster)).associations()) {
            found.add(a.namespace() + "/" + a.serviceAccount());
        }
        return Set.copyOf(found);
    }

    private void refresh() {
        try {
            associated = read();
        } catch (RuntimeException e) {
            LOG.warn("could not read the Pod Identity associations of cluster {} ({}); using the last list", cluster, e.getMessage());
        }
    }

    @Override
    public boolean associated(String namespace, String serviceAccount) {
        return associated.contains(namespace + "/" + serviceAccount);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        if (ownsClient) {
            eks.close();
        }
    }
}
