package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Protocol;
import io.portcullis.snapshot.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * gRPC through the proxy to a real grpc-java server over h2c. The client side here is HTTP/1.1
 * with chunked bodies and trailers (what this branch's listener speaks), which proves the proxy
 * streams both directions and carries trailers across HTTP/1 and HTTP/2; the grpc-java client
 * test needs the h2 downstream listener.
 */
class GrpcThroughProxyTest {
  private final GrpcTestServer grpc = new GrpcTestServer();
  private ClusterProxy proxy;

  @AfterEach
  void stop() throws InterruptedException {
    if (proxy != null) {
      proxy.close();
    }
    grpc.close();
  }

  private void startWithBackend() throws IOException {
    int port = grpc.start();
    proxy = new ClusterProxy(new Cluster("default/grpc:50051",
        List.of(new Endpoint("127.0.0.1", port)), ClusterPolicy.DEFAULT.withProtocol(Protocol.H2)), 1);
  }

  @Test
  @DisplayName("a unary gRPC call over HTTP/1.1 chunked reaches an h2c server; grpc-status comes back as a trailer")
  void unaryOverHttp1() throws Exception {
    startWithBackend();
    try (Socket s = new Socket("127.0.0.1", proxy.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(grpcHead("/test.Echo/Unary"));
      out.write(chunk(grpcFrame("hello")));
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ChunkedResponse r = new ChunkedResponse(s.getInputStream());
      assertTrue(r.head.startsWith("HTTP/1.1 200"), r.head);
      assertTrue(r.head.toLowerCase(Locale.ROOT).contains("content-type: application/grpc"), r.head);
      assertEquals("echo:hello", grpcMessage(r.nextChunk()));
      assertEquals(null, r.nextChunk());
      assertEquals("0", r.trailers.get("grpc-status"), r.trailers.toString());
    }
  }

  @Test
  @DisplayName("a backend's gRPC error status and message reach the client unchanged")
  void errorStatus() throws Exception {
    startWithBackend();
    try (Socket s = new Socket("127.0.0.1", proxy.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(grpcHead("/test.Echo/Unary"));
      out.write(chunk(grpcFrame("missing")));
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ChunkedResponse r = new ChunkedResponse(s.getInputStream());
      assertTrue(r.head.startsWith("HTTP/1.1 200"), r.head);
      String all = (r.head + r.trailers).toLowerCase(Locale.ROOT);
      assertTrue(all.contains("grpc-status: 5") || "5".equals(r.trailers.get("grpc-status")), all);
      assertTrue(all.contains("no such thing"), all);
    }
  }

  @Test
  @DisplayName("a bidirectional gRPC stream flows both ways message by message, then ends with trailers")
  void bidiStreamingOverHttp1() throws Exception {
    startWithBackend();
    try (Socket s = new Socket("127.0.0.1", proxy.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(grpcHead("/test.Echo/Chat"));
      out.write(chunk(grpcFrame("one")));
      out.flush();
      ChunkedResponse r = new ChunkedResponse(s.getInputStream());
      assertTrue(r.head.startsWith("HTTP/1.1 200"), r.head);
      // The answer to "one" arrives while the request is still open: nothing waits for the end.
      assertEquals("echo:one", grpcMessage(r.nextChunk()));
      out.write(chunk(grpcFrame("two")));
      out.flush();
      assertEquals("echo:two", grpcMessage(r.nextChunk()));
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals(null, r.nextChunk());
      assertEquals("0", r.trailers.get("grpc-status"), r.trailers.toString());
    }
  }

  @Test
  @DisplayName("a gRPC call to a cluster without endpoints gets grpc-status 14 instead of a 503")
  void noEndpoints() throws Exception {
    proxy = new ClusterProxy(new Cluster("default/grpc:50051", List.of(),
        ClusterPolicy.DEFAULT.withProtocol(Protocol.H2)), 1);
    assertUnavailable(grpcPost());
  }

  @Test
  @DisplayName("a gRPC call whose backend refuses connections gets grpc-status 14 instead of a 502")
  void connectFailure() throws Exception {
    int closedPort = LoopbackServer.closedPort();
    proxy = new ClusterProxy(new Cluster("default/grpc:50051",
        List.of(new Endpoint("127.0.0.1", closedPort)), ClusterPolicy.DEFAULT.withProtocol(Protocol.H2)), 1);
    assertUnavailable(grpcPost());
    // Not gRPC: the usual 502.
    assertEquals(502, proxy.get("/").statusCode());
  }

  @Test
  @DisplayName("grpc-java: unary and bidirectional streaming through the proxy, trailers preserved")
  void grpcJavaClient() throws Exception {
    startWithBackend();
    ManagedChannel channel = Grpc.newChannelBuilderForAddress(
        "127.0.0.1", proxy.port(), InsecureChannelCredentials.create()).build();
    try {
      assertEquals("echo:hi",
          ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, "hi"));
      io.grpc.StatusRuntimeException missing = org.junit.jupiter.api.Assertions.assertThrows(
          io.grpc.StatusRuntimeException.class,
          () -> ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, "missing"));
      assertEquals(io.grpc.Status.Code.NOT_FOUND, missing.getStatus().getCode());
      LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
      StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
          channel.newCall(GrpcTestServer.CHAT, CallOptions.DEFAULT), new StreamObserver<String>() {
            @Override
            public void onNext(String value) {
              received.add(value);
            }

            @Override
            public void onError(Throwable t) {
              received.add(t);
            }

            @Override
            public void onCompleted() {
              received.add("done");
            }
          });
      requests.onNext("a");
      assertEquals("echo:a", received.poll(10, TimeUnit.SECONDS));
      requests.onNext("b");
      assertEquals("echo:b", received.poll(10, TimeUnit.SECONDS));
      requests.onCompleted();
      assertEquals("done", received.poll(10, TimeUnit.SECONDS));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private HttpResponse<byte[]> grpcPost() throws Exception {
    return proxy.client.send(HttpRequest.newBuilder(proxy.uri("/test.Echo/Unary"))
            .header("content-type", "application/grpc")
            .POST(HttpRequest.BodyPublishers.ofByteArray(grpcFrame("x"))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void assertUnavailable(HttpResponse<byte[]> r) {
    assertEquals(200, r.statusCode());
    assertEquals("application/grpc", r.headers().firstValue("content-type").orElse(null));
    assertEquals("14", r.headers().firstValue("grpc-status").orElse(null));
    assertTrue(r.headers().firstValue("grpc-message").isPresent());
    assertEquals(0, r.body().length);
  }

  private static byte[] grpcHead(String path) {
    return ("POST " + path + " HTTP/1.1\r\nHost: grpc.example\r\ncontent-type: application/grpc\r\n"
        + "te: trailers\r\ntransfer-encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A gRPC length-prefixed message: uncompressed flag, 4-byte length, bytes. */
  static byte[] grpcFrame(String message) {
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(5 + m.length).put((byte) 0).putInt(m.length).put(m).array();
  }

  static String grpcMessage(byte[] frame) {
    ByteBuffer b = ByteBuffer.wrap(frame);
    assertEquals(0, b.get());
    int n = b.getInt();
    assertEquals(frame.length - 5, n);
    return new String(frame, 5, n, StandardCharsets.UTF_8);
  }

  private static byte[] chunk(byte[] data) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(data);
    b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return b.toByteArray();
  }

  /** Reads a chunked HTTP/1.1 response chunk by chunk, as it arrives, and its trailers. */
  private static final class ChunkedResponse {
    final InputStream in;
    final String head;
    final Map<String, String> trailers = new LinkedHashMap<>();

    ChunkedResponse(InputStream in) throws IOException {
      this.in = in;
      StringBuilder h = new StringBuilder();
      String line;
      while (!(line = line()).isEmpty()) {
        h.append(line).append("\r\n");
      }
      head = h.toString();
      assertTrue(head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked"), head);
    }

    /** The next chunk's bytes, or null at the last chunk (trailers are read then). */
    byte[] nextChunk() throws IOException {
      String size = line();
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        String t;
        while (!(t = line()).isEmpty()) {
          int colon = t.indexOf(':');
          trailers.put(t.substring(0, colon).trim().toLowerCase(Locale.ROOT), t.substring(colon + 1).trim());
        }
        return null;
      }
      byte[] data = in.readNBytes(n);
      assertEquals("", line());
      return data;
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          break;
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      if (c == -1 && sb.length() == 0) {
        throw new IOException("connection closed");
      }
      return sb.toString();
    }
  }
}
