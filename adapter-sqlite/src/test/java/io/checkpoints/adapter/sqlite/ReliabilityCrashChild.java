package io.checkpoints.adapter.sqlite;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.LocalWrite;
import java.nio.file.Path;

/**
 * The child process of {@link SqliteCrashReliabilityTest}, killed with SIGKILL at a random moment.
 * {@code mixed FILE}: alternates an allocation and a local write, printing {@code id N} / {@code
 * write N} once each transaction committed. {@code migrate FILE}: migrates the file to 14 and back
 * to 13 in a loop, printing {@code version N} after each committed migration.
 */
final class ReliabilityCrashChild {

  private ReliabilityCrashChild() {}

  public static void main(String[] args) {
    Path file = Path.of(args[1]);
    if (args[0].equals("migrate")) {
      int target = 14;
      while (true) {
        SqliteMigrations.migrate(file, target);
        System.out.println("version " + target);
        System.out.flush();
        target = target == 14 ? 13 : 14;
      }
    }
    SqliteCheckpointStore store = SqliteCheckpointStore.open(file);
    SyncClient client = SyncClient.create(store);
    CheckpointRequestId initial = client.start(CheckpointMode.REQUESTS).orElseThrow().id();
    client.sequence().seed(initial);
    System.out.println("seeded " + initial.value());
    System.out.flush();
    long row = 0;
    while (true) {
      long id = client.sequence().next().value();
      System.out.println("id " + id);
      System.out.flush();
      long sequence = client.barrier().recordLocalWrite(LocalWrite.put("items", "row-" + row++, "{\"n\":1}"));
      System.out.println("write " + sequence);
      System.out.flush();
    }
  }
}
