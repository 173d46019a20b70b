package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointService.StreamSubscription;
import io.checkpoints.ports.SyncLine;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * An open stream of the {@link SimulatedCheckpointService}. Lines are queued under the service's
 * lock (so their order follows the state's order) and delivered outside it by whichever thread
 * drains first. Thread-safe: its own monitor guards the outbox and is never held while calling
 * the sink.
 */
final class ServiceSubscription implements StreamSubscription {

  private static final System.Logger LOG =
      System.getLogger(SimulatedCheckpointService.class.getName());

  final ServiceKey key;
  private final Consumer<SyncLine> sink;
  private final Consumer<ServiceSubscription> onClose;
  // Guarded by this.
  private final Deque<SyncLine> outbox = new ArrayDeque<>();
  private boolean draining;
  private boolean closed;

  /**
   * @param onClose removes the subscription from the service; called once per close, without
   *     this subscription's monitor
   */
  ServiceSubscription(ServiceKey key, Consumer<SyncLine> sink,
      Consumer<ServiceSubscription> onClose) {
    this.key = key;
    this.sink = sink;
    this.onClose = onClose;
  }

  synchronized void enqueue(List<SyncLine> lines) {
    if (!closed) {
      outbox.addAll(lines);
    }
  }

  void drain() {
    synchronized (this) {
      if (draining) {
        // Another thread (or an outer call on this one) is delivering; it will see our lines.
        return;
      }
      draining = true;
    }
    while (true) {
      SyncLine next;
      synchronized (this) {
        next = closed ? null : outbox.poll();
        if (next == null) {
          draining = false;
          return;
        }
      }
      try {
        sink.accept(next);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING,
            "closing the stream of " + key + ": its sink failed", e);
        close();
      }
    }
  }

  static void drainAll(List<ServiceSubscription> subscriptions) {
    for (ServiceSubscription subscription : subscriptions) {
      subscription.drain();
    }
  }

  @Override
  public void close() {
    onClose.accept(this);
    synchronized (this) {
      closed = true;
      outbox.clear();
    }
  }
}
