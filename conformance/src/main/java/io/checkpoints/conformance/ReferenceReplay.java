package io.checkpoints.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Runs replay scripts against the reference core through its SQL functions on one connection, and
 * prints what replay-format.md prescribes. The mapping of the reference's instructions to replay
 * outcomes follows reference-core.md: {@code DidCompleteSync} is {@code applied}, the INFO log line
 * "Could not apply checkpoint due to local data" is {@code held}, a status update listing the
 * priority of a partial line is {@code partial_applied}, {@code CloseSyncStream} is {@code closed}.
 *
 * <p>Not thread-safe: one instance drives one connection.
 */
public final class ReferenceReplay {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String HELD_LOG = "Could not apply checkpoint due to local data";
  private static final Map<String, String> OPS = Map.of(
      "seed", "seed_checkpoint_request_id", "next", "next_checkpoint_request_id",
      "current", "current_checkpoint_request_id", "target", "target_checkpoint_request_id");
  private static final Map<String, String> KEYS = Map.of(
      "target", "target_checkpoint_request_id", "last_requested", "last_requested_checkpoint_request_id",
      "last_seen", "last_seen_checkpoint_request_id", "last_applied", "last_applied_checkpoint_request_id");
  /**
   * The reference emits a status update only when the status changed, and its timestamps have
   * millisecond resolution: two partial checkpoints of one priority within a millisecond would
   * show no {@code partial_applied}. So every line waits until 2 ms passed since the previous one.
   */
  private static final long LINE_SPACING_NANOS = 2_000_000;

  private final Connection connection;
  private JsonNode lastStatus;
  private long lastLineNanos;

  /**
   * @param connection a connection with the reference core loaded and {@code powersync_init()}
   *     done; it must be in auto-commit mode: every event runs in its own transaction
   */
  public ReferenceReplay(Connection connection) {
    this.connection = connection;
  }

  /**
   * Runs one event.
   *
   * @param event a replay event: a JSON object with one key
   * @return the output line as a JSON value
   */
  public JsonNode run(JsonNode event) {
    String name = event.fieldNames().next();
    JsonNode payload = event.get(name);
    try {
      return NODES.objectNode().set("ok", dispatch(name, payload));
    } catch (SQLException e) {
      return error(name, e);
    }
  }

  private JsonNode dispatch(String name, JsonNode payload) throws SQLException {
    switch (name) {
      case "start": {
        ArrayNode instructions = controlJson("start", payload.isNull() ? null : payload.toString());
        for (JsonNode instruction : instructions) {
          JsonNode request = instruction.path("EstablishSyncStream").path("checkpoint_request");
          if (!request.isMissingNode() && !request.isNull()) {
            ObjectNode out = NODES.objectNode();
            out.putObject("checkpoint_request")
                .put("client_id", request.get("client_id").asText())
                .put("checkpoint_request_id", request.get("checkpoint_request_id").asText());
            return out;
          }
        }
        return NODES.objectNode();
      }
      case "seed": case "next": case "current": case "target":
        return inTransaction(() -> query("SELECT powersync_control(?, ?)", OPS.get(name), payload));
      case "local_write":
        inTransaction(() -> update(
            "INSERT INTO powersync_crud(op, id, type, data) VALUES('PUT', ?, 'items', '{}')",
            payload.isTextual() ? payload.asText() : payload.toString()));
        return NODES.nullNode();
      case "upload_done":
        inTransaction(() -> update("DELETE FROM ps_crud"));
        return NODES.nullNode();
      case "line": {
        spaceLines();
        JsonNode partial = payload.path("partial_checkpoint_complete").path("priority");
        Integer priority = partial.isIntegralNumber() && partial.canConvertToInt() ? partial.asInt() : null;
        return outcomes(controlJson("line_text", payload.toString()), priority);
      }
      case "completed_upload":
        return outcomes(controlJson("completed_upload", null), null);
      case "stop":
        controlJson("stop", null);
        return NODES.nullNode();
      case "clear":
        inTransaction(() -> query("SELECT powersync_clear(?)", payload));
        return NODES.nullNode();
      case "state":
        return inTransaction(this::state);
      case "status": {
        ObjectNode status = NODES.objectNode();
        status.put("connected", lastStatus != null && lastStatus.path("connected").asBoolean());
        status.put("connecting", lastStatus != null && lastStatus.path("connecting").asBoolean());
        JsonNode applied = lastStatus == null ? null
            : lastStatus.get("internal_last_applied_checkpoint_request_id");
        status.set("last_applied_checkpoint_request_id",
            applied == null || applied.isNull() ? NODES.nullNode() : NODES.numberNode(Long.parseLong(applied.asText())));
        return status;
      }
      default:
        throw new IllegalArgumentException("unknown replay event " + name);
    }
  }

  private JsonNode state() throws SQLException {
    ObjectNode state = NODES.objectNode();
    for (String key : List.of("target", "last_requested", "last_seen", "last_applied")) {
      try (PreparedStatement statement = connection.prepareStatement("SELECT value FROM ps_kv WHERE key = ?")) {
        statement.setString(1, KEYS.get(key));
        try (ResultSet rows = statement.executeQuery()) {
          state.set(key, rows.next() ? columnValue(rows) : NODES.nullNode());
        }
      }
    }
    try (PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM ps_crud");
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      state.put("upload_queue", rows.getLong(1));
    }
    return state;
  }

