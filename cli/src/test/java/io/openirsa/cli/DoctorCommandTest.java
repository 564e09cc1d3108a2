package io.openirsa.cli;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/irsa doctor pod} end to end: a pod in the (mock) Kubernetes API, its role in a running
 * OpenIRSA, and the role's trust policy evaluated for the pod's token.
 */
@EnableKubernetesMockClient(crud = true)
class DoctorCommandTest extends ServerTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    Path kubeconfig;
    String issuer;
    String provider;

    @BeforeAll
    void setUp() throws Exception {
        issuer = f.createCluster("doctor");
        provider = f.registerProvider(issuer);
        f.iam.createRole(b -> b.roleName("doctor-app").assumeRolePolicyDocument(Fixture.trustPolicy(provider, issuer, "default", "app")));
        kubeconfig = Files.writeString(f.data.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: test, user: {token: test}}]
                contexts: [{name: mock, context: {cluster: mock, user: test, namespace: default}}]
                current-context: mock
                """.formatted(client.getConfiguration().getMasterUrl()));
        for (String sa : new String[]{"app", "other"}) {
            client.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder().withNewMetadata().withName(sa).withNamespace("default")
                    .addToAnnotations("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/doctor-app").endMetadata().build()).create();
            // As the webhook leaves it (see the webhook module's fixtures for the mutation itself).
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(sa + "-pod").withNamespace("default").endMetadata()
                    .withNewSpec().withServiceAccountName(sa)
                    .addNewContainer().withName("main").withImage("amazonlinux")
                    .addNewEnv().withName("AWS_ROLE_ARN").withValue("arn:aws:iam::123456789012:role/doctor-app").endEnv()
                    .addNewEnv().withName("AWS_WEB_IDENTITY_TOKEN_FILE").withValue("/var/run/secrets/eks.amazonaws.com/serviceaccount/token").endEnv()
                    .addNewVolumeMount().withName("aws-iam-token").withMountPath("/var/run/secrets/eks.amazonaws.com/serviceaccount").withReadOnly(true).endVolumeMount()
                    .endContainer()
                    .addNewVolume().withName("aws-iam-token").withNewProjected().addNewSource().withNewServiceAccountToken()
                    .withAudience("sts.amazonaws.com").withExpirationSeconds(86400L).withPath("token").endServiceAccountToken().endSource().endProjected().endVolume()
                    .endSpec().build()).create();
        }
    }

    record Run(int exit, String out) {
    }

    Run doctor(String pod, String... more) {
        DoctorCommand.PodCheck check = new DoctorCommand.PodCheck();
        check.env = java.util.Map.of("AWS_ENDPOINT_URL", f.server.endpoint(), "AWS_ACCESS_KEY_ID", f.server.adminKey().accessKeyId(),
                "AWS_SECRET_ACCESS_KEY", f.server.adminKey().secretAccessKey());
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(pod, "--kubeconfig", kubeconfig.toString()));
        args.addAll(java.util.List.of(more.length == 0 ? new String[] {"--data", f.data.toString()} : more));
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.commandLine(check).execute(args.toArray(String[]::new));
            return new Run(exit, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void knowingTheCluster_checksItsOidcProvider_fromTheDataFolder_orTheServer() {
        Run local = doctor("default/app-pod", "--data", f.data.toString(), "--cluster", "doctor");
        assertThat(local.out()).contains("OK   OIDC provider: " + provider + " lists sts.amazonaws.com").contains("OK   trust policy");
        assertThat(local.exit()).isZero();
        Run remote = doctor("default/app-pod", "--cluster", "doctor");
        assertThat(remote.out()).contains("OK   OIDC provider: " + provider + " lists sts.amazonaws.com");
        assertThat(remote.exit()).isZero();
    }

    @Test
    void anotherClustersIssuer_saysTheProviderIsMissing_andTheTrustPolicyNamesAnother() {
        String otherIssuer = f.createCluster("doctor-other");
        Run r = doctor("default/app-pod", "--data", f.data.toString(), "--cluster", "doctor-other");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL OIDC provider: account 123456789012 has no OIDC provider for the cluster's issuer " + otherIssuer)
                .contains("fix: aws iam create-open-id-connect-provider --url " + otherIssuer + " --client-id-list sts.amazonaws.com")
                .contains("FAIL trust policy: the role trusts [" + provider + "], not this cluster's issuer");
        f.iam.createOpenIDConnectProvider(b -> b.url(otherIssuer).clientIDList("some-other-audience"));
        Run remote = doctor("default/app-pod", "--cluster", "doctor-other");
        assertThat(remote.out()).contains("lists the client IDs [some-other-audience], not the token's audience sts.amazonaws.com")
                .contains("fix: aws iam add-client-id-to-open-id-connect-provider");
        assertThat(remote.exit()).isEqualTo(1);
        assertThat(doctor("default/app-pod", "--cluster", "no-such-cluster").exit()).as("one line, a user's mistake").isEqualTo(2);
    }

    @Test
    void aHealthyPod_passes() {
        Run r = doctor("default/app-pod");
        assertThat(r.out()).contains("OK   role-arn annotation").contains("OK   token volume").contains("OK   container main")
                .contains("OK   trust policy: system:serviceaccount:default:app with audience sts.amazonaws.com is allowed by Statement[0]");
        assertThat(r.exit()).isZero();
    }

    @Test
    void aServiceAccountTheRoleDoesNotTrust_fails_withTheReason() {
        Run r = doctor("default/other-pod");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL trust policy: system:serviceaccount:default:other with audience sts.amazonaws.com is refused")
                .contains("does not hold: request value `system:serviceaccount:default:other`")
                .contains("fix: allow it");
    }

    @Test
    void aBadArgument_isAUsageError() {
        assertThat(doctor("no-slash").exit()).isEqualTo(2);
    }
}
