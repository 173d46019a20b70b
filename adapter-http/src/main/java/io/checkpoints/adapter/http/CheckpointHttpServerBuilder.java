package io.checkpoints.adapter.http;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointService;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncDataService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Builds and starts a {@link CheckpointHttpServer}; get one from {@link
 * CheckpointHttpServer#builder}. Not thread-safe; use it on one thread.
 */
public final class CheckpointHttpServerBuilder {
  final CheckpointService service;
  int port;
  Duration keepAliveInterval = CheckpointHttpServer.DEFAULT_KEEP_ALIVE_INTERVAL;
  int maxRequestBytes = CheckpointHttpServer.DEFAULT_MAX_REQUEST_BYTES;
  int maxQueuedLines = CheckpointHttpServer.DEFAULT_MAX_QUEUED_LINES;
  Scheduler scheduler = Scheduler.system();
  SyncDataService dataService;
  Consumer<String> log = message -> {};

  CheckpointHttpServerBuilder(CheckpointService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  /**
   * @param port the loopback port, 0 (the default) for an ephemeral one
   * @return this builder
   * @throws CheckpointArgumentException if {@code port} is not in 0..65535
   */
  public CheckpointHttpServerBuilder port(int port) {
    if (port < 0 || port > 65535) {
      throw new CheckpointArgumentException("a port must be 0..65535, got " + port);
    }
    this.port = port;
    return this;
  }

  /**
   * @param interval how long a stream may stay silent before a keep-alive line; positive. Real
   *     time: it paces the server's threads.
   * @return this builder
   * @throws CheckpointArgumentException if {@code interval} is not positive
   */
  public CheckpointHttpServerBuilder keepAliveInterval(Duration interval) {
    this.keepAliveInterval = Endpoint.positive(interval, "keepAliveInterval");
    return this;
  }

  /**
   * @param maxBytes the largest request body accepted (larger ones get 413); 1 KiB to 64 MiB
   * @return this builder
   * @throws CheckpointArgumentException if {@code maxBytes} is below 1 KiB or above 64 MiB
   */
  public CheckpointHttpServerBuilder maxRequestBytes(int maxBytes) {
    if (maxBytes < 1024 || maxBytes > 64 << 20) {
      throw new CheckpointArgumentException(
          "maxRequestBytes must be between 1024 and " + (64 << 20) + ", got " + maxBytes);
    }
    this.maxRequestBytes = maxBytes;
    return this;
  }

  /**
   * @param maxLines how many lines a stream may fall behind before it is ended; at least 1
   * @return this builder
   * @throws CheckpointArgumentException if {@code maxLines} is below 1
   */
  public CheckpointHttpServerBuilder maxQueuedLines(int maxLines) {
    if (maxLines < 1) {
      throw new CheckpointArgumentException("maxQueuedLines must be at least 1, got " + maxLines);
    }
    this.maxQueuedLines = maxLines;
    return this;
  }

  /**
   * @param scheduler the clock for token expiry ({@link Scheduler#wallTime()});
   *     {@link Scheduler#system()} by default
   * @return this builder
   */
  public CheckpointHttpServerBuilder scheduler(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /**
   * @param service the backend to serve: enables {@code POST /backend/upload}, and every
   *     checkpoint on a stream then carries the user's bucket (none by default)
   * @return this builder
   */
  public CheckpointHttpServerBuilder dataService(SyncDataService service) {
    this.dataService = Objects.requireNonNull(service, "service");
    return this;
  }

  /**
   * @param log told of each request ({@code "POST /sync/stream"}) and each streamed line, on
   *     the server's threads; must be thread-safe (nothing by default)
   * @return this builder
   */
  public CheckpointHttpServerBuilder log(Consumer<String> log) {
    this.log = Objects.requireNonNull(log, "log");
    return this;
  }

  /**
   * @return the started server
   * @throws UncheckedIOException if the server cannot bind
   */
  public CheckpointHttpServer start() {
    try {
      return new CheckpointHttpServer(this);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the checkpoint HTTP server on 127.0.0.1:"
          + port, e);
    }
  }
}
