package io.checkpoints.testkit.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.ClientId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example of docs/replay-format.md prints what the document says, through the Java call the
 * document shows (which stands here between "docs:" markers), so the page cannot rot.
 */
class ReplayFormatDocTest {

  private static final Path DOCUMENT = Path.of("..", "docs", "replay-format.md");

  @TempDir
  Path directory;

  @Test
  void theExampleScriptPrintsTheDocumentedOutput() throws Exception {
    List<String> blocks = blocks(Files.readString(DOCUMENT), "jsonl");
    assertThat(blocks).as("the example script and its output").hasSize(2);
    Path script = Files.writeString(directory.resolve("example.jsonl"), blocks.get(0));
    InMemoryCheckpointStore store = InMemoryCheckpointStore.create(ClientId.of("test-client"));

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream console = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    ReplayResult result;
    try {
      // docs:runner
      result = ReplayRunner.create()
          .run(store, Files.newBufferedReader(script), System.out::println);
      // docs:end
    } finally {
      System.setOut(console);
    }

    assertThat(result.wellFormed()).isTrue();
    assertThat(result.events()).isEqualTo(9);
    List<String> output = printed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(ReplayComparison.differences(blocks.get(1).lines().toList(), output))
        .as("printed:%n%s", String.join("\n", output)).isEmpty();
  }

  @Test
  void theDocumentShowsTheJavaCallOfThisTest() throws Exception {
    String source = Files.readString(Path.of("src", "test", "java", "io", "checkpoints", "testkit",
        "replay", "ReplayFormatDocTest.java"));
    Matcher marked = Pattern.compile("// docs:runner\\n(.*?)// docs:end", Pattern.DOTALL)
        .matcher(source);
    assertThat(marked.find()).isTrue();
    List<String> javaBlocks = blocks(Files.readString(DOCUMENT), "java");
    assertThat(javaBlocks).hasSize(1);
    assertThat(normalized(javaBlocks.get(0)))
        .isEqualTo("ReplayResult " + normalized(marked.group(1)));
  }

  private static List<String> blocks(String document, String language) {
    Matcher blocks = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL)
        .matcher(document);
    List<String> found = new ArrayList<>();
    while (blocks.find()) {
      found.add(blocks.group(1));
    }
    return found;
  }

  private static String normalized(String code) {
    return code.replaceAll("\\s+", " ").strip();
  }
}
