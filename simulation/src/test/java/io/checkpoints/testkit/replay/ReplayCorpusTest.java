package io.checkpoints.testkit.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.ClientId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Runs every shipped replay case on the in-memory store and checks the corpus itself. */
class ReplayCorpusTest {

  private static final Pattern DEVIATION_NAME = Pattern.compile("deviation-(\\d)-.*");

  @TestFactory
  Stream<DynamicTest> referenceExamplesPrintWhatTheReferencePrinted() {
    return ReplayCorpus.referenceExamples().stream()
        .map(replayCase -> DynamicTest.dynamicTest(replayCase.name(), () -> assertRuns(replayCase)));
  }

  @TestFactory
  Stream<DynamicTest> specificationCasesPrintTheExpectedOutput() {
    return ReplayCorpus.specificationCases().stream()
        .map(replayCase -> DynamicTest.dynamicTest(replayCase.name(), () -> assertRuns(replayCase)));
  }

  private static void assertRuns(ReplayCase replayCase) {
    InMemoryCheckpointStore store =
        InMemoryCheckpointStore.create(ClientId.of(ReplayCorpus.CLIENT_ID));
    List<String> output = new ArrayList<>();
    ReplayResult result = ReplayRunner.create()
        .run(store, SyncClient.create(store), replayCase.script(), output::add);
    assertThat(result.wellFormed()).as("script errors: %s", result.scriptErrors()).isTrue();
    assertThat(ReplayComparison.differences(replayCase.expected(), output))
        .as("output of %s:%n%s", replayCase.name(), String.join("\n", output))
        .isEmpty();
  }

  @Test
  void theCorpusHasTheSevenReferenceExamplesAndAtLeastTwentyFiveOwnCases() {
    assertThat(ReplayCorpus.referenceExamples())
        .hasSize(7)
        .allMatch(c -> c.source() == ReplayCase.Source.REFERENCE_RECORDING)
        .allMatch(c -> c.deviation().isEmpty());
    assertThat(ReplayCorpus.specificationCases())
        .hasSizeGreaterThanOrEqualTo(25)
        .allMatch(c -> c.source() == ReplayCase.Source.SPECIFICATION);
    assertThat(ReplayCorpus.all())
        .hasSize(ReplayCorpus.referenceExamples().size() + ReplayCorpus.specificationCases().size());
  }

  @Test
  void everyCaseExpectsOneLinePerEventAndOnlyValidOutputLines() {
    for (ReplayCase replayCase : ReplayCorpus.all()) {
      assertThat(replayCase.expected()).as(replayCase.name()).hasSameSizeAs(replayCase.script());
      for (String line : replayCase.expected()) {
        assertThat(ReplayComparison.sameOutput(line, line)).as("%s: %s", replayCase.name(), line)
            .isTrue();
        assertThat(line).as(replayCase.name()).matches("\\{\"(ok|error)\": .*\\}");
      }
    }
  }

  @Test
  void exactlyTheDeviationCasesHaveADeviationFileWithTheirNumber() {
    for (ReplayCase replayCase : ReplayCorpus.specificationCases()) {
      Matcher name = DEVIATION_NAME.matcher(replayCase.name());
      if (name.matches()) {
        assertThat(replayCase.deviation()).as(replayCase.name()).isPresent();
        assertThat(replayCase.deviation().get().number())
            .isEqualTo(Integer.parseInt(name.group(1)));
      } else {
        assertThat(replayCase.deviation()).as(replayCase.name()).isEmpty();
      }
    }
  }

  @Test
  void theReferenceOutputOfADeviationDiffersFromOursAtThatEvent() {
    List<ReplayCase> deviations = ReplayCorpus.specificationCases().stream()
        .filter(c -> c.deviation().isPresent())
        .toList();
    assertThat(deviations).extracting(c -> c.deviation().get().number())
        .contains(1, 2, 3, 6);
    for (ReplayCase replayCase : deviations) {
      ReplayDeviation deviation = replayCase.deviation().get();
      assertThat(deviation.events()).allMatch(e -> e >= 1 && e <= replayCase.script().size());
      assertThat(deviation.referenceOutput().keySet())
          .as("%s: the reference's output of every differing event", replayCase.name())
          .containsExactlyInAnyOrderElementsOf(deviation.events());
      deviation.referenceOutput().forEach((event, reference) ->
          assertThat(ReplayComparison.sameOutput(replayCase.expected().get(event - 1), reference))
              .as("%s event %d", replayCase.name(), event)
              .isFalse());
    }
  }

  /** The copies must stay the reference's facts: compare them when the spec folder is beside us. */
  @Test
  void theCopiedReferenceExamplesMatchTheSpecificationFolder() throws IOException {
    Path shared = Path.of("../../shared/spec/replay-examples");
    if (!Files.isDirectory(shared)) {
      shared = Path.of("../shared/spec/replay-examples"); // when run from the repository root
    }
    assumeThat(Files.isDirectory(shared)).as("spec folder beside the repository").isTrue();
    List<ReplayCase> original = ReplayCorpus.load(shared);
    List<ReplayCase> copied = ReplayCorpus.referenceExamples();
    assertThat(copied).hasSameSizeAs(original);
    for (int i = 0; i < original.size(); i++) {
      assertThat(copied.get(i)).isEqualTo(original.get(i));
    }
  }
}
