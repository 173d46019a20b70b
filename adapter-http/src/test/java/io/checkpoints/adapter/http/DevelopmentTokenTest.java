package io.checkpoints.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DevelopmentTokenTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static String jwtWithPayload(String json) {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    return base64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + base64.encodeToString(json.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
  }

  @Test
  void readsTheSubjectOfADevelopmentToken() throws Exception {
    String token = CheckpointHttpServer.developmentToken("user-1");
    DevelopmentToken.Claims claims = DevelopmentToken.parse("Token " + token, NOW);
    assertThat(claims.subject).isEqualTo("user-1");
    assertThat(claims.expiresAtEpochSecond).isEmpty();
    assertThat(token).endsWith(".").doesNotContain("=");
  }

  @Test
  void readsTheExpiryAndCountsTheSecondsLeft() throws Exception {
    String token = CheckpointHttpServer.developmentToken("u", NOW.plusSeconds(90));
    DevelopmentToken.Claims claims = DevelopmentToken.parse("Token " + token, NOW);
    assertThat(claims.secondsLeft(NOW)).hasValue(90);
    assertThat(claims.secondsLeft(NOW.plusSeconds(100))).hasValue(-10);
  }

  @Test
  void ignoresTheSignatureAndTheSchemesCase() throws Exception {
    assertThat(DevelopmentToken.parse("token " + jwtWithPayload("{\"sub\":\"x\"}"), NOW).subject)
        .isEqualTo("x");
    assertThat(DevelopmentToken.parse("TOKEN  " + jwtWithPayload("{\"sub\":\"y\",\"exp\":1e10}"),
        NOW).subject).isEqualTo("y");
  }

  @ParameterizedTest(name = "header \"{0}\"")
  @ValueSource(strings = {"", "Bearer abc", "Token", "Token abc", "Token a.b", "Token a.b.c.d",
      "Token a..c", "Token a.!!!.c"})
  void refusesHeadersWithoutAJwt(String header) {
    assertThatThrownBy(() -> DevelopmentToken.parse(header, NOW))
        .isInstanceOf(DevelopmentToken.Refused.class);
  }

  @ParameterizedTest(name = "payload {0}")
  @ValueSource(strings = {"[]", "{}", "{\"sub\": 1}", "{\"sub\": \"\"}", "not json",
      "{\"sub\": \"x\", \"exp\": \"soon\"}", "{\"sub\": \"x\", \"exp\": 1767225600}",
      "{\"sub\": \"x\", \"exp\": -1e400}"})
  void refusesPayloadsWithoutAUsableSubjectOrWithAPastExpiry(String payload) {
    assertThatThrownBy(() -> DevelopmentToken.parse("Token " + jwtWithPayload(payload), NOW))
        .isInstanceOf(DevelopmentToken.Refused.class);
  }

  @Test
  void refusesAMissingHeader() {
    assertThatThrownBy(() -> DevelopmentToken.parse(null, NOW))
        .isInstanceOf(DevelopmentToken.Refused.class)
        .hasMessageContaining("missing");
  }

  @Test
  void aTokenNeedsASubject() {
    assertThatThrownBy(() -> CheckpointHttpServer.developmentToken(""))
        .isInstanceOf(CheckpointArgumentException.class);
  }
}
