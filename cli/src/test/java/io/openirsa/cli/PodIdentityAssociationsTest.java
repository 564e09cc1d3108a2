package io.openirsa.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.eks.model.PodIdentityAssociation;
import software.amazon.awssdk.services.eks.model.PodIdentityAssociationSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** EKS Pod Identity associations through the AWS SDK's EKS client: their shapes, idempotency, paging and errors. */
class PodIdentityAssociationsTest extends ServerTest {
    static final String ROLE = "arn:aws:iam::123456789012:role/pod-app";

    @BeforeAll
    void clusters() {
        f.createCluster("pia-one");
        f.createCluster("pia-two");
    }

    PodIdentityAssociation create(String cluster, String namespace, String serviceAccount) {
        return f.eks.createPodIdentityAssociation(b -> b.clusterName(cluster).namespace(namespace).serviceAccount(serviceAccount).roleArn(ROLE))
                .association();
    }

    AwsServiceException refused(Runnable call) {
        AwsServiceException e = catchThrowableOfType(AwsServiceException.class, call::run);
        assertThat(e).as("refused").isNotNull();
        return e;
    }

    @Test
    void create_describe_update_delete() {
        PodIdentityAssociation a = f.eks.createPodIdentityAssociation(b -> b.clusterName("pia-one").namespace("shop").serviceAccount("cart")
                .roleArn(ROLE).tags(Map.of("team", "shop"))).association();
        assertThat(a.associationId()).matches("a-[a-z0-9]{17}");
        assertThat(a.associationArn()).isEqualTo("arn:aws:eks:us-east-1:123456789012:podidentityassociation/pia-one/" + a.associationId());
        assertThat(a.clusterName()).isEqualTo("pia-one");
        assertThat(a.namespace()).isEqualTo("shop");
        assertThat(a.serviceAccount()).isEqualTo("cart");
        assertThat(a.roleArn()).isEqualTo(ROLE);
        assertThat(a.tags()).containsEntry("team", "shop");
        assertThat(a.disableSessionTags()).isFalse();
        assertThat(a.targetRoleArn()).isNull();
        assertThat(a.createdAt()).isEqualTo(a.modifiedAt());

        PodIdentityAssociation described = f.eks.describePodIdentityAssociation(b -> b.clusterName("pia-one").associationId(a.associationId()))
                .association();
        assertThat(described).isEqualTo(a);

        f.clock.advance(java.time.Duration.ofMinutes(1));
        PodIdentityAssociation updated = f.eks.updatePodIdentityAssociation(b -> b.clusterName("pia-one").associationId(a.associationId())
                .targetRoleArn("arn:aws:iam::210987654321:role/cross").disableSessionTags(true)).association();
        assertThat(updated.roleArn()).isEqualTo(ROLE);
        assertThat(updated.targetRoleArn()).isEqualTo("arn:aws:iam::210987654321:role/cross");
        assertThat(updated.externalId()).as("made for the target role's trust policy").isNotBlank();
        assertThat(updated.disableSessionTags()).isTrue();
        assertThat(updated.modifiedAt()).isAfter(updated.createdAt());

        PodIdentityAssociation deleted = f.eks.deletePodIdentityAssociation(b -> b.clusterName("pia-one").associationId(a.associationId()))
                .association();
        assertThat(deleted.associationId()).isEqualTo(a.associationId());
        AwsServiceException gone = refused(() -> f.eks.describePodIdentityAssociation(b -> b.clusterName("pia-one").associationId(a.associationId())));
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
    }

    @Test
    void oneAssociationPerServiceAccount_andTheSameTokenIsTheSameCall() {
        PodIdentityAssociation first = f.eks.createPodIdentityAssociation(b -> b.clusterName("pia-one").namespace("shop").serviceAccount("once")
                .roleArn(ROLE).clientRequestToken("token-1")).association();
        PodIdentityAssociation again = f.eks.createPodIdentityAssociation(b -> b.clusterName("pia-one").namespace("shop").serviceAccount("once")
                .roleArn(ROLE).clientRequestToken("token-1")).association();
        assertThat(again.associationId()).isEqualTo(first.associationId());

        AwsServiceException duplicate = refused(() -> create("pia-one", "shop", "once"));
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.awsErrorDetails().errorCode()).isEqualTo("ResourceInUseException");
        AwsServiceException reused = refused(() -> f.eks.createPodIdentityAssociation(b -> b.clusterName("pia-one").namespace("shop")
                .serviceAccount("other").roleArn(ROLE).clientRequestToken("token-1")));
        assertThat(reused.awsErrorDetails().errorCode()).isEqualTo("InvalidRequestException");

