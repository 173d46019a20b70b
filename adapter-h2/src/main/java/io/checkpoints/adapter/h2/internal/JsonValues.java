package io.checkpoints.adapter.h2.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Looks into the JSON texts the H2 adapter stores, with Jackson's streaming parser: H2 can build
 * JSON ({@code JSON_OBJECT}) and check it ({@code IS JSON OBJECT}), and its field references
 * ({@code (json)."type"}) return JSON values, but it has no function that turns a JSON string into
 * its text. Three readers: the {@code type} member of a queued write, which decides whether an SQL
 * write arms the gate; a {@code ps_kv} value, which H2 keeps as JSON; and a whole {@code ps_crud}
 * row for the upload queue's reads.
 *
 * <p>Not API: this package is internal to the H2 adapter. Stateless and thread-safe (Jackson's
 * factory is thread-safe once configured).
 */
public final class JsonValues {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private JsonValues() {}

  /**
   * @param json a JSON text, possibly null or malformed
   * @param member a member name
   * @return the member's value when {@code json} is a JSON object whose member {@code member} (at
   *     the top level; the first of duplicates) is a string; empty otherwise, also for malformed
   *     text
   */
  public static Optional<String> stringMember(String json, String member) {
    return readWhole(json, (parser, first) -> {
      if (first != JsonToken.START_OBJECT) {
        return null;
      }
      String found = null;
      boolean seen = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (!seen && name.equals(member)) {
          found = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          seen = true; // the first of duplicates counts; read on, so that malformed text is not a match
        }
        parser.skipChildren();
      }
      return found;
    });
  }

  /**
   * Reads one JSON scalar.
   *
   * @param json a JSON text
   * @return {@link Long} for an integer in the signed 64-bit range, {@link BigDecimal} for a number
   *     with a fraction or exponent (as written: {@code 4.50} keeps its scale), {@link String} or
   *     {@link Boolean}; empty for a larger integer, JSON {@code null}, an array, an object, or text
   *     that is not exactly one JSON value
   */
  public static Optional<Object> scalar(String json) {
    return readWhole(json, (parser, first) -> {
      Object value = switch (first) {
        case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? null : parser.getLongValue();
        case VALUE_NUMBER_FLOAT -> new BigDecimal(parser.getText());
        case VALUE_STRING -> parser.getText();
        case VALUE_TRUE -> Boolean.TRUE;
        case VALUE_FALSE -> Boolean.FALSE;
        default -> null;
      };
      parser.skipChildren();
      return value;
    });
  }

  /**
   * The members of a {@code ps_crud.data} object that the upload queue's reads need; other
   * members ({@code "old"}, {@code "metadata"}) are skipped. Immutable and thread-safe.
   *
   * @param operation {@code "op"} if a string, else null
   * @param table {@code "type"} if a string, else null
   * @param rowId {@code "id"} if a string, or an integer as its text, else null
   * @param dataJson the {@code "data"} member's text exactly as stored, or null when absent or
   *     JSON {@code null}
   */
  public record QueuedData(String operation, String table, String rowId, String dataJson) {}

  /**
   * @param json a {@code ps_crud.data} text, possibly null or malformed
   * @return its members; empty if it is not the text of exactly one JSON object
   */
  public static Optional<QueuedData> queuedData(String json) {
    return readWhole(json, (parser, first) -> {
      if (first != JsonToken.START_OBJECT) {
        return null;
      }
      String operation = null;
      String table = null;
      String rowId = null;
      String data = null;
      boolean seenOperation = false;
      boolean seenTable = false;
      boolean seenRowId = false;
      boolean seenData = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        // The first of duplicate members counts, as SQLite's json_extract reads them.
        switch (name) {
          case "op" -> {
            operation = seenOperation ? operation : stringValue(parser, value);
            seenOperation = true;
          }
          case "type" -> {
            table = seenTable ? table : stringValue(parser, value);
            seenTable = true;
          }
          case "id" -> {
            String id = value == JsonToken.VALUE_NUMBER_INT
                && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                ? Long.toString(parser.getLongValue()) : stringValue(parser, value);
            rowId = seenRowId ? rowId : id;
            seenRowId = true;
          }
          case "data" -> {
            int start = (int) parser.currentTokenLocation().getCharOffset();
            parser.skipChildren();
            int end = (int) parser.currentLocation().getCharOffset();
            String text = value == JsonToken.VALUE_NULL ? null : json.substring(start, end);
            data = seenData ? data : text;
            seenData = true;
          }
          default -> parser.skipChildren();
        }
      }
      return new QueuedData(operation, table, rowId, data);
    });
  }

  /** Reads one JSON value from a parser standing on the value's first token. */
  @FunctionalInterface
  private interface ValueReader<T> {
    /** @return what was read, or null for nothing; the parser is left on the value's last token */
    T read(JsonParser parser, JsonToken first) throws IOException;
  }

  /**
   * Parses a text that must hold exactly one JSON value and reads it.
   *
   * @return what the reader returns; empty for a null text, no value, malformed text or trailing
   *     content after the value
   */
  private static <T> Optional<T> readWhole(String json, ValueReader<T> reader) {
    if (json == null) {
      return Optional.empty();
    }
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return Optional.empty();
      }
      T value = reader.read(parser, first);
      if (parser.nextToken() != null) {
        return Optional.empty(); // trailing content
      }
      return Optional.ofNullable(value);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String does no I/O
    }
  }

  private static String stringValue(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return parser.getText();
    }
    parser.skipChildren();
    return null;
  }
}
