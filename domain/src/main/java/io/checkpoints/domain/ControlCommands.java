package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointControl;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ControlPayload;
import io.checkpoints.ports.DecimalText;
import java.util.Optional;

/**
 * The {@code powersync_control} checkpoint commands of one {@link SyncClient}, with the payload
 * forms and error texts of the reference core. Thread-safe: shares the client's lock.
 */
final class ControlCommands implements CheckpointControl {

  static final String SEED_NOT_AN_INTEGER = "checkpoint request id must be an integer or integer string";
  static final String SEED_ZERO = "checkpoint request id must be a positive integer";
  static final String SEED_NEGATIVE = "checkpoint request id must be a non-negative integer";
  static final String TARGET_NOT_AN_INTEGER =
      "target checkpoint request id must be an integer, integer string, or null";
  static final String TARGET_NEGATIVE = "target checkpoint request id must be a non-negative integer";

  private final ClientState state;
  private final CheckpointSequence sequence;
  private final WriteCheckpointBarrier barrier;

  ControlCommands(ClientState state, CheckpointSequence sequence, WriteCheckpointBarrier barrier) {
    this.state = state;
    this.sequence = sequence;
    this.barrier = barrier;
  }

  @Override
  public CheckpointRequestId seed(ControlPayload payload) {
    return state.write(tx -> {
      state.requireIteration(); // the precondition comes before the argument
      long value = integerOf(payload, SEED_NOT_AN_INTEGER);
      if (value == 0) {
        throw new CheckpointArgumentException(SEED_ZERO);
      }
      if (value < 0) {
        throw new CheckpointArgumentException(SEED_NEGATIVE);
      }
      return sequence.seed(CheckpointRequestId.of(value));
    });
  }

  @Override
  public CheckpointRequestId next() {
    return sequence.next();
  }

  @Override
  public Optional<CheckpointRequestId> current() {
    return sequence.current();
  }

  @Override
  public Optional<CheckpointRequestId> target(ControlPayload payload) {
    if (payload instanceof ControlPayload.NullValue) {
      return barrier.target();
    }
    long value = integerOf(payload, TARGET_NOT_AN_INTEGER);
    if (value < 0) {
      throw new CheckpointArgumentException(TARGET_NEGATIVE);
    }
    return value == 0
        ? barrier.clearTarget()
        : barrier.setTarget(CheckpointRequestId.of(value));
  }

  /** An integer, or decimal text in the signed 64-bit range; anything else is {@code message}. */
  private static long integerOf(ControlPayload payload, String message) {
    if (payload instanceof ControlPayload.IntegerValue integer) {
      return integer.value();
    }
    if (payload instanceof ControlPayload.TextValue text) {
      try {
        return DecimalText.parseSigned64(text.value());
      } catch (CheckpointArgumentException e) {
        throw new CheckpointArgumentException(message);
      }
    }
    throw new CheckpointArgumentException(message);
  }
}