  private ArrayNode controlJson(String op, String payload) throws SQLException {
    JsonNode result = inTransaction(() -> query("SELECT powersync_control(?, ?)", op,
        payload == null ? NODES.nullNode() : NODES.textNode(payload)));
    if (!result.isTextual() || result.asText().isEmpty()) {
      return NODES.arrayNode();
    }
    try {
      ArrayNode instructions = (ArrayNode) JSON.readTree(result.asText());
      for (JsonNode instruction : instructions) {
        if (instruction.has("UpdateSyncStatus")) {
          lastStatus = instruction.get("UpdateSyncStatus").get("status");
        }
      }
      return instructions;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the reference returned instructions that are not JSON: " + result, e);
    }
  }

  private static JsonNode outcomes(ArrayNode instructions, Integer partialPriority) {
    ArrayNode outcomes = NODES.arrayNode();
    boolean partialSeen = false;
    for (JsonNode instruction : instructions) {
      if (instruction.has("DidCompleteSync")) {
        JsonNode id = instruction.get("DidCompleteSync").get("applied_checkpoint_request_id");
        outcomes.addObject().set("applied",
            id == null || id.isNull() ? NODES.nullNode() : NODES.numberNode(Long.parseLong(id.asText())));
      } else if (instruction.has("LogLine")
          && "INFO".equals(instruction.get("LogLine").path("severity").asText())
          && instruction.get("LogLine").path("line").asText().startsWith(HELD_LOG)) {
        outcomes.addObject().put("held", true);
      } else if (instruction.has("UpdateSyncStatus") && partialPriority != null && !partialSeen
          && listsPriority(instruction.get("UpdateSyncStatus").path("status"), partialPriority)) {
        outcomes.addObject().put("partial_applied", partialPriority);
        partialSeen = true;
      } else if (instruction.has("CloseSyncStream")) {
        outcomes.addObject().put("closed", true);
      }
    }
    return outcomes;
  }

  private static boolean listsPriority(JsonNode status, int priority) {
    for (JsonNode entry : status.path("priority_status")) {
      if (entry.path("priority").asInt(-1) == priority) {
        return true;
      }
    }
    return false;
  }

  private JsonNode error(String event, SQLException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    int code = e instanceof SQLiteException sqlite ? sqlite.getResultCode().code : e.getErrorCode();
    String kind;
    if (event.equals("clear") && message.contains("Cannot clear or trigger resync while a sync iteration is active")) {
      kind = "state"; // the reference reports a refused soft clear as 3091; replay calls it a state error
    } else if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_DATATYPE.code) {
      kind = "argument";
    } else if (code == SQLiteErrorCode.SQLITE_MISUSE.code) {
      kind = "state";
    } else if (message.contains("Sync protocol error")) {
      kind = "protocol";
    } else {
      kind = "storage";
    }
    ObjectNode line = NODES.objectNode();
    line.putObject("error").put("kind", kind).put("message", message);
    return line;
  }

  private void spaceLines() {
    long wait;
    while ((wait = lastLineNanos + LINE_SPACING_NANOS - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
    lastLineNanos = System.nanoTime();
  }

  private JsonNode query(String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, parameters);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? columnValue(rows) : NODES.nullNode();
      }
    }
  }

  private Integer update(String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, parameters);
      return statement.executeUpdate();
    }
  }

  /** Binds JSON payloads by their JSON type, as replay-format.md maps them to SQL values. */
  private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
    for (int i = 0; i < parameters.length; i++) {
      Object parameter = parameters[i];
      int index = i + 1;
      if (parameter instanceof JsonNode node) {
        if (node.isNull() || node.isMissingNode()) {
          statement.setNull(index, Types.NULL);
        } else if (node.isIntegralNumber() && node.canConvertToLong()) {
          statement.setLong(index, node.asLong());
        } else if (node.isNumber()) {
          statement.setDouble(index, node.asDouble());
        } else if (node.isTextual()) {
          statement.setString(index, node.asText());
        } else {
          // Booleans, arrays and objects are no SQL value: as a BLOB the reference rejects them
          // as "not an integer", which is what this library's replay runner reports too.
          statement.setBytes(index, node.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      } else {
        statement.setObject(index, parameter);
      }
    }
  }

  private static JsonNode columnValue(ResultSet rows) throws SQLException {
    Object value = rows.getObject(1);
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof Integer || value instanceof Long) {
      return NODES.numberNode(((Number) value).longValue());
    }
    if (value instanceof Number number) {
      return NODES.numberNode(number.doubleValue()); // a REAL, such as the counter after next() at MAX
    }
    if (value instanceof byte[] bytes) {
      return NODES.objectNode().put("blob", java.util.HexFormat.of().formatHex(bytes));
    }
    return NODES.textNode(value.toString());
  }

  private <T> T inTransaction(SqlWork<T> work) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      T result = work.run();
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  /**
   * Runs a whole script.
   *
   * @param events the script's events, in order
   * @return the output lines
   */
  public List<JsonNode> runAll(List<JsonNode> events) {
    List<JsonNode> out = new ArrayList<>(events.size());
    for (JsonNode event : events) {
      out.add(run(event));
    }
    return out;
  }
}
