package io.openirsa.server.query;

import io.openirsa.core.OpenIrsa;
import io.openirsa.core.Page;
import io.openirsa.core.iam.Iam;
import io.openirsa.core.iam.Simulator;
import io.openirsa.core.model.AttachedPolicy;
import io.openirsa.core.model.OidcProvider;
import io.openirsa.core.model.Role;
import io.openirsa.server.sigv4.SigV4;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** IAM actions on the query protocol. Policy documents go out percent-encoded, as IAM sends them. */
final class IamOperations {
    private final OpenIrsa domain;

    IamOperations(OpenIrsa domain) {
        this.domain = domain;
    }

    Map<String, QueryApi.Operation> operations() {
        Iam iam = domain.iam();
        Map<String, QueryApi.Operation> ops = new HashMap<>();

        ops.put("CreateOpenIDConnectProvider", (caller, p, r, audit) -> {
            Map<String, String> tags = p.tags("Tags");
            String arn = iam.createOpenIdConnectProvider(caller, p.get("Url"), p.list("ClientIDList"), p.list("ThumbprintList"), tags);
            return xml -> {
                xml.el("OpenIDConnectProviderArn", arn);
                tags(xml, tags);
            };
        });
        ops.put("GetOpenIDConnectProvider", (caller, p, r, audit) -> {
            OidcProvider o = iam.getOpenIdConnectProvider(caller, p.get("OpenIDConnectProviderArn"));
            return xml -> {
                xml.el("Url", o.hostPath());
                members(xml, "ClientIDList", o.clientIds());
                members(xml, "ThumbprintList", o.thumbprints());
                xml.el("CreateDate", o.createdAt());
                tags(xml, o.tags());
            };
        });
        ops.put("ListOpenIDConnectProviders", (caller, p, r, audit) -> {
            List<OidcProvider> all = iam.listOpenIdConnectProviders(caller);
            return xml -> {
                xml.start("OpenIDConnectProviderList");
                all.forEach(o -> xml.start("member").el("Arn", o.arn()).end());
                xml.end();
            };
        });
        ops.put("DeleteOpenIDConnectProvider", (caller, p, r, audit) -> {
            iam.deleteOpenIdConnectProvider(caller, p.get("OpenIDConnectProviderArn"));
            return null;
        });
        ops.put("AddClientIDToOpenIDConnectProvider", (caller, p, r, audit) -> {
            iam.addClientId(caller, p.get("OpenIDConnectProviderArn"), p.get("ClientID"));
            return null;
        });
        ops.put("RemoveClientIDFromOpenIDConnectProvider", (caller, p, r, audit) -> {
            iam.removeClientId(caller, p.get("OpenIDConnectProviderArn"), p.get("ClientID"));
            return null;
        });
        ops.put("UpdateOpenIDConnectProviderThumbprint", (caller, p, r, audit) -> {
            iam.updateThumbprints(caller, p.get("OpenIDConnectProviderArn"), p.list("ThumbprintList"));
            return null;
        });

        ops.put("CreateRole", (caller, p, r, audit) -> {
            Role role = iam.createRole(caller, p.get("RoleName"), p.get("Path"), p.get("AssumeRolePolicyDocument"),
                    p.get("Description"), p.integer("MaxSessionDuration", "maxSessionDuration"), p.tags("Tags"));
            return xml -> role(xml, role);
        });
        ops.put("GetRole", (caller, p, r, audit) -> {
            Role role = iam.getRole(caller, p.get("RoleName"));
            return xml -> role(xml, role);
        });
        ops.put("ListRoles", (caller, p, r, audit) -> {
            Page<Role> page = iam.listRoles(caller, p.get("PathPrefix"), p.get("Marker"), p.integer("MaxItems", "maxItems"));
            return xml -> {
                xml.start("Roles");
                page.items().forEach(role -> {
                    xml.start("member");
                    roleFields(xml, role);
                    xml.end();
                });
                xml.end();
                page(xml, page);
            };
        });
        ops.put("UpdateRole", (caller, p, r, audit) -> {
            iam.updateRole(caller, p.get("RoleName"), p.get("Description"), p.integer("MaxSessionDuration", "maxSessionDuration"));
            return xml -> { };
        });
        ops.put("UpdateAssumeRolePolicy", (caller, p, r, audit) -> {
            iam.updateAssumeRolePolicy(caller, p.get("RoleName"), p.get("PolicyDocument"));
            return null;
        });
        ops.put("DeleteRole", (caller, p, r, audit) -> {
            iam.deleteRole(caller, p.get("RoleName"));
            return null;
        });
        ops.put("AttachRolePolicy", (caller, p, r, audit) -> {
            iam.attachRolePolicy(caller, p.get("RoleName"), p.get("PolicyArn"));
            return null;
        });
        ops.put("DetachRolePolicy", (caller, p, r, audit) -> {
            iam.detachRolePolicy(caller, p.get("RoleName"), p.get("PolicyArn"));
            return null;
        });
        ops.put("ListAttachedRolePolicies", (caller, p, r, audit) -> {
            Page<AttachedPolicy> page = iam.listAttachedRolePolicies(caller, p.get("RoleName"), p.get("Marker"), p.integer("MaxItems", "maxItems"));
            return xml -> {
                xml.start("AttachedPolicies");
                page.items().forEach(a -> xml.start("member").el("PolicyName", a.policyName()).el("PolicyArn", a.policyArn()).end());
                xml.end();
                page(xml, page);
            };
        });
        ops.put("PutRolePolicy", (caller, p, r, audit) -> {
            iam.putRolePolicy(caller, p.get("RoleName"), p.get("PolicyName"), p.get("PolicyDocument"));
            return null;
        });
        ops.put("GetRolePolicy", (caller, p, r, audit) -> {
            String doc = iam.getRolePolicy(caller, p.get("RoleName"), p.get("PolicyName"));
            Role role = iam.getRole(caller, p.get("RoleName"));
            return xml -> xml.el("RoleName", role.name()).el("PolicyName", p.get("PolicyName")).el("PolicyDocument", SigV4.encode(doc));
        });
        ops.put("ListRolePolicies", (caller, p, r, audit) -> {
            Page<String> page = iam.listRolePolicies(caller, p.get("RoleName"), p.get("Marker"), p.integer("MaxItems", "maxItems"));
            return xml -> {
                members(xml, "PolicyNames", page.items());
                page(xml, page);
            };
        });
        ops.put("DeleteRolePolicy", (caller, p, r, audit) -> {
            iam.deleteRolePolicy(caller, p.get("RoleName"), p.get("PolicyName"));
            return null;
        });
        ops.put("CreatePolicy", (caller, p, r, audit) -> {
            Iam.PolicyView v = iam.createPolicy(caller, p.get("PolicyName"), p.get("Path"), p.get("PolicyDocument"), p.get("Description"), p.tags("Tags"));
            audit.resource("AWS::IAM::Policy", v.arn(), caller.accountId());
            return xml -> policy(xml.start("Policy"), v).end();
        });
        ops.put("GetPolicy", (caller, p, r, audit) -> {
            Iam.PolicyView v = iam.getPolicy(caller, p.get("PolicyArn"));
            return xml -> policy(xml.start("Policy"), v).end();
        });
        ops.put("ListPolicies", (caller, p, r, audit) -> {
            Page<Iam.PolicyView> page = iam.listPolicies(caller, p.get("Scope"), "true".equalsIgnoreCase(p.get("OnlyAttached")),
                    p.get("PathPrefix"), p.get("Marker"), p.integer("MaxItems", "maxItems"));
            return xml -> {
                xml.start("Policies");
                page.items().forEach(v -> policy(xml.start("member"), v).end());
                xml.end();
                page(xml, page);
            };
        });
        ops.put("CreatePolicyVersion", (caller, p, r, audit) -> {
            var v = iam.createPolicyVersion(caller, p.get("PolicyArn"), p.get("PolicyDocument"), "true".equalsIgnoreCase(p.get("SetAsDefault")));
            boolean isDefault = "true".equalsIgnoreCase(p.get("SetAsDefault"));
            return xml -> xml.start("PolicyVersion").el("VersionId", v.versionId()).el("IsDefaultVersion", isDefault)
                    .el("CreateDate", v.createdAt()).end();
        });
        ops.put("GetPolicyVersion", (caller, p, r, audit) -> {
            Iam.VersionView v = iam.getPolicyVersion(caller, p.get("PolicyArn"), p.get("VersionId"));
            return xml -> xml.start("PolicyVersion").el("Document", SigV4.encode(v.version().document())).el("VersionId", v.version().versionId())
                    .el("IsDefaultVersion", v.isDefault()).el("CreateDate", v.version().createdAt()).end();
        });
        ops.put("ListPolicyVersions", (caller, p, r, audit) -> {
            List<Iam.VersionView> versions = iam.listPolicyVersions(caller, p.get("PolicyArn"));
            return xml -> {
                xml.start("Versions");
                versions.forEach(v -> xml.start("member").el("VersionId", v.version().versionId()).el("IsDefaultVersion", v.isDefault())
                        .el("CreateDate", v.version().createdAt()).end());
                xml.end().el("IsTruncated", false);
            };
        });
        ops.put("SetDefaultPolicyVersion", (caller, p, r, audit) -> {
            iam.setDefaultPolicyVersion(caller, p.get("PolicyArn"), p.get("VersionId"));
            return null;
        });
        ops.put("DeletePolicyVersion", (caller, p, r, audit) -> {
            iam.deletePolicyVersion(caller, p.get("PolicyArn"), p.get("VersionId"));
            return null;
        });
        ops.put("DeletePolicy", (caller, p, r, audit) -> {
            iam.deletePolicy(caller, p.get("PolicyArn"));
            return null;
        });
        ops.put("SimulatePrincipalPolicy", (caller, p, r, audit) -> {
            Page<Simulator.Result> results = domain.simulator().simulatePrincipal(caller, p.get("PolicySourceArn"), p.list("PolicyInputList"),
                    p.list("ActionNames"), p.list("ResourceArns"), contextEntries(p), paging(p));
            return xml -> simulation(xml, results);
        });
        ops.put("SimulateCustomPolicy", (caller, p, r, audit) -> {
            Page<Simulator.Result> results = domain.simulator().simulateCustom(caller, p.list("PolicyInputList"), p.list("ActionNames"),
                    p.list("ResourceArns"), contextEntries(p), paging(p));
            return xml -> simulation(xml, results);
        });
        return Map.copyOf(ops);
    }

