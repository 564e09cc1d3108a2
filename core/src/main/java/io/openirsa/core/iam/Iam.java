package io.openirsa.core.iam;

import io.openirsa.core.AwsError;
import io.openirsa.core.AwsException;
import io.openirsa.core.Caller;
import io.openirsa.core.CompiledPolicies;
import io.openirsa.core.Constraints;
import io.openirsa.core.Identifiers;
import io.openirsa.core.Page;
import io.openirsa.core.Settings;
import io.openirsa.core.model.AttachedPolicy;
import io.openirsa.core.model.ManagedPolicy;
import io.openirsa.core.model.OidcProvider;
import io.openirsa.core.model.PolicyVersion;
import io.openirsa.core.model.Role;
import io.openirsa.core.store.Store;
import io.openirsa.core.sts.JwksCache;
import io.openirsa.policy.Finding;
import io.openirsa.policy.Linter;
import io.openirsa.policy.PolicyKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** The IAM operations OpenIRSA serves: OIDC providers and roles with their policies. */
public final class Iam {
    private static final Logger LOG = LoggerFactory.getLogger(Iam.class);
    private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]+");
    private static final Pattern PATH = Pattern.compile("(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
    private static final Pattern THUMBPRINT = Pattern.compile("[0-9A-Fa-f]{40}");
    private static final Pattern PROVIDER_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):oidc-provider/(.+)");
    private static final int MAX_PROVIDERS = 100;
    private static final int MAX_CLIENT_IDS = 100;

    private final Store store;
    private final Settings settings;
    private final CompiledPolicies compiled;
    private final Permissions permissions;
    private final JwksCache jwks;

    private final PolicyCatalog catalog;

    public Iam(Store store, Settings settings, CompiledPolicies compiled, Permissions permissions, JwksCache jwks, PolicyCatalog catalog) {
        this.catalog = catalog;
        this.store = store;
        this.settings = settings;
        this.compiled = compiled;
        this.permissions = permissions;
        this.jwks = jwks;
    }

    // ---- OIDC providers ----

    public String createOpenIdConnectProvider(Caller caller, String url, List<String> clientIds, List<String> thumbprints,
                                              Map<String, String> tags) {
        Constraints c = new Constraints().required("url", url).length("url", url, 1, 255);
        clientIds.forEach(id -> c.length("clientIDList.member", id, 1, 255));
        thumbprints.forEach(t -> c.length("thumbprintList.member", t, 40, 40));
        c.check();
        permissions.check(caller, "iam:CreateOpenIDConnectProvider", OidcProvider.arn(caller.accountId(), url));
        validateProviderUrl(url);
        for (String t : thumbprints) {
            if (!THUMBPRINT.matcher(t).matches()) {
                throw AwsException.invalidInput("Thumbprint " + t + " is not a valid SHA-1 fingerprint: it must be 40 hexadecimal characters.");
            }
        }
        if (thumbprints.size() > 5) {
            throw AwsException.invalidInput("Thumbprint list must contain at most 5 entries.");
        }
        if (clientIds.size() > MAX_CLIENT_IDS) {
            throw new AwsException(AwsError.LIMIT_EXCEEDED, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: " + MAX_CLIENT_IDS);
        }
        if (store.providers(caller.accountId()).size() >= MAX_PROVIDERS) {
            throw new AwsException(AwsError.LIMIT_EXCEEDED, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: " + MAX_PROVIDERS);
        }
        OidcProvider p = new OidcProvider(caller.accountId(), url, distinct(clientIds), distinct(thumbprints),
                settings.clock().instant(), tags, null);
        if (!store.insertProvider(p)) {
            throw AwsException.alreadyExists("Provider with url " + url + " already exists.");
        }
        return p.arn();
    }

    public OidcProvider getOpenIdConnectProvider(Caller caller, String arn) {
        permissions.check(caller, "iam:GetOpenIDConnectProvider", arn);
        return provider(caller, arn);
    }

    public List<OidcProvider> listOpenIdConnectProviders(Caller caller) {
        permissions.check(caller, "iam:ListOpenIDConnectProviders", "*");
        return store.providers(caller.accountId()).stream().sorted(Comparator.comparing(OidcProvider::arn)).toList();
    }

    /** Idempotent, as the API documentation says. */
    public void deleteOpenIdConnectProvider(Caller caller, String arn) {
        permissions.check(caller, "iam:DeleteOpenIDConnectProvider", arn);
        String hostPath = providerHostPath(caller, arn);
        store.provider(caller.accountId(), hostPath).ifPresent(p -> jwks.invalidate(p.url()));
        store.deleteProvider(caller.accountId(), hostPath);
    }

    public void addClientId(Caller caller, String arn, String clientId) {
        new Constraints().required("clientID", clientId).length("clientID", clientId, 1, 255).check();
        permissions.check(caller, "iam:AddClientIDToOpenIDConnectProvider", arn);
        OidcProvider p = provider(caller, arn);
        if (!p.clientIds().contains(clientId)) {
            if (p.clientIds().size() >= MAX_CLIENT_IDS) {
                throw new AwsException(AwsError.LIMIT_EXCEEDED, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: " + MAX_CLIENT_IDS);
            }
            List<String> ids = new ArrayList<>(p.clientIds());
            ids.add(clientId);
            store.updateProvider(p.withClientIds(ids));
        }
    }

    public void removeClientId(Caller caller, String arn, String clientId) {
        new Constraints().required("clientID", clientId).length("clientID", clientId, 1, 255).check();
        permissions.check(caller, "iam:RemoveClientIDFromOpenIDConnectProvider", arn);
        OidcProvider p = provider(caller, arn);
        store.updateProvider(p.withClientIds(p.clientIds().stream().filter(id -> !id.equals(clientId)).toList()));
    }

    public void updateThumbprints(Caller caller, String arn, List<String> thumbprints) {
        permissions.check(caller, "iam:UpdateOpenIDConnectProviderThumbprint", arn);
        for (String t : thumbprints) {
            if (!THUMBPRINT.matcher(t).matches()) {
                throw AwsException.invalidInput("Thumbprint " + t + " is not a valid SHA-1 fingerprint: it must be 40 hexadecimal characters.");
            }
        }
        if (thumbprints.size() > 5) {
            throw AwsException.invalidInput("Thumbprint list must contain at most 5 entries.");
        }
        store.updateProvider(provider(caller, arn).withThumbprints(distinct(thumbprints)));
    }

    private OidcProvider provider(Caller caller, String arn) {
        return store.provider(caller.accountId(), providerHostPath(caller, arn))
                .orElseThrow(() -> AwsException.noSuchEntity("OpenIDConnect Provider not found for arn " + arn));
    }

    private String providerHostPath(Caller caller, String arn) {
        new Constraints().required("openIDConnectProviderArn", arn).length("openIDConnectProviderArn", arn, 20, 2048).check();
        var m = PROVIDER_ARN.matcher(arn);
        if (!m.matches()) {
            throw AwsException.invalidInput("ARN " + arn + " is not valid.");
        }
        if (!m.group(1).equals(caller.accountId())) {
            throw AwsException.noSuchEntity("OpenIDConnect Provider not found for arn " + arn);
        }
        return m.group(2);
    }

    /** https only, like IAM; plain http is let through for a loopback host so a local issuer works. */
    static void validateProviderUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw AwsException.invalidInput("Invalid OpenID Connect provider URL: " + url);
        }
        boolean https = "https".equals(uri.getScheme());
        boolean localHttp = "http".equals(uri.getScheme()) && JwksCache.isLoopback(uri.getHost());
        if (!(https || localHttp) || uri.getHost() == null) {
            throw AwsException.invalidInput("Invalid OpenID Connect provider URL: " + url
                    + ". The URL must begin with https:// (http:// is accepted only for a loopback host).");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw AwsException.invalidInput("Invalid OpenID Connect provider URL: " + url + ". It must not contain a query, fragment or user information.");
        }
    }

    // ---- roles ----

    public Role createRole(Caller caller, String name, String path, String trustPolicy, String description,
                           Integer maxSessionDuration, Map<String, String> tags) {
        String p = path == null ? "/" : path;
        new Constraints()
                .required("roleName", name).length("roleName", name, 1, 64).pattern("roleName", name, NAME)
                .length("path", p, 1, 512).pattern("path", p, PATH)
                .required("assumeRolePolicyDocument", trustPolicy).length("assumeRolePolicyDocument", trustPolicy, 1, 131072)
                .length("description", description, 0, 1000)
                .range("maxSessionDuration", maxSessionDuration, 3600, 43200)
                .check();
        Role role = new Role(caller.accountId(), name, p, Identifiers.roleId(), trustPolicy, description,
                maxSessionDuration == null ? 3600 : maxSessionDuration, settings.clock().instant(), tags);
        permissions.check(caller, "iam:CreateRole", role.arn());
        checkTrustPolicy(role.arn(), trustPolicy);
        if (!store.insertRole(role)) {
            throw AwsException.alreadyExists("Role with name " + name + " already exists.");
        }
        return role;
    }

    public Role getRole(Caller caller, String name) {
        Role role = role(caller, name, "iam:GetRole");
        return role;
    }

    public Page<Role> listRoles(Caller caller, String pathPrefix, String marker, Integer maxItems) {
        new Constraints().range("maxItems", maxItems, 1, 1000).length("pathPrefix", pathPrefix, 1, 512).check();
        permissions.check(caller, "iam:ListRoles", "*");
        String prefix = pathPrefix == null ? "/" : pathPrefix;
        List<Role> all = store.roles(caller.accountId()).stream()
                .filter(r -> r.path().startsWith(prefix))
                .sorted(Comparator.comparing(r -> r.name().toLowerCase(Locale.ROOT)))
                .toList();
        return page(all, r -> r.name().toLowerCase(Locale.ROOT), marker, maxItems);
    }

    public void updateRole(Caller caller, String name, String description, Integer maxSessionDuration) {
        new Constraints().length("description", description, 0, 1000)
                .range("maxSessionDuration", maxSessionDuration, 3600, 43200).check();
        Role role = role(caller, name, "iam:UpdateRole");
        store.updateRole(role.withSettings(description == null ? role.description() : description,
                maxSessionDuration == null ? role.maxSessionDuration() : maxSessionDuration));
    }

    public void updateAssumeRolePolicy(Caller caller, String name, String document) {
        new Constraints().required("policyDocument", document).length("policyDocument", document, 1, 131072).check();
        Role role = role(caller, name, "iam:UpdateAssumeRolePolicy");
        checkTrustPolicy(role.arn(), document);
        store.updateRole(role.withTrustPolicy(document));
    }

    public void deleteRole(Caller caller, String name) {
        Role role = role(caller, name, "iam:DeleteRole");
        if (!store.attachedPolicies(caller.accountId(), role.name()).isEmpty()) {
            throw new AwsException(AwsError.DELETE_CONFLICT, "Cannot delete entity, must detach all policies first.");
        }
        if (!store.rolePolicyNames(caller.accountId(), role.name()).isEmpty()) {
            throw new AwsException(AwsError.DELETE_CONFLICT, "Cannot delete entity, must delete policies first.");
        }
        store.deleteRole(caller.accountId(), role.name());
    }

    public void attachRolePolicy(Caller caller, String roleName, String policyArn) {
        new Constraints().required("policyArn", policyArn).length("policyArn", policyArn, 20, 2048).check();
        Role role = role(caller, roleName, "iam:AttachRolePolicy");
        if (catalog.defaultDocument(caller.accountId(), policyArn).isEmpty()) {
            if (!policyArn.startsWith("arn:aws:iam::")) {
                throw AwsException.invalidInput("ARN " + policyArn + " is not valid.");
            }
            throw AwsException.noSuchEntity("Policy " + policyArn + " does not exist or is not attachable.");
        }
        store.attachPolicy(caller.accountId(), role.name(), policyArn);
    }

    public void detachRolePolicy(Caller caller, String roleName, String policyArn) {
        new Constraints().required("policyArn", policyArn).length("policyArn", policyArn, 20, 2048).check();
        Role role = role(caller, roleName, "iam:DetachRolePolicy");
        if (!store.detachPolicy(caller.accountId(), role.name(), policyArn)) {
            throw AwsException.noSuchEntity("Policy " + policyArn + " was not found.");
        }
    }

    public Page<AttachedPolicy> listAttachedRolePolicies(Caller caller, String roleName, String marker, Integer maxItems) {
        new Constraints().range("maxItems", maxItems, 1, 1000).check();
        Role role = role(caller, roleName, "iam:ListAttachedRolePolicies");
        List<AttachedPolicy> all = store.attachedPolicies(caller.accountId(), role.name()).stream()
                .sorted().map(arn -> new AttachedPolicy(catalog.name(arn), arn)).toList();
        return page(all, AttachedPolicy::policyArn, marker, maxItems);
    }

    public void putRolePolicy(Caller caller, String roleName, String policyName, String document) {
        new Constraints()
                .required("policyName", policyName).length("policyName", policyName, 1, 128).pattern("policyName", policyName, NAME)
                .required("policyDocument", document).length("policyDocument", document, 1, 131072)
                .check();
        Role role = role(caller, roleName, "iam:PutRolePolicy");
        compiled.compile(document, PolicyKind.IDENTITY);
        store.putRolePolicy(caller.accountId(), role.name(), policyName, document);
    }

    public String getRolePolicy(Caller caller, String roleName, String policyName) {
        new Constraints().required("policyName", policyName).length("policyName", policyName, 1, 128).check();
        Role role = role(caller, roleName, "iam:GetRolePolicy");
        return store.rolePolicy(caller.accountId(), role.name(), policyName)
                .orElseThrow(() -> AwsException.noSuchEntity("The role policy with name " + policyName + " cannot be found."));
    }

    public Page<String> listRolePolicies(Caller caller, String roleName, String marker, Integer maxItems) {
        new Constraints().range("maxItems", maxItems, 1, 1000).check();
        Role role = role(caller, roleName, "iam:ListRolePolicies");
        return page(store.rolePolicyNames(caller.accountId(), role.name()).stream().sorted().toList(), n -> n, marker, maxItems);
    }

    public void deleteRolePolicy(Caller caller, String roleName, String policyName) {
        new Constraints().required("policyName", policyName).length("policyName", policyName, 1, 128).check();
        Role role = role(caller, roleName, "iam:DeleteRolePolicy");
        if (!store.deleteRolePolicy(caller.accountId(), role.name(), policyName)) {
            throw AwsException.noSuchEntity("The role policy with name " + policyName + " cannot be found.");
        }
    }

    // ---- managed policies ----

    private static final int MAX_VERSIONS = 5;
    private static final int MANAGED_POLICY_LIMIT = 6144;
    private static final Pattern POLICY_ARN = Pattern.compile("arn:aws:iam::(\\d{12}|aws):policy(/.*/|/)([\\w+=,.@-]{1,128})");
    private static final Instant AWS_MANAGED_DATE = Instant.parse("2015-02-06T18:40:00Z");

    /** A managed policy as GetPolicy and ListPolicies show it: customer managed, or AWS managed from the catalogue. */
    public record PolicyView(String name, String policyId, String arn, String path, String defaultVersionId, int attachmentCount,
                             String description, Instant createdAt, Instant updatedAt, Map<String, String> tags) {
    }

    public PolicyView createPolicy(Caller caller, String name, String path, String document, String description, Map<String, String> tags) {
        String p = path == null ? "/" : path;
        new Constraints()
                .required("policyName", name).length("policyName", name, 1, 128).pattern("policyName", name, NAME)
                .length("path", p, 1, 512).pattern("path", p, PATH)
                .required("policyDocument", document).length("policyDocument", document, 1, 131072)
                .length("description", description, 0, 1000)
                .check();
        Instant now = settings.clock().instant();
        ManagedPolicy policy = new ManagedPolicy(caller.accountId(), name, p,
                Identifiers.keyId("ANPA", 21), description, "v1", 2, now, now, tags);
        permissions.check(caller, "iam:CreatePolicy", policy.arn());
        checkManagedDocument(document);
        if (!store.insertPolicy(policy, new PolicyVersion(policy.arn(), "v1", document, now))) {
            throw AwsException.alreadyExists("A policy called " + name + " already exists. Duplicate names are not allowed.");
        }
        return view(policy);
    }

    public PolicyView getPolicy(Caller caller, String arn) {
        permissions.check(caller, "iam:GetPolicy", arn);
        return policyView(caller, arn);
    }

    public Page<PolicyView> listPolicies(Caller caller, String scope, boolean onlyAttached, String pathPrefix, String marker, Integer maxItems) {
        new Constraints().range("maxItems", maxItems, 1, 1000).check();
        if (scope != null && !List.of("All", "AWS", "Local").contains(scope)) {
            throw AwsException.validation("1 validation error detected: Value '" + scope + "' at 'scope' failed to satisfy constraint: "
                    + "Member must satisfy enum value set: [All, AWS, Local]");
        }
        permissions.check(caller, "iam:ListPolicies", "*");
        String prefix = pathPrefix == null ? "/" : pathPrefix;
        List<PolicyView> all = new ArrayList<>();
        if (scope == null || !scope.equals("AWS")) {
            store.policies(caller.accountId()).forEach(p -> all.add(view(p)));
        }
        if (scope == null || !scope.equals("Local")) {
            ManagedPolicies.arns().forEach(arn -> all.add(awsManagedView(arn)));
        }
        List<PolicyView> selected = all.stream()
                .filter(v -> v.path().startsWith(prefix))
                .filter(v -> !onlyAttached || v.attachmentCount() > 0)
                .sorted(Comparator.comparing(PolicyView::arn)).toList();
        return page(selected, PolicyView::arn, marker, maxItems);
    }

    public PolicyVersion createPolicyVersion(Caller caller, String arn, String document, boolean setAsDefault) {
        new Constraints().required("policyDocument", document).length("policyDocument", document, 1, 131072).check();
        permissions.check(caller, "iam:CreatePolicyVersion", arn);
        ManagedPolicy p = customer(caller, arn);
        checkManagedDocument(document);
        if (store.policyVersions(arn).size() >= MAX_VERSIONS) {
            throw new AwsException(AwsError.LIMIT_EXCEEDED, "A managed policy can have up to " + MAX_VERSIONS
                    + " versions. Before you create a new version, you must delete an existing version.");
        }
        Instant now = settings.clock().instant();
        String vid = "v" + p.nextVersion();
        PolicyVersion v = new PolicyVersion(arn, vid, document, now);
        store.insertPolicyVersion(v);
        store.updatePolicy(p.withVersions(setAsDefault ? vid : p.defaultVersionId(), p.nextVersion() + 1, now));
        return v;
    }

    /** A version and whether it is the default. */
    public record VersionView(PolicyVersion version, boolean isDefault) {
    }

    public VersionView getPolicyVersion(Caller caller, String arn, String versionId) {
        new Constraints().required("versionId", versionId).check();
        permissions.check(caller, "iam:GetPolicyVersion", arn);
        if (arn != null && arn.startsWith(ManagedPolicies.PREFIX)) {
            String doc = ManagedPolicies.document(arn).filter(d -> versionId.equals("v1"))
                    .orElseThrow(() -> AwsException.noSuchEntity("Policy " + arn + " version " + versionId + " does not exist or is not attachable."));
            return new VersionView(new PolicyVersion(arn, "v1", doc, AWS_MANAGED_DATE), true);
        }
        ManagedPolicy p = customer(caller, arn);
        PolicyVersion v = store.policyVersion(arn, versionId)
                .orElseThrow(() -> AwsException.noSuchEntity("Policy " + arn + " version " + versionId + " does not exist or is not attachable."));
        return new VersionView(v, versionId.equals(p.defaultVersionId()));
    }

    public List<VersionView> listPolicyVersions(Caller caller, String arn) {
        permissions.check(caller, "iam:ListPolicyVersions", arn);
        if (arn != null && arn.startsWith(ManagedPolicies.PREFIX)) {
            return List.of(getPolicyVersion(caller, arn, "v1"));
        }
        ManagedPolicy p = customer(caller, arn);
        return store.policyVersions(arn).stream().map(v -> new VersionView(v, v.versionId().equals(p.defaultVersionId()))).toList();
    }

    public void setDefaultPolicyVersion(Caller caller, String arn, String versionId) {
        permissions.check(caller, "iam:SetDefaultPolicyVersion", arn);
        ManagedPolicy p = customer(caller, arn);
        if (store.policyVersion(arn, versionId).isEmpty()) {
            throw AwsException.noSuchEntity("Policy " + arn + " version " + versionId + " does not exist or is not attachable.");
        }
        store.updatePolicy(p.withVersions(versionId, p.nextVersion(), settings.clock().instant()));
    }

    public void deletePolicyVersion(Caller caller, String arn, String versionId) {
        permissions.check(caller, "iam:DeletePolicyVersion", arn);
        ManagedPolicy p = customer(caller, arn);
        if (versionId != null && versionId.equals(p.defaultVersionId())) {
            throw new AwsException(AwsError.DELETE_CONFLICT, "Cannot delete the default version of a policy.");
        }
        if (!store.deletePolicyVersion(arn, versionId)) {
            throw AwsException.noSuchEntity("Policy " + arn + " version " + versionId + " does not exist or is not attachable.");
        }
    }

    public void deletePolicy(Caller caller, String arn) {
        permissions.check(caller, "iam:DeletePolicy", arn);
        customer(caller, arn);
        if (store.attachmentCount(arn) > 0) {
            throw new AwsException(AwsError.DELETE_CONFLICT, "Cannot delete a policy attached to entities.");
        }
        if (store.policyVersions(arn).size() > 1) {
            throw new AwsException(AwsError.DELETE_CONFLICT,
                    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions.");
        }
        store.deletePolicy(arn);
    }

    private PolicyView policyView(Caller caller, String arn) {
        if (arn != null && arn.startsWith(ManagedPolicies.PREFIX)) {
            if (ManagedPolicies.document(arn).isEmpty()) {
                throw AwsException.noSuchEntity("Policy " + arn + " was not found.");
            }
            return awsManagedView(arn);
        }
        return view(customer(caller, arn));
    }

    private ManagedPolicy customer(Caller caller, String arn) {
        new Constraints().required("policyArn", arn).length("policyArn", arn, 20, 2048).check();
        if (!POLICY_ARN.matcher(arn).matches()) {
            throw AwsException.invalidInput("ARN " + arn + " is not valid.");
        }
        if (arn.startsWith(ManagedPolicies.PREFIX)) {
            throw AwsException.invalidInput("Policy " + arn + " is an AWS managed policy and cannot be changed.");
        }
        return catalog.customer(caller.accountId(), arn).orElseThrow(() -> AwsException.noSuchEntity("Policy " + arn + " was not found."));
    }

    private PolicyView view(ManagedPolicy p) {
        return new PolicyView(p.name(), p.policyId(), p.arn(), p.path(), p.defaultVersionId(), store.attachmentCount(p.arn()), p.description(),
                p.createdAt(), p.updatedAt(), p.tags());
    }

    private PolicyView awsManagedView(String arn) {
        String name = ManagedPolicies.name(arn);
        String id = "ANPA" + HexFormat.of().withUpperCase().formatHex(Arrays.copyOf(
                name.getBytes(StandardCharsets.UTF_8), 9)).substring(0, 17).replaceAll("[^A-Z2-7]", "Q");
        String path = arn.substring(ManagedPolicies.PREFIX.length() - 1, arn.length() - name.length());
        return new PolicyView(name, id, arn, path, "v1", store.attachmentCount(arn), null, AWS_MANAGED_DATE, AWS_MANAGED_DATE, Map.of());
    }

    /** Grammar (MalformedPolicyDocument) and IAM's managed policy size quota. */
    private void checkManagedDocument(String document) {
        compiled.compile(document, PolicyKind.IDENTITY);
        long size = document.chars().filter(ch -> !Character.isWhitespace(ch)).count();
        if (size > MANAGED_POLICY_LIMIT) {
            throw new AwsException(AwsError.LIMIT_EXCEEDED, "Cannot exceed quota for PolicySize: " + MANAGED_POLICY_LIMIT);
        }
    }

    /**
     * The role a call names, once the caller is allowed {@code action} on it. As IAM: the name's
     * constraints first, then authorization (on the role's ARN, path included, or on the name alone
     * when there is no such role), then whether it exists; so a caller without the permission learns
     * nothing of which roles exist.
     */
    private Role role(Caller caller, String name, String action) {
        new Constraints().required("roleName", name).length("roleName", name, 1, 64).pattern("roleName", name, NAME).check();
        Optional<Role> role = store.role(caller.accountId(), name);
        permissions.check(caller, action, role.map(Role::arn).orElse("arn:aws:iam::" + caller.accountId() + ":role/" + name));
        return role.orElseThrow(() -> AwsException.noSuchEntity("The role with name " + name + " cannot be found."));
    }

    /**
     * Parses the trust policy (MalformedPolicyDocument) and checks the size quota, whitespace
     * excluded. Lint findings do not block the change, as IAM would store the document; they are logged.
     */
    private void checkTrustPolicy(String roleArn, String document) {
        compiled.compile(document, PolicyKind.TRUST);
        for (Finding f : new Linter(settings.trustPolicyLimit()).lintTrustPolicy(document)) {
            LOG.warn("trust policy of {}: {} {} at {}: {}", roleArn, f.severity(), f.code(), f.location(), f.message());
        }
        long size = document.chars().filter(ch -> !Character.isWhitespace(ch)).count();
        if (size > settings.trustPolicyLimit()) {
            throw new AwsException(AwsError.LIMIT_EXCEEDED, "Cannot exceed quota for ACLSizePerRole: " + settings.trustPolicyLimit());
        }
    }

    private static <T> Page<T> page(List<T> sorted, Function<T, String> key, String marker, Integer maxItems) {
        return Page.of(sorted, key, marker, maxItems, AwsException.invalidInput("Invalid Marker."));
    }

    private static List<String> distinct(List<String> values) {
        return List.copyOf(new LinkedHashSet<>(values.stream().filter(Objects::nonNull).toList()));
    }
}
