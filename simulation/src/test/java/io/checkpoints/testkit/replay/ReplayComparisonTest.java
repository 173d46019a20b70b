package io.checkpoints.testkit.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayComparisonTest {

  @Test
  void spacingAndKeyOrderDoNotMatter() {
    assertThat(ReplayComparison.sameOutput(
        "{\"ok\": {\"connected\": true, \"connecting\": false}}",
        "{\"ok\":{\"connecting\":false,\"connected\":true}}")).isTrue();
  }

  @Test
  void errorMessagesAreIgnoredButKindsAreCompared() {
    assertThat(ReplayComparison.sameOutput(
        "{\"error\": {\"kind\": \"state\", \"message\": \"No iteration is active\"}}",
        "{\"error\": {\"kind\": \"state\", \"message\": \"invalid state: No iteration is active\"}}"))
        .isTrue();
    assertThat(ReplayComparison.sameOutput(
        "{\"error\": {\"kind\": \"state\", \"message\": \"x\"}}",
        "{\"error\": {\"kind\": \"argument\", \"message\": \"x\"}}")).isFalse();
    assertThat(ReplayComparison.sameOutput(
        "{\"error\": {\"kind\": \"state\", \"message\": \"x\"}}", "{\"ok\": null}")).isFalse();
  }

  @Test
  void onlyTheErrorMessageIsIgnored() {
    assertThat(ReplayComparison.sameOutput(
        "{\"ok\": {\"message\": 1}}", "{\"ok\": {\"message\": 2}}")).isFalse();
  }

  @Test
  void numbersCompareByValue() {
    assertThat(ReplayComparison.sameOutput("{\"ok\": 5}", "{\"ok\": 5.0}")).isTrue();
    assertThat(ReplayComparison.sameOutput(
        "{\"ok\": 9223372036854775807}", "{\"ok\": 9223372036854775806}")).isFalse();
    assertThat(ReplayComparison.sameOutput("{\"ok\": [{\"applied\": 3}]}", "{\"ok\": [{\"applied\": \"3\"}]}"))
        .isFalse();
    assertThat(ReplayComparison.sameOutput("{\"ok\": null}", "{\"ok\": 0}")).isFalse();
    assertThat(ReplayComparison.sameOutput("{\"ok\": []}", "{\"ok\": [{\"held\": true}]}")).isFalse();
  }

  @Test
  void aLineThatIsNotJsonNeverMatches() {
    assertThat(ReplayComparison.sameOutput("nonsense", "nonsense")).isFalse();
  }

  @Test
  void differencesNameTheEventAndTheLengths() {
    assertThat(ReplayComparison.differences(
        List.of("{\"ok\": 1}", "{\"ok\": 2}"), List.of("{\"ok\": 1}", "{\"ok\": 3}", "{\"ok\": 4}")))
        .containsExactly("event 2: expected {\"ok\": 2} but got {\"ok\": 3}",
            "expected 2 output lines but got 3");
    assertThat(ReplayComparison.differences(List.of("{\"ok\": 1}"), List.of("{\"ok\":1}"))).isEmpty();
  }
}
