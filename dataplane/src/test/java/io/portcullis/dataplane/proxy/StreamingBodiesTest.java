package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedStream;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.portcullis.dataplane.testing.LoopbackServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 200 MB bodies in both directions through a proxy running in a child JVM with a 64 MB heap and 64
 * MB of direct memory: any aggregation of a body would fail there, so passing proves streaming.
 */
class StreamingBodiesTest {
  private static final long SIZE = Long.getLong("streaming.mb", 200) * 1024 * 1024;
  private static LoopbackServer backend;
  private static Process child;
  private static int proxyPort;

  @BeforeAll
  static void start() throws Exception {
    backend =
        LoopbackServer.start(
            ch ->
                ch.pipeline()
                    .addLast(new HttpServerCodec())
                    .addLast(new ChunkedWriteHandler())
                    .addLast(new CountingBackend()));
    int backendPort = backend.port();
    if (Boolean.getBoolean("streaming.inProcess")) {
      ProxyServer p =
          new ProxyServer(
              ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
              head -> ProxyServerTest.forward(head, backendPort, io.portcullis.snapshot.HeaderRewrite.NONE, io.portcullis.snapshot.HeaderRewrite.NONE),
              new io.portcullis.dataplane.admin.ProxyMetrics());
      proxyPort = p.start();
      return;
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    child =
        new ProcessBuilder(
                List.of(
                    java, "-Xmx64m", "-XX:MaxDirectMemorySize=64m",
                    "-cp", System.getProperty("java.class.path"),
                    StreamingProxyMain.class.getName(), Integer.toString(backendPort)))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("PORT ")) {
      // skip log lines
    }
    assertTrue(line != null, "child proxy did not start");
    proxyPort = Integer.parseInt(line.substring(5).trim());
  }

  @AfterAll
  static void stop() throws Exception {
    if (child != null) {
      child.getOutputStream().close();
      if (!child.waitFor(10, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    if (backend != null) {
      backend.close();
    }
  }

  /** Counts uploaded bytes; serves {@code SIZE} bytes chunked on GET. */
  private static final class CountingBackend extends SimpleChannelInboundHandler<HttpObject> {
    private long received;
    private boolean download;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest req) {
        download = req.method().name().equals("GET");
      }
      if (msg instanceof HttpRequest req && download) {
        DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        ctx.write(r);
        ctx.writeAndFlush(new HttpChunkedInput(new ChunkedStream(new Zeros(SIZE), 64 * 1024)));
        return;
      }
      if (msg instanceof HttpRequest) {
        received = 0;
      }
      if (msg instanceof HttpContent c && !download) {
        received += c.content().readableBytes();
        if (msg instanceof LastHttpContent) {
          byte[] body = Long.toString(received).getBytes(StandardCharsets.US_ASCII);
          DefaultFullHttpResponse r =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
          r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
          ctx.writeAndFlush(r);
        }
      }
    }
  }

  private static final class Zeros extends InputStream {
    private long left;

    Zeros(long size) {
      left = size;
    }

    /** ChunkedStream sizes its chunks by available(): report what is left, not 0. */
    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, Math.max(0, left));
    }

    @Override
    public int read() {
      return left-- > 0 ? 0 : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) 0);
      left -= n;
      return n;
    }
  }

  @Test
  void twoHundredMegabyteUploadStreamsThrough() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /upload HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: " + SIZE
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      for (long sent = 0; sent < SIZE; sent += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, SIZE - sent));
      }
      out.flush();
      String response = ProxyServerTest.readAll(s.getInputStream());
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(response.endsWith("\r\n\r\n" + SIZE), response);
    }
  }

  @Test
  void twoHundredMegabyteDownloadStreamsThrough() throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    var response =
        client.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + proxyPort + "/download"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    long total = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = response.body()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        total += n;
      }
    }
    assertEquals(SIZE, total);
  }
}
