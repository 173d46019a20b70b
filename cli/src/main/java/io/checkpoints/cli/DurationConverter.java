package io.checkpoints.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration as {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h} or ISO-8601
 * ({@code PT2S}): people type the short forms, scripts may hold the ISO ones. It keeps the text as
 * given, so that a command prints {@code 2s} back as {@code 2s}, not {@code PT2S}. Stateless and
 * thread-safe.
 */
final class DurationConverter implements ITypeConverter<DurationConverter.Given> {

  /**
   * A duration and the text it was given as. Immutable and thread-safe.
   *
   * @param duration the duration
   * @param text the text, as typed
   */
  record Given(Duration duration, String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)");

  @Override
  public Given convert(String value) {
    return new Given(parse(value), value.strip());
  }

  private static Duration parse(String value) {
    Matcher m = SHORT.matcher(value.strip().toLowerCase(Locale.ROOT));
    try {
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        };
      }
      Duration parsed = Duration.parse(value.strip());
      if (parsed.isNegative()) {
        throw new TypeConversionException("a duration must not be negative: '" + value + "'");
      }
      return parsed;
    } catch (ArithmeticException | java.time.format.DateTimeParseException e) {
      throw new TypeConversionException("not a duration: '" + value
          + "' (examples: 500ms, 2s, 5m, 1h, PT2S)");
    }
  }
}