    /** ContextEntries.member.N.ContextKeyName and ContextEntries.member.N.ContextKeyValues.member.M. */
    private static List<Simulator.ContextEntry> contextEntries(QueryParams p) {
        TreeMap<Integer, String> names = new TreeMap<>();
        TreeMap<Integer, TreeMap<Integer, String>> values = new TreeMap<>();
        Pattern name = Pattern.compile("ContextEntries\\.member\\.(\\d{1,4})\\.ContextKeyName");
        Pattern value = Pattern.compile("ContextEntries\\.member\\.(\\d{1,4})\\.ContextKeyValues\\.member\\.(\\d{1,4})");
        p.all().forEach((k, v) -> {
            var n = name.matcher(k);
            var m = value.matcher(k);
            if (n.matches()) {
                names.put(Integer.valueOf(n.group(1)), v);
            } else if (m.matches()) {
                values.computeIfAbsent(Integer.valueOf(m.group(1)), x -> new TreeMap<>()).put(Integer.valueOf(m.group(2)), v);
            }
        });
        List<Simulator.ContextEntry> out = new ArrayList<>();
        names.forEach((i, key) -> out.add(new Simulator.ContextEntry(key, List.copyOf(values.getOrDefault(i, new TreeMap<>()).values()))));
        return out;
    }

