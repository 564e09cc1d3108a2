package io.openirsa.core.audit;

import java.util.List;

/** Records, newest first, with the sequence number of the last one (to continue from), or null when this is the last page. */
public record AuditPage(List<AuditRecord> records, Long next) {
    public AuditPage {
        records = List.copyOf(records);
    }
}
