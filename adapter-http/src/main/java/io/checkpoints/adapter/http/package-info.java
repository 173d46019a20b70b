/**
 * The wire formats of the PowerSync service over HTTP: the sync-line decoder and encoder, the
 * checkpoint-request transport ({@link io.checkpoints.adapter.http.HttpCheckpointTransport}), a
 * minimal sync-stream reader ({@link io.checkpoints.adapter.http.SyncStreamReader}) and a loopback
 * server that serves any {@link io.checkpoints.ports.CheckpointService}
 * ({@link io.checkpoints.adapter.http.CheckpointHttpServer}).
 *
 * <p>Depends on {@code io.checkpoints.ports}, the JDK's {@code java.net.http} and
 * {@code com.sun.net.httpserver}, and Jackson; never on the domain or another adapter.
 *
 * <h2>Custom checkpoint requests</h2>
 *
 * A host whose own backend handles checkpoint requests (what PowerSync calls "custom checkpoint
 * requests") does not use {@code HttpCheckpointTransport}: it implements
 * {@link io.checkpoints.ports.CheckpointRequestTransport} itself. Its
 * {@code postCheckpointRequest} must answer {@code max(posted, stored)} for the (user, client)
 * and its backend must make that id reach the client's sync stream as {@code write_checkpoint}
 * once the writes before it are replicated; failures must complete the future with the same
 * exception types ({@code NotSupported} stops the client asking, {@code Unauthorized},
 * {@code Overloaded}, {@code ServerError} and {@code Unreachable} are retried,
 * {@link io.checkpoints.ports.CheckpointRequestRejectedException} is not). It must not block the
 * calling thread.
 */
package io.checkpoints.adapter.http;
