package io.checkpoints.ports;

import java.util.Objects;

/**
 * One write in the upload queue ({@code ps_crud}), as a host reads it to upload it. Immutable and
 * thread-safe.
 *
 * <p>The data is the JSON value that was queued, as text. A store returns the text as it was
 * written, or as its database writes the same value: SQLite drops whitespace between tokens; H2's
 * JSON type does too, writes an escape of a character that needs none as the character and writes
 * numbers with an exponent or negative zero in its own form. The rule a store keeps, which the
 * contract suite of {@code checkpoints-testkit} checks: text without whitespace between tokens,
 * whose numbers have no exponent and are not negative zero, comes back as written, or with every
 * escape of a character that needs none (<code>&#92;/</code>, and <code>&#92;uXXXX</code> of
 * anything but a quote, a backslash or a control character, as <code>&#92;u00e9</code>) written
 * as that character. Compare data by JSON value where its text may come from another store.
 *
 * @param sequence the write's sequence number ({@code ps_crud.id}); the queue's order
 * @param transactionId the local transaction that queued it ({@code ps_crud.tx_id}); writes of
 *     one transaction share it
 * @param operation what the write does
 * @param table the table (PowerSync's {@code type})
 * @param rowId the row id
 * @param dataJson the row data as the text of a JSON object ({@code "{}"} when there is none),
 *     written as the class comment says
 */
public record QueuedWrite(
    long sequence, long transactionId, LocalWrite.Operation operation, String table, String rowId,
    String dataJson) {

  /**
   * @param sequence the write's sequence number
   * @param transactionId the local transaction that queued it
   * @param operation what the write does
   * @param table the table
   * @param rowId the row id
   * @param dataJson the row data as the text of a JSON object
   * @throws NullPointerException if an argument is null
   */
  public QueuedWrite {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(rowId, "rowId");
    Objects.requireNonNull(dataJson, "dataJson");
  }
}
