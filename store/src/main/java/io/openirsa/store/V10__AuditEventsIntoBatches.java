package io.openirsa.store;

import io.openirsa.core.audit.AuditRecord;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves the records of V4's audit_events, a row each, into V9's batches, in their order, and drops
 * the table. In Java because a batch is compressed. (The class name is Flyway's convention for a
 * migration's version.)
 */
final class V10__AuditEventsIntoBatches extends BaseJavaMigration {
    private static final int BATCH = 1000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        long after = 0;
        while (true) {
            List<AuditRecord> batch = new ArrayList<>(BATCH);
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_id, account_id, event_time, event_name, event_source, read_only, username, "
                    + "access_key_id, resource_type, resource_name, request_id, error_code, record FROM audit_events WHERE seq > ? ORDER BY seq LIMIT " + BATCH)) {
                ps.setLong(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        after = rs.getLong(1);
                        batch.add(new AuditRecord(rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5), rs.getString(6),
                                Boolean.parseBoolean(rs.getString(7)), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                                rs.getString(12), rs.getString(13), rs.getString(14)));
                    }
                }
            }
            if (batch.isEmpty()) {
                break;
            }
            AuditBatches.insert(c, batch);
        }
        try (var s = c.createStatement()) {
            s.execute("DROP TABLE audit_events");
        }
    }
}
