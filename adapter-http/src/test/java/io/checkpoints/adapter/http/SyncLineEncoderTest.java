package io.checkpoints.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SyncLineEncoderTest {

  private final SyncLineEncoder encoder = SyncLineEncoder.create();
  private final SyncLineDecoder decoder = SyncLineDecoder.create();

  @Test
  void encodesACheckpointWithItsWriteCheckpointAsAString() {
    assertThat(encoder.encode(new SyncLine.Checkpoint("1", Optional.of(WriteCheckpoint.of(3)))))
        .isEqualTo("{\"checkpoint\":{\"last_op_id\":\"1\",\"write_checkpoint\":\"3\",\"buckets\":[]}}");
  }

  @Test
  void omitsAnEmptyWriteCheckpoint() {
    assertThat(encoder.encode(new SyncLine.Checkpoint("7", Optional.empty())))
        .isEqualTo("{\"checkpoint\":{\"last_op_id\":\"7\",\"buckets\":[]}}");
    assertThat(encoder.encode(new SyncLine.CheckpointDiff("8", Optional.empty())))
        .isEqualTo("{\"checkpoint_diff\":{\"last_op_id\":\"8\",\"updated_buckets\":[],"
            + "\"removed_buckets\":[]}}");
  }

  @Test
  void encodesTheCompletionLinesAndTokenExpiry() {
    assertThat(encoder.encode(new SyncLine.CheckpointComplete("2")))
        .isEqualTo("{\"checkpoint_complete\":{\"last_op_id\":\"2\"}}");
    assertThat(encoder.encode(new SyncLine.PartialCheckpointComplete("2", 1)))
        .isEqualTo("{\"partial_checkpoint_complete\":{\"last_op_id\":\"2\",\"priority\":1}}");
    assertThat(encoder.encode(new SyncLine.TokenExpiresIn(0))).isEqualTo("{\"token_expires_in\":0}");
  }

  @Test
  void anOtherLineKeepsOnlyItsType() {
    assertThat(encoder.encode(new SyncLine.Other("data"))).isEqualTo("{\"data\":{}}");
  }

  @Test
  void escapesTextAndNeverWritesANewline() {
    String encoded = encoder.encode(new SyncLine.CheckpointComplete("a\"b\nc"));
    assertThat(encoded).doesNotContain("\n");
    assertThat(encoded).isEqualTo("{\"checkpoint_complete\":{\"last_op_id\":\"a\\\"b\\nc\"}}");
  }

  @Test
  void refusesATokenExpiryBeyond32Bits() {
    assertThatThrownBy(() -> encoder.encode(new SyncLine.TokenExpiresIn(1L << 31)))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("32 bits");
  }

  static Stream<SyncLine> lines() {
    List<Optional<WriteCheckpoint>> writeCheckpoints = List.of(Optional.empty(),
        Optional.of(WriteCheckpoint.of(0)), Optional.of(WriteCheckpoint.of(-3)),
        Optional.of(WriteCheckpoint.of(Long.MAX_VALUE)),
        Optional.of(WriteCheckpoint.of(Long.MIN_VALUE)));
    Stream<SyncLine> checkpoints = writeCheckpoints.stream().flatMap(w -> Stream.of(
        new SyncLine.Checkpoint("1", w), new SyncLine.CheckpointDiff("9223372036854775807", w)));
    return Stream.concat(checkpoints, Stream.of(
        new SyncLine.CheckpointComplete("5"),
        new SyncLine.PartialCheckpointComplete("5", 0),
        new SyncLine.PartialCheckpointComplete("5", Integer.MAX_VALUE - 1),
        new SyncLine.TokenExpiresIn(-1),
        new SyncLine.TokenExpiresIn(Integer.MAX_VALUE),
        new SyncLine.TokenExpiresIn(Integer.MIN_VALUE),
        new SyncLine.Other("data"),
        new SyncLine.Other("some_future_line")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lines")
  void theDecoderReadsBackEveryLine(SyncLine line) {
    assertThat(decoder.decode(encoder.encode(line))).isEqualTo(line);
  }
}
