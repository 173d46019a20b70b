package io.checkpoints.adapter.http;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded generators of hostile JSON text for the fuzz tests: valid sync lines and service answers,
 * then truncated, mutated, deeply nested, with huge numbers or wrong types. The same seed gives the
 * same inputs ({@code -Dcheckpoints.fuzz.seed=N} replays a reported failure).
 */
final class FuzzInputs {

  private static final String PUNCTUATION = "{[\",:}]0-e.\\ \n";

  static final long DEFAULT_SEED = 0x5EED_F022L;

  private FuzzInputs() {}

  static long seed() {
    return Long.getLong("checkpoints.fuzz.seed", DEFAULT_SEED);
  }

  private static final List<String> IDS = List.of("\"1\"", "\"0\"", "\"-1\"", "\"42\"", "\"007\"", "\"+5\"",
      "\"9223372036854775807\"", "\"9223372036854775808\"", "\"-9223372036854775808\"",
      "\"99999999999999999999999999999999\"", "\"1.5\"", "\"1e3\"", "\"\"", "\" 1\"", "\"abc\"",
      "1", "0", "-1", "1.5", "1e400", "-1e400", "9223372036854775808", "123456789012345678901234567890",
      "null", "true", "false", "[]", "{}", "[\"1\"]", "{\"a\":1}", "\"\\u0000\"", "\"\\ud800\"");

  /** A value of any JSON type, sometimes a plausible id. */
  static String value(SplittableRandom random, int depth) {
    int kind = random.nextInt(depth > 3 ? 3 : 6);
    return switch (kind) {
      case 0, 1 -> IDS.get(random.nextInt(IDS.size()));
      case 2 -> "\"" + word(random) + "\"";
      case 3 -> "[" + value(random, depth + 1) + (random.nextBoolean() ? "," + value(random, depth + 1) : "") + "]";
      case 4 -> "{\"" + word(random) + "\":" + value(random, depth + 1) + "}";
      default -> Long.toString(random.nextLong());
    };
  }

  static String word(SplittableRandom random) {
    List<String> words = List.of("last_op_id", "write_checkpoint", "buckets", "priority", "data",
        "checkpoint_request_id", "updated_buckets", "removed_buckets", "x", "", "checkpoint",
        "checkpoint_complete", "\\\"", "\\u00e9", "é", "🙂");
    return words.get(random.nextInt(words.size()));
  }

  /** A sync line that is well-formed JSON, with plausible or wrong field values. */
  static String syncLine(SplittableRandom random) {
    String lastOp = random.nextInt(4) == 0 ? value(random, 0) : "\"" + (1 + random.nextInt(1_000_000)) + "\"";
    String wc = random.nextInt(3) == 0 ? value(random, 0) : "\"" + random.nextLong() + "\"";
    return switch (random.nextInt(8)) {
      case 0 -> "{\"checkpoint\":{\"last_op_id\":" + lastOp + ",\"write_checkpoint\":" + wc
          + ",\"buckets\":" + (random.nextInt(4) == 0 ? value(random, 0) : "[]") + "}}";
      case 1 -> "{\"checkpoint_diff\":{\"last_op_id\":" + lastOp + ",\"write_checkpoint\":" + wc
          + ",\"updated_buckets\":[],\"removed_buckets\":" + (random.nextInt(4) == 0 ? value(random, 0) : "[]") + "}}";
      case 2 -> "{\"checkpoint_complete\":{\"last_op_id\":" + lastOp + "}}";
      case 3 -> "{\"partial_checkpoint_complete\":{\"last_op_id\":" + lastOp + ",\"priority\":"
          + (random.nextBoolean() ? Integer.toString(random.nextInt(5)) : value(random, 0)) + "}}";
      case 4 -> "{\"token_expires_in\":" + (random.nextBoolean() ? Integer.toString(random.nextInt(100)) : value(random, 0)) + "}";
      case 5 -> "{\"" + word(random) + "\":" + value(random, 0) + "}";
      case 6 -> "{\"checkpoint\":" + value(random, 0) + "}";
      default -> value(random, 0);
    };
  }

  /** Damages a text: truncation, a changed, inserted or deleted character, nesting, duplication. */
  static String damage(SplittableRandom random, String text) {
    return switch (random.nextInt(7)) {
      case 0 -> text.substring(0, random.nextInt(text.length() + 1));
      case 1 -> {
        if (text.isEmpty()) {
          yield "\u0000";
        }
        int at = random.nextInt(text.length());
        yield text.substring(0, at) + (char) random.nextInt(0x80) + text.substring(at + 1);
      }
      case 2 -> {
        int at = random.nextInt(text.length() + 1);
        yield text.substring(0, at) + PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length())) + text.substring(at);
      }
      case 3 -> {
        if (text.isEmpty()) {
          yield text;
        }
        int at = random.nextInt(text.length());
        yield text.substring(0, at) + text.substring(at + 1);
      }
      case 4 -> nested(random);
      case 5 -> text + text;
      default -> text + " " + value(random, 0);
    };
  }

  /** Deep nesting, up to 20,000 levels, closed or not. */
  static String nested(SplittableRandom random) {
    int depth = 1 + random.nextInt(random.nextBoolean() ? 100 : 20_000);
    boolean arrays = random.nextBoolean();
    StringBuilder text = new StringBuilder("{\"checkpoint\":");
    for (int i = 0; i < depth; i++) {
      text.append(arrays ? "[" : "{\"a\":");
    }
    text.append('1');
    if (random.nextBoolean()) {
      for (int i = 0; i < depth; i++) {
        text.append(arrays ? ']' : '}');
      }
      text.append('}');
    }
    return text.toString();
  }

  /** Huge numbers: hundreds of digits, large exponents. */
  static String hugeNumber(SplittableRandom random) {
    StringBuilder digits = new StringBuilder(random.nextBoolean() ? "-" : "");
    int length = 1 + random.nextInt(2_000);
    digits.append((char) ('1' + random.nextInt(9)));
    for (int i = 1; i < length; i++) {
      digits.append((char) ('0' + random.nextInt(10)));
    }
    if (random.nextBoolean()) {
      digits.append("e").append(random.nextInt(100_000));
    }
    return digits.toString();
  }
}
