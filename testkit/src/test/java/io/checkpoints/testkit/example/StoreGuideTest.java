package io.checkpoints.testkit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/writing-a-store.md shows the code that runs: the complete properties-file store, exactly as
 * it is compiled here, and the two test classes that run it through the contract suite and the
 * model-based engine.
 */
class StoreGuideTest {

  private static final Path GUIDE = DocumentedCode.DOCS.resolve("writing-a-store.md");

  @Test
  @DisplayName("the guide shows the whole store, exactly as compiled")
  void theGuideShowsTheWholeStore() {
    String store = DocumentedCode.read(DocumentedCode.EXAMPLES.resolve("PropertiesFileCheckpointStore.java"));
    List<String> blocks = DocumentedCode.javaBlocks(GUIDE);
    assertThat(blocks.stream().map(DocumentedCode::normalize))
        .as("a java block of docs/writing-a-store.md is the whole of PropertiesFileCheckpointStore.java")
        .contains(DocumentedCode.normalize(store));
  }

  @Test
  @DisplayName("every java block of the guide is compiled: the store, its contract test, its model test")
  void everyBlockIsCompiled() {
    List<String> blocks = DocumentedCode.javaBlocks(GUIDE);
    assertThat(blocks).as("java blocks of docs/writing-a-store.md").hasSize(3);
    for (String block : blocks) {
      DocumentedCode.assertCompiledIn("docs/writing-a-store.md", block,
          DocumentedCode.EXAMPLES.resolve("PropertiesFileCheckpointStore.java"),
          DocumentedCode.EXAMPLES.resolve("PropertiesFileCheckpointStoreContractTest.java"),
          DocumentedCode.EXAMPLES.resolve("PropertiesFileSyncClientModelTest.java"));
    }
  }

  @Test
  @DisplayName("the guide's sample pom pins the version of every plugin it names")
  void theSamplePomPinsItsPlugins() {
    String guide = DocumentedCode.read(GUIDE);
    String pom = guide.substring(guide.indexOf("```xml"), guide.indexOf("```", guide.indexOf("```xml") + 6));
    List<String> plugins = List.of(pom.split("<plugin>")).subList(1, pom.split("<plugin>").length);
    assertThat(plugins).as("plugins of the sample pom").isNotEmpty();
    for (String plugin : plugins) {
      assertThat(plugin).as("a plugin of the sample pom has a version").containsPattern("<version>\\d+(\\.\\d+)+</version>");
    }
  }
}
