package io.checkpoints.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.testkit.replay.ReplayJson;
import java.util.Optional;

/**
 * The JSON lines the commands print, spaced by the replay output's own writer
 * ({@code {"ok": 42}}), so that {@code sql} and {@code replay} lines read and compare alike.
 * Stateless and thread-safe.
 */
final class JsonLines {

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonLines() {}

  /** @return {@code {"ok": value}} */
  static ObjectNode ok(JsonNode value) {
    ObjectNode line = NODES.objectNode();
    line.set("ok", value);
    return line;
  }

  /** @return {@code {"error": {"kind": kind, "message": message}}} */
  static ObjectNode error(String kind, String message) {
    ObjectNode line = NODES.objectNode();
    ObjectNode error = line.putObject("error");
    error.put("kind", kind);
    error.put("message", message);
    return line;
  }

  /**
   * @param request the initial request of a started iteration, empty in legacy mode
   * @return what a replay {@code start} event prints: {@code {"ok": {"checkpoint_request": {...}}}}
   *     with the id as a decimal string, or {@code {"ok": {}}}
   */
  static ObjectNode started(Optional<CheckpointRequest> request) {
    ObjectNode result = NODES.objectNode();
    request.ifPresent(initial -> {
      ObjectNode body = result.putObject("checkpoint_request");
      body.put("client_id", initial.clientId().value());
      body.put("checkpoint_request_id", initial.id().toWireString());
    });
    return ok(result);
  }

  /** @return the value on one line, spaced as replay output is */
  static String write(JsonNode value) {
    return ReplayJson.write(value);
  }
}
