package io.checkpoints.ports;

import java.util.concurrent.CompletableFuture;

/**
 * Port: how the client reaches the service for checkpoint requests. The HTTP adapter implements
 * the PowerSync service's endpoints; a host with its own backend for checkpoint requests (as
 * PowerSync's "custom checkpoint requests" allow) implements this interface itself.
 *
 * <p>Failures complete the future exceptionally with a {@link CheckpointTransportException}, or a
 * {@link CheckpointRequestRejectedException} for a refused request. Implementations must be
 * thread-safe and must not block the calling thread.
 */
public interface CheckpointRequestTransport {

  /**
   * {@code POST /sync/checkpoint-request} with {@code {client_id, checkpoint_request_id}}.
   *
   * @param request what to post
   * @return the id the service accepted: {@code max(posted, stored)}
   */
  CompletableFuture<CheckpointRequestId> postCheckpointRequest(CheckpointRequest request);

  /**
   * The legacy write checkpoint, {@code GET /write-checkpoint2.json?client_id=...}.
   *
   * @param clientId the client
   * @return the service's new write checkpoint
   */
  CompletableFuture<WriteCheckpoint> fetchLegacyWriteCheckpoint(ClientId clientId);
}
