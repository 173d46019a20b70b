package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointArgumentException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The faults a {@link SimulatedCheckpointService} has queued, per kind of call: each call takes the
 * next one. Not thread-safe: the service guards it with its lock.
 */
final class FaultPlan {

  private final Map<ServiceCall, Deque<PlannedFault>> faults = new EnumMap<>(ServiceCall.class);

  FaultPlan() {
    for (ServiceCall call : ServiceCall.values()) {
      faults.put(call, new ArrayDeque<>());
    }
  }

  /** Queues {@code fault} for the next {@code times} calls of {@code call}; checked by the caller. */
  void add(ServiceCall call, int times, ServiceFault fault) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(fault, "fault");
    if (times < 1) {
      throw new CheckpointArgumentException("a fault must apply to at least 1 call, got " + times);
    }
    if (call == ServiceCall.OPEN_STREAM && !(fault instanceof ServiceFault.Failure)) {
      throw new CheckpointArgumentException(
          "stream opens can only fail with a status, got " + fault);
    }
    faults.get(call).addLast(new PlannedFault(fault, times));
  }

  /** @return the fault the next call of this kind takes, or null when none is queued */
  ServiceFault next(ServiceCall kind) {
    Deque<PlannedFault> queue = faults.get(kind);
    PlannedFault planned = queue.peekFirst();
    if (planned == null) {
      return null;
    }
    if (--planned.remaining == 0) {
      queue.removeFirst();
    }
    return planned.fault;
  }

  /** @return how many calls of this kind the queued faults still apply to, saturating */
  int pending(ServiceCall call) {
    long total = 0;
    for (PlannedFault planned : faults.get(Objects.requireNonNull(call, "call"))) {
      total += planned.remaining;
    }
    return (int) Math.min(total, Integer.MAX_VALUE);
  }

  void clear() {
    faults.values().forEach(Deque::clear);
  }

  /** A fault and how many more calls it applies to. */
  private static final class PlannedFault {
    final ServiceFault fault;
    int remaining;

    PlannedFault(ServiceFault fault, int remaining) {
      this.fault = fault;
      this.remaining = remaining;
    }
  }
}
