package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.NginxSockets.HOST;
import static io.portcullis.operator.compile.NginxSockets.P;
import static io.portcullis.operator.compile.NginxSockets.nginx;
import static io.portcullis.operator.compile.NginxSockets.service;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.portcullis.operator.compile.NginxSockets.Backend;
import io.portcullis.operator.compile.NginxSockets.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's upstream annotations through real sockets: backend-protocol against a TLS
 * backend and real gRPC servers, the proxy timeouts, proxy-next-upstream and load-balance. The
 * expected results are ingress-nginx's documented behaviour (annotations.md, "Backend Protocol",
 * "Custom timeouts", "Custom NGINX load balancing").
 */
class NginxUpstreamSocketTest {
  private final NginxSockets rig = new NginxSockets();

  @AfterEach
  void stop() {
    rig.close();
  }

  // ---------------------------------------------------------------- backend-protocol

  @Test
  @DisplayName("backend-protocol HTTPS reaches a TLS backend with a self-signed certificate (ingress-nginx: proxy-ssl-verify off by default)")
  void https() throws Exception {
    Backend web = rig.tlsBackend("web");
    rig.serve(nginx("shop").annotation(P + "backend-protocol", "HTTPS")
        .host(HOST).prefix("/", "web", web.port()), service("web", web.port()));
    Response r = rig.get("/secure?x=1");
    assertEquals(200, r.status(), r.body());
    assertEquals("web /secure?x=1", r.body());
  }

  @Test
  @DisplayName("backend-protocol GRPC: a gRPC call through the proxy reaches an h2c gRPC server")
  void grpc() throws Exception {
    int port = grpcServer(InsecureServerCredentials.create());
    rig.serve(nginx("grpc").annotation(P + "backend-protocol", "GRPC")
        .host(HOST).prefix("/", "grpc", port), service("grpc", port));
    assertEquals("echo:hi", call("hi"));
  }

  @Test
  @DisplayName("backend-protocol GRPCS: a gRPC call reaches a gRPC server over TLS (self-signed, not verified)")
  void grpcs() throws Exception {
    TestCertificates.Issued cert = TestCertificates.issueNow("grpc.internal");
    int port = grpcServer(TlsServerCredentials.create(
        new ByteArrayInputStream(cert.certificatePem().getBytes(StandardCharsets.US_ASCII)),
        new ByteArrayInputStream(cert.pkcs8KeyPem().getBytes(StandardCharsets.US_ASCII))));
    rig.serve(nginx("grpc").annotation(P + "backend-protocol", "GRPCS")
        .host(HOST).prefix("/", "grpc", port), service("grpc", port));
    assertEquals("echo:tls", call("tls"));
  }

  @Test
  @DisplayName("backend-protocol H2C: requests reach the backend as HTTP/2 with prior knowledge")
  void h2c() throws Exception {
    int port = grpcServer(InsecureServerCredentials.create());
    rig.serve(nginx("h2c").annotation(P + "backend-protocol", "H2C")
        .host(HOST).prefix("/", "h2c", port), service("h2c", port));
    // A gRPC server speaks nothing but HTTP/2: an answer at all proves the protocol.
    assertEquals("echo:h2", call("h2"));
  }

  // ---------------------------------------------------------------- timeouts

  @Test
  @DisplayName("proxy-connect-timeout: a backend that never accepts the connection gets the client a 502 (ingress-nginx: 504, documented)")
  void connectTimeout() throws Exception {
    int port = unaccepting();
    rig.serve(nginx("shop").annotation(P + "proxy-connect-timeout", "1")
        .annotation(P + "proxy-next-upstream-tries", "1")
        .host(HOST).prefix("/", "stuck", port), service("stuck", port));
    // The dataplane answers every failed connect with 502; the registry records the difference.
    assertEquals(502, rig.get("/").status());
  }

