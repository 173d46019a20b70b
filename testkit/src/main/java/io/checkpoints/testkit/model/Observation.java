package io.checkpoints.testkit.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

/**
 * What the runner compares between the domain and the model after every step: the persistent
 * state (the checkpoint keys, the queue size, the per-user sequences) and the client's observable
 * in-memory state (iteration, pending checkpoint, status). Immutable and thread-safe.
 *
 * @param target {@code target_checkpoint_request_id}
 * @param counter {@code last_requested_checkpoint_request_id}
 * @param lastSeen {@code last_seen_checkpoint_request_id}
 * @param lastApplied {@code last_applied_checkpoint_request_id}
 * @param queueSize writes in the upload queue
 * @param userSequences the per-user sequence of every user that has one, by user name
 * @param userCount how many users have a sequence
 * @param iterationActive whether a sync iteration is active
 * @param pendingLastOpId the {@code last_op_id} of the pending checkpoint, if any
 * @param connected the status's {@code connected}
 * @param connecting the status's {@code connecting}
 * @param statusApplied the status's last applied id; the outer optional is the id, absent when
 *     no full checkpoint was applied in this connection or it had no write checkpoint
 * @param waiters the state of every waiter of the run, in the order they were created
 * @param pendingWaiters how many waiters still wait
 */
public record Observation(
    Optional<Long> target,
    Optional<Long> counter,
    Optional<Long> lastSeen,
    Optional<Long> lastApplied,
    long queueSize,
    SortedMap<String, Long> userSequences,
    long userCount,
    boolean iterationActive,
    Optional<String> pendingLastOpId,
    boolean connected,
    boolean connecting,
    Optional<Long> statusApplied,
    List<String> waiters,
    long pendingWaiters) {

  /** @return every field by name, in a stable order, as failures show them */
  public Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("target", show(target));
    fields.put("last requested (counter)", show(counter));
    fields.put("last seen", show(lastSeen));
    fields.put("last applied", show(lastApplied));
    fields.put("queue size", queueSize);
    fields.put("user sequences", userSequences);
    fields.put("user sequence count", userCount);
    fields.put("iteration active", iterationActive);
    fields.put("pending checkpoint", pendingLastOpId.map(op -> "op=" + op).orElse("none"));
    fields.put("status connected", connected);
    fields.put("status connecting", connecting);
    fields.put("status last applied id", show(statusApplied));
    fields.put("waiters", waiters);
    fields.put("pending waiters", pendingWaiters);
    return fields;
  }

  /**
   * @param other the other side's observation
   * @return the first field that differs, or empty
   */
  Optional<String> firstDifference(Observation other) {
    Map<String, Object> mine = fields();
    Map<String, Object> theirs = other.fields();
    for (String field : mine.keySet()) {
      if (!Objects.equals(mine.get(field), theirs.get(field))) {
        return Optional.of(field);
      }
    }
    return Optional.empty();
  }

  /** @return a one-line summary, as traces show it */
  public String summary() {
    return "target=" + show(target) + " counter=" + show(counter) + " seen=" + show(lastSeen)
        + " applied=" + show(lastApplied) + " queue=" + queueSize + " users=" + userSequences
        + (iterationActive ? " iteration" : " no-iteration")
        + pendingLastOpId.map(op -> " pending=op" + op).orElse("")
        + " status=" + (connected ? "connected" : connecting ? "connecting" : "disconnected")
        + statusApplied.map(id -> "/applied " + show(id)).orElse("")
        + (waiters.isEmpty() ? "" : " waiters=" + waiters);
  }

  static String show(Optional<Long> value) {
    return value.map(Observation::show).orElse("absent");
  }

  static String show(long value) {
    return value == Long.MAX_VALUE ? "MAX" : value == Long.MIN_VALUE ? "MIN" : Long.toString(value);
  }
}
