package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointStateException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Waiting for a connection's seed before ids are allocated: the seed of the connect, or a new one
 * when a hard clear undid it, at most the seed timeout. Thread-safe.
 */
final class Seeding {

  private final SyncClient client;
  private final CheckpointRequestTransport transport;
  private final ServiceCalls calls;
  private final Duration seedTimeout;

  Seeding(SyncClient client, CheckpointRequestTransport transport, ServiceCalls calls, Duration seedTimeout) {
    this.client = client;
    this.transport = transport;
    this.calls = calls;
    this.seedTimeout = seedTimeout;
  }

  /**
   * @return a future completed once ids can be allocated on {@code current}; failed with a
   *     {@link CheckpointStateException} after the seed timeout, naming the last failure
   */
  CompletableFuture<CheckpointRequestId> ready(ServiceSession current) {
    try {
      return calls.withTimeout(seed(current), seedTimeout, this::timedOut);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(current.hasEnded() ? ServiceSession.disconnected() : e);
    }
  }

  /**
   * The connection's seed, or a new one when a hard clear undid it: the counter is then posted
   * again, computed from the state as at the start, and seeded with the service's answer.
   */
  private CompletableFuture<CheckpointRequestId> seed(ServiceSession current) {
    CompletableFuture<CheckpointRequestId> seed = current.seeded();
    if (!current.isSeeded() || client.sequence().isSeeded()) {
      return seed;
    }
    CheckpointRequest request = client.sequence().seedRequest();
    client.sequence().notePosted(request);
    CompletableFuture<CheckpointRequestId> reseeded = new CompletableFuture<>();
    current.seededWith(reseeded);
    // A seed is a floor for the counter: an answer from before a clear only keeps ids higher.
    calls.retrying(current, null, () -> transport.postCheckpointRequest(request), reseeded)
        .thenApply(accepted -> {
          current.requireActive();
          return client.sequence().seed(accepted);
        })
        .whenComplete((accepted, error) -> ServiceCalls.complete(reseeded, accepted, error));
    return reseeded;
  }

  private RuntimeException timedOut() {
    String lastFailure = client.status().snapshot().lastFailure()
        .map(failure -> "; the last failure was " + failure)
        .orElse("");
    return new CheckpointStateException(CheckpointStateException.Reason.NOT_SEEDED,
        "the service did not answer the initial checkpoint request within " + seedTimeout
            + lastFailure + "; ids are allocated only after the connection's seed");
  }
}
