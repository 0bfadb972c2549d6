package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.HeaderRewrite;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every socket layer the dataplane offers carries the same traffic through real sockets. */
class TransportTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "io_uring", "nio"})
  void keepAliveRequestsAndLargeBodiesFlowOverEachTransport(String name) throws Exception {
    Assumptions.assumeTrue(!name.equals("epoll") || Epoll.isAvailable(), "no epoll here");
    // Containers may forbid io_uring (seccomp, kernel.io_uring_disabled): nothing to test then.
    Assumptions.assumeTrue(!name.equals("io_uring") || IoUring.isAvailable(), "no io_uring here");
    Transport transport = Transport.named(name);
    try (TestBackend backend = new TestBackend()) {
      int backendPort = backend.start();
      ProxyServer proxy =
          new ProxyServer(
              ProxySettings.builder()
                  .bindAddress("127.0.0.1")
                  .port(0)
                  .workerThreads(1)
                  .transport(transport)
                  .build(),
              head -> ProxyServerTest.forward(head, backendPort, HeaderRewrite.NONE, HeaderRewrite.NONE),
              new ProxyMetrics());
      try {
        int port = proxy.start();
        assertEquals(transport.clientChannel(), proxy.clientChannelType());
        HttpClient client =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        for (int i = 0; i < 20; i++) {
          HttpResponse<String> r =
              client.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/n/" + i)).build(),
                  HttpResponse.BodyHandlers.ofString());
          assertEquals(200, r.statusCode());
          assertEquals("GET /n/" + i + " ", r.body());
        }
        String big = "x".repeat(300_000);
        HttpResponse<String> post =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                    .POST(HttpRequest.BodyPublishers.ofString(big))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode());
        assertEquals("POST /upload " + big, post.body());
        // One client connection carried every request, and the proxy reused its backend one.
        assertEquals(1, backend.connections.get());
      } finally {
        proxy.close();
      }
    }
  }

  @Test
  void anUnknownNameListsTheChoices() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Transport.named("kqueue"));
    assertTrue(e.getMessage().contains("auto, io_uring, epoll, nio"), e.getMessage());
  }
}
