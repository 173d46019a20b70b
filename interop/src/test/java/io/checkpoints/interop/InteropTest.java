package io.checkpoints.interop;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every interop test has: a folder for its databases, the backend and the SDK it opens (each
 * optional), both closed after the test (a subclass's own {@code @AfterEach} runs first), and a
 * minute at most, since the SDK's waits are real time. Not thread-safe: JUnit makes one instance
 * per test.
 */
@Timeout(60)
abstract class InteropTest {

  @TempDir
  Path directory;

  /** The simulated service and backend the test started, if any. */
  Backend backend;

  /** The PowerSync Kotlin SDK the test opened, if any. */
  Sdk sdk;

  @AfterEach
  void closeSdkAndBackend() {
    if (sdk != null) {
      sdk.close();
    }
    if (backend != null) {
      backend.close();
    }
  }
}
