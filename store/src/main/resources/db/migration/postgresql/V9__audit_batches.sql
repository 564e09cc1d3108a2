-- CloudTrail records a batch to a row (AuditBatches): the records of one group commit, deflated
-- together; audit_terms says which batches hold a record with a LookupEvents attribute's value (an
-- attribute's letter, ':', the value). Event and request ids, one per record, are kept as a range per
-- batch instead, narrow by construction, and found through the index on its start. V10 moves
-- audit_events into them.
CREATE TABLE audit_batches (
    id       BIGSERIAL PRIMARY KEY,
    min_time BIGINT NOT NULL, -- epoch milliseconds, of the oldest record in the batch
    max_time BIGINT NOT NULL,
    records  INTEGER NOT NULL,
    min_event_id   TEXT NOT NULL,
    max_event_id   TEXT NOT NULL,
    min_request_id TEXT NOT NULL,
    max_request_id TEXT NOT NULL,
    payload  BYTEA NOT NULL
);
CREATE INDEX audit_batches_min_time ON audit_batches (min_time);
CREATE INDEX audit_batches_event_id ON audit_batches (min_event_id, max_event_id);
CREATE INDEX audit_batches_request_id ON audit_batches (min_request_id, max_request_id);
CREATE TABLE audit_terms (
    term  TEXT NOT NULL,
    batch BIGINT NOT NULL,
    PRIMARY KEY (term, batch)
);
