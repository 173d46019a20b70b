package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

  @TempDir
  Path folder;

  private final CliHarness cli = new CliHarness();

  @Test
  void tellsTheStoryInOrderAndExitsZero() {
    Path db = folder.resolve("demo.db");
    assertThat(cli.execute("demo", "--db", db.toString())).isZero();
    assertThat(cli.errText()).isEmpty();
    assertThat(cli.outLines()).allMatch(line -> line.matches("\\[t\\+\\d+\\.\\d{3}s] .+"));
    assertThat(String.join("\n", cli.outLines())).containsSubsequence(
        "the gate is armed, target = MAX",
        "upload batch read: 1 write (todos/1 PUT)",
        "upload completed: the write left the queue; checkpoint request id 2 allocated and posted;"
            + " the service accepted it: target = 2",
        "handle for id 3",
        "held (target 2 not yet seen)",
        "[t+2.000s] replication lag passed: the service acknowledges ids up to 3",
        "the held checkpoint is applied (write_checkpoint 3)",
        "waitForSync() resolved with write_checkpoint 3",
        "cleared (hard): the counter is absent, the per-user sequence for demo-user is 3",
        "continues the per-user sequence at 3, not 1",
        "next checkpoint request id: 4",
        "the reference would have restarted at 1",
        "done");
    assertThat(db).as("--db keeps the file").exists();
  }

  @Test
  void withoutDbTheTemporaryFileIsDeleted() throws Exception {
    long before;
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      before = files.filter(p -> p.getFileName().toString().startsWith("checkpoints-demo-")).count();
    }
    assertThat(cli.execute("demo")).isZero();
    String first = cli.outLines().get(0);
    Path used = Path.of(first.substring(first.indexOf("database ") + 9, first.indexOf(", client id")));
    assertThat(used).doesNotExist();
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("checkpoints-demo-")).count())
          .isLessThanOrEqualTo(before);
    }
  }

  @Test
  void help() {
    assertThat(cli.execute("demo", "--help")).isZero();
    assertThat(cli.out.toString()).contains("Usage: checkpoints demo").contains("--db=FILE")
        .contains("Exit status:");
  }
}
