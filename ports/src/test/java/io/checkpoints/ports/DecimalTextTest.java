package io.checkpoints.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DecimalTextTest {

  @ParameterizedTest
  @CsvSource({
      "0, 0", "-0, 0", "+0, 0", "5, 5", "+5, 5", "-5, -5", "007, 7", "-007, -7",
      "9223372036854775807, 9223372036854775807", "+9223372036854775807, 9223372036854775807",
      "-9223372036854775808, -9223372036854775808", "0009223372036854775807, 9223372036854775807"
  })
  void acceptsSignedDecimalDigits(String text, long expected) {
    assertThat(DecimalText.parseSigned64(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "+", "-", " 5", "5 ", "5.0", "1e3", "0x5", "abc", "++5", "+-5",
      "5-", "٣", "５", "\t5", "5\n"})
  void rejectsEverythingElse(String text) {
    assertThatThrownBy(() -> DecimalText.parseSigned64(text))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("expected a decimal integer");
  }

  @ParameterizedTest
  @ValueSource(strings = {"9223372036854775808", "-9223372036854775809", "99999999999999999999",
      "+9223372036854775808", "18446744073709551616"})
  void rejectsOutOfRange(String text) {
    assertThatThrownBy(() -> DecimalText.parseSigned64(text))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("out of the signed 64-bit range");
  }

  @org.junit.jupiter.api.Test
  void rejectsNull() {
    assertThatThrownBy(() -> DecimalText.parseSigned64(null))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("null");
  }
}
