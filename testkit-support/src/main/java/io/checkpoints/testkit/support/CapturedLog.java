package io.checkpoints.testkit.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what one class logs through {@link System.Logger} (whose default backend is
 * {@code java.util.logging}) and keeps it off the console while installed, so that a test asserts
 * the log lines it expects instead of printing them. Use it in try-with-resources.
 *
 * <p>Thread-safe: records may arrive from any thread; {@link #records()} is a live, concurrent
 * list.
 */
public final class CapturedLog implements AutoCloseable {

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Logger logger;
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  /**
   * Starts capturing.
   *
   * @param source the class whose logger to capture (loggers are named after their class)
   */
  public CapturedLog(Class<?> source) {
    logger = Logger.getLogger(source.getName());
    logger.addHandler(handler);
    logger.setUseParentHandlers(false);
  }

  /** @return the records captured so far, oldest first */
  public List<LogRecord> records() {
    return records;
  }

  /** Stops capturing; the logger prints through its parents again. */
  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setUseParentHandlers(true);
  }
}
