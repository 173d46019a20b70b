package io.checkpoints.testkit.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * JSON reading and writing for replay scripts and their output. Public for {@link #write}, so that
 * other output (the command line's {@code sql} lines) is spaced exactly as replay output is.
 * Stateless and thread-safe.
 */
public final class ReplayJson {

  /** Script lines nest a sync line one level deeper than the line itself; this is ample. */
  static final int MAX_SCRIPT_NESTING_DEPTH = 1_000;

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final ObjectReader READER;
  private static final ObjectWriter WRITER;

  static {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_SCRIPT_NESTING_DEPTH)
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    ObjectMapper mapper = new ObjectMapper(factory);
    READER = mapper.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    WRITER = mapper.writer(new SpacedPrinter());
  }

  private ReplayJson() {}

  /**
   * @param text one line of JSON
   * @return its value
   * @throws JsonProcessingException if it is not exactly one JSON value
   */
  static JsonNode parse(String text) throws JsonProcessingException {
    JsonNode node = READER.readTree(text);
    if (node == null || node.isMissingNode()) {
      throw new com.fasterxml.jackson.core.JsonParseException(null, "no JSON value");
    }
    return node;
  }

  /**
   * @param value a JSON value
   * @return {@code value} on one line, spaced as the reference outputs in the examples are:
   *     {@code {"ok": {"a": 1, "b": [2, 3]}}}
   */
  public static String write(JsonNode value) {
    try {
      return WRITER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  static ObjectNode object() {
    return NODES.objectNode();
  }

  /**
   * One line, with a space after each colon and comma: {@code {"ok": {"a": 1, "b": [2, 3]}}}.
   */
  private static final class SpacedPrinter extends MinimalPrettyPrinter {
    private static final long serialVersionUID = 1L;

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }
  }
}
