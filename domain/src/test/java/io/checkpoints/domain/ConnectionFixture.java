package io.checkpoints.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;

/** A connection over a {@link ScriptedTransport} on the client of a {@link Fixture}. */
final class ConnectionFixture {
  final Fixture f = new Fixture();
  final ScriptedTransport transport = new ScriptedTransport();
  final SyncConnection connection = SyncConnection.builder(f.client, transport).build();

  /** Requests a checkpoint and lets the service accept it as at least {@code atLeast}. */
  CheckpointHandle requestAndAccept(long atLeast) {
    CompletableFuture<CheckpointHandle> handle = connection.requestCheckpoint();
    transport.accept(atLeast);
    assertThat(handle).isDone();
    return handle.join();
  }
}
