package io.checkpoints.domain;

import static io.checkpoints.domain.Fixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointControl;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.ControlPayload;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The payload forms and error texts of the reference core's four checkpoint commands. */
class ControlCommandsTest {

  private static final String SEED_FORM = "checkpoint request id must be an integer or integer string";
  private static final String TARGET_FORM =
      "target checkpoint request id must be an integer, integer string, or null";

  private final Fixture f = new Fixture();
  private final CheckpointControl control = f.client.control();

  static Stream<Arguments> seedPayloads() {
    return Stream.of(
        Arguments.of(ControlPayload.NULL, SEED_FORM),
        Arguments.of(ControlPayload.of(0), "checkpoint request id must be a positive integer"),
        Arguments.of(ControlPayload.of("-0"), "checkpoint request id must be a positive integer"),
        Arguments.of(ControlPayload.of(-1), "checkpoint request id must be a non-negative integer"),
        Arguments.of(ControlPayload.of("-5"), "checkpoint request id must be a non-negative integer"),
        Arguments.of(ControlPayload.of(Long.MIN_VALUE), "checkpoint request id must be a non-negative integer"),
        Arguments.of(new ControlPayload.RealValue(5.0), SEED_FORM),
        Arguments.of(new ControlPayload.RealValue(5.5), SEED_FORM),
        Arguments.of(ControlPayload.of(""), SEED_FORM),
        Arguments.of(ControlPayload.of(" 5"), SEED_FORM),
        Arguments.of(ControlPayload.of("5 "), SEED_FORM),
        Arguments.of(ControlPayload.of("0x5"), SEED_FORM),
        Arguments.of(ControlPayload.of("1e3"), SEED_FORM),
        Arguments.of(ControlPayload.of("5.0"), SEED_FORM),
        Arguments.of(ControlPayload.of("9223372036854775808"), SEED_FORM),
        Arguments.of(ControlPayload.of("-9223372036854775809"), SEED_FORM),
        Arguments.of(ControlPayload.of("abc"), SEED_FORM),
        Arguments.of(new ControlPayload.BlobValue(new byte[] {'5'}), SEED_FORM));
  }

  @ParameterizedTest
  @MethodSource("seedPayloads")
  void seedRejectsWithTheReferenceText(ControlPayload payload, String message) {
    f.client.start(CheckpointMode.REQUESTS);
    control.seed(ControlPayload.of(3));
    assertThatThrownBy(() -> control.seed(payload))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessage(message);
    assertThat(f.counter()).as("an error changes nothing").contains(id(3));
  }

  @ParameterizedTest
  @MethodSource("seedPayloads")
  void seedChecksTheIterationBeforeThePayload(ControlPayload payload, String ignored) {
    assertThatThrownBy(() -> control.seed(payload))
        .isInstanceOf(CheckpointStateException.class)
        .hasMessage("No iteration is active");
  }

  @Test
  void seedAcceptsIntegersAndDecimalText() {
    f.client.start(CheckpointMode.REQUESTS);
    assertThat(control.seed(ControlPayload.of(41))).isEqualTo(id(41));
    assertThat(control.seed(ControlPayload.of("+7"))).isEqualTo(id(7));
    assertThat(control.seed(ControlPayload.of("00042"))).isEqualTo(id(42));
    assertThat(control.seed(ControlPayload.of("9223372036854775807"))).isEqualTo(id(Long.MAX_VALUE));
    assertThat(control.seed(ControlPayload.of(Long.MAX_VALUE))).isEqualTo(id(Long.MAX_VALUE));
    assertThat(control.current()).contains(id(Long.MAX_VALUE));
  }

  @Test
  void nextAtMaxIsAnOverflowErrorThatChangesNothing() {
    f.client.start(CheckpointMode.REQUESTS);
    control.seed(ControlPayload.of(Long.MAX_VALUE));
    assertThatThrownBy(control::next)
        .isInstanceOf(CheckpointStateException.class)
        .hasMessageContaining("overflow");
    assertThat(control.current()).contains(id(Long.MAX_VALUE));
  }

  static Stream<Arguments> badTargets() {
    return Stream.of(
        Arguments.of(ControlPayload.of(-1), "target checkpoint request id must be a non-negative integer"),
        Arguments.of(ControlPayload.of("-5"), "target checkpoint request id must be a non-negative integer"),
        Arguments.of(new ControlPayload.RealValue(5.0), TARGET_FORM),
        Arguments.of(ControlPayload.of(""), TARGET_FORM),
        Arguments.of(ControlPayload.of(" 5"), TARGET_FORM),
        Arguments.of(ControlPayload.of("1e3"), TARGET_FORM),
        Arguments.of(ControlPayload.of("9223372036854775808"), TARGET_FORM),
        Arguments.of(ControlPayload.of("abc"), TARGET_FORM),
        Arguments.of(new ControlPayload.BlobValue(new byte[] {'5'}), TARGET_FORM));
  }

  @ParameterizedTest
  @MethodSource("badTargets")
  void targetRejectsWithTheReferenceTextAndKeepsTheTarget(ControlPayload payload, String message) {
    control.target(ControlPayload.of(3));
    assertThatThrownBy(() -> control.target(payload))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessage(message);
    assertThat(f.target()).contains(id(3));
  }

  @Test
  void targetReadsSetsAndDeletesWithoutAnIteration() {
    assertThat(control.target(ControlPayload.NULL)).isEmpty();
    assertThat(control.target(ControlPayload.of(0))).isEmpty();
    assertThat(control.target(ControlPayload.of(1))).isEmpty();
    assertThat(control.target(ControlPayload.of("2"))).contains(id(1));
    assertThat(control.target(ControlPayload.of("+3"))).contains(id(2));
    assertThat(control.target(ControlPayload.of("-0"))).contains(id(3));
    assertThat(control.target(ControlPayload.NULL)).isEmpty();
    assertThat(control.target(ControlPayload.of(Long.MAX_VALUE))).isEmpty();
    assertThat(control.target(ControlPayload.of("00009"))).contains(id(Long.MAX_VALUE));
    assertThat(control.target(ControlPayload.of("0"))).contains(id(9));
    assertThat(f.counter()).as("target never touches the counter").isEmpty();
  }
}
