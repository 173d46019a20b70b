package io.checkpoints.adapter.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tiny hand-rolled HTTP/1.1 server on loopback that answers every request with bytes a test
 * crafts, so tests can send what no well-behaved server would: bad statuses, broken JSON,
 * truncated or oversized bodies, silence. Each connection serves one request and is then closed.
 * Thread-safe.
 */
final class CraftedHttpServer implements AutoCloseable {

  /** A received request. Header names are lower case. */
  record Request(String method, String target, Map<String, String> headers, byte[] body) {
    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Writes the raw response; the connection closes when it returns. */
  @FunctionalInterface
  interface Responder {
    void respond(Request request, OutputStream out, CraftedHttpServer server) throws Exception;
  }

  private final ServerSocket socket;
  private final Responder responder;
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  private CraftedHttpServer(Responder responder) throws IOException {
    this.responder = responder;
    this.socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::accept, "crafted-http-accept");
    acceptor.setDaemon(true);
    threads.add(acceptor);
    acceptor.start();
  }

  static CraftedHttpServer start(Responder responder) {
    try {
      return new CraftedHttpServer(responder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A server that answers every request with {@code status} and {@code body} (JSON). */
  static CraftedHttpServer answering(int status, String body) {
    return start((request, out, server) -> out.write(response(status, body)));
  }

  static byte[] response(int status, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + " Crafted\r\n"
        + "Content-Type: application/json\r\n"
        + "Content-Length: " + bytes.length + "\r\n"
        + "Connection: close\r\n\r\n";
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    all.writeBytes(bytes);
    return all.toByteArray();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  /** @return the next request received, waiting up to 5 seconds */
  Request nextRequest() throws InterruptedException {
    Request request = requests.poll(5, TimeUnit.SECONDS);
    if (request == null) {
      throw new AssertionError("no request reached the crafted server");
    }
    return request;
  }

  /** Blocks a responder until the server closes: a service that never answers. */
  void awaitClose() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      socket.close();
      for (Socket connection : connections) {
        connection.close();
      }
      for (Thread thread : threads) {
        thread.join(5_000);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void accept() {
    while (!socket.isClosed()) {
      Socket connection;
      try {
        connection = socket.accept();
      } catch (IOException e) {
        return;
      }
      connections.add(connection);
      Thread thread = new Thread(() -> serve(connection), "crafted-http-connection");
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  private void serve(Socket connection) {
    try (connection) {
      InputStream in = connection.getInputStream();
      Request request = read(in);
      requests.add(request);
      OutputStream out = connection.getOutputStream();
      responder.respond(request, out, this);
      out.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // The client went away or the server closed; nothing to answer.
    }
  }

  private static Request read(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the client closed before the end of the headers");
      }
      if (c == '\n') {
        String text = line.toString().replaceAll("\r$", "");
        if (text.isEmpty()) {
          break;
        }
        lines.add(text);
        line.setLength(0);
      } else {
        line.append((char) c);
      }
    }
    String[] requestLine = lines.get(0).split(" ");
    Map<String, String> headers = new HashMap<>();
    for (String header : lines.subList(1, lines.size())) {
      int colon = header.indexOf(':');
      headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          header.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Request(requestLine[0], requestLine[1], headers, body);
  }
}
