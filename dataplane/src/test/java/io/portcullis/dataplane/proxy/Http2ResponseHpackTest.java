package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.proxy.HpackBlocks.Representation;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.HeaderRewrite;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the proxy's HPACK encoder writes response headers to an HTTP/2 client, read off the raw
 * header blocks of a real h2c connection: the per-response {@code x-request-id} is a never-indexed
 * literal (RFC 7541 §6.2.3), so it neither churns the dynamic table nor evicts the fields that
 * repeat, which a second response sends as one-byte table references.
 */
class Http2ResponseHpackTest {
  private static final int HEADERS = 1;
  private static final int END_STREAM = 0x1;

  private final TestBackend backend = new TestBackend();
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() {
    int backendPort = backend.start();
    proxy = new ProxyServer(
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

  @Test
  void theRequestIdIsNeverIndexedAndRepeatedFieldsComeFromTheTable() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      Http2HostileFramesTest.Conn conn = new Http2HostileFramesTest.Conn(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      HpackBlocks hpack = new HpackBlocks();
      conn.preface();
      List<Map.Entry<String, Representation>> first = exchange(conn, in, hpack, 1);
      List<Map.Entry<String, Representation>> second = exchange(conn, in, hpack, 3);

      assertTrue(first.contains(Map.entry("x-request-id", Representation.NEVER_INDEXED)), first.toString());
      assertTrue(second.contains(Map.entry("x-request-id", Representation.NEVER_INDEXED)), second.toString());
      for (Map.Entry<String, Representation> field : second) {
        if (!field.getKey().equals("x-request-id") && !field.getKey().equals("date")) {
          assertEquals(Representation.INDEXED, field.getValue(),
              "a field the first response put in the table: " + second);
        }
      }
    }
  }

  /** Sends GET / on {@code stream} and returns its response head: each field's name and representation. */
  private static List<Map.Entry<String, Representation>> exchange(
      Http2HostileFramesTest.Conn conn, DataInputStream in, HpackBlocks hpack, int stream)
      throws Exception {
    conn.headers(stream, new DefaultHttp2Headers().method("GET").scheme("http").authority("a").path("/"), true);
    while (true) {
      int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
      int type = in.readUnsignedByte();
      in.readUnsignedByte();
      int id = in.readInt() & 0x7fffffff;
      byte[] payload = in.readNBytes(length);
      if (type == HEADERS && id == stream) {
        // One HEADERS frame carries the whole head here (no CONTINUATION, no padding or priority).
        return hpack.read(payload);
      }
    }
  }
}
