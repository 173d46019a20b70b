package io.checkpoints.ports;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Port: the server side of the data a PowerSync service syncs, next to {@link CheckpointService}.
 * A backend takes the batches of operations an app's connector uploads and applies them to its
 * rows; the service replicates those rows into one bucket per user, an oplog of {@code PUT} and
 * {@code REMOVE} entries with op ids and checksums, and streams the bucket with its checkpoints.
 * The in-memory simulated backend implements it; the HTTP server serves it when given one.
 *
 * <p>Row values are the JSON scalars of the wire format as JDK values: {@link String}, {@link
 * Long}, {@link Double}, {@link Boolean}, or null, so that this port needs no JSON library.
 *
 * <p>Implementations must be thread-safe.
 */
public interface SyncDataService {

  /**
   * Applies one uploaded batch for a user, atomically: every operation is checked before any row
   * changes, so a batch with one bad operation changes nothing.
   *
   * @param userId the authenticated user; not empty
   * @param operations the batch, in order; may be empty
   * @throws CheckpointRequestRejectedException if an operation is invalid (the HTTP server answers
   *     400 with its error code)
   * @throws CheckpointArgumentException if {@code userId} is null or empty
   */
  void applyUpload(String userId, List<Operation> operations);

  /**
   * The user's bucket as replicated now.
   *
   * @param userId the authenticated user; not empty
   * @param afterOpId the last op id the client has (0 for none): entries after it are returned
   * @return the bucket's checksum and count over all its entries, and the entries after
   *     {@code afterOpId}
   * @throws CheckpointArgumentException if {@code userId} is null or empty, or {@code afterOpId}
   *     is negative
   */
  BucketData bucketData(String userId, long afterOpId);

  /**
   * @param userId the authenticated user; not empty
   * @return the name of the user's bucket, as clients list it when they reconnect
   * @throws CheckpointArgumentException if {@code userId} is null or empty
   */
  String bucketName(String userId);

  /** What an uploaded operation does to a row. */
  enum OperationKind {
    /** Creates or replaces the row with the given columns. */
    PUT,
    /** Changes the given columns of an existing row; does nothing when the row is absent. */
    PATCH,
    /** Removes the row. */
    DELETE
  }

  /**
   * One uploaded operation. Immutable.
   *
   * @param kind what it does
   * @param table the row's table (the oplog's {@code object_type}); not blank
   * @param id the row's id; not blank
   * @param data the columns for {@code PUT} and {@code PATCH} (not {@code id}); empty for
   *     {@code DELETE}
   */
  record Operation(OperationKind kind, String table, String id, Map<String, Object> data) {
    /**
     * @param kind what it does
     * @param table the row's table; not blank
     * @param id the row's id; not blank
     * @param data the columns; empty for {@code DELETE}
     * @throws CheckpointArgumentException if {@code table} or {@code id} is blank, or {@code data}
     *     has a key {@code id} or a value that is not a JSON scalar
     * @throws NullPointerException if an argument is null
     */
    public Operation {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(data, "data");
      if (table.isBlank() || id.isBlank()) {
        throw new CheckpointArgumentException("an operation needs a non-blank table and id");
      }
      for (Map.Entry<String, Object> column : data.entrySet()) {
        Object value = column.getValue();
        if ("id".equals(column.getKey())) {
          throw new CheckpointArgumentException("the column id is the row's id, not data");
        }
        if (value != null && !(value instanceof String) && !(value instanceof Long)
            && !(value instanceof Double) && !(value instanceof Boolean)) {
          throw new CheckpointArgumentException("column " + column.getKey()
              + " must be a string, an integer, a number, a boolean or null");
        }
      }
      data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }
  }

  /**
   * One oplog entry of a bucket. Immutable.
   *
   * @param opId the entry's op id, increasing within the bucket
   * @param op {@code "PUT"} or {@code "REMOVE"}
   * @param objectType the row's table
   * @param objectId the row's id
   * @param data the row's columns for {@code PUT}, empty for {@code REMOVE}
   * @param checksum the entry's checksum; a bucket's checksum is the wrapping 32-bit sum of its
   *     entries' checksums
   */
  record OplogEntry(long opId, String op, String objectType, String objectId,
      Map<String, Object> data, int checksum) {
    /**
     * @param opId the entry's op id
     * @param op {@code "PUT"} or {@code "REMOVE"}
     * @param objectType the row's table
     * @param objectId the row's id
     * @param data the row's columns, empty for {@code REMOVE}
     * @param checksum the entry's checksum
     * @throws NullPointerException if an argument is null
     */
    public OplogEntry {
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(objectType, "objectType");
      Objects.requireNonNull(objectId, "objectId");
      Objects.requireNonNull(data, "data");
      data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }
  }

  /**
   * A bucket as replicated at one moment. Immutable.
   *
   * @param bucket the bucket's name
   * @param lastOpId the greatest op id in the bucket, 0 when empty
   * @param checksum the wrapping 32-bit sum of all its entries' checksums
   * @param count how many entries it has
   * @param entriesAfter the entries after the op id that was asked for, in op id order
   */
  record BucketData(String bucket, long lastOpId, int checksum, long count,
      List<OplogEntry> entriesAfter) {
    /**
     * @param bucket the bucket's name
     * @param lastOpId the greatest op id in the bucket, 0 when empty
     * @param checksum the wrapping 32-bit sum of all its entries' checksums
     * @param count how many entries it has
     * @param entriesAfter the entries after the op id that was asked for
     * @throws NullPointerException if an argument is null
     */
    public BucketData {
      Objects.requireNonNull(bucket, "bucket");
      entriesAfter = List.copyOf(entriesAfter);
    }
  }
}
