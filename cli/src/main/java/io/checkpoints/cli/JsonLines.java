package io.checkpoints.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.testkit.replay.ReplayJson;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The JSON lines {@code sql} prints, spaced as the replay output's own writer spaces them
 * ({@code {"ok": 42}}), so that {@code sql} and {@code replay} lines read and compare alike.
 * Put together here, with strings escaped by Jackson's {@link JsonStringEncoder} (the replay
 * writer's escaping): loading and starting Jackson's object mapper cost a fresh {@code checkpoints
 * sql} more than a thousand statements, and its per-line work more than the SQL function itself
 * ({@code docs/performance.md}).
 * {@code JsonLinesTest} compares every form with {@link ReplayJson#write}. Stateless and
 * thread-safe.
 */
final class JsonLines {

  private JsonLines() {}

  /**
   * @param value the first column as the driver returned it: null, an {@link Integer} or
   *     {@link Long}, a {@link Double}, a {@code byte[]} blob, or anything else as its text
   * @return {@code {"ok": value}}, a blob as {@code {"blob": "<hex>"}}
   */
  static String ok(Object value) {
    return "{\"ok\": " + value(value) + "}";
  }

  private static String value(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Integer || value instanceof Long) {
      return value.toString();
    }
    if (value instanceof Double real) {
      // Infinity and NaN are strings in the replay writer's output; rare enough to ask it.
      return Double.isFinite(real) ? Double.toString(real)
          : ReplayJson.write(JsonNodeFactory.instance.numberNode(real));
    }
    if (value instanceof byte[] blob) {
      return "{\"blob\": \"" + HexFormat.of().formatHex(blob) + "\"}";
    }
    return quote(value.toString());
  }

  /** @return {@code {"error": {"kind": kind, "message": message}}} */
  static String error(String kind, String message) {
    return "{\"error\": {\"kind\": " + quote(kind) + ", \"message\": " + quote(message) + "}}";
  }

  /**
   * @param request the initial request of a started iteration, empty in legacy mode
   * @return what a replay {@code start} event prints: {@code {"ok": {"checkpoint_request": {...}}}}
   *     with the id as a decimal string, or {@code {"ok": {}}}
   */
  static String started(Optional<CheckpointRequest> request) {
    return request.map(initial -> "{\"ok\": {\"checkpoint_request\": {\"client_id\": "
            + quote(initial.clientId().value()) + ", \"checkpoint_request_id\": "
            + quote(initial.id().toWireString()) + "}}}")
        .orElse("{\"ok\": {}}");
  }

  /** @return whether {@code line} is an error line */
  static boolean isError(String line) {
    return line.startsWith("{\"error\": ");
  }

  /** A JSON string as the replay writer writes it, by Jackson's own escaping (no object mapper). */
  static String quote(String text) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
  }
}
