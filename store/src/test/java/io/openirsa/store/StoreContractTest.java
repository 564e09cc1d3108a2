package io.openirsa.store;

import io.openirsa.core.audit.AuditPage;
import io.openirsa.core.audit.AuditQuery;
import io.openirsa.core.audit.AuditRecord;
import io.openirsa.core.model.AccessKey;
import io.openirsa.core.model.Account;
import io.openirsa.core.model.Cluster;
import io.openirsa.core.model.KeyStatus;
import io.openirsa.core.model.ManagedPolicy;
import io.openirsa.core.model.OidcProvider;
import io.openirsa.core.model.PodIdentityAssociation;
import io.openirsa.core.model.PolicyVersion;
import io.openirsa.core.model.Role;
import io.openirsa.core.model.StoredKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the domain expects of any store, run on SQLite and on PostgreSQL. */
class StoreContractTest {
    static final Instant T = Instant.parse("2026-11-29T12:00:00Z");

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void accountsAndKeys(String vendor) throws Exception {
        try (JdbcStore s = TestDatabases.open(vendor)) {
            assertThat(s.insertAccount(new Account("123456789012", T))).isTrue();
            assertThat(s.insertAccount(new Account("123456789012", T))).isFalse();
            assertThat(s.account("123456789012")).contains(new Account("123456789012", T));
            AccessKey k = new AccessKey("AKIAEXAMPLE000000001", "secret/" + "x".repeat(33), "123456789012", T);
            assertThat(s.insertAccessKey(k)).isTrue();
            assertThat(s.accessKey(k.accessKeyId())).contains(k);
            assertThat(s.accessKeys("123456789012")).containsExactly(k);
            assertThat(s.accessKey("AKIANOPE")).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void podIdentityAssociations_onePerServiceAccount_goneWithTheirCluster(String vendor) throws Exception {
        try (JdbcStore s = TestDatabases.open(vendor)) {
            Instant t = Instant.parse("2026-11-29T12:00:00Z");
            s.insertCluster(new Cluster("123456789012", "pods", "0123456789ABCDEF0123456789ABCDEF", "us-east-1", "https://x/id/0123", "1.33",
                    null, t, Map.of()));
            PodIdentityAssociation a = new PodIdentityAssociation("123456789012", "us-east-1", "pods", "a-aaaaaaaaaaaaaaaaa", "shop", "cart",
                    "arn:aws:iam::123456789012:role/cart", null, null, null, false, Map.of("team", "shop"), "token-1", t, t);
            assertThat(s.insertAssociation(a)).isTrue();
            PodIdentityAssociation sameAccount = new PodIdentityAssociation("123456789012", "us-east-1", "pods", "a-bbbbbbbbbbbbbbbbb", "shop", "cart",
                    "arn:aws:iam::123456789012:role/other", null, null, null, false, Map.of(), null, t, t);
            assertThat(s.insertAssociation(sameAccount)).as("a second one for the same service account").isFalse();
            assertThat(s.association("123456789012", "pods", a.associationId())).contains(a);

            PodIdentityAssociation updated = new PodIdentityAssociation(a.accountId(), a.region(), a.clusterName(), a.associationId(), a.namespace(),
                    a.serviceAccount(), a.roleArn(), "arn:aws:iam::210987654321:role/x", "ext-1", "{}", true, a.tags(), a.clientRequestToken(),
                    a.createdAt(), t.plusSeconds(60));
            assertThat(s.updateAssociation(updated)).isTrue();
            assertThat(s.associations("123456789012", "pods")).containsExactly(updated);

            assertThat(s.deleteCluster("123456789012", "pods")).isTrue();
            assertThat(s.associations("123456789012", "pods")).isEmpty();
            assertThat(s.deleteAssociation("123456789012", "pods", a.associationId())).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void clustersAndKeys(String vendor) throws Exception {
        try (JdbcStore s = TestDatabases.open(vendor)) {
            Cluster c = new Cluster("123456789012", "demo", "ABCDEF0123456789ABCDEF0123456789", "us-east-1", "https://x/id/ABC", "1.33",
                    null, T, Map.of("team", "a"));
            assertThat(s.insertCluster(c)).isTrue();
            assertThat(s.insertCluster(c)).isFalse();
            assertThat(s.cluster("123456789012", "demo")).contains(c);
            assertThat(s.clusterById(c.id())).contains(c);
            assertThat(s.allClusters()).containsExactly(c);
            s.insertKey(new StoredKey(c.id(), "k1", KeyStatus.PRIMARY, "{secret}", T, T));
            s.insertKey(new StoredKey(c.id(), "k2", KeyStatus.PENDING, "{secret2}", T.plusSeconds(1), T.plusSeconds(1)));
            s.updateKeyStatus(c.id(), "k1", KeyStatus.RETIRED, T.plusSeconds(5));
            assertThat(s.keys(c.id())).extracting(StoredKey::keyId, StoredKey::status).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("k1", KeyStatus.RETIRED), org.assertj.core.groups.Tuple.tuple("k2", KeyStatus.PENDING));
            assertThat(s.keys(c.id()).get(0).changedAt()).isEqualTo(T.plusSeconds(5));
            s.deleteKey(c.id(), "k1");
            assertThat(s.keys(c.id())).hasSize(1);
            assertThat(s.deleteCluster("123456789012", "demo")).isTrue();
            s.deleteKeys(c.id());
            assertThat(s.keys(c.id())).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void providersRolesAndPolicies(String vendor) throws Exception {
        try (JdbcStore s = TestDatabases.open(vendor)) {
            OidcProvider p = new OidcProvider("123456789012", "https://oidc.example.com/id/A", List.of("sts.amazonaws.com"), List.of(), T, Map.of(), null);
            assertThat(s.insertProvider(p)).isTrue();
            assertThat(s.insertProvider(p)).isFalse();
            s.updateProvider(p.withClientIds(List.of("a", "b")).withCaBundle("-----BEGIN CERTIFICATE-----"));
            assertThat(s.provider("123456789012", "oidc.example.com/id/A")).hasValueSatisfying(x -> {
                assertThat(x.clientIds()).containsExactly("a", "b");
                assertThat(x.caBundle()).startsWith("-----BEGIN");
            });

            Role r = new Role("123456789012", "App", "/", "AROAEXAMPLE0000000001", "{}", "d", 3600, T, Map.of());
            assertThat(s.insertRole(r)).isTrue();
            assertThat(s.insertRole(new Role("123456789012", "APP", "/", "AROAEXAMPLE0000000002", "{}", null, 3600, T, Map.of()))).isFalse();
            assertThat(s.role("123456789012", "app")).contains(r);
            assertThat(s.attachPolicy("123456789012", "App", "arn:aws:iam::aws:policy/ReadOnlyAccess")).isTrue();
            assertThat(s.attachPolicy("123456789012", "app", "arn:aws:iam::aws:policy/ReadOnlyAccess")).isFalse();
            assertThat(s.attachmentCount("arn:aws:iam::aws:policy/ReadOnlyAccess")).isEqualTo(1);
            s.putRolePolicy("123456789012", "App", "p", "{\"v\":1}");
            s.putRolePolicy("123456789012", "App", "p", "{\"v\":2}");
            assertThat(s.rolePolicy("123456789012", "app", "p")).contains("{\"v\":2}");

            ManagedPolicy mp = new ManagedPolicy("123456789012", "lister", "/", "ANPAEXAMPLE0000000001", null, "v1", 2, T, T, Map.of());
            assertThat(s.insertPolicy(mp, new PolicyVersion(mp.arn(), "v1", "{1}", T))).isTrue();
            assertThat(s.insertPolicy(mp, new PolicyVersion(mp.arn(), "v1", "{1}", T))).isFalse();
            s.insertPolicyVersion(new PolicyVersion(mp.arn(), "v2", "{2}", T.plusSeconds(1)));
            s.updatePolicy(mp.withVersions("v2", 3, T.plusSeconds(1)));
            assertThat(s.policy(mp.arn())).hasValueSatisfying(x -> assertThat(x.defaultVersionId()).isEqualTo("v2"));
            assertThat(s.policyVersions(mp.arn())).extracting(PolicyVersion::versionId).containsExactly("v2", "v1");
            assertThat(s.deletePolicyVersion(mp.arn(), "v1")).isTrue();
            assertThat(s.deletePolicy(mp.arn())).isTrue();
            assertThat(s.policyVersions(mp.arn())).isEmpty();

            assertThat(s.deleteRole("123456789012", "APP")).isTrue();
            assertThat(s.attachedPolicies("123456789012", "App")).isEmpty();
            assertThat(s.rolePolicyNames("123456789012", "App")).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void auditTrail_newestFirst_pagedAndFiltered(String vendor) throws Exception {
        try (JdbcStore s = TestDatabases.open(vendor)) {
            List<AuditRecord> records = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                records.add(new AuditRecord("e" + i, "123456789012", T.plusSeconds(i), i % 2 == 0 ? "GetRole" : "CreateRole", "iam.amazonaws.com",
                        i % 2 == 0, "root", "AKIA", "AWS::IAM::Role", "arn:aws:iam::123456789012:role/r", requestId(T.plusSeconds(i), i), null,
                        "{\"i\":" + i + "}"));
            }
            s.appendAudit(records.subList(0, 3)); // one group commit of three, then four of one
            records.subList(3, 7).forEach(r -> s.appendAudit(List.of(r)));
            AuditPage first = s.lookupAudit(new AuditQuery("123456789012", null, null, T, T.plusSeconds(60), 3, null));
            assertThat(first.records()).extracting(AuditRecord::eventId).containsExactly("e6", "e5", "e4");
            AuditPage second = s.lookupAudit(new AuditQuery("123456789012", null, null, T, T.plusSeconds(60), 3, first.next()));
            assertThat(second.records()).extracting(AuditRecord::eventId).containsExactly("e3", "e2", "e1");
            AuditPage last = s.lookupAudit(new AuditQuery("123456789012", null, null, T, T.plusSeconds(60), 3, second.next()));
            assertThat(last.records()).extracting(AuditRecord::eventId).containsExactly("e0");
            assertThat(last.next()).isNull();
            assertThat(s.lookupAudit(new AuditQuery("123456789012", "event_name", "CreateRole", T, T.plusSeconds(60), 50, null)).records())
                    .extracting(AuditRecord::eventId).containsExactly("e5", "e3", "e1");
            assertThat(s.lookupAudit(new AuditQuery("123456789012", null, null, T.plusSeconds(2), T.plusSeconds(3), 50, null)).records()).hasSize(2);
            assertThat(s.lookupAudit(new AuditQuery("999999999999", null, null, T, T.plusSeconds(60), 50, null)).records()).isEmpty();
            assertThat(s.auditByRequestId(requestId(T.plusSeconds(4), 4))).hasValueSatisfying(r -> {
                assertThat(r.json()).isEqualTo("{\"i\":4}");
                assertThat(r.eventTime()).isEqualTo(T.plusSeconds(4));
                assertThat(r.readOnly()).isTrue();
            });
            assertThat(s.auditByRequestId(requestId(T.plusSeconds(4), 9))).isEmpty();
            assertThat(s.lookupAudit(new AuditQuery(null, "event_id", "e5", T, T.plusSeconds(60), 50, null)).records())
                    .extracting(AuditRecord::requestId).containsExactly(requestId(T.plusSeconds(5), 5));
            assertThat(s.deleteAuditBefore(T.plusSeconds(3))).isEqualTo(3);
            assertThat(s.lookupAudit(new AuditQuery(null, null, null, T, T.plusSeconds(60), 50, null)).records())
                    .extracting(AuditRecord::eventId).containsExactly("e6", "e5", "e4", "e3");
        }
    }

    @org.junit.jupiter.api.Test
    void aLookup_decodesABoundedNumberOfRecords_andGoesOnWithItsNextToken() throws Exception {
        try (JdbcStore s = TestDatabases.open("sqlite")) {
            s.appendAudit(List.of(new AuditRecord("mine", "111111111111", T, "GetRole", "iam.amazonaws.com", true, "root", null, null, null,
                    requestId(T, 1), null, "{}")));
            int batch = 100; // batches as full as a busy server commits: the budget counts their records
            for (int i = 0; i < AuditBatch.SCAN_BUDGET + batch; i += batch) { // another tenant's trail, newer than the record looked for
                List<AuditRecord> records = new java.util.ArrayList<>();
                for (int j = i; j < i + batch; j++) {
                    records.add(new AuditRecord("other" + j, "222222222222", T.plusSeconds(1), "GetRole", "iam.amazonaws.com", true, "root",
                            null, null, null, requestId(T.plusSeconds(1), j), null, "{}"));
                }
                s.appendAudit(records);
            }
            AuditPage first = s.lookupAudit(new AuditQuery("111111111111", null, null, T, T.plusSeconds(60), 50, null));
            assertThat(first.records()).as("not found within the budget").isEmpty();
            assertThat(first.next()).as("but the page says where to go on").isNotNull();
            AuditPage second = s.lookupAudit(new AuditQuery("111111111111", null, null, T, T.plusSeconds(60), 50, first.next()));
            assertThat(second.records()).extracting(AuditRecord::eventId).containsExactly("mine");
            assertThat(second.next()).isNull();
        }
    }

    /** A time-ordered id of the instant, as Identifiers makes request ids. */
    static String requestId(Instant at, int n) {
        long ms = at.toEpochMilli();
        return String.format("%08x-%04x-7%03x-8000-%012x", ms >>> 16, ms & 0xFFFF, n, n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void timestamps_roundTripToTheNanosecondStored(String vendor) throws Exception {
        try (JdbcStore s = TestDatabases.open(vendor)) {
            Instant precise = Instant.now().truncatedTo(ChronoUnit.MICROS);
            s.insertAccount(new Account("111111111111", precise));
            assertThat(s.account("111111111111").orElseThrow().created()).isEqualTo(precise);
        }
    }
}
