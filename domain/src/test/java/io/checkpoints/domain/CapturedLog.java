package io.checkpoints.domain;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures the records of one logger and keeps them off the console while it is installed. */
final class CapturedLog implements AutoCloseable {
  final List<LogRecord> records = new CopyOnWriteArrayList<>();
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

  CapturedLog(Class<?> source) {
    logger = Logger.getLogger(source.getName()); // System.Logger's default backend is this logger
    logger.addHandler(handler);
    logger.setUseParentHandlers(false);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setUseParentHandlers(true);
  }
}
