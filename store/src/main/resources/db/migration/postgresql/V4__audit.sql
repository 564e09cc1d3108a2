-- CloudTrail records: the fields LookupEvents filters on, and the record itself. seq orders them
-- (newest first) and pages through them.
CREATE TABLE audit_events (
    seq           BIGSERIAL PRIMARY KEY,
    event_id      TEXT NOT NULL UNIQUE,
    account_id    TEXT,
    event_time    BIGINT NOT NULL, -- epoch milliseconds
    event_name    TEXT NOT NULL,
    event_source  TEXT NOT NULL,
    read_only     TEXT NOT NULL,
    username      TEXT,
    access_key_id TEXT,
    resource_type TEXT,
    resource_name TEXT,
    request_id    TEXT NOT NULL,
    error_code    TEXT,
    record        TEXT NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (account_id, event_time);
CREATE INDEX audit_events_request ON audit_events (request_id);
CREATE INDEX audit_events_name ON audit_events (event_name, seq);
CREATE INDEX audit_events_username ON audit_events (username, seq);
