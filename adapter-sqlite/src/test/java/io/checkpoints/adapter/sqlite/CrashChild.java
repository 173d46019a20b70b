package io.checkpoints.adapter.sqlite;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import java.nio.file.Path;

/**
 * The child process of {@link SqliteCrashTest}: allocates ids in a loop until it is killed, and
 * prints each id once its transaction committed.
 */
final class CrashChild {

  private CrashChild() {}

  public static void main(String[] args) {
    SqliteCheckpointStore store = SqliteCheckpointStore.open(Path.of(args[0]));
    SyncClient client = SyncClient.create(store);
    // Seeds with the initial request, as a client whose service echoes it would.
    CheckpointRequestId initial = client.start(CheckpointMode.REQUESTS).orElseThrow().id();
    client.sequence().seed(initial);
    System.out.println("seeded " + initial.value());
    System.out.flush();
    while (true) {
      long id = client.sequence().next().value();
      System.out.println("committed " + id);
      System.out.flush();
    }
  }
}
