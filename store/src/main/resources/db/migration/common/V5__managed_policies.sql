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
