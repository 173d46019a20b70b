package io.checkpoints.ports;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The key of a per-user sequence: the lowercase hex SHA-256 of the user id, so that the raw user
 * id (typically the token's {@code sub}) is never stored. Immutable and thread-safe.
 *
 * @param hex 64 lowercase hexadecimal characters
 */
public record UserKey(String hex) {

  /**
   * @param hex 64 lowercase hexadecimal characters
   * @throws CheckpointArgumentException if {@code hex} is not 64 lowercase hexadecimal characters
   */
  public UserKey {
    if (hex == null || hex.length() != 64 || !hex.chars().allMatch(UserKey::isLowerHex)) {
      throw new CheckpointArgumentException(
          "user key must be 64 lowercase hexadecimal characters (a SHA-256), got "
              + (hex == null ? "null" : "\"" + hex + "\""));
    }
  }

  /**
   * @param userId the user id as the host knows it, for example the token's {@code sub}; not empty
   * @return the key: SHA-256 of the UTF-8 bytes of {@code userId}, in lowercase hex
   * @throws CheckpointArgumentException if {@code userId} is null or empty
   */
  public static UserKey forUserId(String userId) {
    if (userId == null || userId.isEmpty()) {
      throw new CheckpointArgumentException("user id must be a non-empty string, got "
          + (userId == null ? "null" : "\"\""));
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(userId.getBytes(StandardCharsets.UTF_8));
      return new UserKey(HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  private static boolean isLowerHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  @Override
  public String toString() {
    return hex;
  }
}
