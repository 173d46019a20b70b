package io.checkpoints.testkit.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The replay cases that ship with the simulation module, so that every store adapter and the
 * conformance tests run the same scripts.
 *
 * <p>A case is a script {@code NAME.jsonl} with its expected output in exactly one of
 * {@code NAME.reference} (recorded from the reference core) or {@code NAME.expected} (derived from
 * the specification), and, for a script that touches a deliberate deviation from the reference,
 * {@code NAME.deviation.json} (see {@link ReplayDeviation}). Two folders ship as resources under
 * {@code io/checkpoints/testkit/replay/}: {@code reference-examples} (the examples of
 * {@code replay-format.md}, copied verbatim with the reference's output) and {@code corpus} (this
 * project's cases); each has a README.
 *
 * <p>Stateless and thread-safe.
 */
public final class ReplayCorpus {

  /** The classpath folder of the cases. */
  public static final String RESOURCE_ROOT = "io/checkpoints/testkit/replay/";

  /** The client id that every shipped case assumes, as the reference recordings were made with. */
  public static final String CLIENT_ID = "test-client";

  private ReplayCorpus() {}

  /** @return the examples recorded from the reference core, by name */
  public static List<ReplayCase> referenceExamples() {
    return loadResources("reference-examples");
  }

  /** @return this project's cases, derived from the specification, by name */
  public static List<ReplayCase> specificationCases() {
    return loadResources("corpus");
  }

  /** @return every shipped case: the reference examples, then the specification cases */
  public static List<ReplayCase> all() {
    List<ReplayCase> all = new ArrayList<>(referenceExamples());
    all.addAll(specificationCases());
    return List.copyOf(all);
  }

  /**
   * Loads the cases of a folder laid out as described above.
   *
   * @param directory the folder
   * @return its cases, by name
   * @throws UncheckedIOException if the folder cannot be read
   * @throws IllegalStateException if a script has no expected output, or both kinds, or a
   *     deviation file is malformed
   */
  public static List<ReplayCase> load(Path directory) {
    List<Path> scripts;
    try (Stream<Path> files = Files.list(directory)) {
      scripts = files
          .filter(file -> file.getFileName().toString().endsWith(".jsonl"))
          .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list replay cases in " + directory, e);
    }
    List<ReplayCase> cases = new ArrayList<>();
    for (Path script : scripts) {
      cases.add(loadCase(directory, script));
    }
    return List.copyOf(cases);
  }

  private static ReplayCase loadCase(Path directory, Path script) {
    String file = script.getFileName().toString();
    String name = file.substring(0, file.length() - ".jsonl".length());
    Path reference = directory.resolve(name + ".reference");
    Path expected = directory.resolve(name + ".expected");
    Path deviation = directory.resolve(name + ".deviation.json");
    boolean recorded = Files.exists(reference);
    if (recorded == Files.exists(expected)) {
      throw new IllegalStateException("replay case " + name + " needs exactly one of "
          + name + ".reference and " + name + ".expected");
    }
    if (recorded && Files.exists(deviation)) {
      throw new IllegalStateException("replay case " + name
          + " was recorded from the reference, so it cannot deviate from it");
    }
    return new ReplayCase(
        name,
        recorded ? ReplayCase.Source.REFERENCE_RECORDING : ReplayCase.Source.SPECIFICATION,
        lines(script),
        lines(recorded ? reference : expected),
        Files.exists(deviation) ? Optional.of(deviation(name, read(deviation))) : Optional.empty());
  }

  private static ReplayDeviation deviation(String name, String json) {
    try {
      JsonNode node = ReplayJson.parse(json);
      List<Integer> events = new ArrayList<>();
      node.path("events").forEach(event -> events.add(event.intValue()));
      Map<Integer, String> referenceOutput = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> output : node.path("reference_output").properties()) {
        referenceOutput.put(Integer.parseInt(output.getKey()), ReplayJson.write(output.getValue()));
      }
      return new ReplayDeviation(
          node.path("deviation").intValue(), node.path("summary").asText(), events, referenceOutput);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalStateException("malformed " + name + ".deviation.json: " + e.getMessage(), e);
    }
  }

  private static List<String> lines(Path file) {
    return read(file).lines().toList();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static List<ReplayCase> loadResources(String folder) {
    URL url = ReplayCorpus.class.getClassLoader().getResource(RESOURCE_ROOT + folder);
    if (url == null) {
      throw new IllegalStateException("the replay cases " + RESOURCE_ROOT + folder
          + " are not on the classpath");
    }
    URI uri;
    try {
      uri = url.toURI();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("unusable resource URL " + url, e);
    }
    if (!"jar".equals(uri.getScheme())) {
      return load(Path.of(uri));
    }
    FileSystem opened = null;
    try {
      try {
        opened = FileSystems.newFileSystem(uri, Map.of());
      } catch (FileSystemAlreadyExistsException e) {
        // Another caller opened the jar; use its file system and leave it open.
      }
      return load(Path.of(uri));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + uri, e);
    } finally {
      if (opened != null) {
        try {
          opened.close();
        } catch (IOException e) {
          // Everything was read already; nothing is lost.
        }
      }
    }
  }
}
