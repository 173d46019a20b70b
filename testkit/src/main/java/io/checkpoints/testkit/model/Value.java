package io.checkpoints.testkit.model;

import io.checkpoints.ports.ControlPayload;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A value in an {@link Action}: absent, a literal, text, or relative to the most recent id of the
 * run ({@link Recent}), so that generated write checkpoints and targets land near the ids the
 * client really uses. Both sides of a run resolve it against the same recent id. All
 * implementations are immutable and thread-safe records.
 */
public sealed interface Value {

  /** No value: a {@code null} payload, or an omitted {@code write_checkpoint}. */
  record Absent() implements Value {
    @Override
    public String toString() {
      return "null";
    }
  }

  /**
   * A fixed number.
   *
   * @param value the number
   */
  record Literal(long value) implements Value {
    @Override
    public String toString() {
      return value == Long.MAX_VALUE ? "MAX"
          : value == Long.MAX_VALUE - 1 ? "MAX-1"
          : value == Long.MIN_VALUE ? "MIN"
          : Long.toString(value);
    }
  }

  /**
   * The most recent id of the run plus {@code delta}, saturating at the ends of the long range.
   *
   * @param delta the offset
   */
  record Recent(long delta) implements Value {
    @Override
    public String toString() {
      return delta == 0 ? "recent" : delta > 0 ? "recent+" + delta : "recent" + delta;
    }
  }

  /**
   * A text payload, passed as it is.
   *
   * @param text the text
   */
  record Text(String text) implements Value {
    @Override
    public String toString() {
      return "\"" + text + "\"";
    }
  }

  /** The absent value. */
  Value ABSENT = new Absent();

  /**
   * @param value a number
   * @return the literal
   */
  static Value of(long value) {
    return new Literal(value);
  }

  /**
   * @param recent the most recent id of the run
   * @return the number this value stands for, or empty for {@link Absent} and {@link Text}
   */
  default Optional<Long> number(long recent) {
    if (this instanceof Literal literal) {
      return Optional.of(literal.value());
    }
    if (this instanceof Recent relative) {
      return Optional.of(saturatedAdd(recent, relative.delta()));
    }
    return Optional.empty();
  }

  /**
   * @param recent the most recent id of the run
   * @return this value as a {@code powersync_control} payload
   */
  default ControlPayload payload(long recent) {
    if (this instanceof Text text) {
      return ControlPayload.of(text.text());
    }
    return number(recent).map(ControlPayload::of).orElse(ControlPayload.NULL);
  }

  /**
   * @param recent the most recent id of the run
   * @return this value as a {@code write_checkpoint}; text is not used there
   */
  default Optional<WriteCheckpoint> writeCheckpoint(long recent) {
    return number(recent).map(WriteCheckpoint::of);
  }

  /**
   * @param recent the most recent id of the run
   * @return this value with what it resolves to, for traces
   */
  default String describe(long recent) {
    return this instanceof Recent ? this + "=" + number(recent).orElseThrow() : toString();
  }

  /** @return a measure of how complicated this value is; shrinking only lowers it */
  default int complexity() {
    if (this instanceof Absent) {
      return 0;
    }
    if (this instanceof Recent relative) {
      return 1 + magnitude(relative.delta());
    }
    if (this instanceof Literal literal) {
      return 2 + magnitude(literal.value()) + (literal.value() < 0 ? 1 : 0);
    }
    return 70;
  }

  /** @return simpler values to try when shrinking, each with a lower {@link #complexity()} */
  default List<Value> simpler() {
    List<Value> candidates = new ArrayList<>();
    candidates.add(ABSENT);
    candidates.add(new Recent(0));
    candidates.add(new Literal(1));
    candidates.add(new Literal(0));
    if (this instanceof Recent relative) {
      candidates.add(new Recent(relative.delta() / 2));
      candidates.add(new Recent(relative.delta() - Long.signum(relative.delta())));
    }
    if (this instanceof Literal literal) {
      candidates.add(new Literal(literal.value() / 2));
      candidates.add(new Literal(literal.value() - Long.signum(literal.value())));
      if (literal.value() < 0 && literal.value() != Long.MIN_VALUE) {
        candidates.add(new Literal(-literal.value()));
      }
    }
    candidates.removeIf(candidate -> candidate.complexity() >= complexity());
    return candidates;
  }

  private static int magnitude(long value) {
    return value == Long.MIN_VALUE ? 64 : 64 - Long.numberOfLeadingZeros(Math.abs(value));
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }
}
