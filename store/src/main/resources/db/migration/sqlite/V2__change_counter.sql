-- SQLite has no NOTIFY (PostgreSQL's change feed): a counter that every change to what reads are
-- cached from moves, whoever writes it (this server, or another process on the same file such as
-- `irsa keys rotate`). The server polls it and drops its cached reads when it moves. Audit records
-- are not counted; nothing cached depends on them.
CREATE TABLE store_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO store_changes (id, n) VALUES (1, 0);

CREATE TRIGGER accounts_insert_counted AFTER INSERT ON accounts BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER accounts_update_counted AFTER UPDATE ON accounts BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER accounts_delete_counted AFTER DELETE ON accounts BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER access_keys_insert_counted AFTER INSERT ON access_keys BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER access_keys_update_counted AFTER UPDATE ON access_keys BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER access_keys_delete_counted AFTER DELETE ON access_keys BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER clusters_insert_counted AFTER INSERT ON clusters BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER clusters_update_counted AFTER UPDATE ON clusters BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER clusters_delete_counted AFTER DELETE ON clusters BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER keys_insert_counted AFTER INSERT ON keys BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER keys_update_counted AFTER UPDATE ON keys BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER keys_delete_counted AFTER DELETE ON keys BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER oidc_providers_insert_counted AFTER INSERT ON oidc_providers BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER oidc_providers_update_counted AFTER UPDATE ON oidc_providers BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER oidc_providers_delete_counted AFTER DELETE ON oidc_providers BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER roles_insert_counted AFTER INSERT ON roles BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER roles_update_counted AFTER UPDATE ON roles BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER roles_delete_counted AFTER DELETE ON roles BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER role_attached_policies_insert_counted AFTER INSERT ON role_attached_policies BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER role_attached_policies_update_counted AFTER UPDATE ON role_attached_policies BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER role_attached_policies_delete_counted AFTER DELETE ON role_attached_policies BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER role_inline_policies_insert_counted AFTER INSERT ON role_inline_policies BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER role_inline_policies_update_counted AFTER UPDATE ON role_inline_policies BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER role_inline_policies_delete_counted AFTER DELETE ON role_inline_policies BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER managed_policies_insert_counted AFTER INSERT ON managed_policies BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER managed_policies_update_counted AFTER UPDATE ON managed_policies BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER managed_policies_delete_counted AFTER DELETE ON managed_policies BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER policy_versions_insert_counted AFTER INSERT ON policy_versions BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER policy_versions_update_counted AFTER UPDATE ON policy_versions BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER policy_versions_delete_counted AFTER DELETE ON policy_versions BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER pod_identity_associations_insert_counted AFTER INSERT ON pod_identity_associations BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER pod_identity_associations_update_counted AFTER UPDATE ON pod_identity_associations BEGIN UPDATE store_changes SET n = n + 1; END;
CREATE TRIGGER pod_identity_associations_delete_counted AFTER DELETE ON pod_identity_associations BEGIN UPDATE store_changes SET n = n + 1; END;
