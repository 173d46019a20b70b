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
   * Host {@code host} uploads its queued writes to the backend; with {@code crash} the host dies
   * after the backend took them and before it marked them uploaded.
   */
  record Upload(int host, boolean crash) implements SimAction {}

  /** Host {@code host} requests a checkpoint and keeps the handle. */
  record Request(int host) implements SimAction {}

  /** Host {@code host} goes offline. */
  record Disconnect(int host) implements SimAction {}

  /** Host {@code host} connects (again) as its current user. */
  record Connect(int host) implements SimAction {}

  /** Host {@code host} clears its database (a hard clear; the iteration, if any, stays). */
  record Clear(int host) implements SimAction {}

  /** The token of host {@code host} expires and another user signs in: disconnect, clear, connect. */
  record SwitchUser(int host) implements SimAction {}

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
