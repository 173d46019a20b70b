package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.SyncDataService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A simulated app backend with its source database, next to a {@link SimulatedCheckpointService}:
 * the app's connector uploads batches of operations, the backend applies them to its rows at once
 * (the source database), and the service's replication carries them into one bucket per user
 * after the service's replication lag, on the same timeline as the write checkpoints: a write
 * checkpoint requested after an upload is acknowledged only in a checkpoint whose bucket holds that
 * upload.
 *
 * <h2>Buckets</h2>
 *
 * A user's bucket, {@code user:<userId>}, holds an oplog: a {@code PUT} with the whole row for
 * every operation that leaves a row, a {@code REMOVE} for a deleted one. Op ids are one sequence
 * across users. An entry's checksum is the first four bytes (big-endian) of the SHA-256 of its op
 * id, bucket, op, table, id and columns; a bucket's checksum is the wrapping 32-bit sum of all its
 * entries' checksums, and nothing is ever compacted, which is what clients check when they add up
 * the entries they received (a superseded or removed entry still counts).
 *
 * <p>Thread-safe: one lock guards the rows, the pending batches and the oplogs; a second one
 * serializes uploads, so that batches replicate in the order they were applied. The service's
 * observer takes only the first, never calling the service.
 */
public final class SimulatedBackend implements SyncDataService {

  private final Object state = new Object();
  private final Object uploads = new Object();
  private SimulatedCheckpointService service;

  // Guarded by state.
  private final Map<String, Map<RowKey, Map<String, Object>>> rows = new HashMap<>();
  private final Deque<Batch> pending = new ArrayDeque<>();
  private final Map<String, List<OplogEntry>> oplogs = new HashMap<>();
  private long replicatedPosition;
  private long lastOpId;

  private SimulatedBackend() {}

  /**
   * Builds the service with this backend attached: the backend becomes the builder's {@link
   * SimulatedCheckpointServiceBuilder#checkpointObserver checkpoint observer}.
   *
   * @param serviceBuilder the service's settings (scheduler, replication lag, retention)
   * @return the backend; {@link #service()} is the service it feeds
   * @throws NullPointerException if {@code serviceBuilder} is null
   */
  public static SimulatedBackend create(SimulatedCheckpointServiceBuilder serviceBuilder) {
    SimulatedBackend backend = new SimulatedBackend();
    backend.service = serviceBuilder.checkpointObserver(backend::replicatedTo).build();
    return backend;
  }

  /** @return the checkpoint service whose replication carries this backend's rows */
  public SimulatedCheckpointService service() {
    return service;
  }

  @Override
  public String bucketName(String userId) {
    return "user:" + ServiceKey.checkUserId(userId);
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@code PUT} replaces the row, {@code PATCH} changes the given columns of an existing row
   * (nothing when it is absent), {@code DELETE} removes it. The rows change at once; the bucket
   * after the replication lag. An empty batch changes nothing.
   */
  @Override
  public void applyUpload(String userId, List<Operation> operations) {
    String user = ServiceKey.checkUserId(userId);
    List<Operation> batchOperations = List.copyOf(operations);
    synchronized (uploads) {
      Batch batch;
      synchronized (state) {
        Map<RowKey, Map<String, Object>> userRows =
            rows.computeIfAbsent(user, key -> new LinkedHashMap<>());
        // One oplog entry per operation that changed a row, with the row as that operation left
        // it (a batch may put a row and then delete it).
        List<Change> changes = new ArrayList<>();
        for (Operation operation : batchOperations) {
          if (apply(userRows, operation)) {
            RowKey key = new RowKey(operation.table(), operation.id());
            Map<String, Object> row = userRows.get(key);
            changes.add(new Change(key, row == null ? null : new TreeMap<>(row)));
          }
        }
        if (changes.isEmpty()) {
          return;
        }
        batch = new Batch(user, changes);
        pending.addLast(batch);
      }
      // The service calls back into replicatedTo (state only) from here when there is no lag.
      long position = service.recordSourceWrite();
      boolean replicatedLate;
      synchronized (state) {
        batch.position = position;
        replicatedLate = replicateReadyBatches();
      }
      if (replicatedLate) {
        // The checkpoint of this write went out before its position was known: announce the data.
        service.publishCheckpoint();
      }
    }
  }

