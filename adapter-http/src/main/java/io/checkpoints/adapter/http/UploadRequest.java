package io.checkpoints.adapter.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.SyncDataService.Operation;
import io.checkpoints.ports.SyncDataService.OperationKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body of an upload to the simulated backend, {@code {"operations": [{"op": "PUT", "type":
 * "todos", "id": "t1", "data": {...}}, ...]}}, read into operations. Stateless.
 */
final class UploadRequest {

  private UploadRequest() {}

  /**
   * @return the operations, in order
   * @throws CheckpointArgumentException naming the first thing that is wrong, before any operation
   *     is applied
   */
  static List<Operation> operations(JsonNode body) {
    JsonNode list = body.get("operations");
    if (list == null || !list.isArray()) {
      throw new CheckpointArgumentException("operations is required and must be an array"
          + (list == null ? "" : ", got " + Json.describe(list)));
    }
    List<Operation> operations = new ArrayList<>(list.size());
    for (int index = 0; index < list.size(); index++) {
      operations.add(operation(list.get(index), "operations[" + index + "]"));
    }
    return operations;
  }

  private static Operation operation(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new CheckpointArgumentException(where + " must be an object, got " + Json.describe(node));
    }
    OperationKind kind = kind(node.get("op"), where);
    String table = text(node.get("type"), where + ".type");
    String id = text(node.get("id"), where + ".id");
    JsonNode data = node.get("data");
    Map<String, Object> columns = new LinkedHashMap<>();
    if (kind == OperationKind.DELETE) {
      if (data != null && !data.isNull() && !(data.isObject() && data.isEmpty())) {
        throw new CheckpointArgumentException(where + ".data must be absent for DELETE");
      }
    } else {
      if (data == null || !data.isObject()) {
        throw new CheckpointArgumentException(where + ".data is required for " + kind
            + " and must be an object" + (data == null ? "" : ", got " + Json.describe(data)));
      }
      for (Map.Entry<String, JsonNode> field : data.properties()) {
        columns.put(field.getKey(), scalar(field.getValue(), where + ".data." + field.getKey()));
      }
    }
    try {
      return new Operation(kind, table, id, columns);
    } catch (CheckpointArgumentException e) {
      throw new CheckpointArgumentException(where + ": " + e.getMessage());
    }
  }

  private static OperationKind kind(JsonNode node, String where) {
    if (node == null || !node.isTextual()) {
      throw new CheckpointArgumentException(where + ".op is required and must be PUT, PATCH or"
          + " DELETE" + (node == null ? "" : ", got " + Json.describe(node)));
    }
    try {
      return OperationKind.valueOf(node.textValue().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CheckpointArgumentException(where + ".op must be PUT, PATCH or DELETE, got "
          + Json.describe(node));
    }
  }

  private static String text(JsonNode node, String where) {
    if (node == null || !node.isTextual() || node.textValue().isBlank()) {
      throw new CheckpointArgumentException(where + " is required and must be a non-blank string"
          + (node == null ? "" : ", got " + Json.describe(node)));
    }
    return node.textValue();
  }

  private static Object scalar(JsonNode value, String where) {
    if (value.isNull()) {
      return null;
    }
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return value.longValue();
    }
    if (value.isFloatingPointNumber() && Double.isFinite(value.doubleValue())) {
      return value.doubleValue();
    }
    throw new CheckpointArgumentException(where + " must be a string, a 64-bit integer, a number,"
        + " a boolean or null, got " + Json.describe(value));
  }
}
