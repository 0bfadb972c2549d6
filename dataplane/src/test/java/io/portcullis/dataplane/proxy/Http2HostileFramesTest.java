package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed HTTP/2 requests as raw frames over a real socket (h2c with prior knowledge): each
 * gets RST_STREAM with the code RFC 9113 names, never a CANCEL and never silence.
 */
class Http2HostileFramesTest {
  private static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, GOAWAY = 7,
      WINDOW_UPDATE = 8;
  private static final int END_STREAM = 0x1, END_HEADERS = 0x4;

  private final TestBackend backend = new TestBackend();
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() {
    int backendPort = backend.start();
    proxy =
        new ProxyServer(
            ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
            head -> ProxyServerTest.forward(head, backendPort, HeaderRewrite.NONE, HeaderRewrite.NONE),
            new ProxyMetrics());
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  private static Http2Headers request(String method, String path) {
    Http2Headers h = new DefaultHttp2Headers().method(method).scheme("http").authority("a");
    if (path != null) {
      h.path(path);
    }
    return h;
  }

  @Test
  void contentLengthAboveTheDataIsAProtocolError() throws Exception {
    assertReset(Http2Error.PROTOCOL_ERROR, conn -> {
      conn.headers(1, request("POST", "/x").add("content-length", "5"), false);
      conn.data(1, "abc", true);
    });
  }

  @Test
  void dataBeyondTheContentLengthIsAProtocolError() throws Exception {
    assertReset(Http2Error.PROTOCOL_ERROR, conn -> {
      conn.headers(1, request("POST", "/x").add("content-length", "2"), false);
      conn.data(1, "abcdef", true);
    });
  }

  @Test
  void aMissingPathIsAProtocolError() throws Exception {
    assertReset(Http2Error.PROTOCOL_ERROR, conn -> conn.headers(1, request("GET", null), true));
  }

  @Test
  void aMissingMethodIsAProtocolError() throws Exception {
    Http2Headers h = new DefaultHttp2Headers().scheme("http").authority("a").path("/");
    assertReset(Http2Error.PROTOCOL_ERROR, conn -> conn.headers(1, h, true));
  }

  @Test
  void anAuthorityWithUserinfoIsAProtocolError() throws Exception {
    Http2Headers h = new DefaultHttp2Headers().method("GET").scheme("http").authority("u@a").path("/");
    assertReset(Http2Error.PROTOCOL_ERROR, conn -> conn.headers(1, h, true));
  }

  @Test
  void aSecondHeadersWithoutEndStreamIsAProtocolError() throws Exception {
    assertReset(Http2Error.PROTOCOL_ERROR, conn -> {
      conn.headers(1, request("POST", "/x"), false);
      conn.headers(1, new DefaultHttp2Headers().add("x-trailer", "1"), false);
    });
  }

  @Test
  void aPseudoHeaderInTrailersIsAProtocolError() throws Exception {
    assertReset(Http2Error.PROTOCOL_ERROR, conn -> {
      conn.headers(1, request("POST", "/x"), false);
      conn.headers(1, new DefaultHttp2Headers().path("/y"), true);
    });
  }

  @Test
  void headersAfterEndStreamIsStreamClosed() throws Exception {
    assertReset(Http2Error.STREAM_CLOSED, conn -> {
      conn.headers(1, request("POST", "/hang"), true);
      conn.headers(1, request("POST", "/hang"), true);
    });
  }

  @Test
  void dataAfterEndStreamIsStreamClosed() throws Exception {
    assertReset(Http2Error.STREAM_CLOSED, conn -> {
      conn.headers(1, request("POST", "/hang"), true);
      conn.data(1, "late", true);
    });
  }

  @Test
  void aZeroWindowUpdateOnAStreamIsAProtocolError() throws Exception {
    assertReset(Http2Error.PROTOCOL_ERROR, conn -> {
      conn.headers(1, request("POST", "/hang"), false);
      conn.frame(WINDOW_UPDATE, 0, 1, new byte[] {0, 0, 0, 0});
    });
  }

  @Test
  void headersOnAStreamBothSidesClosedIsAConnectionErrorStreamClosed() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      Conn conn = new Conn(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      conn.preface();
      conn.headers(1, request("GET", "/x"), true);
      awaitFrame(in, f -> f.stream() == 1 && (f.flags() & END_STREAM) != 0);
      conn.headers(1, request("GET", "/x"), true);
      Frame goAway = awaitFrame(in, f -> f.type() == GOAWAY || f.type() == RST_STREAM);
      assertEquals(GOAWAY, goAway.type(), "a connection error, not a stream reset");
      assertEquals(Http2Error.STREAM_CLOSED.code(), goAway.goAwayCode());
    }
  }

