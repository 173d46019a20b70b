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

  /**
   * After a connect: if an earlier upload's write checkpoint never happened (the batch completed
   * offline, or its request failed), the gate is armed with an empty queue, and only a write
   * checkpoint opens it. Requests it now; failures show in the status.
   */
  void resumeAfterConnect(ServiceSession current) {
    if (!current.hasEnded() && client.barrier().awaitsWriteCheckpoint()) {
      writeCheckpoint();
    }
  }

  /**
   * The write checkpoint after an upload: allocate an id and post it (legacy mode: fetch the legacy
   * write checkpoint), adopt the answer as the target if no write came in since, then retry the
   * pending checkpoint; all of it only while the connection and the epoch of the allocation last.
   */
  CompletableFuture<Void> writeCheckpoint() {
    ServiceSession current = currentSession.get();
    if (current == null) {
      return CompletableFuture.failedFuture(new CheckpointWaitException.Disconnected(
          "the batch was removed from the queue, but the client is not connected: the write"
              + " checkpoint is requested after the next upload, and the gate stays armed until then"));
    }
    if (current.mode == CheckpointMode.LEGACY) {
      record Before(long queueSequence, Epoch epoch) {}
      Before before = state.write(tx -> new Before(tx.uploadQueue().lastSequence(), state.epoch()));
      return current.track(calls.retrying(current, before.epoch(),
              () -> transport.fetchLegacyWriteCheckpoint(current.clientId), null)
          .thenAccept(writeCheckpoint -> adopt(current, before.epoch(), () -> client.barrier()
              .targetLegacyWriteCheckpoint(before.queueSequence(), asTarget(writeCheckpoint)))));
    }
    return current.track(seeding.ready(current).thenCompose(ignored -> {
      record Allocated(UploadCheckpointAllocation allocation, Epoch epoch) {}
      Allocated allocated = state.write(tx ->
          new Allocated(client.sequence().allocateForUpload(), state.epoch()));
      CheckpointRequestId id = allocated.allocation().id();
      reposts.await(current, id, allocated.epoch());
      return calls.retrying(current, allocated.epoch(),
              () -> transport.postCheckpointRequest(new CheckpointRequest(current.clientId, id)), null)
          .thenAccept(accepted -> {
            adopt(current, allocated.epoch(),
                () -> client.barrier().targetAcceptedRequest(allocated.allocation(), accepted));
            reposts.await(current, accepted, allocated.epoch());
          });
    }));
  }

  /** Adopts the write checkpoint and retries the pending checkpoint, in the epoch it was asked in. */
  private void adopt(ServiceSession current, Epoch epoch, Runnable adoptTarget) {
    current.requireActive();
    state.write(tx -> {
      state.requireEpoch(epoch, "the write checkpoint after an upload");
      adoptTarget.run();
      return null;
    });
    client.completedUpload();
  }

  private static CheckpointRequestId asTarget(WriteCheckpoint writeCheckpoint) {
    if (writeCheckpoint.value() < 1) {
      throw new CheckpointTransportException.MalformedResponse(
          "the legacy write checkpoint must be a positive id, got " + writeCheckpoint, null);
    }
    return CheckpointRequestId.of(writeCheckpoint.value());
  }
}
