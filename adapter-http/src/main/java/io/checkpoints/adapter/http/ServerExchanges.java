package io.checkpoints.adapter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequestRejectedException;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.Scheduler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The request and response handling the {@link CheckpointHttpServer}'s endpoints share: method,
 * body and token checks, and the PowerSync-style error bodies. Stateless.
 */
final class ServerExchanges {

  static final String VALIDATION_ERROR = "PSYNC_S2001";
  static final String AUTHORIZATION_ERROR = "PSYNC_S2101";

  private static final System.Logger LOG = System.getLogger(CheckpointHttpServer.class.getName());

  private ServerExchanges() {}

  static boolean method(HttpExchange exchange, String allowed) throws IOException {
    if (allowed.equals(exchange.getRequestMethod())) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", allowed);
    error(exchange, 405, "METHOD_NOT_ALLOWED",
        exchange.getRequestMethod() + " is not allowed here; use " + allowed);
    return false;
  }

  /** @return the body as a JSON object, or null after answering 400 or 413 */
  static JsonNode jsonBody(HttpExchange exchange, int maxRequestBytes) throws IOException {
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(maxRequestBytes + 1);
    }
    if (bytes.length > maxRequestBytes) {
      error(exchange, 413, "PAYLOAD_TOO_LARGE",
          "the request body is larger than " + maxRequestBytes + " bytes");
      return null;
    }
    JsonNode body;
    try {
      body = Json.parse(bytes);
    } catch (JsonProcessingException e) {
      error(exchange, 400, VALIDATION_ERROR, "the body is not JSON: " + e.getOriginalMessage());
      return null;
    }
    if (!body.isObject()) {
      error(exchange, 400, VALIDATION_ERROR, "the body must be a JSON object");
      return null;
    }
    return body;
  }

  /** @return the token's claims, or null after answering 401 */
  static DevelopmentToken.Claims authorize(HttpExchange exchange, Scheduler scheduler)
      throws IOException {
    try {
      return DevelopmentToken.parse(exchange.getRequestHeaders().getFirst("Authorization"),
          scheduler.wallTime());
    } catch (DevelopmentToken.Refused e) {
      error(exchange, 401, AUTHORIZATION_ERROR, e.getMessage());
      return null;
    }
  }

  static void serviceFailure(HttpExchange exchange, RuntimeException failure) throws IOException {
    if (failure instanceof CheckpointTransportException.Unreachable) {
      // The caller must never hear back: close the connection without a response. Closing an
      // exchange whose headers were not sent drops the connection.
      return;
    }
    if (failure instanceof CheckpointRequestRejectedException) {
      String code = ((CheckpointRequestRejectedException) failure).errorCode();
      error(exchange, 400, code.isEmpty() ? VALIDATION_ERROR : code, failure.getMessage());
    } else if (failure instanceof CheckpointArgumentException) {
      error(exchange, 400, VALIDATION_ERROR, failure.getMessage());
    } else if (failure instanceof CheckpointTransportException.NotSupported) {
      error(exchange, 404, "NOT_FOUND", failure.getMessage());
    } else if (failure instanceof CheckpointTransportException.Unauthorized) {
      error(exchange, 401, AUTHORIZATION_ERROR, failure.getMessage());
    } else if (failure instanceof CheckpointTransportException.Overloaded) {
      respond(exchange, 429, new byte[0]);
    } else if (failure instanceof CheckpointTransportException.ServerError) {
      int status = ((CheckpointTransportException.ServerError) failure).status();
      error(exchange, status >= 500 && status <= 599 ? status : 500, "SERVICE_ERROR",
          failure.getMessage());
    } else {
      LOG.log(System.Logger.Level.WARNING, "the checkpoint service failed", failure);
      error(exchange, 500, "SERVICE_ERROR", String.valueOf(failure.getMessage()));
    }
  }

  static void error(HttpExchange exchange, int status, String code, String description)
      throws IOException {
    respond(exchange, status, Json.errorBody(code, status, description));
  }

  static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    if (body.length > 0) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  static String queryParameter(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      try {
        if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
          return equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1),
              StandardCharsets.UTF_8);
        }
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }
}
