package io.checkpoints.testkit.simulation;

import io.checkpoints.adapter.inmemory.ServiceCall;

/**
 * One step of a simulation. The action list is the whole input of a run: executing the same list
 * gives the same run, which is what lets a failure shrink to a short list. All implementations are
 * immutable records.
 */
public sealed interface SimAction {

  /** Host {@code host} writes the next workload value to {@code key}, locally. */
  record Write(int host, String key) implements SimAction {}

  /**
   * Host {@code host} reads an upload batch ({@code nextUploadBatch(limit)}, or with limit 0
   * {@code nextUploadTransaction()}), uploads it to the backend and completes it, connected or
   * not; with {@code crash} the host dies after the backend took the writes and before it
   * completed the batch.
   */
  record Upload(int host, boolean crash, int limit) implements SimAction {
    /**
     * An upload of up to 100 writes.
     *
     * @param host the host
     * @param crash whether the host dies before it completes the batch
     */
    public Upload(int host, boolean crash) {
      this(host, crash, 100);
    }
  }

  /** Host {@code host} drops its connection and connects again as the same user. */
  record Reconnect(int host) implements SimAction {}

  /**
   * Host {@code host} drops its connection and connects without telling the client its user (from
   * a known user to none; a later {@link Connect} goes back to the known user).
   */
  record ConnectWithoutUser(int host) implements SimAction {}

  /** Host {@code host} asks for a soft clear: refused while connected, done while offline. */
  record SoftClear(int host) implements SimAction {}

  /** Host {@code host} waits on its status for the counter's current id. */
  record AwaitApplied(int host) implements SimAction {}

  /**
   * The answers to host {@code host}'s next {@code count} checkpoint-request posts are held back
   * until {@link ReleaseAnswers}: the service handles the posts at once and the answers arrive
   * late, or, with {@code notSupported}, the posts reach a service without checkpoint requests,
   * which changes nothing and answers HTTP 404, late.
   */
  record HoldAnswers(int host, int count, boolean notSupported) implements SimAction {}

  /** Host {@code host} receives every answer held back. */
  record ReleaseAnswers(int host) implements SimAction {}

  /** Host {@code host} requests a checkpoint and keeps the handle. */
  record Request(int host) implements SimAction {}

  /** Host {@code host} goes offline. */
  record Disconnect(int host) implements SimAction {}

  /** Host {@code host} connects (again) as its current user. */
  record Connect(int host) implements SimAction {}

  /** Host {@code host} clears its database (a hard clear; the iteration, if any, stays). */
  record Clear(int host) implements SimAction {}

  /**
   * The token of host {@code host} expires and another user signs in: disconnect, clear (unless
   * {@code clear} is false), connect as the other user.
   */
  record SwitchUser(int host, boolean clear) implements SimAction {
    /**
     * A switch with a clear, as apps do it.
     *
     * @param host the host
     */
    public SwitchUser(int host) {
      this(host, true);
    }
  }

  /** Virtual time passes. */
  record Advance(long millis) implements SimAction {}

  /** The service fails or delays the next {@code times} calls of one kind. */
  record Fault(ServiceCall call, int status, long delayMillis, boolean drop, int times) implements SimAction {}

  /** The service loses the record of host {@code host}'s current user and client. */
  record LoseRecord(int host) implements SimAction {}

  /** An hour passes and the service compacts: every record expires. */
  record ExpireRecords() implements SimAction {}

  /** The service's replication lag changes. */
  record SetLag(long millis) implements SimAction {}
}
