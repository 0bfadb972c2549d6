package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The framing scanner alone, byte by byte and all at once. */
class Http1RequestFramingTest {
  private static final String HEAD = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

  private static int scan(String raw, boolean byteByByte) {
    Http1RequestFraming f = new Http1RequestFraming(8192);
    byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
    if (!byteByByte) {
      ByteBuf b = Unpooled.wrappedBuffer(bytes);
      return f.scan(b);
    }
    for (int i = 0; i < bytes.length; i++) {
      int r = f.scan(Unpooled.wrappedBuffer(bytes, i, 1));
      if (r != Http1RequestFraming.OK) {
        return i + r;
      }
    }
    return Http1RequestFraming.OK;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "5\r\nhello\r\n0\r\n\r\n",
        "0000000000000005\r\nhello\r\n0\r\n\r\n",
        "5;a\r\nhello\r\n0\r\n\r\n",
        "5;a=b\r\nhello\r\n0\r\n\r\n",
        "5 ; a = b ;c\r\nhello\r\n0\r\n\r\n",
        "5;a=\"x \\\" y\"\r\nhello\r\n0\r\n\r\n",
        "5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n",
      })
  void wellFormedChunkedBodiesPass(String body) {
    assertEquals(Http1RequestFraming.OK, scan(HEAD + body + HEAD, false));
    assertEquals(Http1RequestFraming.OK, scan(HEAD + body + HEAD, true));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "5 \r\nhello\r\n0\r\n\r\n",
        "+5\r\nhello\r\n0\r\n\r\n",
        "0x5\r\nhello\r\n0\r\n\r\n",
        "00000000000000005\r\nhello\r\n0\r\n\r\n",
        "5\nhello\r\n0\r\n\r\n",
        "5;a=\"x\ry\"\r\nhello\r\n0\r\n\r\n",
        "5\r\nhelloX\r\n0\r\n\r\n",
        "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n",
        "5\r\nhello\r\n0\r\nX: 1\n\r\n",
        "5\r\nhello\r\n0\r\nX: 1\r\n 2\r\n\r\n",
      })
  void brokenChunkedBodiesAreCaught(String body) {
    int all = scan(HEAD + body, false);
    assertEquals(all, scan(HEAD + body, true), "the same byte whatever the reads");
    assertEquals(true, all >= HEAD.length(), "caught in the body, not the head: " + all);
  }

  @Test
  void anUpgradeHeaderDoesNotSwitchTheChecksOffForTheNextRequest() {
    String upgrade = "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n";
    assertEquals(true, scan(upgrade + HEAD + "0x5\r\nhello\r\n0\r\n\r\n", false) > 0);
    // Bytes of another protocol behind it are left to the decoder or the tunnel.
    assertEquals(Http1RequestFraming.OK, scan(upgrade + "\u0081\u0005hello\r\n", false));
  }

  @Test
  void aBareCrInAHeadLineIsCaughtWhereItIs() {
    // Netty's decoder takes a CR inside the request line for a space: the scanner must not.
    assertEquals(7, scan("POST /\rHTTP/1.1\r\nHost: a\r\n\r\n", false));
    assertEquals(7, scan("POST /\rHTTP/1.1\r\nHost: a\r\n\r\n", true));
    assertEquals(24, scan("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", false));
    assertEquals(1, scan("\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", false));
  }

  @Test
  void aFoldedHeaderLineIsCaughtAtItsFirstByte() {
    String folded = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n";
    assertEquals(folded.indexOf(" chunked"), scan(folded, false));
    assertEquals(folded.indexOf(" chunked"), scan(folded, true));
    assertEquals(16, scan("GET / HTTP/1.1\r\n\tHost: a\r\n\r\n", false));
    // Blanks inside a line are the decoder's business, as before.
    assertEquals(Http1RequestFraming.OK, scan("GET / HTTP/1.1\r\nHost:  a \r\n\r\n", true));
  }

  @Test
  void aLowerCaseVersionIsCaughtInTheRequestLine() {
    assertEquals(15, scan("GET / http/1.1\r\nHost: a\r\n\r\n", false));
  }
}