  @Test
  @DisplayName("proxy-send-timeout alone also bounds a silent backend (one idle timeout for both directions): 504")
  void sendTimeout() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "proxy-send-timeout", "1")
        .annotation(P + "proxy-next-upstream", "off")
        .host(HOST).prefix("/", "web", web.port()), service("web", web.port()));
    assertEquals("web /fast", rig.get("/fast").body());
    assertEquals(504, rig.get("/slow").status());
  }

  @Test
  @DisplayName("proxy-read-timeout above the backend's delay lets the slow answer through")
  void readTimeoutLongEnough() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "proxy-read-timeout", "30")
        .host(HOST).prefix("/", "web", web.port()), service("web", web.port()));
    assertEquals("web /slow", rig.get("/slow").body());
  }

  // ---------------------------------------------------------------- proxy-next-upstream

  @Test
  @DisplayName("proxy-next-upstream default (error timeout): a dead endpoint is skipped, every request is served")
  void nextUpstreamOnError() throws Exception {
    Backend live = rig.backend("live", InetAddress.getByName("127.0.0.1"), 0, 200);
    // 127.0.0.2 on the same port: nothing listens there, every connect is refused.
    rig.serve(nginx("shop").annotation(P + "proxy-next-upstream-tries", "3")
        .host(HOST).prefix("/", "web", live.port()), service("web", live.port(), "127.0.0.1", "127.0.0.2"));
    for (int i = 0; i < 10; i++) {
      assertEquals("live /", rig.get("/").body());
    }
  }

  @Test
  @DisplayName("proxy-next-upstream off: a refused connection is the client's 502, never retried")
  void nextUpstreamOff() throws Exception {
    Backend live = rig.backend("live", InetAddress.getByName("127.0.0.1"), 0, 200);
    rig.serve(nginx("shop").annotation(P + "proxy-next-upstream", "off")
        .annotation(P + "load-balance", "round_robin")
        .host(HOST).prefix("/", "web", live.port()), service("web", live.port(), "127.0.0.1", "127.0.0.2"));
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      statuses.add(rig.get("/").status());
    }
    assertTrue(statuses.contains(502), statuses.toString());
    assertTrue(statuses.contains(200), statuses.toString());
  }

  @Test
  @DisplayName("proxy-next-upstream http_502: a 502 from one endpoint is retried on the other")
  void nextUpstreamOnStatus() throws Exception {
    Backend good = rig.backend("good", InetAddress.getByName("127.0.0.1"), 0, 200);
    rig.backend("bad", InetAddress.getByName("127.0.0.2"), good.port(), 502);
    rig.serve(nginx("retrying").annotation(P + "proxy-next-upstream", "error timeout http_502")
            .annotation(P + "load-balance", "round_robin")
            .host(HOST).prefix("/", "web", good.port()),
        service("web", good.port(), "127.0.0.1", "127.0.0.2"));
    for (int i = 0; i < 8; i++) {
      assertEquals("good /", rig.get("/").body());
    }
  }

  @Test
  @DisplayName("proxy-next-upstream without http_502, or tries 1: the backend's 502 reaches the client")
  void noRetryOnStatus() throws Exception {
    Backend good = rig.backend("good", InetAddress.getByName("127.0.0.1"), 0, 200);
    rig.backend("bad", InetAddress.getByName("127.0.0.2"), good.port(), 502);
    rig.serve(List.of(
            nginx("plain").annotation(P + "load-balance", "round_robin")
                .host(HOST).prefix("/", "web", good.port()),
            nginx("once").annotation(P + "proxy-next-upstream", "error timeout http_502")
                .annotation(P + "proxy-next-upstream-tries", "1").annotation(P + "load-balance", "round_robin")
                .host("once.example.com").prefix("/", "web", good.port())),
        service("web", good.port(), "127.0.0.1", "127.0.0.2"));
    for (String host : List.of(HOST, "once.example.com")) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        statuses.add(rig.get(host, "/", Map.of()).status());
      }
      assertTrue(statuses.contains(502), host + " " + statuses);
    }
  }

  @Test
  @DisplayName("proxy-next-upstream-timeout: a try slower than it moves on to the next endpoint")
  void nextUpstreamTimeout() throws Exception {
    Backend fast = rig.backend("fast", InetAddress.getByName("127.0.0.1"), 0, 200);
    Backend slow = rig.backend("slow", InetAddress.getByName("127.0.0.2"), fast.port(), 200).holdAll();
    rig.serve(nginx("shop").annotation(P + "proxy-next-upstream", "error timeout")
            .annotation(P + "proxy-next-upstream-timeout", "1").annotation(P + "load-balance", "round_robin")
            .host(HOST).prefix("/", "web", fast.port()),
        service("web", fast.port(), "127.0.0.1", "127.0.0.2"));
    for (int i = 0; i < 4; i++) {
      assertEquals("fast /", rig.get("/").body());
    }
    assertTrue(slow.holding() > 0, "the slow endpoint was tried first at least once");
  }

  // ---------------------------------------------------------------- load-balance

  @Test
  @DisplayName("load-balance round_robin: two endpoints take turns")
  void roundRobin() throws Exception {
    Backend one = rig.backend("one", InetAddress.getByName("127.0.0.1"), 0, 200);
    Backend two = rig.backend("two", InetAddress.getByName("127.0.0.2"), one.port(), 200);
    rig.serve(nginx("shop").annotation(P + "load-balance", "round_robin")
        .host(HOST).prefix("/", "web", one.port()), service("web", one.port(), "127.0.0.1", "127.0.0.2"));
    Map<String, Integer> counts = new HashMap<>();
    String previous = null;
    for (int i = 0; i < 10; i++) {
      String answered = rig.get("/").backend();
      counts.merge(answered, 1, Integer::sum);
      assertTrue(!answered.equals(previous), "the same endpoint twice in a row: " + answered);
      previous = answered;
    }
    assertEquals(Map.of("one", 5, "two", 5), counts);
    assertEquals(5, two.requests());
  }

  @Test
  @DisplayName("load-balance ewma: an endpoint busy with a slow request is avoided while the other is idle")
  void ewma() throws Exception {
    Backend one = rig.backend("one", InetAddress.getByName("127.0.0.1"), 0, 200);
    Backend two = rig.backend("two", InetAddress.getByName("127.0.0.2"), one.port(), 200);
    rig.serve(nginx("shop").annotation(P + "load-balance", "ewma")
        .host(HOST).prefix("/", "web", one.port()), service("web", one.port(), "127.0.0.1", "127.0.0.2"));
    CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() -> {
      try {
        return rig.get("/hold");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> one.holding() + two.holding() == 1);
    String idle = one.holding() == 1 ? "two" : "one";
    for (int i = 0; i < 6; i++) {
      assertEquals(idle, rig.get("/").backend());
    }
    one.release();
    two.release();
    assertEquals(200, slow.get(20, TimeUnit.SECONDS).status());
  }

  // ---------------------------------------------------------------- plumbing

  private static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private static final MethodDescriptor<String, String> UNARY = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", "Unary"))
      .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();

  /** A real grpc-java server answering {@code test.Echo/Unary} with {@code echo:<message>}. */
  private int grpcServer(ServerCredentials credentials) throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
        .addMethod(UNARY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
          out.onNext("echo:" + request);
          out.onCompleted();
        }))
        .build();
    Server server = Grpc.newServerBuilderForPort(0, credentials).addService(service).build().start();
    rig.closing(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return server.getPort();
  }

  /** A unary call from a grpc-java client to the proxy (h2c with prior knowledge), Host {@link NginxSockets#HOST}. */
  private String call(String message) {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress(
        "127.0.0.1", rig.proxyPort(), InsecureChannelCredentials.create()).overrideAuthority(HOST).build();
    rig.closing(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return ClientCalls.blockingUnaryCall(channel, UNARY,
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), message);
  }

  /**
   * A port whose listener never accepts and whose accept queue is full: the kernel drops new
   * SYNs, so a connect neither succeeds nor fails until the connecting side gives up.
   */
  private int unaccepting() throws IOException {
    ServerSocket listener = rig.closing(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    for (int i = 0; i < 64; i++) {
      Socket filler = rig.closing(new Socket());
      try {
        filler.connect(address, 300);
      } catch (SocketTimeoutException full) {
        return listener.getLocalPort();
      }
    }
    throw new IllegalStateException("the accept queue never filled up");
  }
}
