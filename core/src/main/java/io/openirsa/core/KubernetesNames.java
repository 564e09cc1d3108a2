package io.openirsa.core;

import java.util.regex.Pattern;

/** The names Kubernetes allows: a namespace is a DNS-1123 label, a ServiceAccount or ConfigMap a DNS-1123 subdomain. */
public final class KubernetesNames {
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern OBJECT = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private KubernetesNames() {
    }

    /** A namespace's name: at most 63 characters of lower-case letters, digits and inner hyphens. */
    public static boolean isNamespace(String name) {
        return name != null && NAMESPACE.matcher(name).matches();
    }

    /** A ServiceAccount's or ConfigMap's name: at most 253 characters of lower-case letters, digits, inner hyphens and dots. */
    public static boolean isObjectName(String name) {
        return name != null && OBJECT.matcher(name).matches();
    }
}
