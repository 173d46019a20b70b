package io.checkpoints.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz: 12,000 generated sync lines (well-formed with wrong or plausible values, truncated,
 * mutated, deeply nested, huge numbers, garbage) each decode to a line or fail with {@link
 * SyncProtocolException}; never another exception, and the same text always gives the same answer.
 */
class SyncLineDecoderFuzzTest {

  static final int INPUTS = 12_000;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyGeneratedLineDecodesOrFailsWithATypedError() {
    long seed = FuzzInputs.seed();
    SplittableRandom random = new SplittableRandom(seed);
    SyncLineDecoder decoder = SyncLineDecoder.create();
    int decoded = 0;
    int refused = 0;
    for (int i = 0; i < INPUTS; i++) {
      String text = switch (random.nextInt(6)) {
        case 0, 1 -> FuzzInputs.syncLine(random);
        case 2, 3 -> FuzzInputs.damage(random, FuzzInputs.syncLine(random));
        case 4 -> FuzzInputs.nested(random);
        default -> "{\"" + (random.nextBoolean() ? "token_expires_in" : "checkpoint_complete")
            + "\":" + FuzzInputs.hugeNumber(random) + "}";
      };
      Object first = outcome(decoder, text, seed, i);
      Object second = outcome(decoder, text, seed, i);
      assertThat(second).as("input %d of seed %d decodes the same twice: %s", i, seed, abbreviated(text))
          .isEqualTo(first);
      if (first instanceof SyncLine) {
        decoded++;
      } else {
        refused++;
      }
    }
    System.out.printf("fuzz sync lines: seed %d, %d inputs: %d decoded, %d refused with SyncProtocolException%n",
        seed, INPUTS, decoded, refused);
    assertThat(decoded).isPositive();
    assertThat(refused).isPositive();
  }

  @Test
  void aValidCheckpointCompleteKeepsItsOpId() {
    SplittableRandom random = new SplittableRandom(FuzzInputs.seed());
    SyncLineDecoder decoder = SyncLineDecoder.create();
    for (int i = 0; i < 1_000; i++) {
      String op = Long.toString(random.nextLong(1, Long.MAX_VALUE));
      assertThat(decoder.decode("{\"checkpoint_complete\":{\"last_op_id\":\"" + op + "\"}}"))
          .isEqualTo(new SyncLine.CheckpointComplete(op));
    }
  }

  private static Object outcome(SyncLineDecoder decoder, String text, long seed, int index) {
    try {
      SyncLine line = decoder.decode(text);
      assertThat(line).isNotNull();
      return line;
    } catch (SyncProtocolException e) {
      assertThat(e.getMessage()).startsWith(SyncLineDecoder.ERROR_PREFIX);
      return e.getMessage();
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("input " + index + " of seed " + seed + " threw " + e + " for "
          + abbreviated(text), e);
    }
  }

  static String abbreviated(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " chars)";
  }
}
