package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Upload batches of a connection and the write checkpoint that follows each one (behaviour.md
 * section 6): remove the uploaded writes, allocate an id and post it (legacy mode: fetch the
 * legacy write checkpoint), adopt the answer as the target if no write came in since, then retry
 * the pending checkpoint. Thread-safe.
 */
final class Uploads {

  private final SyncClient client;
  private final ClientState state;
  private final CheckpointRequestTransport transport;
  private final ServiceCalls calls;
  private final Seeding seeding;
  private final Reposts reposts;
  private final Supplier<ServiceSession> currentSession;

  Uploads(SyncClient client, CheckpointRequestTransport transport, ServiceCalls calls, Seeding seeding,
      Reposts reposts, Supplier<ServiceSession> currentSession) {
    this.client = client;
    this.state = client.state();
    this.transport = transport;
    this.calls = calls;
    this.seeding = seeding;
    this.reposts = reposts;
    this.currentSession = currentSession;
  }

  /** A batch of what {@code read} reads from the queue, tied to the epoch it was read in. */
  Optional<UploadBatch> batch(Supplier<List<QueuedWrite>> read) {
    record Read(List<QueuedWrite> writes, Epoch epoch) {}
    Read queued = state.write(tx -> new Read(read.get(), state.epoch()));
    if (queued.writes().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new UploadBatch(queued.writes(), writes -> {
      client.barrier().removeUploaded(writes, queued.epoch());
      return writeCheckpoint();
    }));
  }

  private CompletableFuture<Void> writeCheckpoint() {
    ServiceSession current = currentSession.get();
    if (current == null) {
      return CompletableFuture.failedFuture(new CheckpointWaitException.Disconnected(
          "the batch was removed from the queue, but the client is not connected: the write"
              + " checkpoint is requested after the next upload, and the gate stays armed until then"));
    }
    if (current.mode == CheckpointMode.LEGACY) {
      long queueSequence = client.barrier().uploadQueueSequence();
      return current.track(calls.retrying(current,
              () -> transport.fetchLegacyWriteCheckpoint(current.clientId), null)
          .thenAccept(writeCheckpoint -> {
            current.requireActive();
            client.barrier().targetLegacyWriteCheckpoint(queueSequence, asTarget(writeCheckpoint));
            client.completedUpload();
          }));
    }
    return current.track(seeding.ready(current).thenCompose(ignored -> {
      UploadCheckpointAllocation allocation = client.sequence().allocateForUpload();
      Epoch epoch = state.locked(state::epoch);
      reposts.await(current, allocation.id(), epoch);
      return calls.retrying(current,
              () -> transport.postCheckpointRequest(new CheckpointRequest(current.clientId, allocation.id())),
              null)
          .thenAccept(accepted -> {
            current.requireActive();
            client.barrier().targetAcceptedRequest(allocation, accepted);
            reposts.await(current, accepted, epoch);
            client.completedUpload();
          });
    }));
  }

  private static CheckpointRequestId asTarget(WriteCheckpoint writeCheckpoint) {
    if (writeCheckpoint.value() < 1) {
      throw new CheckpointTransportException.MalformedResponse(
          "the legacy write checkpoint must be a positive id, got " + writeCheckpoint, null);
    }
    return CheckpointRequestId.of(writeCheckpoint.value());
  }
}
