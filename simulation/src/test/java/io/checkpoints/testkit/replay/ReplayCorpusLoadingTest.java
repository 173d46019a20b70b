package io.checkpoints.testkit.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCorpusLoadingTest {

  @TempDir
  Path folder;

  private void write(String name, String text) throws IOException {
    Files.writeString(folder.resolve(name), text);
  }

  @Test
  void loadsCasesByNameWithTheirSourceAndDeviation() throws IOException {
    write("b.jsonl", "{\"next\": null}\n");
    write("b.expected", "{\"error\": {\"kind\": \"state\", \"message\": \"m\"}}\n");
    write("b.deviation.json", "{\"deviation\": 6, \"summary\": \"s\", \"events\": [1],"
        + " \"reference_output\": {\"1\": {\"ok\": 2}}}");
    write("a.jsonl", "{\"current\": null}\n");
    write("a.reference", "{\"ok\": null}\n");
    write("notes.md", "ignored");
    List<ReplayCase> cases = ReplayCorpus.load(folder);
    assertThat(cases).extracting(ReplayCase::name).containsExactly("a", "b");
    assertThat(cases.get(0).source()).isEqualTo(ReplayCase.Source.REFERENCE_RECORDING);
    assertThat(cases.get(0).deviation()).isEmpty();
    assertThat(cases.get(1).source()).isEqualTo(ReplayCase.Source.SPECIFICATION);
    assertThat(cases.get(1).deviation()).contains(
        new ReplayDeviation(6, "s", List.of(1), Map.of(1, "{\"ok\": 2}")));
    assertThat(cases.get(1).script()).containsExactly("{\"next\": null}");
  }

  @Test
  void aScriptNeedsExactlyOneExpectedOutput() throws IOException {
    write("a.jsonl", "{\"current\": null}\n");
    assertThatThrownBy(() -> ReplayCorpus.load(folder))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("exactly one of");
    write("a.reference", "{\"ok\": null}\n");
    write("a.expected", "{\"ok\": null}\n");
    assertThatThrownBy(() -> ReplayCorpus.load(folder))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("exactly one of");
  }

  @Test
  void aRecordingCannotDeviate() throws IOException {
    write("a.jsonl", "{\"current\": null}\n");
    write("a.reference", "{\"ok\": null}\n");
    write("a.deviation.json", "{\"deviation\": 1, \"summary\": \"s\", \"events\": [1]}");
    assertThatThrownBy(() -> ReplayCorpus.load(folder))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot deviate");
  }

  @Test
  void malformedDeviationFilesAreRejected() throws IOException {
    write("a.jsonl", "{\"current\": null}\n");
    write("a.expected", "{\"ok\": null}\n");
    for (String bad : List.of("not json", "{\"deviation\": 9, \"summary\": \"s\", \"events\": [1]}",
        "{\"deviation\": 1, \"summary\": \"s\", \"events\": []}",
        "{\"deviation\": 1, \"summary\": \"s\", \"events\": [1], \"reference_output\": {\"2\": 1}}")) {
      write("a.deviation.json", bad);
      assertThatThrownBy(() -> ReplayCorpus.load(folder))
          .as(bad).isInstanceOf(IllegalStateException.class).hasMessageContaining("a.deviation.json");
    }
  }

  @Test
  void aMissingFolderIsAnIoError() {
    assertThatThrownBy(() -> ReplayCorpus.load(folder.resolve("missing")))
        .isInstanceOf(UncheckedIOException.class);
  }
}
