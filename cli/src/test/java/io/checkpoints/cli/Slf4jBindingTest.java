package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The command binds SLF4J (which Jdbi logs through) to the no-operation provider of slf4j-nop: its
 * standard error carries only its own messages, never SLF4J's "no providers" warning.
 */
class Slf4jBindingTest {

  @TempDir
  Path directory;

  @Test
  void exactlyTheNoOperationProviderIsOnTheClassPath() {
    // None would make SLF4J warn and fall back; two would make it warn and pick one.
    assertThat(ServiceLoader.load(SLF4JServiceProvider.class).stream()
            .map(provider -> provider.type().getName()))
        .containsExactly("org.slf4j.nop.NOPServiceProvider");
  }

  @Test
  void aRunThatOpensAnSqliteStorePrintsNothingOnStandardError() throws Exception {
    Path script = Files.writeString(directory.resolve("script.jsonl"), "{\"state\": null}\n");
    Path database = directory.resolve("state.db");
    Process process = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            CheckpointsCommand.class.getName(),
            "replay", "--store", "sqlite", "--db", database.toString(), script.toString()))
        .start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the command ends").isTrue();

    assertThat(new String(err, StandardCharsets.UTF_8)).as("standard error").isEmpty();
    assertThat(process.exitValue()).isZero();
    assertThat(new String(out, StandardCharsets.UTF_8)).startsWith("{\"ok\": {\"target\": null");
    assertThat(database).isNotEmptyFile();
  }
}
