package io.checkpoints.testkit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that documentation shows code that is compiled and run here: every {@code ```java} block
 * of a guide, and every {@code <pre>{@code ...}</pre>} example of a javadoc comment, must stand in
 * a source of this test tree. Indentation and the comment's leading {@code *} may differ; every
 * other character must match. Stateless; thread-safe.
 */
final class DocumentedCode {

  /** The test sources of this package, relative to the module directory. */
  static final Path EXAMPLES = Path.of("src", "test", "java", "io", "checkpoints", "testkit", "example");
  /** The main sources of the testkit. */
  static final Path MAIN = Path.of("src", "main", "java", "io", "checkpoints", "testkit");
  /** The guides. */
  static final Path DOCS = Path.of("..", "docs");

  private DocumentedCode() {}

  /**
   * @param document a markdown file
   * @return its {@code ```java} blocks, in order
   */
  static List<String> javaBlocks(Path document) {
    return matches(read(document), Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL));
  }

  /**
   * @param source a Java source file
   * @return the code of its javadoc examples, without the comment's leading {@code *}
   */
  static List<String> javadocExamples(Path source) {
    List<String> examples = new ArrayList<>();
    for (String example : matches(read(source), Pattern.compile("<pre>\\{@code\\n(.*?)\\n\\s*\\* }</pre>", Pattern.DOTALL))) {
      examples.add(example.replaceAll("(?m)^\\s*\\* ?", ""));
    }
    return examples;
  }

  /**
   * Asserts that {@code snippet} stands in one of {@code sources}, line for line.
   *
   * @param what where the snippet comes from, for the failure
   * @param snippet the code a document shows
   * @param sources the sources that compile it
   */
  static void assertCompiledIn(String what, String snippet, Path... sources) {
    StringBuilder all = new StringBuilder();
    for (Path source : sources) {
      all.append(normalize(read(source)));
    }
    assertThat(all.toString()).as("%s shows code that is compiled in %s:%n%s", what, List.of(sources), snippet)
        .contains(normalize(snippet));
  }

  /**
   * Indentation differs between a document and a class, and an example may leave out the blank
   * lines of a class; compare the contents of the other lines.
   */
  static String normalize(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        out.append(line.strip()).append('\n');
      }
    }
    return out.toString();
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> matches(String text, Pattern pattern) {
    List<String> found = new ArrayList<>();
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }
}
