package io.openirsa.webhook;

/**
 * Which service accounts of the cluster have an EKS Pod Identity association: their pods get the
 * container credentials variables and the Pod Identity token instead of IRSA's.
 */
@FunctionalInterface
public interface PodIdentityAssociations extends AutoCloseable {
    PodIdentityAssociations NONE = (namespace, serviceAccount) -> false;

    boolean associated(String namespace, String serviceAccount);

    @Override
    default void close() {
    }
}
