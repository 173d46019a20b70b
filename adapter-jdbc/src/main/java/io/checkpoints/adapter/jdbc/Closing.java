package io.checkpoints.adapter.jdbc;

/** Closing what a failed open leaves behind. Stateless and thread-safe. */
final class Closing {

  private Closing() {}

  /**
   * Closes a resource after {@code failure} happened; a close failure is added to it as a
   * suppressed exception instead of hiding it, so the caller can rethrow the original.
   *
   * @param failure what made the open fail
   * @param resource what to close
   */
  static void closeAfter(RuntimeException failure, AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception closeFailure) {
      failure.addSuppressed(closeFailure);
    }
  }
}
