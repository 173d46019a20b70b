package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar is built from the run-time class path, which the build writes to
 * {@code target/runtime-classpath.txt} (maven-dependency-plugin, before the tests). The command
 * ships the replay runner and the simulation, never the store author's kit or a test framework:
 * the contract suite is JUnit-bound and would drag JUnit into the jar.
 */
class RuntimeClassPathTest {

  private static final Path RUNTIME_CLASS_PATH = Path.of("target", "runtime-classpath.txt");

  @Test
  @DisplayName("the run-time class path holds the simulation but no contract-suite class and no JUnit class")
  void noContractSuiteAndNoJUnitShip() throws IOException {
    List<Path> entries = Arrays.stream(Files.readString(RUNTIME_CLASS_PATH, StandardCharsets.UTF_8)
            .strip().split(File.pathSeparator))
        .map(Path::of)
        .toList();
    List<String> classes = new ArrayList<>();
    entries.forEach(entry -> classes.addAll(classFiles(entry)));

    // The scan must see what it is meant to see, or an empty list would pass.
    assertThat(classes).as("the replay runner is on the run-time class path")
        .contains("io/checkpoints/testkit/replay/ReplayRunner.class");
    assertThat(classes).as("contract-suite classes")
        .noneMatch(name -> name.startsWith("io/checkpoints/testkit/contract/"));
    assertThat(classes).as("JUnit classes")
        .noneMatch(name -> name.startsWith("org/junit/") || name.startsWith("org/opentest4j/"));
  }

  private static List<String> classFiles(Path entry) {
    try {
      if (Files.isDirectory(entry)) {
        try (Stream<Path> files = Files.walk(entry)) {
          return files.filter(file -> file.toString().endsWith(".class"))
              .map(file -> entry.relativize(file).toString().replace(File.separatorChar, '/'))
              .toList();
        }
      }
      try (ZipFile jar = new ZipFile(entry.toFile())) {
        return jar.stream().map(ZipEntry::getName)
            .filter(name -> name.endsWith(".class"))
            .toList();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + entry, e);
    }
  }
}
