package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.testkit.replay.ReplayCase;
import io.checkpoints.testkit.replay.ReplayCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every replay script of the repository (the testkit corpus, and the conformance module's longer
 * sessions, read from the source tree) prints the same through {@code checkpoints replay} with
 * {@code --store sqlite} and {@code --store h2} (each on a fresh file) as with
 * {@code --store memory}, and exits 0 on all three.
 */
class ReplayCorpusCliTest {

  @TempDir Path folder;

  /** The conformance module's scripts; Maven runs this module's tests from {@code cli/}. */
  private static final Path CONFORMANCE_SCRIPTS = Path.of("..", "conformance", "src", "test", "resources", "replay");

  static Stream<ReplayCase> corpus() {
    return Stream.concat(ReplayCorpus.all().stream(), ReplayCorpus.load(CONFORMANCE_SCRIPTS).stream());
  }

  @Test
  @DisplayName("the scripts are all there: reference examples, specification cases, conformance sessions")
  void corpusIsThere() {
    assertThat(ReplayCorpus.referenceExamples()).isNotEmpty();
    assertThat(ReplayCorpus.specificationCases()).isNotEmpty();
    assertThat(Files.isDirectory(CONFORMANCE_SCRIPTS)).as("%s", CONFORMANCE_SCRIPTS.toAbsolutePath()).isTrue();
    assertThat(ReplayCorpus.load(CONFORMANCE_SCRIPTS)).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("--store sqlite and --store h2 print what --store memory prints")
  void sameOutputOnEveryStore(ReplayCase replay) throws IOException {
    Path script = folder.resolve(replay.name() + ".jsonl");
    Files.write(script, replay.script());

    List<String> memory = replay(script, "--store", "memory");
    assertThat(memory).hasSize((int) replay.script().stream().filter(line -> !line.isBlank()).count());
    assertThat(replay(script, "--store", "sqlite", "--db", folder.resolve("replay.db").toString()))
        .isEqualTo(memory);
    assertThat(replay(script, "--store", "h2", "--db", folder.resolve("replay-h2.db").toString()))
        .isEqualTo(memory);
  }

  private static List<String> replay(Path script, String... storeOptions) {
    CliHarness cli = new CliHarness();
    String[] args = Stream.concat(Stream.of("replay"),
        Stream.concat(Stream.of(storeOptions), Stream.of(script.toString()))).toArray(String[]::new);
    assertThat(cli.execute(args)).as("exit status of %s; stderr: %s", String.join(" ", args), cli.errText())
        .isZero();
    assertThat(cli.errText()).isEmpty();
    return cli.outLines();
  }
}
