-- OpenIRSA's schema, in SQL that SQLite and PostgreSQL both take: timestamps as ISO-8601 TEXT, JSON
-- lists and maps as TEXT.
CREATE TABLE accounts (
    id      TEXT PRIMARY KEY,
    created TEXT NOT NULL
);

CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret        TEXT NOT NULL, -- sealed with the key-encryption key
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    created       TEXT NOT NULL
);

-- Clusters OpenIRSA issues tokens for, and clusters registered by their issuer URL (registered = 1,
-- `irsa cluster register`): their API server signs the tokens, and discovery_* say how to fetch its
-- keys. discovery_token is sealed like other secrets.
CREATE TABLE clusters (
    account_id          TEXT NOT NULL,
    name                TEXT NOT NULL,
    id                  TEXT NOT NULL UNIQUE,
    region              TEXT NOT NULL,
    issuer              TEXT NOT NULL,
    version             TEXT NOT NULL,
    role_arn            TEXT,
    created             TEXT NOT NULL,
    tags                TEXT NOT NULL,
    registered          INTEGER NOT NULL DEFAULT 0,
    discovery_ca_bundle TEXT,
    discovery_token     TEXT,
    PRIMARY KEY (account_id, name)
);

-- Issuer signing keys (owner = cluster id) and session-token sealing keys (owner = session-tokens).
-- changed: when the key last changed status; rotation promotes a pending key after it has been
-- published long enough, and destroys a retired key once every token it signed has expired.
CREATE TABLE keys (
    owner    TEXT NOT NULL,
    key_id   TEXT NOT NULL,
    status   TEXT NOT NULL,
    material TEXT NOT NULL,
    created  TEXT NOT NULL,
    changed  TEXT NOT NULL,
    PRIMARY KEY (owner, key_id)
);

-- ca_bundle, beyond IAM: CA certificates the issuer's TLS certificate may chain to (an issuer behind
-- a private CA), set with `irsa provider set-ca`; IAM's API neither shows nor sets it.
CREATE TABLE oidc_providers (
    account_id  TEXT NOT NULL,
    host_path   TEXT NOT NULL,
    url         TEXT NOT NULL,
    client_ids  TEXT NOT NULL,
    thumbprints TEXT NOT NULL,
    created     TEXT NOT NULL,
    tags        TEXT NOT NULL,
    ca_bundle   TEXT,
    PRIMARY KEY (account_id, host_path)
);

-- Role names are unique without regard to case: name_key is the lower-cased name.
CREATE TABLE roles (
    account_id           TEXT NOT NULL,
    name_key             TEXT NOT NULL,
    name                 TEXT NOT NULL,
    path                 TEXT NOT NULL,
    role_id              TEXT NOT NULL UNIQUE,
    trust_policy         TEXT NOT NULL,
    description          TEXT,
    max_session_duration INTEGER NOT NULL,
    created              TEXT NOT NULL,
    tags                 TEXT NOT NULL,
    PRIMARY KEY (account_id, name_key)
);

CREATE TABLE role_attached_policies (
    account_id TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    PRIMARY KEY (account_id, name_key, policy_arn)
);

CREATE TABLE role_inline_policies (
    account_id  TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    policy_name TEXT NOT NULL,
    document    TEXT NOT NULL,
    PRIMARY KEY (account_id, name_key, policy_name)
);

-- Customer managed policies and their versions (at most 5; one is the default).
CREATE TABLE managed_policies (
    arn             TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    name            TEXT NOT NULL,
    path            TEXT NOT NULL,
    policy_id       TEXT NOT NULL UNIQUE,
    description     TEXT,
    default_version TEXT NOT NULL,
    next_version    INTEGER NOT NULL,
    created         TEXT NOT NULL,
    updated         TEXT NOT NULL,
    tags            TEXT NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE TABLE policy_versions (
    arn        TEXT NOT NULL,
    version_id TEXT NOT NULL,
    document   TEXT NOT NULL,
    created    TEXT NOT NULL,
    PRIMARY KEY (arn, version_id)
);

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

-- CloudTrail records, a row per group commit: the records of one transaction as a JSON array,
-- deflated together (AuditBatch). A row per record with its own indexes cost an exchange half its
-- throughput (docs/benchmarks.md, 2026-12-07). Lookups read batches newest first and filter them;
-- ids are where a page ends; retention deletes batches by time. ${audit_seq} and ${blob} are the
-- column types SQLite and PostgreSQL spell differently (JdbcStore).
CREATE TABLE audit_batches (
    id       ${audit_seq}, -- SQLite: the rowid, one past the largest (AUTOINCREMENT cost 30 µs a commit)
    min_time BIGINT NOT NULL, -- epoch milliseconds of the oldest record
    max_time BIGINT NOT NULL,
    records  INTEGER NOT NULL,
    payload  ${blob} NOT NULL
);
CREATE INDEX audit_batches_time ON audit_batches (min_time);
