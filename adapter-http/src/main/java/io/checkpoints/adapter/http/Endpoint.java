package io.checkpoints.adapter.http;

import io.checkpoints.ports.CheckpointArgumentException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/** The service's base URI and the paths below it; also shared argument checks. Immutable. */
final class Endpoint {

  private final String base;

  private Endpoint(String base) {
    this.base = base;
  }

  /**
   * @param endpoint an absolute {@code http} or {@code https} URI without query or fragment, for
   *     example {@code https://example.powersync.com} or {@code http://127.0.0.1:8080/prefix/}
   * @throws CheckpointArgumentException if it is not such a URI
   */
  static Endpoint of(URI endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    String scheme = endpoint.getScheme();
    if (!endpoint.isAbsolute() || endpoint.isOpaque() || endpoint.getHost() == null
        || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
        || endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw new CheckpointArgumentException("the endpoint must be an absolute http or https URI"
          + " with a host and without query or fragment, got \"" + endpoint + "\"");
    }
    String text = endpoint.toString();
    // Paths are appended to the base, so "https://host/" and "https://host" mean the same.
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    return new Endpoint(text);
  }

  URI resolve(String pathAndQuery) {
    return URI.create(base + pathAndQuery);
  }

  boolean isPlainHttp() {
    return base.regionMatches(true, 0, "http:", 0, 5);
  }

  @Override
  public String toString() {
    return base;
  }

  static Duration positive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new CheckpointArgumentException(name + " must be positive, got " + duration);
    }
    return duration;
  }

  static String headerValue(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new CheckpointArgumentException(
          name + " must be non-blank text without control characters, got \"" + value + "\"");
    }
    return value;
  }
}
