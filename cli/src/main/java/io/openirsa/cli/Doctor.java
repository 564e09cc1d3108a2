package io.openirsa.cli;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.openirsa.policy.Decision;
import io.openirsa.policy.MalformedPolicyException;
import io.openirsa.policy.Policy;
import io.openirsa.policy.PolicyKind;
import io.openirsa.policy.PrincipalType;
import io.openirsa.policy.RequestContext;
import io.openirsa.policy.RequestPrincipal;
import io.openirsa.policy.Statement;
import io.openirsa.webhook.WebhookSettings;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks a running pod's IRSA setup against the rows of the IRSA troubleshooting guide, and says
 * what to fix for each failure: the ServiceAccount annotation, the injected environment, the token
 * volume and mount, and the role's trust policy against the claims the pod's token will carry.
 */
final class Doctor {
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z0-9-]*:iam::\\d{12}:role/[\\w+=,.@/-]+");
    private static final Pattern ROLE_ACCOUNT = Pattern.compile("arn:aws[a-z0-9-]*:iam::(\\d{12}):role/.+");
    private static final Pattern OIDC_PROVIDER = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:oidc-provider/(.+)");

    /** One row of the report. {@code fix} is null when the check passed. */
    public record Check(String name, boolean ok, String detail, String fix) {
        static Check ok(String name, String detail) {
            return new Check(name, true, detail, null);
        }

        static Check fail(String name, String detail, String fix) {
            return new Check(name, false, detail, fix);
        }
    }

    /**
     * The cluster's service-account issuer (kube-apiserver's {@code --service-account-issuer}, or an
     * OpenIRSA cluster's), and the client IDs of the IAM OIDC provider for it in an account: empty when
     * that account has none.
     */
    public record ClusterIssuer(String url, Function<String, Optional<List<String>>> clientIdsInAccount) {
        String hostPath() {
            int i = url.indexOf("://");
            return i < 0 ? url : url.substring(i + 3);
        }
    }

    private final WebhookSettings settings;

    public Doctor(WebhookSettings settings) {
        this.settings = settings;
    }

    /**
     * @param trustPolicyOf the trust policy document of a role ARN, when it can be had; it is then
     *                      evaluated for the claims of the pod's token
     */
    public List<Check> examine(KubernetesClient client, String namespace, String podName, Function<String, Optional<String>> trustPolicyOf) {
        return examine(client, namespace, podName, trustPolicyOf, null);
    }

    /** @param issuer the cluster's issuer, when known: then the OIDC provider and the trust policy's provider are checked against it */
    public List<Check> examine(KubernetesClient client, String namespace, String podName, Function<String, Optional<String>> trustPolicyOf,
                               ClusterIssuer issuer) {
        List<Check> checks = new ArrayList<>();
        Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
        if (pod == null) {
            checks.add(Check.fail("pod", "no pod " + namespace + "/" + podName, "check the name and namespace: kubectl get pods -n " + namespace));
            return checks;
        }
        String saName = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
        ServiceAccount sa = client.serviceAccounts().inNamespace(namespace).withName(saName).get();
        if (sa == null) {
            checks.add(Check.fail("service account", "the pod runs as " + namespace + "/" + saName + ", which does not exist",
                    "create it: kubectl create serviceaccount -n " + namespace + " " + saName));
            return checks;
        }
        Map<String, String> annotations = sa.getMetadata().getAnnotations() == null ? Map.of() : sa.getMetadata().getAnnotations();
        String role = annotations.get(settings.annotation("role-arn"));
        String annotate = "kubectl annotate serviceaccount -n " + namespace + " " + saName + " " + settings.annotation("role-arn")
                + "=arn:aws:iam::ACCOUNT_ID:role/ROLE_NAME --overwrite";
        if (role == null || role.isBlank()) {
            checks.add(Check.fail("role-arn annotation", "ServiceAccount " + namespace + "/" + saName + " has no " + settings.annotation("role-arn"),
                    annotate + ", then recreate the pod"));
            return checks;
        }
        checks.add(ROLE_ARN.matcher(role).matches()
                ? Check.ok("role-arn annotation", role)
                : Check.fail("role-arn annotation", "`" + role + "` is not a role ARN", annotate));
        String audience = annotations.getOrDefault(settings.annotation("audience"), settings.defaultAudience());
        if (pod.getMetadata().getLabels() != null && pod.getMetadata().getLabels().containsKey(settings.annotation("skip-pod-identity-webhook"))) {
            checks.add(Check.fail("webhook", "the pod has the label " + settings.annotation("skip-pod-identity-webhook") + ": the webhook skipped it",
                    "remove the label from the pod template and recreate the pod"));
        }

        ServiceAccountTokenProjection token = tokenProjection(pod);
        if (token == null) {
            checks.add(Check.fail("token volume", "no projected service account token volume " + WebhookSettings.VOLUME,
                    "the webhook did not mutate this pod: check that it runs (kubectl get mutatingwebhookconfigurations), then recreate the pod; "
                            + "a pod created before the annotation was set never gets it"));
        } else {
            boolean audienceOk = audience.equals(token.getAudience());
            long seconds = token.getExpirationSeconds() == null ? 3600 : token.getExpirationSeconds();
            checks.add(audienceOk && seconds >= WebhookSettings.MIN_EXPIRATION
                    ? Check.ok("token volume", "audience " + token.getAudience() + ", expires after " + seconds + " s")
                    : Check.fail("token volume", "audience `" + token.getAudience() + "` (expected `" + audience + "`), expirationSeconds " + seconds,
                    "recreate the pod so the webhook projects the token for `" + audience + "`; STS only accepts an audience the provider lists"));
        }

        Set<String> skipped = new LinkedHashSet<>();
        String skip = pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(settings.annotation("skip-containers"));
        if (skip != null) {
            for (String s : skip.split(",")) {
                skipped.add(s.trim());
            }
        }
        List<Container> containers = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) {
            containers.addAll(pod.getSpec().getInitContainers());
        }
        containers.addAll(pod.getSpec().getContainers());
        for (Container c : containers) {
            if (!skipped.contains(c.getName())) {
                checks.add(container(c, role));
            }
        }
        String expectedProvider = null;
        var roleArn = ROLE_ACCOUNT.matcher(role);
        if (issuer != null && roleArn.matches()) {
            String account = roleArn.group(1);
            expectedProvider = "arn:aws:iam::" + account + ":oidc-provider/" + issuer.hostPath();
            checks.add(provider(issuer, account, expectedProvider, audience));
        }
        String expected = expectedProvider;
        trustPolicyOf.apply(role).ifPresent(doc -> checks.add(trust(doc, namespace, saName, audience, expected)));
        return checks;
    }

    private Check container(Container c, String role) {
        String name = "container " + c.getName();
        String roleEnv = env(c, "AWS_ROLE_ARN");
        String file = env(c, "AWS_WEB_IDENTITY_TOKEN_FILE");
        if (roleEnv == null || file == null) {
            return Check.fail(name, "AWS_ROLE_ARN or AWS_WEB_IDENTITY_TOKEN_FILE is missing",
                    "recreate the pod so the webhook injects them (or remove a conflicting variable the container sets itself)");
        }
        if (!roleEnv.equals(role)) {
            return Check.fail(name, "AWS_ROLE_ARN is " + roleEnv + " but the ServiceAccount says " + role,
                    "the annotation changed after the pod was created: restart the pod (kubectl rollout restart ...)");
        }
        boolean mounted = c.getVolumeMounts() != null && c.getVolumeMounts().stream().anyMatch(m -> WebhookSettings.VOLUME.equals(m.getName())
                && (file.startsWith(m.getMountPath() + "/") || file.startsWith("C:\\")));
        return mounted ? Check.ok(name, "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE set, token mounted")
                : Check.fail(name, "the token file " + file + " is not on a mount of " + WebhookSettings.VOLUME,
                "recreate the pod; if the container mounts something else at that path, move it");
    }

    /** The IAM OIDC provider for the cluster's issuer in the role's account, with the token's audience among its client IDs. */
    private static Check provider(ClusterIssuer issuer, String account, String arn, String audience) {
        Optional<List<String>> clientIds = issuer.clientIdsInAccount().apply(account);
        if (clientIds.isEmpty()) {
            return Check.fail("OIDC provider", "account " + account + " has no OIDC provider for the cluster's issuer " + issuer.url(),
                    "aws iam create-open-id-connect-provider --url " + issuer.url() + " --client-id-list " + audience);
        }
        if (!clientIds.get().contains(audience)) {
            return Check.fail("OIDC provider", arn + " lists the client IDs " + clientIds.get() + ", not the token's audience " + audience,
                    "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn " + arn + " --client-id " + audience);
        }
        return Check.ok("OIDC provider", arn + " lists " + audience);
    }

    Check trust(String document, String namespace, String serviceAccount, String audience) {
        return trust(document, namespace, serviceAccount, audience, null);
    }

    /**
     * The trust policy evaluated as STS would for this pod's token, against the cluster's provider
     * when it is known ({@code expectedProvider}), else against each OIDC provider it names.
     */
    Check trust(String document, String namespace, String serviceAccount, String audience, String expectedProvider) {
        Policy policy;
        try {
            policy = Policy.parse(document, PolicyKind.TRUST);
        } catch (MalformedPolicyException e) {
            return Check.fail("trust policy", "the role's trust policy is malformed: " + e.getMessage() + " at " + e.location(), "fix the document");
        }
        Set<String> providers = new LinkedHashSet<>();
        for (Statement s : policy.statements()) {
            if (s.principal() != null) {
                for (String f : s.principal().values().getOrDefault(PrincipalType.Federated, List.of())) {
                    if (OIDC_PROVIDER.matcher(f).matches()) {
                        providers.add(f);
                    }
                }
            }
        }
        if (expectedProvider != null && !providers.isEmpty() && !providers.contains(expectedProvider)) {
            return Check.fail("trust policy", "the role trusts " + providers + ", not this cluster's issuer " + expectedProvider,
                    "name it in the statement: \"Principal\": {\"Federated\": \"" + expectedProvider + "\"}, with the conditions on "
                            + expectedProvider.substring(expectedProvider.indexOf("oidc-provider/") + 14) + ":sub and :aud");
        }
        if (expectedProvider != null && providers.contains(expectedProvider)) {
            providers = Set.of(expectedProvider);
        }
        if (providers.isEmpty()) {
            return Check.fail("trust policy", "the role trusts no OIDC provider", "add a statement with \"Principal\": {\"Federated\": "
                    + "\"arn:aws:iam::ACCOUNT_ID:oidc-provider/ISSUER\"} and \"Action\": \"sts:AssumeRoleWithWebIdentity\"");
        }
        String subject = "system:serviceaccount:" + namespace + ":" + serviceAccount;
        List<String> denials = new ArrayList<>();
        for (String provider : providers) {
            var m = OIDC_PROVIDER.matcher(provider);
            m.matches();
            String host = m.group(1);
            Decision d = policy.evaluate(RequestContext.builder().principal(RequestPrincipal.federated(provider))
                    .action("sts:AssumeRoleWithWebIdentity").put(host + ":sub", subject).put(host + ":aud", audience)
                    .put("aws:FederatedProvider", provider).build());
            if (d.allowed()) {
                return Check.ok("trust policy", subject + " with audience " + audience + " is " + d.explain() + " through " + provider);
            }
            denials.add(provider + ": " + d.explain());
        }
        return Check.fail("trust policy", subject + " with audience " + audience + " is refused. " + String.join(" ", denials),
                "allow it, e.g. \"StringEquals\": {\"ISSUER:sub\": \"" + subject + "\", \"ISSUER:aud\": \"" + audience + "\"}");
    }

    private static ServiceAccountTokenProjection tokenProjection(Pod pod) {
        if (pod.getSpec().getVolumes() == null) {
            return null;
        }
        for (Volume v : pod.getSpec().getVolumes()) {
            if (WebhookSettings.VOLUME.equals(v.getName()) && v.getProjected() != null && v.getProjected().getSources() != null) {
                for (VolumeProjection p : v.getProjected().getSources()) {
                    if (p.getServiceAccountToken() != null) {
                        return p.getServiceAccountToken();
                    }
                }
            }
        }
        return null;
    }

    private static String env(Container c, String name) {
        if (c.getEnv() == null) {
            return null;
        }
        return c.getEnv().stream().filter(e -> name.equals(e.getName())).map(EnvVar::getValue).findFirst().orElse(null);
    }
}