  @Test
  void aLowerStreamIdThatWasNeverUsedIsAConnectionErrorProtocolError() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      Conn conn = new Conn(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      conn.preface();
      conn.headers(5, request("GET", "/x"), true);
      awaitFrame(in, f -> f.stream() == 5 && (f.flags() & END_STREAM) != 0);
      conn.headers(3, request("GET", "/x"), true);
      Frame goAway = awaitFrame(in, f -> f.type() == GOAWAY || f.type() == RST_STREAM);
      assertEquals(GOAWAY, goAway.type(), "a connection error, not a stream reset");
      assertEquals(Http2Error.PROTOCOL_ERROR.code(), goAway.goAwayCode());
    }
  }

  @Test
  void framesOnAStreamTheProxyResetAreNotPunishedAndTheConnectionServesOn() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      Conn conn = new Conn(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      conn.preface();
      conn.headers(1, request("POST", "/hang").add("content-length", "2"), false);
      conn.data(1, "too long", false);
      Frame reset = awaitFrame(in, f -> f.type() == RST_STREAM || f.type() == GOAWAY);
      assertEquals(RST_STREAM, reset.type());
      // Trailers the client had in flight before it saw the reset.
      conn.headers(1, new DefaultHttp2Headers().add("x-trailer", "1"), true);
      conn.headers(3, request("GET", "/x"), true);
      Frame answer = awaitFrame(in, f -> f.type() == GOAWAY || (f.type() == HEADERS && f.stream() == 3));
      assertEquals(HEADERS, answer.type(), "the connection still serves new streams");
    }
  }

  /** One frame as read from the proxy. */
  record Frame(int type, int flags, int stream, byte[] payload) {
    long goAwayCode() {
      return Unpooled.wrappedBuffer(payload, 4, 4).readUnsignedInt();
    }
  }

  /** Reads frames until one matches; a closed connection or silence fails the test. */
  private static Frame awaitFrame(DataInputStream in, java.util.function.Predicate<Frame> wanted)
      throws IOException {
    try {
      while (true) {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        Frame f = new Frame(in.readUnsignedByte(), in.readUnsignedByte(),
            in.readInt() & 0x7fffffff, null);
        f = new Frame(f.type(), f.flags(), f.stream(), in.readNBytes(length));
        if (wanted.test(f)) {
          return f;
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("silence: the expected frame never came", e);
    } catch (EOFException e) {
      throw new AssertionError("closed before the expected frame", e);
    }
  }

  interface Script {
    void run(Conn conn) throws IOException;
  }

  /** Runs {@code script} on a fresh connection; the first RST_STREAM or GOAWAY must carry {@code error}. */
  private void assertReset(Http2Error error, Script script) throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      Conn conn = new Conn(s.getOutputStream());
      conn.preface();
      script.run(conn);
      DataInputStream in = new DataInputStream(s.getInputStream());
      try {
        while (true) {
          int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
          int type = in.readUnsignedByte();
          in.readUnsignedByte();
          int stream = in.readInt() & 0x7fffffff;
          byte[] payload = in.readNBytes(length);
          if (type == RST_STREAM) {
            assertEquals(1, stream);
            assertEquals(error.code(), Unpooled.wrappedBuffer(payload).readUnsignedInt(), "RST_STREAM code");
            return;
          }
          if (type == GOAWAY) {
            assertEquals(error.code(), Unpooled.wrappedBuffer(payload, 4, 4).readUnsignedInt(), "GOAWAY code");
            return;
          }
        }
      } catch (SocketTimeoutException e) {
        fail("silence: no RST_STREAM or GOAWAY");
      } catch (EOFException e) {
        fail("closed without RST_STREAM or GOAWAY");
      }
    }
  }

  /** Writes raw frames; headers are HPACK-encoded with Netty's encoder. */
  static final class Conn {
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();

    Conn(OutputStream out) {
      this.out = out;
    }

    void preface() throws IOException {
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(SETTINGS, 0, 0, new byte[0]);
    }

    void headers(int stream, Http2Headers headers, boolean endStream) throws IOException {
      ByteBuf block = Unpooled.buffer();
      try {
        hpack.encodeHeaders(stream, headers, block);
        frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, ByteBufUtil.getBytes(block));
      } catch (io.netty.handler.codec.http2.Http2Exception e) {
        throw new IOException(e);
      } finally {
        block.release();
      }
    }

    void data(int stream, String text, boolean endStream) throws IOException {
      frame(DATA, endStream ? END_STREAM : 0, stream, text.getBytes(StandardCharsets.US_ASCII));
    }

    void frame(int type, int flags, int stream, byte[] payload) throws IOException {
      ByteArrayOutputStream f = new ByteArrayOutputStream();
      f.write(payload.length >>> 16);
      f.write(payload.length >>> 8);
      f.write(payload.length);
      f.write(type);
      f.write(flags);
      f.write(stream >>> 24);
      f.write(stream >>> 16);
      f.write(stream >>> 8);
      f.write(stream);
      f.write(payload);
      out.write(f.toByteArray());
      out.flush();
    }
  }
}
