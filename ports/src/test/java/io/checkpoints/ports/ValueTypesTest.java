package io.checkpoints.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE})
  void checkpointRequestIdRejectsZeroAndNegatives(long value) {
    assertThatThrownBy(() -> CheckpointRequestId.of(value))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("between 1 and 9223372036854775807")
        .hasMessageContaining(Long.toString(value));
  }

  @Test
  void checkpointRequestIdBounds() {
    assertThat(CheckpointRequestId.of(1)).isEqualTo(CheckpointRequestId.MIN);
    assertThat(CheckpointRequestId.of(Long.MAX_VALUE).isMax()).isTrue();
    assertThat(CheckpointRequestId.of(Long.MAX_VALUE - 1).isMax()).isFalse();
    assertThat(CheckpointRequestId.MAX.toWireString()).isEqualTo("9223372036854775807");
  }

  @Test
  void checkpointRequestIdParsesTextForms() {
    assertThat(CheckpointRequestId.parse("+0042")).isEqualTo(CheckpointRequestId.of(42));
    assertThatThrownBy(() -> CheckpointRequestId.parse("0"))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> CheckpointRequestId.parse("-0"))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> CheckpointRequestId.parse("9223372036854775808"))
        .isInstanceOf(CheckpointArgumentException.class);
  }

  @Test
  void writeCheckpointKeepsAnySigned64Value() {
    assertThat(WriteCheckpoint.parse("-3").value()).isEqualTo(-3);
    assertThat(WriteCheckpoint.parse("0").value()).isZero();
    assertThat(WriteCheckpoint.of(Long.MIN_VALUE).value()).isEqualTo(Long.MIN_VALUE);
    assertThat(WriteCheckpoint.of(5).acknowledges(CheckpointRequestId.of(5))).isTrue();
    assertThat(WriteCheckpoint.of(6).acknowledges(CheckpointRequestId.of(5))).isTrue();
    assertThat(WriteCheckpoint.of(4).acknowledges(CheckpointRequestId.of(5))).isFalse();
    assertThat(WriteCheckpoint.of(-1).acknowledges(CheckpointRequestId.MIN)).isFalse();
  }

  @Test
  void clientIdMustNotBeBlank() {
    assertThatThrownBy(() -> ClientId.of(" ")).isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> ClientId.of(null)).isInstanceOf(CheckpointArgumentException.class);
    assertThat(ClientId.random().value()).hasSize(36);
  }

  @Test
  void userKeyIsTheSha256HexOfTheUserId() {
    // SHA-256("abc"), the FIPS 180-2 test vector.
    assertThat(UserKey.forUserId("abc").hex())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(UserKey.forUserId("abc")).isEqualTo(UserKey.forUserId("abc"));
    assertThat(UserKey.forUserId("abd")).isNotEqualTo(UserKey.forUserId("abc"));
    assertThatThrownBy(() -> UserKey.forUserId("")).isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> new UserKey("ABC")).isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> new UserKey("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"))
        .isInstanceOf(CheckpointArgumentException.class);
  }

  @Test
  void checkpointModeParsesOnlyTheTwoWireNames() {
    assertThat(CheckpointMode.fromWireName("legacy")).isEqualTo(CheckpointMode.LEGACY);
    assertThat(CheckpointMode.fromWireName("requests")).isEqualTo(CheckpointMode.REQUESTS);
    assertThatThrownBy(() -> CheckpointMode.fromWireName(null))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("got null");
    assertThatThrownBy(() -> CheckpointMode.fromWireName("Requests"))
        .isInstanceOf(CheckpointArgumentException.class);
  }

  @Test
  void clearFlagsSoftBit() {
    assertThat(ClearFlags.of(0).isSoft()).isFalse();
    assertThat(ClearFlags.of(1).isSoft()).isFalse();
    assertThat(ClearFlags.of(2).isSoft()).isTrue();
    assertThat(ClearFlags.of(3).isSoft()).isTrue();
    assertThat(ClearFlags.of(-1).isSoft()).isTrue();
  }

  @Test
  void syncLinesValidate() {
    assertThatThrownBy(() -> new SyncLine.PartialCheckpointComplete("1", -1))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> new SyncLine.Checkpoint("1", null))
        .isInstanceOf(NullPointerException.class);
    assertThat(new SyncLine.Checkpoint("1", Optional.empty()).writeCheckpoint()).isEmpty();
  }

  @Test
  void localWriteNeedsTableAndRow() {
    assertThatThrownBy(() -> LocalWrite.put(" ", "a", "{}"))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> LocalWrite.put("items", null, "{}"))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThat(LocalWrite.put("items", "a", "{}").asInsertOnly().insertOnly()).isTrue();
  }

  @Test
  void blobPayloadIsDefensivelyCopied() {
    byte[] bytes = {1, 2};
    var blob = new ControlPayload.BlobValue(bytes);
    bytes[0] = 9;
    assertThat(blob.bytes()).containsExactly(1, 2);
    assertThat(blob).isEqualTo(new ControlPayload.BlobValue(new byte[] {1, 2}));
  }
}