  @Override
  public BucketData bucketData(String userId, long afterOpId) {
    String user = ServiceKey.checkUserId(userId);
    if (afterOpId < 0) {
      throw new CheckpointArgumentException("afterOpId must be 0 or more, got " + afterOpId);
    }
    synchronized (state) {
      List<OplogEntry> oplog = oplogs.getOrDefault(user, List.of());
      int checksum = 0;
      List<OplogEntry> after = new ArrayList<>();
      for (OplogEntry entry : oplog) {
        checksum += entry.checksum();
        if (entry.opId() > afterOpId) {
          after.add(entry);
        }
      }
      long last = oplog.isEmpty() ? 0 : oplog.get(oplog.size() - 1).opId();
      return new BucketData(bucketName(user), last, checksum, oplog.size(), after);
    }
  }

  /**
   * The source database's row, which changes as soon as an upload is applied.
   *
   * @param userId the user
   * @param table the table
   * @param id the row's id
   * @return the row's columns, or empty when there is no such row
   */
  public Optional<Map<String, Object>> row(String userId, String table, String id) {
    synchronized (state) {
      Map<String, Object> row = rows.getOrDefault(userId, Map.of()).get(new RowKey(table, id));
      return Optional.ofNullable(row == null ? null : Collections.unmodifiableMap(
          new LinkedHashMap<>(row)));
    }
  }

  /**
   * @param userId the user
   * @return how many rows the source database holds for the user
   */
  public int rowCount(String userId) {
    synchronized (state) {
      return rows.getOrDefault(userId, Map.of()).size();
    }
  }

  /** The service's observer: replication has reached {@code position}. Lock of the service held. */
  private void replicatedTo(long opIdOfCheckpoint, long position) {
    synchronized (state) {
      replicatedPosition = Math.max(replicatedPosition, position);
      replicateReadyBatches();
    }
  }

  /** Moves the replicated prefix of the pending batches into the oplogs. State lock held. */
  private boolean replicateReadyBatches() {
    boolean moved = false;
    while (!pending.isEmpty() && pending.peekFirst().position > 0
        && pending.peekFirst().position <= replicatedPosition) {
      Batch batch = pending.removeFirst();
      List<OplogEntry> oplog = oplogs.computeIfAbsent(batch.userId, key -> new ArrayList<>());
      for (Change change : batch.changes) {
        oplog.add(entry(++lastOpId, bucketName(batch.userId), change));
      }
      moved = true;
    }
    return moved;
  }

  private static boolean apply(Map<RowKey, Map<String, Object>> userRows, Operation operation) {
    RowKey key = new RowKey(operation.table(), operation.id());
    switch (operation.kind()) {
      case PUT:
        userRows.put(key, new LinkedHashMap<>(operation.data()));
        return true;
      case PATCH:
        Map<String, Object> row = userRows.get(key);
        if (row == null) {
          return false;
        }
        row.putAll(operation.data());
        return true;
      case DELETE:
        return userRows.remove(key) != null;
      default:
        throw new IllegalStateException("unknown operation " + operation.kind());
    }
  }

  private static OplogEntry entry(long opId, String bucket, Change change) {
    String op = change.row == null ? "REMOVE" : "PUT";
    Map<String, Object> data = change.row == null ? Map.of() : change.row;
    String canonical = opId + "\n" + bucket + "\n" + op + "\n" + change.key.table + "\n"
        + change.key.id + "\n" + data;
    return new OplogEntry(opId, op, change.key.table, change.key.id, data, checksum(canonical));
  }

  static int checksum(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8));
      return ((digest[0] & 0xff) << 24) | ((digest[1] & 0xff) << 16) | ((digest[2] & 0xff) << 8)
          | (digest[3] & 0xff);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private record RowKey(String table, String id) {
    RowKey {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(id, "id");
    }
  }

  /** A row as a batch left it: its columns, or null when the batch removed it. */
  private record Change(RowKey key, Map<String, Object> row) {}

  /** One applied upload waiting for replication. Guarded by the state lock. */
  private static final class Batch {
    final String userId;
    final List<Change> changes;
    long position;

    Batch(String userId, List<Change> changes) {
      this.userId = userId;
      this.changes = changes;
    }
  }
}
