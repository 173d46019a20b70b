package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClientId;
import io.checkpoints.testkit.replay.ReplayJson;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The lines `sql` puts together without an object mapper are the replay writer's text, byte for byte. */
class JsonLinesTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Quotes, backslashes, every control character, DEL, non-ASCII and a surrogate pair. */
  private static final String TRICKY;

  static {
    StringBuilder text = new StringBuilder("a \"quoted\" \\ back/slash \u007f é € \ud83d\ude00 ");
    for (char c = 0; c < 0x20; c++) {
      text.append(c);
    }
    TRICKY = text.toString();
  }

  @Test
  @DisplayName("{\"ok\": value} for every value type a statement returns, as the replay writer writes it")
  void okLines() {
    Object[] values = {null, 0, 42L, -7L, Long.MAX_VALUE, Long.MIN_VALUE, 2.5, -0.0, 1e300, 1.0E-7,
        Double.POSITIVE_INFINITY, Double.NaN, "", "text", TRICKY, new byte[] {0, (byte) 0xff}};
    for (Object value : values) {
      assertThat(JsonLines.ok(value)).as("%s", value instanceof byte[] bytes ? Arrays.toString(bytes) : value)
          .isEqualTo(ReplayJson.write(NODES.objectNode().set("ok", node(value))));
    }
  }

  @Test
  @DisplayName("error and start lines, as the replay writer writes them")
  void errorAndStartLines() {
    ObjectNode error = NODES.objectNode();
    error.putObject("error").put("kind", "storage").put("message", TRICKY);
    assertThat(JsonLines.error("storage", TRICKY)).isEqualTo(ReplayJson.write(error));
    assertThat(JsonLines.isError(JsonLines.error("state", "x"))).isTrue();
    assertThat(JsonLines.isError(JsonLines.ok("{\"error\": 1}"))).isFalse();

    ObjectNode started = NODES.objectNode();
    started.putObject("ok").putObject("checkpoint_request").put("client_id", "c\"1")
        .put("checkpoint_request_id", "41");
    assertThat(JsonLines.started(Optional.of(
        new CheckpointRequest(ClientId.of("c\"1"), CheckpointRequestId.of(41)))))
        .isEqualTo(ReplayJson.write(started));
    assertThat(JsonLines.started(Optional.empty()))
        .isEqualTo(ReplayJson.write(NODES.objectNode().set("ok", NODES.objectNode())));
  }

  private static JsonNode node(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof Integer || value instanceof Long) {
      return NODES.numberNode(((Number) value).longValue());
    }
    if (value instanceof Double real) {
      return NODES.numberNode(real);
    }
    if (value instanceof byte[] blob) {
      return NODES.objectNode().put("blob", HexFormat.of().formatHex(blob));
    }
    return NODES.textNode(value.toString());
  }
}
