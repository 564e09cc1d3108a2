-- How far each process's audit journal (data folder/audit-journal/NAME.journal) has been moved into
-- audit_events. Written in the same transaction as the records it covers, so a journal replayed
-- after a crash neither loses nor repeats a record. A journal is never rewritten: a full one is
-- retired and a new one, under a new name, takes its place.
CREATE TABLE audit_journal_marks (
    name          TEXT PRIMARY KEY,
    moved_through INTEGER NOT NULL
);
