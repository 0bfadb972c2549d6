package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.HeaderRewrite;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slow HTTP/2 clients over a real socket (h2c, prior knowledge): a request head trickled byte by
 * byte, so the connection never goes idle, is ended by the header-read timeout with {@code GOAWAY
 * ENHANCE_YOUR_CALM}; a client that is merely quiet between requests is not.
 */
class Http2SlowClientTest {
  private static final int HEADERS = 1, SETTINGS = 4, GOAWAY = 7, CONTINUATION = 9;
  private static final int END_STREAM = 0x1, END_HEADERS = 0x4;
  private static final Duration HEADER_TIMEOUT = Duration.ofMillis(400);

  private final TestBackend backend = new TestBackend();
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() {
    int backendPort = backend.start();
    proxy =
        new ProxyServer(
            ProxySettings.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .workerThreads(1)
                .headerReadTimeout(HEADER_TIMEOUT)
                .downstreamIdleTimeout(Duration.ofSeconds(60))
                .build(),
            head -> ProxyServerTest.forward(head, backendPort, HeaderRewrite.NONE, HeaderRewrite.NONE),
            new ProxyMetrics());
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  @Test
  void aHeaderBlockTrickledThroughContinuationFramesEndsTheConnection() throws Exception {
    try (Socket s = connect()) {
      Frames out = new Frames(s.getOutputStream());
      byte[] block = out.encode(1, request());
      // The block's first half without END_HEADERS, then a CONTINUATION one byte at a time.
      int half = block.length / 2;
      out.frame(HEADERS, END_STREAM, 1, Arrays.copyOfRange(block, 0, half));
      byte[] rest = Arrays.copyOfRange(block, half, block.length);
      byte[] continuation = frameBytes(CONTINUATION, END_HEADERS, 1, rest);
      Thread trickler = trickle(out, continuation);
      try {
        assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAwayCode(s));
      } finally {
        trickler.interrupt();
      }
    }
  }

  @Test
  void aSingleHeadersFrameTrickledByteByByteEndsTheConnection() throws Exception {
    try (Socket s = connect()) {
      Frames out = new Frames(s.getOutputStream());
      byte[] headers = frameBytes(HEADERS, END_HEADERS | END_STREAM, 1, out.encode(1, request()));
      Thread trickler = trickle(out, headers);
      try {
        assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAwayCode(s));
      } finally {
        trickler.interrupt();
      }
    }
  }

  @Test
  void aHeaderBlockSplitOverContinuationFramesSentPromptlyIsServed() throws Exception {
    try (Socket s = connect()) {
      Frames out = new Frames(s.getOutputStream());
      byte[] block = out.encode(1, request());
      int half = block.length / 2;
      out.frame(HEADERS, END_STREAM, 1, Arrays.copyOfRange(block, 0, half));
      out.frame(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, half, block.length));
      assertEquals(1, responseHeadersStream(s));
    }
  }

  @Test
  void aQuietConnectionBetweenRequestsIsNotCutByTheHeaderTimeout() throws Exception {
    try (Socket s = connect()) {
      Frames out = new Frames(s.getOutputStream());
      out.frame(HEADERS, END_HEADERS | END_STREAM, 1, out.encode(1, request()));
      assertEquals(1, responseHeadersStream(s));
      // Three header timeouts of silence with no request head in progress: the connection stays.
      // Waiting here is the point of the test (a stretch of time with nothing happening), not a
      // guess at how long something takes.
      Thread.sleep(HEADER_TIMEOUT.multipliedBy(3).toMillis());
      out.frame(HEADERS, END_HEADERS | END_STREAM, 3, out.encode(3, request()));
      assertEquals(3, responseHeadersStream(s));
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", proxyPort);
    s.setSoTimeout(30_000);
    OutputStream out = s.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.write(frameBytes(SETTINGS, 0, 0, new byte[0]));
    out.flush();
    return s;
  }

  private static Http2Headers request() {
    return new DefaultHttp2Headers().method("GET").scheme("http").authority("a").path("/x");
  }

  /**
   * Writes {@code bytes} one every 200 ms (half the header timeout: far slower than any real
   * client, and never a pause long enough for the connection to count as idle) on a thread of its
   * own, until done or the socket fails.
   */
  private static Thread trickle(Frames out, byte[] bytes) throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    Thread t =
        new Thread(() -> {
          started.countDown();
          try {
            for (byte b : bytes) {
              out.raw(new byte[] {b});
              Thread.sleep(200);
            }
          } catch (IOException | InterruptedException e) {
            // the proxy closed the connection, or the test is over
          }
        }, "trickler");
    t.setDaemon(true);
    t.start();
    assertTrue(started.await(5, TimeUnit.SECONDS));
    return t;
  }

  /** Reads frames until a GOAWAY and returns its error code. */
  private static long goAwayCode(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    while (true) {
      Frame f = Frame.read(in);
      if (f.type == GOAWAY) {
        return Unpooled.wrappedBuffer(f.payload, 4, 4).readUnsignedInt();
      }
    }
  }

  /** Reads frames until a HEADERS frame (a response) and returns its stream. */
  private static int responseHeadersStream(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    while (true) {
      Frame f = Frame.read(in);
      if (f.type == GOAWAY) {
        throw new AssertionError("GOAWAY instead of a response");
      }
      if (f.type == HEADERS) {
        return f.stream;
      }
    }
  }

  private record Frame(int type, int stream, byte[] payload) {
    static Frame read(DataInputStream in) throws IOException {
      try {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        return new Frame(type, stream, in.readNBytes(length));
      } catch (EOFException e) {
        throw new AssertionError("connection closed without the expected frame", e);
      }
    }
  }

  private static byte[] frameBytes(int type, int flags, int stream, byte[] payload) {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    return f;
  }

  /** Raw frames to the proxy; one HPACK encoder per connection, as the protocol requires. */
  private static final class Frames {
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();

    Frames(OutputStream out) {
      this.out = out;
    }

    byte[] encode(int stream, Http2Headers headers) throws IOException {
      ByteBuf block = Unpooled.buffer();
      try {
        hpack.encodeHeaders(stream, headers, block);
        return ByteBufUtil.getBytes(block);
      } catch (io.netty.handler.codec.http2.Http2Exception e) {
        throw new IOException(e);
      } finally {
        block.release();
      }
    }

    void frame(int type, int flags, int stream, byte[] payload) throws IOException {
      raw(frameBytes(type, flags, stream, payload));
    }

    synchronized void raw(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }
  }
}
