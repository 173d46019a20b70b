package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.Scheduler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The service-side state of the {@link SimulatedCheckpointService}: one record per key with its
 * stored id, replication position, expiry and acknowledged id, and the replication stream's head
 * and replicated positions (the rules are in the service's class documentation). Not thread-safe:
 * the service guards it with its lock. A linked map keeps every iteration in insertion order, so
 * that a seeded simulation sees the same order on every run.
 */
final class CheckpointRecords {

  /** The answer to a request, and the replication position it stored its id at (0: none). */
  record Stored(CheckpointRequestId answer, long position) {}

  private final Scheduler scheduler;
  private final long retentionNanos;
  private final Map<ServiceKey, Record> records = new LinkedHashMap<>();
  private long headPosition;
  private long replicatedPosition;

  CheckpointRecords(Scheduler scheduler, long retentionNanos) {
    this.scheduler = scheduler;
    this.retentionNanos = retentionNanos;
  }

  /** A greater id is stored, an equal one refreshes the expiry, a lower one is ignored. */
  Stored accept(ServiceKey key, CheckpointRequestId id) {
    Record record = records.get(key);
    if (record == null || id.compareTo(record.id) > 0) {
      return new Stored(id, store(key, record, id));
    }
    if (id.equals(record.id)) {
      record.expiresAtNanos = expiryFromNow();
      return new Stored(id, 0);
    }
    return new Stored(record.id, 0);
  }

  /** The legacy write checkpoint: stores and answers the stored id plus one (1 when absent). */
  Stored legacy(ServiceKey key) {
    Record record = records.get(key);
    if (record != null && record.id.isMax()) {
      throw new CheckpointTransportException.ServerError(500,
          "the stored id of " + key + " is already " + Long.MAX_VALUE
              + ": there is no next write checkpoint");
    }
    CheckpointRequestId next = CheckpointRequestId.of(record == null ? 1 : record.id.value() + 1);
    return new Stored(next, store(key, record, next));
  }

  /** @return the next position of the replication stream, for a write to the source database */
  long nextPosition() {
    return ++headPosition;
  }

  /** Replication reaches {@code position}: @return the keys it acknowledged a new id for */
  List<ServiceKey> replicateUpTo(long position) {
    replicatedPosition = Math.max(replicatedPosition, position);
    List<ServiceKey> acknowledgedNow = new ArrayList<>();
    for (Map.Entry<ServiceKey, Record> entry : records.entrySet()) {
      Record record = entry.getValue();
      if (record.position <= replicatedPosition && !record.id.equals(record.acknowledged)) {
        record.acknowledged = record.id;
        acknowledgedNow.add(entry.getKey());
      }
    }
    return acknowledgedNow;
  }

  long replicatedPosition() {
    return replicatedPosition;
  }

  Optional<CheckpointRequestId> acknowledged(ServiceKey key) {
    Record record = records.get(key);
    return Optional.ofNullable(record == null ? null : record.acknowledged);
  }

  Optional<CheckpointRequestId> stored(ServiceKey key) {
    Record record = records.get(key);
    return Optional.ofNullable(record == null ? null : record.id);
  }

  /** Removes the records whose retention has run out. @return how many */
  int compact() {
    long now = scheduler.nanoTime();
    int before = records.size();
    records.values().removeIf(record -> record.expiresAtNanos - now <= 0);
    return before - records.size();
  }

  boolean forget(ServiceKey key) {
    return records.remove(key) != null;
  }

  int size() {
    return records.size();
  }

  private long store(ServiceKey key, Record existing, CheckpointRequestId id) {
    Record record = existing;
    if (record == null) {
      record = new Record();
      records.put(key, record);
    }
    record.id = id;
    record.position = nextPosition();
    record.expiresAtNanos = expiryFromNow();
    return record.position;
  }

  private long expiryFromNow() {
    long now = scheduler.nanoTime();
    long expiry = now + retentionNanos;
    // A retention so long that it overflows never expires within the life of the process.
    return expiry < now ? Long.MAX_VALUE : expiry;
  }

  /** One key's record. */
  private static final class Record {
    CheckpointRequestId id;
    long position;
    long expiresAtNanos;
    CheckpointRequestId acknowledged;
  }
}
