package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The repost loop of a connection: while a request is unacknowledged, the newest requested id is
 * posted again every retry delay, restarting when a newer id is allocated; so is the gate's
 * concrete target while it is above last seen (the service may have lost the record that
 * acknowledged it). Thread-safe.
 */
final class Reposts {

  private final ClientState state;
  private final WriteCheckpointBarrier barrier;
  private final CheckpointRequestTransport transport;
  private final ServiceCalls calls;
  private final Duration retryDelay;

  // Guarded by this.
  private CheckpointRequestId awaitedId;
  /** Whose counter {@link #awaitedId} came from. */
  private Epoch awaitedEpoch;

  Reposts(ClientState state, WriteCheckpointBarrier barrier, CheckpointRequestTransport transport,
      ServiceCalls calls, Duration retryDelay) {
    this.state = state;
    this.barrier = barrier;
    this.transport = transport;
    this.calls = calls;
    this.retryDelay = retryDelay;
  }

  synchronized Optional<CheckpointRequestId> awaitedId() {
    return Optional.ofNullable(awaitedId);
  }

  /** Keeps posting {@code id} of {@code epoch} on {@code session} until it is acknowledged. */
  void await(ServiceSession session, CheckpointRequestId id, Epoch epoch) {
    if (!state.locked(() -> state.epoch().equals(epoch))) {
      return; // an id of an ended epoch is never posted again: the new counter may reuse it
    }
    synchronized (this) {
      // A clear or another user starts a counter whose next ids may equal the awaited one; posting
      // that again would let the service keep an old replication position for an id the gate
      // will wait on. So an awaited id of another epoch is replaced, whatever its value.
      if (awaitedId != null && awaitedEpoch.equals(epoch) && awaitedId.compareTo(id) >= 0) {
        return;
      }
      awaitedId = id;
      awaitedEpoch = epoch;
    }
    restart(session);
  }

  /** An applied checkpoint acknowledges the awaited id. */
  synchronized void applied(WriteCheckpoint writeCheckpoint) {
    if (awaitedId != null && writeCheckpoint.acknowledges(awaitedId)) {
      awaitedId = null;
    }
  }

  /** (Re)starts the session's repost timer. */
  void restart(ServiceSession session) {
    session.repostAfter(retryDelay, state.scheduler, () -> repost(session));
  }

  private void repost(ServiceSession session) {
    if (session.hasEnded() || !session.isSupported()) {
      return;
    }
    restart(session);
    if (!session.isSeeded()) {
      return;
    }
    Epoch epoch = state.locked(state::epoch);
    Optional<CheckpointRequestId> gateTarget = barrier.unacknowledgedTarget();
    Optional<CheckpointRequestId> awaited;
    synchronized (this) {
      if (awaitedId != null && !awaitedEpoch.equals(epoch)) {
        awaitedId = null;
      }
      awaited = Optional.ofNullable(awaitedId);
    }
    Optional<CheckpointRequestId> id = Stream.of(awaited, gateTarget)
        .flatMap(Optional::stream)
        .max(CheckpointRequestId::compareTo);
    if (id.isEmpty()) {
      return;
    }
    CheckpointRequest request = new CheckpointRequest(session.clientId, id.get());
    ServiceCalls.call(() -> transport.postCheckpointRequest(request)).whenComplete((accepted, error) -> {
      if (session.hasEnded()) {
        return; // an answer of an ended connection changes nothing
      }
      Throwable cause = error == null ? null : ServiceCalls.unwrap(error);
      if (cause == null) {
        calls.reportRecovered();
      } else if (cause instanceof CheckpointTransportException.NotSupported notSupported) {
        calls.notSupported(session, notSupported);
      } else if (cause instanceof CheckpointException failure) {
        calls.reportFailure(failure);
      }
    });
  }
}
