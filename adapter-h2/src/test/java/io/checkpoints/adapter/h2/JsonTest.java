package io.checkpoints.adapter.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.h2.internal.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The adapter's small JSON reader: values, strictness, and the {@code type} member lookup. */
class JsonTest {

  @Test
  @DisplayName("scalars read as their Java counterparts; integers beyond 64 bits as BigInteger")
  void scalars() {
    assertThat(Json.parse("42")).contains(42L);
    assertThat(Json.parse(" -9223372036854775808 ")).contains(Long.MIN_VALUE);
    assertThat(Json.parse("9223372036854775807")).contains(Long.MAX_VALUE);
    assertThat(Json.parse("9223372036854775808")).contains(new BigInteger("9223372036854775808"));
    assertThat(Json.parse("4.50")).contains(new BigDecimal("4.50"));
    assertThat(Json.parse("1e3")).contains(new BigDecimal("1e3"));
    assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\n\\u00e9\"")).contains("a\"b\\c/d\n\u00e9");
    assertThat(Json.parse("true")).contains(Boolean.TRUE);
    assertThat(Json.parse("null")).contains(Json.NULL);
  }

  @Test
  @DisplayName("objects keep member order and the first of duplicate names; arrays nest")
  void structures() {
    assertThat(Json.parse("{\"b\": [1, {\"c\": null}], \"a\": \"x\", \"b\": 2}"))
        .contains(Map.of("b", List.of(1L, Map.of("c", Json.NULL)), "a", "x"));
    assertThat(Json.parse("[]")).contains(List.of());
    assertThat(Json.parse("{ }")).contains(Map.of());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "01", "-", "1.", "1e", "+1",
      "\"unterminated", "\"tab\there\"", "\"\\x\"", "\"\\u12\"", "tru", "nul", "{} {}", "1 2", "'a'",
      "{a:1}", "NaN"})
  @DisplayName("anything that is not exactly one JSON value is refused")
  void malformed(String text) {
    assertThat(Json.parse(text)).isEmpty();
  }

  @Test
  @DisplayName("deep nesting is refused instead of overflowing the stack")
  void deepNesting() {
    assertThat(Json.parse("[".repeat(100_000) + "]".repeat(100_000))).isEmpty();
    assertThat(Json.parse("[".repeat(100) + "]".repeat(100))).isPresent();
  }

  @Test
  @DisplayName("the type member of a queued write, if it is a string of a top-level object")
  void stringMember() {
    assertThat(Json.stringMember("{\"op\":\"PUT\",\"type\":\"logs\",\"data\":{\"type\":\"x\"}}", "type"))
        .contains("logs");
    assertThat(Json.stringMember("{\"data\":{\"type\":\"x\"}}", "type")).isEmpty();
    assertThat(Json.stringMember("{\"type\":5}", "type")).isEmpty();
    assertThat(Json.stringMember("[\"type\"]", "type")).isEmpty();
    assertThat(Json.stringMember("{\"type\":\"logs\"", "type")).isEmpty();
    assertThat(Json.stringMember(null, "type")).isEmpty();
  }
}
