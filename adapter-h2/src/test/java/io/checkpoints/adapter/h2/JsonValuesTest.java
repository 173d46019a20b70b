package io.checkpoints.adapter.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.h2.internal.JsonValues;
import io.checkpoints.adapter.h2.internal.JsonValues.QueuedData;
import java.math.BigDecimal;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The adapter's JSON readers (Jackson): ps_kv scalars, the type member, ps_crud rows. */
class JsonValuesTest {

  @Test
  @DisplayName("scalars read as their Java counterparts; what the store cannot read is empty")
  void scalars() {
    assertThat(JsonValues.scalar("42")).contains(42L);
    assertThat(JsonValues.scalar(" -9223372036854775808 ")).contains(Long.MIN_VALUE);
    assertThat(JsonValues.scalar("9223372036854775807")).contains(Long.MAX_VALUE);
    assertThat(JsonValues.scalar("9223372036854775808")).as("beyond 64 bits").isEmpty();
    assertThat(JsonValues.scalar("4.50")).contains(new BigDecimal("4.50"));
    assertThat(JsonValues.scalar("1e3")).contains(new BigDecimal("1e3"));
    assertThat(JsonValues.scalar("\"a\\\"b\\\\c\\/d\\n\\u00e9\"")).contains("a\"b\\c/d\n\u00e9");
    assertThat(JsonValues.scalar("true")).contains(Boolean.TRUE);
    assertThat(JsonValues.scalar("false")).contains(Boolean.FALSE);
    assertThat(JsonValues.scalar("null")).isEmpty();
    assertThat(JsonValues.scalar("[1]")).isEmpty();
    assertThat(JsonValues.scalar("{\"a\":1}")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "01", "-", "1.", "1e", "+1",
      "\"unterminated", "\"tab\there\"", "\"\\x\"", "\"\\u12\"", "tru", "nul", "{} {}", "1 2", "'a'",
      "{a:1}", "NaN", "42 x"})
  @DisplayName("anything that is not exactly one JSON value is refused")
  void malformed(String text) {
    assertThat(JsonValues.scalar(text)).isEmpty();
    assertThat(JsonValues.stringMember(text, "type")).isEmpty();
    assertThat(JsonValues.queuedData(text)).isEmpty();
  }

  @Test
  @DisplayName("deep nesting is refused instead of overflowing the stack")
  void deepNesting() {
    String deep = "{\"type\":\"logs\",\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertThat(JsonValues.stringMember(deep, "type")).isEmpty();
    assertThat(JsonValues.queuedData(deep)).isEmpty();
    String shallow = "{\"type\":\"logs\",\"a\":" + "[".repeat(100) + "]".repeat(100) + "}";
    assertThat(JsonValues.stringMember(shallow, "type")).contains("logs");
  }

  @Test
  @DisplayName("the type member of a queued write, if it is a string of a well-formed top-level object")
  void stringMember() {
    assertThat(JsonValues.stringMember("{\"op\":\"PUT\",\"type\":\"logs\",\"data\":{\"type\":\"x\"}}", "type"))
        .contains("logs");
    assertThat(JsonValues.stringMember("{\"data\":{\"type\":\"x\"}}", "type")).isEmpty();
    assertThat(JsonValues.stringMember("{\"type\":5}", "type")).isEmpty();
    assertThat(JsonValues.stringMember("[\"type\"]", "type")).isEmpty();
    assertThat(JsonValues.stringMember("{\"type\":\"logs\"", "type")).as("unclosed").isEmpty();
    assertThat(JsonValues.stringMember("{\"type\":\"logs\"} x", "type")).as("trailing").isEmpty();
    assertThat(JsonValues.stringMember("{\"type\":\"a\",\"type\":\"b\"}", "type")).as("first").contains("a");
    assertThat(JsonValues.stringMember(null, "type")).isEmpty();
  }

  @Test
  @DisplayName("a ps_crud row: op, type, id and the data member as stored; extra members ignored")
  void queuedData() {
    assertThat(JsonValues.queuedData("{\"op\":\"PATCH\",\"id\":\"r1\",\"type\":\"items\","
        + "\"data\":{ \"n\" : [1, 2] },\"old\":{\"n\":1},\"metadata\":\"m\"}"))
        .contains(new QueuedData("PATCH", "items", "r1", "{ \"n\" : [1, 2] }"));
    assertThat(JsonValues.queuedData("{\"op\":\"DELETE\",\"id\":\"r2\",\"type\":\"items\"}"))
        .as("data absent").contains(new QueuedData("DELETE", "items", "r2", null));
    assertThat(JsonValues.queuedData("{\"op\":\"PUT\",\"id\":7,\"type\":\"items\",\"data\":null}"))
        .as("a numeric id, JSON null data").contains(new QueuedData("PUT", "items", "7", null));
    assertThat(JsonValues.queuedData("{\"op\":1,\"type\":[\"x\"],\"id\":{},\"data\":5}"))
        .as("members of other types").contains(new QueuedData(null, null, null, "5"));
    assertThat(JsonValues.queuedData("{\"op\":\"PUT\",\"op\":\"DELETE\",\"data\":{\"a\":1},\"data\":{}}"))
        .as("the first of duplicates").contains(new QueuedData("PUT", null, null, "{\"a\":1}"));
    assertThat(JsonValues.queuedData("[]")).isEmpty();
    assertThat(JsonValues.queuedData(null)).isEmpty();
  }
}
