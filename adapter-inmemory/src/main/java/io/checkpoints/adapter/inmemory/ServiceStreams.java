package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The open streams of a {@link SimulatedCheckpointService} and the checkpoints it queues on them,
 * each with a new, service-wide increasing {@code last_op_id} told to the observer. Not
 * thread-safe: the service guards it with its lock, and drains the returned subscriptions after
 * releasing it. A list keeps the streams in the order they opened, so that a seeded simulation sees
 * the same sequence of sink calls on every run.
 */
final class ServiceStreams {

  private final List<ServiceSubscription> subscriptions = new ArrayList<>();
  private final CheckpointRecords records;
  private final CheckpointObserver observer;
  private long lastOpId;

  ServiceStreams(CheckpointRecords records, CheckpointObserver observer) {
    this.records = records;
    this.observer = observer;
  }

  /** Opens a stream and queues the current checkpoint on it. */
  ServiceSubscription open(ServiceKey key, Consumer<SyncLine> sink,
      Consumer<ServiceSubscription> onClose) {
    ServiceSubscription subscription = new ServiceSubscription(key, sink, onClose);
    subscriptions.add(subscription);
    subscription.enqueue(checkpointLines(nextOpId(), records.acknowledged(key)));
    return subscription;
  }

  /** Queues one new checkpoint on every stream and adds them to {@code touched}. */
  long announceToAll(List<ServiceSubscription> touched) {
    long opId = nextOpId();
    for (ServiceSubscription subscription : subscriptions) {
      subscription.enqueue(checkpointLines(opId, records.acknowledged(subscription.key)));
      if (!touched.contains(subscription)) {
        touched.add(subscription);
      }
    }
    return opId;
  }

  /** Queues a checkpoint on the streams of each key that has a newly acknowledged id. */
  List<ServiceSubscription> announceAcknowledged(List<ServiceKey> keys) {
    List<ServiceSubscription> touched = new ArrayList<>();
    for (ServiceKey key : keys) {
      long opId = 0;
      for (ServiceSubscription subscription : subscriptions) {
        if (subscription.key.equals(key)) {
          if (opId == 0) {
            opId = nextOpId();
          }
          subscription.enqueue(checkpointLines(opId, records.acknowledged(key)));
          touched.add(subscription);
        }
      }
    }
    return touched;
  }

  /** Ends the streams {@code which} selects with a final {@code token_expires_in} of 0. */
  List<ServiceSubscription> endWhere(Predicate<ServiceSubscription> which) {
    List<ServiceSubscription> ended = new ArrayList<>();
    for (ServiceSubscription subscription : subscriptions) {
      if (which.test(subscription)) {
        // Removed from the list first, so the final line is also the last one.
        subscription.enqueue(List.of(new SyncLine.TokenExpiresIn(0)));
        ended.add(subscription);
      }
    }
    subscriptions.removeAll(ended);
    return ended;
  }

  void remove(ServiceSubscription subscription) {
    subscriptions.remove(subscription);
  }

  int count() {
    return subscriptions.size();
  }

  long lastOpId() {
    return lastOpId;
  }

  /** The next checkpoint's {@code last_op_id}, reported to the observer. */
  private long nextOpId() {
    long opId = ++lastOpId;
    observer.onCheckpoint(opId, records.replicatedPosition());
    return opId;
  }

  private static List<SyncLine> checkpointLines(
      long opId, Optional<CheckpointRequestId> acknowledged) {
    String lastOpId = Long.toString(opId);
    return List.of(
        new SyncLine.Checkpoint(lastOpId, acknowledged.map(id -> WriteCheckpoint.of(id.value()))),
        new SyncLine.CheckpointComplete(lastOpId));
  }
}
