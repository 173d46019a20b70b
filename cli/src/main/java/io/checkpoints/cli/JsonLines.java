package io.checkpoints.cli;

import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.testkit.replay.ReplayJson;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The JSON lines {@code sql} prints, spaced as the replay output's own writer spaces them
 * ({@code {"ok": 42}}), so that {@code sql} and {@code replay} lines read and compare alike.
 * Written by hand, with the replay writer's escaping (Jackson's defaults): loading and starting
 * Jackson's object mapper cost a fresh {@code checkpoints sql} more than a thousand statements,
 * and its per-line work more than the SQL function itself ({@code docs/performance.md}).
 * {@code JsonLinesTest} compares every form with {@link ReplayJson#write}. Stateless and
 * thread-safe.
 */
final class JsonLines {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

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
          : ReplayJson.write(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.numberNode(real));
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

  /**
   * A JSON string as Jackson writes it by default: quote and backslash escaped, the control
   * characters below U+0020 as {@code \b \t \n \f \r} or {@code \}{@code u00XX}, the rest as is.
   */
  static String quote(String text) {
    StringBuilder json = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\b' -> json.append("\\b");
        case '\t' -> json.append("\\t");
        case '\n' -> json.append("\\n");
        case '\f' -> json.append("\\f");
        case '\r' -> json.append("\\r");
        default -> {
          if (c < 0x20) {
            json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append('"').toString();
  }
}
