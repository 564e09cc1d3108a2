-- CloudTrail records a batch to a row (AuditBatches): the records of one move from the journal,
-- deflated together; audit_terms says which batches hold a record with a LookupEvents attribute's
-- value (an attribute's letter, ':', the value). V10 moves audit_events into them.
CREATE TABLE audit_batches (
    id       INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: positions in NextTokens stay meaningful
    min_time INTEGER NOT NULL, -- epoch milliseconds, of the oldest record in the batch
    max_time INTEGER NOT NULL,
    records  INTEGER NOT NULL,
    payload  BLOB NOT NULL
);
CREATE INDEX audit_batches_min_time ON audit_batches (min_time);
CREATE TABLE audit_terms (
    term  TEXT NOT NULL,
    batch INTEGER NOT NULL,
    PRIMARY KEY (term, batch)
) WITHOUT ROWID;
