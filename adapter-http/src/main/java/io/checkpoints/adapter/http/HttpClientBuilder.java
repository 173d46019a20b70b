package io.checkpoints.adapter.http;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.Scheduler;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * The options every HTTP client of this adapter takes: how to connect, who it says it is, a
 * caller's own {@link HttpClient}, and the scheduler that times it. The endpoint and credentials
 * are given when the builder is made. Not thread-safe; use a builder on one thread.
 *
 * @param <B> the concrete builder, returned by each option so that calls chain
 */
public abstract class HttpClientBuilder<B extends HttpClientBuilder<B>> {

  final Endpoint endpoint;
  final Credentials credentials;
  Duration connectTimeout = HttpCheckpointTransport.DEFAULT_CONNECT_TIMEOUT;
  String userAgent = HttpCheckpointTransport.DEFAULT_USER_AGENT;
  /** A caller's client, or null for one of our own. */
  HttpClient client;
  Scheduler scheduler = Scheduler.system();

  HttpClientBuilder(Endpoint endpoint, Credentials credentials) {
    this.endpoint = endpoint;
    this.credentials = credentials;
  }

  /** @return this builder as its concrete type */
  abstract B self();

  /**
   * @param timeout how long connecting may take; positive. Ignored when {@link #httpClient} is
   *     given: that client's own connect timeout applies.
   * @return this builder
   * @throws CheckpointArgumentException if {@code timeout} is not positive
   */
  public B connectTimeout(Duration timeout) {
    this.connectTimeout = Endpoint.positive(timeout, "connectTimeout");
    return self();
  }

  /**
   * @param userAgent the {@code User-Agent} header
   * @return this builder
   * @throws CheckpointArgumentException if it is blank or has control characters
   */
  public B userAgent(String userAgent) {
    this.userAgent = Endpoint.headerValue(userAgent, "userAgent");
    return self();
  }

  /**
   * @param client the HTTP client to use (for a proxy, TLS settings or a shared pool); by default
   *     the builder's product makes its own
   * @return this builder
   */
  public B httpClient(HttpClient client) {
    this.client = Objects.requireNonNull(client, "client");
    return self();
  }

  /**
   * @param scheduler what times the timeouts; {@link Scheduler#system()} by default
   * @return this builder
   */
  public B scheduler(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return self();
  }
}
