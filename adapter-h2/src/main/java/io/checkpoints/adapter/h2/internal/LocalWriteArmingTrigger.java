package io.checkpoints.adapter.h2.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The {@code AFTER INSERT} row trigger on {@code ps_crud} that H2 runs inside every inserting
 * statement, on every connection: it keeps the queue's high-water mark, and arms the gate (target
 * {@code MAX}, last seen and last applied deleted) unless the insert came from the store's Java API
 * (which lets the domain decide) or the write's {@code type} is a declared insert-only table.
 *
 * <p><b>Its class name is stored in database files</b> ({@code CREATE TRIGGER ... CALL}): never
 * rename or move it. H2 opens such a file without this class, but refuses inserts into
 * {@code ps_crud} until the class is on the class path or the trigger is dropped; see
 * {@code docs/h2.md} for why this adapter accepts that.
 *
 * <p>Not API: H2 instantiates it by name. Stateless; H2 may call {@link #fire} from any thread,
 * each call on the inserting session's connection.
 */
public final class LocalWriteArmingTrigger implements org.h2.api.Trigger {

  /** The trigger's name in the database. */
  public static final String NAME = "checkpoints_local_write_arms_gate";

  /**
   * The single-row table {@code (id = 1, seq)} holding the highest {@code ps_crud} id ever
   * inserted by a committed transaction: H2's identity columns are not transactional, and the
   * queue's {@code lastSequence} must be (SQLite keeps the same mark in {@code sqlite_sequence}).
   * Its row is also the lock that serialises the store's write transactions.
   */
  public static final String QUEUE_SEQUENCE_TABLE = "checkpoints_crud_sequence";

  /**
   * The table of PowerSync table names whose SQL writes do not arm the gate. It is a real table,
   * not a session's, because the trigger serves every connection (H2 has no temporary triggers).
   */
  public static final String INSERT_ONLY_TABLES = "checkpoints_insert_only_tables";

  /**
   * The session variable that the store sets around its own inserts: through the Java API the
   * domain decides whether a write arms the gate (an insert-only write must not).
   */
  public static final String ARMING_PAUSED_VARIABLE = "@checkpoints_arming_paused";

  private static final String RAISE_SEQUENCE =
      "UPDATE " + QUEUE_SEQUENCE_TABLE + " SET seq = GREATEST(seq, ?) WHERE id = 1";
  private static final String IS_PAUSED = "SELECT " + ARMING_PAUSED_VARIABLE;
  private static final String IS_INSERT_ONLY =
      "SELECT 1 FROM " + INSERT_ONLY_TABLES + " WHERE name = ?";
  // The same two statements the reference core runs for the first write of a transaction, here
  // for every write (deviation 12.4).
  private static final String SET_TARGET_MAX = "MERGE INTO ps_kv(\"KEY\", \"VALUE\") KEY(\"KEY\")"
      + " VALUES ('target_checkpoint_request_id', CAST(9223372036854775807 AS JSON))";
  private static final String DELETE_SEEN_AND_APPLIED = "DELETE FROM ps_kv WHERE \"KEY\" IN"
      + " ('last_seen_checkpoint_request_id', 'last_applied_checkpoint_request_id')";

  /** H2 creates the trigger with this constructor. */
  public LocalWriteArmingTrigger() {}

  @Override
  public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
    // Columns in table order, as ensureSchema checks them: id, data, tx_id.
    if (newRow[0] instanceof Number id) {
      try (PreparedStatement raise = connection.prepareStatement(RAISE_SEQUENCE)) {
        raise.setLong(1, id.longValue());
        raise.executeUpdate();
      }
    }
    if (exists(connection, IS_PAUSED, null)) {
      return;
    }
    // Data that is not a JSON object with a string type arms: a write is a write.
    String type = newRow[1] instanceof String data
        ? JsonValues.stringMember(data, "type").orElse(null)
        : null;
    if (type != null && exists(connection, IS_INSERT_ONLY, type)) {
      return;
    }
    try (PreparedStatement target = connection.prepareStatement(SET_TARGET_MAX);
        PreparedStatement delete = connection.prepareStatement(DELETE_SEEN_AND_APPLIED)) {
      target.executeUpdate();
      delete.executeUpdate();
    }
  }

  /** Whether the query's first column is TRUE or 1 in its first row. */
  private static boolean exists(Connection connection, String query, String parameter)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      if (parameter != null) {
        statement.setString(1, parameter);
      }
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() && rows.getBoolean(1);
      }
    }
  }
}
