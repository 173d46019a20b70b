package io.checkpoints.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotTest {

  @TempDir Path directory;

  @Test
  void anUntouchedFileGivesAnEqualSnapshot() throws IOException {
    Path file = Files.write(directory.resolve("a.db"), new byte[] {1, 2, 3});
    FileSnapshot before = FileSnapshot.of(file, "-wal");
    assertThat(FileSnapshot.of(file, "-wal")).isEqualTo(before).hasSameHashCodeAs(before);
  }

  @Test
  void oneChangedByteMakesThemDiffer() throws IOException {
    Path file = Files.write(directory.resolve("a.db"), new byte[] {1, 2, 3});
    FileSnapshot before = FileSnapshot.of(file, "-wal");
    Files.write(file, new byte[] {1, 2, 4});
    assertThat(FileSnapshot.of(file, "-wal")).isNotEqualTo(before);
    assertThat(before).hasToString("3 bytes, starting 010203, -wal absent");
  }

  @Test
  void aSideFileThatAppearsMakesThemDiffer() throws IOException {
    Path file = Files.write(directory.resolve("a.db"), new byte[] {1});
    FileSnapshot before = FileSnapshot.of(file, "-wal", "-shm");
    Files.write(directory.resolve("a.db-shm"), new byte[0]);
    FileSnapshot after = FileSnapshot.of(file, "-wal", "-shm");
    assertThat(after).isNotEqualTo(before)
        .hasToString("1 bytes, starting 01, -shm exists, -wal absent");
    assertThat(before.sideFiles()).containsOnly(entry("-wal", false), entry("-shm", false));
    assertThat(after.sideFiles()).containsOnly(entry("-wal", false), entry("-shm", true));
  }

  @Test
  void aMissingFileIsAnIoErrorNotAnEmptySnapshot() {
    assertThatThrownBy(() -> FileSnapshot.of(directory.resolve("missing.db")))
        .isInstanceOf(NoSuchFileException.class);
  }
}
