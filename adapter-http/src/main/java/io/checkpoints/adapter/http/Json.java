package io.checkpoints.adapter.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.DecimalText;
import io.checkpoints.ports.WriteCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * The JSON of the service's request and response bodies: a strict, bounded parser and the rules
 * for ids on the wire, shared by the transport, the stream reader and the server. Stateless and
 * thread-safe.
 */
final class Json {

  /** {@code 2^53-1}: the largest id a JSON number may carry (larger ids must be strings). */
  static final long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;

  private static final BigDecimal MAX_SAFE = BigDecimal.valueOf(MAX_SAFE_INTEGER);

  private static final JsonFactory FACTORY = JsonFactory.builder()
      // Bodies are small objects; the limits make hostile input fail fast instead of exhausting
      // the stack. Body sizes are bounded before parsing by the callers.
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(32)
          .maxNumberLength(64)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  private static final ObjectReader READER = MAPPER.readerFor(JsonNode.class)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // Exact decimals, so that 9007199254740991.5 is not rounded into an acceptable integer.
      .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private Json() {}

  /**
   * @param body UTF-8 JSON text
   * @return the parsed value; a missing node for an empty body
   * @throws JsonProcessingException if the text is not one JSON value
   */
  static JsonNode parse(byte[] body) throws JsonProcessingException {
    try {
      JsonNode node = READER.readTree(body);
      return node == null ? MAPPER.missingNode() : node;
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      // Reading from a byte array fails only with a JsonProcessingException; keep the compiler happy.
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain JSON nodes always serialises", e);
    }
  }

  /**
   * The service's error body: {@code {"error": {"code": ..., "status": ..., "description": ...}}}.
   */
  static byte[] errorBody(String code, int status, String description) {
    ObjectNode root = object();
    ObjectNode error = root.putObject("error");
    error.put("code", code);
    error.put("status", status);
    error.put("description", description);
    return bytes(root);
  }

  /**
   * A checkpoint request id on the wire: a decimal string in {@code 1..MAX} (the text forms of
   * {@link DecimalText}), or a JSON number whose value is an integer in {@code 1..2^53-1} (as the
   * service's JavaScript reads numbers, {@code 42.0} is 42).
   *
   * @param node the value, or null when the field is missing
   * @param field the field's name, for messages
   * @return the id
   * @throws CheckpointArgumentException saying what is wrong with the value
   */
  static CheckpointRequestId requestId(JsonNode node, String field) {
    if (node == null || node.isMissingNode()) {
      throw new CheckpointArgumentException(field + " is missing; expected a decimal string");
    }
    if (node.isTextual()) {
      long value;
      try {
        value = DecimalText.parseSigned64(node.textValue());
      } catch (CheckpointArgumentException e) {
        throw new CheckpointArgumentException(field + " must be a decimal integer string in 1.."
            + Long.MAX_VALUE + ", got " + describe(node));
      }
      if (value < 1) {
        throw new CheckpointArgumentException(
            field + " must be between 1 and " + Long.MAX_VALUE + ", got " + describe(node));
      }
      return CheckpointRequestId.of(value);
    }
    if (node.isNumber()) {
      long value = safeInteger(node, field);
      if (value < 1) {
        throw new CheckpointArgumentException(
            field + " must be between 1 and " + Long.MAX_VALUE + ", got " + describe(node));
      }
      return CheckpointRequestId.of(value);
    }
    throw new CheckpointArgumentException(
        field + " must be a decimal string, got " + describe(node));
  }

  /**
   * A legacy {@code write_checkpoint}: a decimal signed 64-bit string, or a JSON number whose
   * value is an integer of magnitude up to {@code 2^53-1}.
   */
  static WriteCheckpoint writeCheckpoint(JsonNode node, String field) {
    if (node == null || node.isMissingNode()) {
      throw new CheckpointArgumentException(field + " is missing; expected a decimal string");
    }
    if (node.isTextual()) {
      try {
        return WriteCheckpoint.parse(node.textValue());
      } catch (CheckpointArgumentException e) {
        throw new CheckpointArgumentException(
            field + " must be a decimal signed 64-bit integer string, got " + describe(node));
      }
    }
    if (node.isNumber()) {
      return WriteCheckpoint.of(safeInteger(node, field));
    }
    throw new CheckpointArgumentException(
        field + " must be a decimal string, got " + describe(node));
  }

  private static long safeInteger(JsonNode node, String field) {
    BigDecimal value = node.decimalValue();
    boolean integral = value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
    if (!integral || value.abs().compareTo(MAX_SAFE) > 0) {
      throw new CheckpointArgumentException(field + " as a JSON number must be an integer of at"
          + " most 2^53-1 (" + MAX_SAFE_INTEGER + "); larger values must be decimal strings, got "
          + describe(node));
    }
    return value.longValueExact();
  }

  /** A short description of a value for messages; never the whole of a big value. */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "string \"" + abbreviate(node.textValue()) + "\"";
    }
    if (node.isNumber()) {
      return "number " + abbreviate(node.asText());
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isBoolean()) {
      return "boolean " + node.booleanValue();
    }
    return node.isArray() ? "an array" : node.isObject() ? "an object" : node.getNodeType().name();
  }

  /** A short, printable excerpt of a body for messages. */
  static String excerpt(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return abbreviate(text.replaceAll("\\p{Cntrl}", " "));
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60) + "...";
  }
}
