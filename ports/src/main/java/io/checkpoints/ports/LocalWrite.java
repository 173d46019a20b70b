package io.checkpoints.ports;

/**
 * One local write entering the upload queue ({@code ps_crud}): an operation on one row.
 *
 * <p>A write to an insert-only table ({@link #insertOnly()}) does not arm the apply gate, but
 * while it is queued it still holds back publishing, because the queue must be empty. Immutable
 * and thread-safe.
 *
 * @param operation what the write does
 * @param table the table (PowerSync's {@code type}); not blank
 * @param rowId the row id; not null
 * @param dataJson the row data as a JSON object text, as PowerSync queues it; not null
 * @param insertOnly whether the table is insert-only, so that the write does not arm the gate
 */
public record LocalWrite(
    Operation operation, String table, String rowId, String dataJson, boolean insertOnly) {

  /** The kinds of queued operation, as PowerSync names them. */
  public enum Operation {
    /** Insert or replace a row. */
    PUT,
    /** Update some columns of a row. */
    PATCH,
    /** Delete a row. */
    DELETE
  }

  /**
   * @param operation what the write does
   * @param table the table (PowerSync's {@code type}); not blank
   * @param rowId the row id; not null
   * @param dataJson the row data as a JSON object text, as PowerSync queues it; not null
   * @param insertOnly whether the table is insert-only, so that the write does not arm the gate
   * @throws CheckpointArgumentException if the table is blank or an argument is null
   */
  public LocalWrite {
    if (operation == null || rowId == null || dataJson == null) {
      throw new CheckpointArgumentException(
          "a local write needs an operation, a row id and data (use \"{}\" for none)");
    }
    if (table == null || table.isBlank()) {
      throw new CheckpointArgumentException("a local write needs a non-blank table name");
    }
  }

  /**
   * @param table the table
   * @param rowId the row id
   * @param dataJson the row data as a JSON object text
   * @return a PUT of that row that arms the gate
   */
  public static LocalWrite put(String table, String rowId, String dataJson) {
    return new LocalWrite(Operation.PUT, table, rowId, dataJson, false);
  }

  /** @return this write, declared as a write to an insert-only table (it does not arm the gate) */
  public LocalWrite asInsertOnly() {
    return new LocalWrite(operation, table, rowId, dataJson, true);
  }

  @Override
  public String toString() {
    return operation + " " + table + "/" + rowId + (insertOnly ? " (insert-only)" : "");
  }
}
