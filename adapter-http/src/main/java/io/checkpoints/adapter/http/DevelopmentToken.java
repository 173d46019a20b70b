package io.checkpoints.adapter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The {@code Authorization: Token <jwt>} header as {@link CheckpointHttpServer} reads it: the user
 * is the payload's {@code sub} claim, an {@code exp} claim (seconds since the epoch) is honoured,
 * and the signature is <em>not</em> checked. Stateless and thread-safe.
 */
final class DevelopmentToken {

  /** The claims the server uses. */
  static final class Claims {
    final String subject;
    final OptionalLong expiresAtEpochSecond;

    Claims(String subject, OptionalLong expiresAtEpochSecond) {
      this.subject = subject;
      this.expiresAtEpochSecond = expiresAtEpochSecond;
    }

    /** @return whole seconds until expiry (0 or less once expired), or empty without {@code exp} */
    OptionalLong secondsLeft(Instant now) {
      return expiresAtEpochSecond.isPresent()
          ? OptionalLong.of(expiresAtEpochSecond.getAsLong() - now.getEpochSecond())
          : OptionalLong.empty();
    }
  }

  /** The header was missing or unusable; the message says why (it becomes the 401 description). */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private DevelopmentToken() {}

  static Claims parse(String authorization, Instant now) throws Refused {
    if (authorization == null) {
      throw new Refused("missing Authorization header; expected \"Token <jwt>\"");
    }
    String header = authorization.trim();
    // The scheme of an Authorization header is case-insensitive (RFC 9110).
    if (!header.toLowerCase(Locale.ROOT).startsWith("token ")) {
      throw new Refused("the Authorization header must be \"Token <jwt>\"");
    }
    String[] parts = header.substring("token ".length()).trim().split("\\.", -1);
    if (parts.length != 3 || parts[1].isEmpty()) {
      throw new Refused("the token is not a JWT (header.payload.signature)");
    }
    JsonNode claims;
    try {
      claims = Json.parse(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IllegalArgumentException | JsonProcessingException e) {
      throw new Refused("the token's payload is not base64url-encoded JSON");
    }
    JsonNode subject = claims.path("sub");
    if (!subject.isTextual() || subject.textValue().isEmpty()) {
      throw new Refused("the token has no \"sub\" claim naming the user");
    }
    JsonNode exp = claims.path("exp");
    OptionalLong expiresAt = OptionalLong.empty();
    if (!exp.isMissingNode()) {
      if (!exp.isNumber()) {
        throw new Refused("the token's \"exp\" claim must be a number of seconds");
      }
      BigDecimal seconds = exp.decimalValue();
      expiresAt = OptionalLong.of(seconds.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0
          ? Long.MAX_VALUE
          : seconds.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) <= 0 ? Long.MIN_VALUE
          : seconds.longValue());
      if (expiresAt.getAsLong() <= now.getEpochSecond()) {
        throw new Refused("the token expired at " + Instant.ofEpochSecond(
            Math.max(expiresAt.getAsLong(), Instant.MIN.getEpochSecond())));
      }
    }
    return new Claims(subject.textValue(), expiresAt);
  }

  static String create(String subject, Instant expiresAt) {
    ObjectNode header = Json.object();
    header.put("alg", "none");
    header.put("typ", "JWT");
    ObjectNode payload = Json.object();
    payload.put("sub", subject);
    if (expiresAt != null) {
      payload.put("exp", expiresAt.getEpochSecond());
    }
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    return base64.encodeToString(Json.bytes(header)) + "."
        + base64.encodeToString(Json.bytes(payload)) + ".";
  }
}
