package io.checkpoints.ports;

import java.util.function.Consumer;

/**
 * Port: the server side of checkpoint requests, as the PowerSync service implements it. The
 * in-memory simulated service implements it; the HTTP adapter serves any implementation over
 * loopback HTTP with the real wire format. Implementations must be thread-safe.
 *
 * <p>Failures are thrown as {@link CheckpointTransportException}s (the HTTP server maps
 * {@code NotSupported} to 404, {@code Unauthorized} to 401, {@code Overloaded} to 429,
 * {@code ServerError} to its status) or {@link CheckpointRequestRejectedException} (400).
 */
public interface CheckpointService {

  /**
   * Accepts a checkpoint request: a greater id replaces the stored one and its replication
   * position, an equal one refreshes its expiry, a lower one is ignored.
   *
   * @param userId the authenticated user
   * @param request the client and its id
   * @return {@code max(posted, stored)}
   */
  CheckpointRequestId acceptCheckpointRequest(String userId, CheckpointRequest request);

  /**
   * The legacy write checkpoint: the stored id plus one (1 when none), which it also stores.
   *
   * @param userId the authenticated user
   * @param clientId the client
   * @return the new write checkpoint
   */
  WriteCheckpoint legacyWriteCheckpoint(String userId, ClientId clientId);

  /**
   * Streams the checkpoint lines for one connected client until the returned handle is closed.
   *
   * @param userId the authenticated user
   * @param clientId the client
   * @param sink receives each line, in order, on the service's thread
   * @return a handle that ends the stream
   */
  StreamSubscription openStream(String userId, ClientId clientId, Consumer<SyncLine> sink);

  /** An open checkpoint stream; {@link #close()} ends it. */
  @FunctionalInterface
  interface StreamSubscription extends AutoCloseable {
    /** Ends the stream; closing twice does nothing. */
    @Override
    void close();
  }
}
