-- Portable SQL (SQLite and PostgreSQL): TEXT timestamps in ISO-8601, JSON lists and maps in TEXT.
CREATE TABLE accounts (
    id      TEXT PRIMARY KEY,
    created TEXT NOT NULL
);

CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret        TEXT NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    created       TEXT NOT NULL
);

CREATE TABLE clusters (
    account_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    id         TEXT NOT NULL UNIQUE,
    region     TEXT NOT NULL,
    issuer     TEXT NOT NULL,
    version    TEXT NOT NULL,
    role_arn   TEXT,
    created    TEXT NOT NULL,
    tags       TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
);

-- Issuer signing keys (owner = cluster id) and session-token sealing keys (owner = session-tokens).
CREATE TABLE keys (
    owner    TEXT NOT NULL,
    key_id   TEXT NOT NULL,
    status   TEXT NOT NULL,
    material TEXT NOT NULL,
    created  TEXT NOT NULL,
    PRIMARY KEY (owner, key_id)
);

CREATE TABLE oidc_providers (
    account_id  TEXT NOT NULL,
    host_path   TEXT NOT NULL,
    url         TEXT NOT NULL,
    client_ids  TEXT NOT NULL,
    thumbprints TEXT NOT NULL,
    created     TEXT NOT NULL,
    tags        TEXT NOT NULL,
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