        // The same service account in another cluster is another association.
        assertThat(create("pia-two", "shop", "once").associationId()).isNotEqualTo(first.associationId());
    }

    @Test
    void list_filtersAndPages() {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            made.add(create("pia-two", "listed", "sa-" + i).associationId());
        }
        create("pia-two", "elsewhere", "sa-0");
        List<PodIdentityAssociationSummary> listed = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String next = token;
            var page = f.eks.listPodIdentityAssociations(b -> b.clusterName("pia-two").namespace("listed").maxResults(2).nextToken(next));
            listed.addAll(page.associations());
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(3);
        assertThat(listed).extracting(PodIdentityAssociationSummary::associationId).containsExactlyInAnyOrderElementsOf(made);
        assertThat(listed).allSatisfy(s -> {
            assertThat(s.clusterName()).isEqualTo("pia-two");
            assertThat(s.namespace()).isEqualTo("listed");
            assertThat(s.associationArn()).endsWith("/pia-two/" + s.associationId());
        });
        assertThat(f.eks.listPodIdentityAssociations(b -> b.clusterName("pia-two").namespace("listed").serviceAccount("sa-3")).associations())
                .extracting(PodIdentityAssociationSummary::associationId).containsExactly(made.get(3));
    }

    @Test
    void badInput_getsEksErrors() {
        AwsServiceException noCluster = refused(() -> create("no-such-cluster", "shop", "cart"));
        assertThat(noCluster.statusCode()).isEqualTo(404);
        assertThat(noCluster.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
        assertThat(noCluster.awsErrorDetails().errorMessage()).isEqualTo("No cluster found for name: no-such-cluster.");

        AwsServiceException otherAccount = refused(() -> f.eks.createPodIdentityAssociation(b -> b.clusterName("pia-one").namespace("shop")
                .serviceAccount("x").roleArn("arn:aws:iam::210987654321:role/elsewhere")));
        assertThat(otherAccount.statusCode()).isEqualTo(400);
        assertThat(otherAccount.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterException");
        assertThat(otherAccount.awsErrorDetails().errorMessage()).contains("targetRoleArn");

        for (String bad : List.of("not-an-arn", "arn:aws:iam::123456789012:user/bob", "arn:aws:s3:::bucket")) {
            AwsServiceException e = refused(() -> f.eks.createPodIdentityAssociation(b -> b.clusterName("pia-one").namespace("shop")
                    .serviceAccount("x").roleArn(bad)));
            assertThat(e.awsErrorDetails().errorCode()).as(bad).isEqualTo("InvalidParameterException");
        }
        AwsServiceException tooMany = refused(() -> f.eks.listPodIdentityAssociations(b -> b.clusterName("pia-one").maxResults(101)));
        assertThat(tooMany.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterException");
        AwsServiceException badToken = refused(() -> f.eks.listPodIdentityAssociations(b -> b.clusterName("pia-one").nextToken("!!not-ours!!")));
        assertThat(badToken.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterException");
        AwsServiceException unknownId = refused(() -> f.eks.deletePodIdentityAssociation(b -> b.clusterName("pia-one").associationId("a-00000000000000000")));
        assertThat(unknownId.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
    }

    @Test
    void deletingTheCluster_deletesItsAssociations() {
        f.createCluster("pia-gone");
        String id = create("pia-gone", "shop", "cart").associationId();
        f.eks.deleteCluster(b -> b.name("pia-gone"));
        f.createCluster("pia-gone");
        assertThat(f.eks.listPodIdentityAssociations(b -> b.clusterName("pia-gone")).associations()).isEmpty();
        AwsServiceException gone = refused(() -> f.eks.describePodIdentityAssociation(b -> b.clusterName("pia-gone").associationId(id)));
        assertThat(gone.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
    }
}
