package io.checkpoints.adapter.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.DecimalText;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decodes one JSON line of the sync stream into a {@link SyncLine} (section 11 of the behaviour).
 *
 * <p>A line is a JSON object with exactly one key, the line type:
 *
 * <ul>
 *   <li>{@code checkpoint}: {@code last_op_id} (a decimal string), {@code write_checkpoint} (a
 *       decimal signed 64-bit string, {@code null} or omitted) and a {@code buckets} array;
 *   <li>{@code checkpoint_diff}: {@code last_op_id}, {@code write_checkpoint} as above, and the
 *       {@code updated_buckets} and {@code removed_buckets} arrays;
 *   <li>{@code checkpoint_complete}: an object; its {@code last_op_id} is carried when it is a
 *       string and otherwise ignored, as the reference core ignores it;
 *   <li>{@code partial_checkpoint_complete}: an object with an integer {@code priority} from 0 to
 *       {@code 2^31-2} ({@code 2^31-1} is the reference's internal sentinel); {@code last_op_id} as
 *       for {@code checkpoint_complete};
 *   <li>{@code token_expires_in}: a 32-bit integer, as the reference reads it;
 *   <li>any other type: {@link SyncLine.Other}, whatever its value (bucket data lines are the host's
 *       business and are not checked here).
 * </ul>
 *
 * <p>The contents of the bucket arrays are the host's business too: only their presence and type
 * are checked, as the reference requires them. Unknown fields are ignored.
 *
 * <p>Every failure is a {@link SyncProtocolException} whose message starts with
 * {@code "Sync protocol error: "} and says what was wrong: malformed JSON, trailing content after
 * the object, duplicate keys, a value that is not an object with exactly one key, a missing or
 * wrong-typed field (a numeric {@code write_checkpoint} included), or a line beyond the decoder's
 * limits. The limits ({@link #maxNestingDepth()}, {@link #maxLineLength()}) make hostile input fail
 * with that typed error instead of exhausting the stack or the heap.
 *
 * <p>Immutable and thread-safe: one instance can decode lines from any number of threads.
 */
public final class SyncLineDecoder {

  /** The prefix of every error message, which the replay format maps to kind {@code protocol}. */
  public static final String ERROR_PREFIX = "Sync protocol error: ";

  /** Default nesting limit: sync lines nest about five levels deep; this leaves ample room. */
  public static final int DEFAULT_MAX_NESTING_DEPTH = 64;

  /** Default length limit, in characters: 64 MiB, far above any line the service sends. */
  public static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024;

  private static final int MAX_DESCRIBED_TEXT = 40;
  private static final SyncLineDecoder DEFAULT =
      new SyncLineDecoder(DEFAULT_MAX_NESTING_DEPTH, DEFAULT_MAX_LINE_LENGTH);

  private final int maxNestingDepth;
  private final int maxLineLength;
  private final ObjectReader reader;

  private SyncLineDecoder(int maxNestingDepth, int maxLineLength) {
    this.maxNestingDepth = maxNestingDepth;
    this.maxLineLength = maxLineLength;
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(maxNestingDepth)
            .maxDocumentLength(maxLineLength)
            .maxStringLength(maxLineLength)
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    this.reader = new ObjectMapper(factory)
        .readerFor(JsonNode.class)
        .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /**
   * @return a decoder with the default limits ({@value #DEFAULT_MAX_NESTING_DEPTH} levels,
   *     {@value #DEFAULT_MAX_LINE_LENGTH} characters)
   */
  public static SyncLineDecoder create() {
    return DEFAULT;
  }

  /**
   * @param maxNestingDepth how deeply arrays and objects may nest in a line; at least 2 (a line
   *     and its payload object)
   * @param maxLineLength how many characters a line may have; at least 2
   * @return a decoder with those limits
   * @throws CheckpointArgumentException if a limit is below its minimum
   */
  public static SyncLineDecoder withLimits(int maxNestingDepth, int maxLineLength) {
    if (maxNestingDepth < 2) {
      throw new CheckpointArgumentException(
          "maxNestingDepth must be at least 2 (a line and its payload), got " + maxNestingDepth);
    }
    if (maxLineLength < 2) {
      throw new CheckpointArgumentException(
          "maxLineLength must be at least 2 characters, got " + maxLineLength);
    }
    return new SyncLineDecoder(maxNestingDepth, maxLineLength);
  }

  /** @return how deeply arrays and objects may nest in a line */
  public int maxNestingDepth() {
    return maxNestingDepth;
  }

  /** @return how many characters a line may have */
  public int maxLineLength() {
    return maxLineLength;
  }

  /**
   * Decodes one sync line from its JSON text.
   *
   * @param lineText the line, for example {@code {"checkpoint_complete": {"last_op_id": "1"}}}
   * @return the decoded line
   * @throws SyncProtocolException if the text is not a JSON object with exactly one key, or the
   *     line is not usable (see the class documentation)
   * @throws NullPointerException if {@code lineText} is null
   */
  public SyncLine decode(String lineText) {
    Objects.requireNonNull(lineText, "lineText");
    if (lineText.length() > maxLineLength) {
      throw error("the line has " + lineText.length() + " characters, more than the limit of "
          + maxLineLength);
    }
    JsonNode tree;
    try {
      tree = reader.readTree(lineText);
    } catch (StreamConstraintsException e) {
      throw new SyncProtocolException(ERROR_PREFIX + "the line exceeds a decoder limit: "
          + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new SyncProtocolException(ERROR_PREFIX + "malformed JSON: " + e.getOriginalMessage()
          + locationOf(e), e);
    }
    if (tree == null || tree.isMissingNode()) {
      throw error("the line is empty; expected a JSON object with exactly one key");
    }
    return decode(tree);
  }

  /**
   * Decodes one sync line that is already parsed, for example a value inside a replay script. The
   * length and nesting limits are not applied: the tree exists already and is only inspected
   * iteratively.
   *
   * @param line the line
   * @return the decoded line
   * @throws SyncProtocolException if the value is not an object with exactly one key, or the line
   *     is not usable (see the class documentation)
   * @throws NullPointerException if {@code line} is null (a JSON {@code null} is a
   *     {@link com.fasterxml.jackson.databind.node.NullNode} and fails as not an object)
   */
  public SyncLine decode(JsonNode line) {
    Objects.requireNonNull(line, "line");
    if (!line.isObject()) {
      throw error("a sync line must be a JSON object with exactly one key, got " + describe(line));
    }
    if (line.size() != 1) {
      throw error("a sync line must have exactly one key, got " + line.size()
          + (line.size() == 0 ? " keys" : " keys " + keysOf(line)));
    }
    String type = line.fieldNames().next();
    JsonNode payload = line.get(type);
    switch (type) {
      case "checkpoint":
        return checkpoint(payload);
      case "checkpoint_diff":
        return checkpointDiff(payload);
      case "checkpoint_complete":
        return new SyncLine.CheckpointComplete(ignoredLastOpId(object(payload, type)));
      case "partial_checkpoint_complete":
        return partialCheckpointComplete(payload);
      case "token_expires_in":
        return new SyncLine.TokenExpiresIn(int32(payload, "token_expires_in"));
      default:
        return new SyncLine.Other(type);
    }
  }

  private static SyncLine checkpoint(JsonNode payload) {
    JsonNode checkpoint = object(payload, "checkpoint");
    String lastOpId = decimalString(checkpoint, "checkpoint");
    Optional<WriteCheckpoint> writeCheckpoint = writeCheckpoint(checkpoint, "checkpoint");
    array(checkpoint, "checkpoint", "buckets");
    return new SyncLine.Checkpoint(lastOpId, writeCheckpoint);
  }

  private static SyncLine checkpointDiff(JsonNode payload) {
    JsonNode diff = object(payload, "checkpoint_diff");
    String lastOpId = decimalString(diff, "checkpoint_diff");
    Optional<WriteCheckpoint> writeCheckpoint = writeCheckpoint(diff, "checkpoint_diff");
    array(diff, "checkpoint_diff", "updated_buckets");
    array(diff, "checkpoint_diff", "removed_buckets");
    return new SyncLine.CheckpointDiff(lastOpId, writeCheckpoint);
  }

  private static SyncLine partialCheckpointComplete(JsonNode payload) {
    JsonNode partial = object(payload, "partial_checkpoint_complete");
    JsonNode priority = partial.get("priority");
    if (priority == null) {
      throw error("partial_checkpoint_complete.priority is missing; expected an integer from 0 to "
          + (Integer.MAX_VALUE - 1));
    }
    if (!priority.isIntegralNumber() || !priority.canConvertToInt() || priority.intValue() < 0
        || priority.intValue() == Integer.MAX_VALUE) {
      throw error("partial_checkpoint_complete.priority must be an integer from 0 to "
          + (Integer.MAX_VALUE - 1) + ", got " + describe(priority));
    }
    return new SyncLine.PartialCheckpointComplete(ignoredLastOpId(partial), priority.intValue());
  }

  private static JsonNode object(JsonNode payload, String type) {
    if (!payload.isObject()) {
      throw error("the value of " + type + " must be a JSON object, got " + describe(payload));
    }
    return payload;
  }

  /** {@code last_op_id}: required, a decimal signed 64-bit string, kept as sent. */
  private static String decimalString(JsonNode object, String type) {
    JsonNode value = object.get("last_op_id");
    if (value == null) {
      throw error(type + ".last_op_id is missing; expected a decimal string");
    }
    if (!value.isTextual()) {
      throw error(type + ".last_op_id must be a decimal string, got " + describe(value));
    }
    try {
      DecimalText.parseSigned64(value.textValue());
    } catch (CheckpointArgumentException e) {
      throw error(type + ".last_op_id must be a decimal signed 64-bit integer string, got "
          + describe(value));
    }
    return value.textValue();
  }

  /**
   * {@code last_op_id} of the completion lines: the reference does not read it, and a different
   * one is ignored, so only a string is carried and anything else counts as absent.
   */
  private static String ignoredLastOpId(JsonNode object) {
    JsonNode value = object.get("last_op_id");
    return value != null && value.isTextual() ? value.textValue() : "";
  }

  private static Optional<WriteCheckpoint> writeCheckpoint(JsonNode object, String type) {
    JsonNode value = object.get("write_checkpoint");
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw error(type + ".write_checkpoint must be a decimal string or null, got "
          + describe(value));
    }
    try {
      return Optional.of(WriteCheckpoint.parse(value.textValue()));
    } catch (CheckpointArgumentException e) {
      throw error(type + ".write_checkpoint must be a decimal signed 64-bit integer string, got "
          + describe(value));
    }
  }

  private static void array(JsonNode object, String type, String field) {
    JsonNode value = object.get(field);
    if (value == null) {
      throw error(type + "." + field + " is missing; expected an array");
    }
    if (!value.isArray()) {
      throw error(type + "." + field + " must be an array, got " + describe(value));
    }
  }

  private static int int32(JsonNode value, String type) {
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw error("the value of " + type + " must be a 32-bit integer, got " + describe(value));
    }
    return value.intValue();
  }

  private static SyncProtocolException error(String what) {
    return new SyncProtocolException(ERROR_PREFIX + what);
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
            + ")";
  }

  private static String keysOf(JsonNode object) {
    List<String> keys = new ArrayList<>();
    Iterator<String> names = object.fieldNames();
    while (names.hasNext() && keys.size() < 5) {
      keys.add(abbreviate(names.next()));
    }
    return keys + (object.size() > keys.size() ? " ..." : "");
  }

  /** A short description of a JSON value for error messages; never the whole of a big value. */
  static String describe(JsonNode value) {
    if (value.isNull()) {
      return "null";
    }
    if (value.isTextual()) {
      return "string \"" + abbreviate(value.textValue()) + "\"";
    }
    if (value.isNumber()) {
      return "number " + abbreviate(value.asText());
    }
    if (value.isBoolean()) {
      return "boolean " + value.booleanValue();
    }
    if (value.isArray()) {
      return "an array";
    }
    if (value.isObject()) {
      return "an object";
    }
    return value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static String abbreviate(String text) {
    return text.length() <= MAX_DESCRIBED_TEXT ? text : text.substring(0, MAX_DESCRIBED_TEXT) + "...";
  }
}