    private static Simulator.Paging paging(QueryParams p) {
        return new Simulator.Paging(p.integer("MaxItems", "maxItems"), p.get("Marker"));
    }

    private static void simulation(Xml xml, Page<Simulator.Result> results) {
        xml.start("EvaluationResults");
        for (Simulator.Result r : results.items()) {
            xml.start("member").el("EvalActionName", r.action()).el("EvalResourceName", r.resource()).el("EvalDecision", r.decision());
            xml.start("MatchedStatements");
            for (Simulator.MatchedStatement m : r.matched()) {
                xml.start("member").el("SourcePolicyId", m.sourcePolicyId()).el("SourcePolicyType", m.sourcePolicyType())
                        .start("StartPosition").el("Line", m.start().line()).el("Column", m.start().column()).end()
                        .start("EndPosition").el("Line", m.end().line()).el("Column", m.end().column()).end()
                        .end();
            }
            xml.end();
            xml.start("MissingContextValues");
            r.missingContextValues().forEach(k -> xml.el("member", k));
            xml.end();
            xml.end();
        }
        xml.end().el("IsTruncated", results.truncated());
        if (results.truncated()) {
            xml.el("Marker", results.marker());
        }
    }

    private static Xml policy(Xml xml, Iam.PolicyView v) {
        xml.el("PolicyName", v.name()).el("PolicyId", v.policyId()).el("Arn", v.arn()).el("Path", v.path())
                .el("DefaultVersionId", v.defaultVersionId()).el("AttachmentCount", v.attachmentCount())
                .el("PermissionsBoundaryUsageCount", 0).el("IsAttachable", true).el("Description", v.description())
                .el("CreateDate", v.createdAt()).el("UpdateDate", v.updatedAt());
        tags(xml, v.tags());
        return xml;
    }

    private static void role(Xml xml, Role role) {
        xml.start("Role");
        roleFields(xml, role);
        xml.start("RoleLastUsed").end();
        xml.end();
    }

    private static void roleFields(Xml xml, Role role) {
        xml.el("Path", role.path())
                .el("RoleName", role.name())
                .el("RoleId", role.roleId())
                .el("Arn", role.arn())
                .el("CreateDate", role.createdAt())
                .el("AssumeRolePolicyDocument", SigV4.encode(role.trustPolicy()))
                .el("Description", role.description())
                .el("MaxSessionDuration", role.maxSessionDuration());
        tags(xml, role.tags());
    }

    private static void members(Xml xml, String name, List<String> values) {
        xml.start(name);
        values.forEach(v -> xml.el("member", v));
        xml.end();
    }

    private static void tags(Xml xml, Map<String, String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        xml.start("Tags");
        tags.forEach((k, v) -> xml.start("member").el("Key", k).el("Value", v).end());
        xml.end();
    }

    private static void page(Xml xml, Page<?> page) {
        xml.el("IsTruncated", page.truncated());
        xml.el("Marker", page.marker());
    }
}
