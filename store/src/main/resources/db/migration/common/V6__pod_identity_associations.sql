-- EKS Pod Identity associations: one role per service account of a cluster.
CREATE TABLE pod_identity_associations (
    account_id           TEXT NOT NULL,
    region               TEXT NOT NULL,
    cluster_name         TEXT NOT NULL,
    association_id       TEXT NOT NULL,
    namespace            TEXT NOT NULL,
    service_account      TEXT NOT NULL,
    role_arn             TEXT NOT NULL,
    target_role_arn      TEXT,
    external_id          TEXT,
    policy               TEXT,
    disable_session_tags TEXT NOT NULL,
    tags                 TEXT NOT NULL,
    client_request_token TEXT,
    created              TEXT NOT NULL,
    modified             TEXT NOT NULL,
    PRIMARY KEY (account_id, cluster_name, association_id),
    UNIQUE (account_id, cluster_name, namespace, service_account)
);
