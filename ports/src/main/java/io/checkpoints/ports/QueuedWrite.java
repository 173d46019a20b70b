package io.checkpoints.ports;

import java.util.Objects;

/**
 * One write in the upload queue ({@code ps_crud}), as a host reads it to upload it. Immutable and
 * thread-safe.
 *
 * @param sequence the write's sequence number ({@code ps_crud.id}); the queue's order
 * @param transactionId the local transaction that queued it ({@code ps_crud.tx_id}); writes of
 *     one transaction share it
 * @param operation what the write does
 * @param table the table (PowerSync's {@code type})
 * @param rowId the row id
 * @param dataJson the row data as the text of a JSON object ({@code "{}"} when there is none)
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
