package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.Locale;

/**
 * A byte-level scanner of an HTTP/1.1 client's request stream that knows only framing (RFC 9112)
 * and holds it to the letter where Netty's decoder is lenient: the version token of the request
 * line ({@code HTTP/1.1}, case-sensitive), CRLF and only CRLF inside a head (no bare CR), no folded
 * header lines, and the whole chunked grammar (§7.1): chunk sizes of
 * 1 to 16 hex digits and nothing else (no spaces, sign or {@code 0x}); chunk extensions by their
 * grammar, bounded per request; CRLF and only CRLF after a size line, after chunk data and after
 * each trailer line; trailer fields that would change framing or routing (RFC 9110 §6.5.1).
 *
 * <p>It does not decode anything: it says where the first byte that breaks the rules is.
 * Everything it does not check (header syntax, sizes, Content-Length values) stays with the
 * decoder and {@link RequestValidationHandler}: when it cannot tell the framing of a request (a
 * head too large, an unusable Content-Length or Transfer-Encoding, non-HTTP bytes behind a request
 * that asked to switch protocols) it steps aside for the rest of the connection, since that
 * request is rejected or tunnelled anyway. A protocol switch that happens removes it.
 */
final class Http1RequestFraming {
  /** Longest chunk-size: 16 hex digits are 64 bits. */
  static final int MAX_CHUNK_SIZE_DIGITS = 16;
  /** Chunk-extension bytes a request may carry in all: nobody uses them, an attacker would. */
  static final int MAX_CHUNK_EXTENSION_BYTES = 4096;

  /** Returned by {@link #scan} when every byte is fine so far. */
  static final int OK = -1;

  private enum State {
    HEAD_LINE, HEAD_LF, SIZE, EXT, SIZE_LF,
    DATA, DATA_CR, DATA_LF, TRAILER_LINE, TRAILER_LF, FIXED, OPAQUE
  }

  private final int maxHeadBytes;
  private State state = State.HEAD_LINE;
  /**
   * The current line (head or trailer), bounded by {@link #maxHeadBytes}. Of a head, only the
   * request line and the fields that can frame a request are kept (see {@link #keepsLine}).
   */
  private final StringBuilder line = new StringBuilder();
  /** Bytes of the current head line, kept or not. */
  private int lineBytes;
  /** Whether the current head line is copied into {@link #line}. */
  private boolean keepLine;
  private boolean requestLineSeen;
  private int headBytes;
  private boolean chunked;
  private boolean hasTransferEncoding;
  private long contentLength;
  private boolean badLength;
  private boolean upgrade;
  /** The last request asked to switch protocols (Upgrade): what follows may not be HTTP/1.1. */
  private boolean upgradePending;
  private int sizeDigits;
  private long remaining;
  private final ChunkExtensionGrammar extensions =
      new ChunkExtensionGrammar(MAX_CHUNK_EXTENSION_BYTES);

  Http1RequestFraming(int maxHeadBytes) {
    this.maxHeadBytes = maxHeadBytes;
  }

  /** True once the scanner stepped aside (see the class comment). */
  boolean opaque() {
    return state == State.OPAQUE;
  }

  /**
   * Scans the readable bytes of {@code in} (without moving its indexes); returns the offset from
   * its reader index of the first byte that breaks framing, or {@link #OK}.
   */
  int scan(ByteBuf in) {
    int start = in.readerIndex();
    int end = in.writerIndex();
    for (int i = start; i < end; i++) {
      if (state == State.OPAQUE) {
        return OK;
      }
      if (state == State.HEAD_LINE) {
        // Most bytes of a head are neither CR nor LF: find the line's end in one pass and copy
        // only the lines the framing needs.
        int eol = in.forEachByte(i, end - i, ByteProcessor.FIND_CRLF);
        int spanEnd = eol < 0 ? end : eol;
        if (spanEnd > i && folded((char) (in.getByte(i) & 0xff))) {
          return i - start;
        }
        headSpan(in, i, spanEnd);
        if (eol < 0 || state == State.OPAQUE) {
          return OK;
        }
        i = eol;
      }
      if (state == State.DATA || state == State.FIXED) {
        long skip = Math.min(remaining, end - i);
        remaining -= skip;
        i += (int) skip - 1;
        if (remaining == 0) {
          state = state == State.DATA ? State.DATA_CR : State.HEAD_LINE;
        }
        continue;
      }
      if (!accept((char) (in.getByte(i) & 0xff))) {
        return i - start;
      }
    }
    return OK;
  }

  private boolean accept(char c) {
    switch (state) {
      case HEAD_LINE -> {
        if (++headBytes > maxHeadBytes) {
          state = State.OPAQUE; // the decoder answers 414 or 431
          return true;
        }
        if (c == '\r') {
          state = State.HEAD_LF;
        } else if (c == '\n') {
          // A bare LF before the request line is tolerated by RFC 9112 §2.2; elsewhere the
          // decoder's strict line parsing refuses it.
          if (requestLineSeen || lineBytes > 0) {
            state = State.OPAQUE;
          }
        } else {
          if (folded(c)) {
            return false;
          }
          headByte(c);
        }
        return true;
      }
      case HEAD_LF -> {
        // A bare CR in a head line is invalid (RFC 9112 §2.2). Netty's decoder would take it for
        // a space inside the request line ("GET /\rHTTP/1.1"), and stepping aside here would
        // leave every later request on the connection unchecked.
        return c == '\n' && headLine();
      }
      case SIZE -> {
        if (isHex(c)) {
          if (++sizeDigits > MAX_CHUNK_SIZE_DIGITS) {
            return false;
          }
          remaining = (remaining << 4) | Character.digit(c, 16);
          return true;
        }
        if (sizeDigits == 0) {
          return false; // a space, a sign, an empty size
        }
        if (c == '\r') {
          state = State.SIZE_LF;
          return true;
        }
        state = State.EXT;
        extensions.startList();
        return extension(c);
      }
      case EXT -> {
        return extension(c);
      }
      case SIZE_LF -> {
        if (c != '\n') {
          return false;
        }
        if (sizeDigits == 0) {
          return false;
        }
        state = remaining == 0 ? State.TRAILER_LINE : State.DATA;
        headBytes = 0;
        return true;
      }
      case DATA_CR -> {
        if (c != '\r') {
          return false;
        }
        state = State.DATA_LF;
        return true;
      }
      case DATA_LF -> {
        if (c != '\n') {
          return false;
        }
        startChunk();
        return true;
      }
      case TRAILER_LINE -> {
        if (++headBytes > maxHeadBytes) {
          return false;
        }
        if (c == '\r') {
          state = State.TRAILER_LF;
          return true;
        }
        if (c == '\n' || (line.length() == 0 && (c == ' ' || c == '\t'))) {
          return false; // a bare LF, or a folded trailer line
        }
        line.append(c);
        return true;
      }
      case TRAILER_LF -> {
        if (c != '\n') {
          return false;
        }
        return trailerLine();
      }
      default -> {
        return true;
      }
    }
  }

  /** Bytes {@code [from, to)} of {@code in}: part of a head line, neither CR nor LF. */
  private void headSpan(ByteBuf in, int from, int to) {
    int n = to - from;
    if (n == 0) {
      return;
    }
    // The byte-at-a-time path counts the same way: past the bound the decoder answers 414 or 431.
    if (headBytes + n > maxHeadBytes) {
      state = State.OPAQUE;
      return;
    }
    headBytes += n;
    headByte((char) (in.getByte(from) & 0xff));
    lineBytes += n - 1;
    if (keepLine) {
      for (int j = from + 1; j < to; j++) {
        line.append((char) (in.getByte(j) & 0xff));
      }
    }
  }

  /**
   * Whether {@code c}, about to be read, starts a header line with whitespace: an obsolete line
   * folding, or whitespace between the request line and the first field (RFC 9112 §5.2, §2.2).
   * Both are refused: Netty's decoder would join the line to the field above it, so the field this
   * scanner saw ("Transfer-Encoding:" and an empty value) and the one the decoder passes on
   * ("Transfer-Encoding: chunked") would differ.
   */
  private boolean folded(char c) {
    return requestLineSeen && lineBytes == 0 && (c == ' ' || c == '\t');
  }

  /** One byte of a head line (not CR or LF), already counted in {@link #headBytes}. */
  private void headByte(char c) {
    if (lineBytes++ == 0) {
      keepLine = keepsLine(c);
    }
    if (keepLine) {
      line.append(c);
    }
  }

  /**
   * The request line, and the fields whose names start as Transfer-Encoding, Content-Length or
   * Upgrade do: the others cannot change framing, and copying every header of every request
   * would cost more than the whole scan.
   */
  private boolean keepsLine(char first) {
    if (!requestLineSeen) {
      return true;
    }
    char c = (char) (first | 0x20);
    return c == 't' || c == 'c' || c == 'u';
  }

  /** One head line ended (CRLF seen). */
  private boolean headLine() {
    boolean kept = keepLine;
    boolean empty = lineBytes == 0;
    lineBytes = 0;
    keepLine = false;
    String text = kept ? line.toString() : "";
    line.setLength(0);
    state = State.HEAD_LINE;
    if (!requestLineSeen) {
      if (empty) {
        return true; // an empty line before the request line (RFC 9112 §2.2)
      }
      requestLineSeen = true;
      int sp = text.lastIndexOf(' ');
      boolean valid = sp > 0 && validVersion(text.substring(sp + 1));
      if (!valid && upgradePending) {
        // Bytes behind a request that asked to switch protocols may be the new protocol's: the
        // decoder refuses them if the switch did not happen, and the tunnel takes them if it did.
        state = State.OPAQUE;
        return true;
      }
      upgradePending = false;
      return valid;
    }
    if (!empty) {
      if (kept) {
        headerField(text);
      }
      return true;
    }
    // The end of the head: what follows is the body, as RFC 9112 §6.3 frames a request.
    requestLineSeen = false;
    headBytes = 0;
    upgradePending = upgrade;
    if (badLength || (hasTransferEncoding && !chunked)) {
      state = State.OPAQUE; // rejected by the validation: not ours to frame
    } else if (chunked) {
      startChunk();
    } else if (contentLength > 0) {
      remaining = contentLength;
      state = State.FIXED;
    }
    chunked = false;
    hasTransferEncoding = false;
    contentLength = 0;
    upgrade = false;
    return true;
  }

  private void headerField(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      return; // the decoder refuses it
    }
    String name = text.substring(0, colon).toLowerCase(Locale.ROOT);
    String value = text.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
    switch (name) {
      case "transfer-encoding" -> {
        hasTransferEncoding = true;
        String[] codings = value.split(",");
        chunked = codings.length > 0 && codings[codings.length - 1].trim().equals("chunked");
      }
      case "content-length" -> {
        try {
          long length = Long.parseLong(value);
          badLength |= length < 0 || (contentLength > 0 && length != contentLength);
          contentLength = length;
        } catch (NumberFormatException e) {
          badLength = true;
        }
      }
      case "upgrade" -> upgrade = true;
      default -> { }
    }
    if (hasTransferEncoding && contentLength > 0) {
      badLength = true; // refused by the decoder and the validation
    }
  }

  /** A trailer line ended; the empty one ends the request. */
  private boolean trailerLine() {
    String text = line.toString();
    line.setLength(0);
    if (text.isEmpty()) {
      state = State.HEAD_LINE;
      headBytes = 0;
      extensions.newRequest();
      return true;
    }
    state = State.TRAILER_LINE;
    int colon = text.indexOf(':');
    if (colon <= 0) {
      return false;
    }
    return !Trailers.forbidden(text.substring(0, colon));
  }

  private void startChunk() {
    state = State.SIZE;
    sizeDigits = 0;
    remaining = 0;
  }

  /** One byte of the chunk extensions (see {@link ChunkExtensionGrammar}). */
  private boolean extension(char c) {
    ChunkExtensionGrammar.Step step = extensions.accept(c);
    if (step == ChunkExtensionGrammar.Step.LINE_END) {
      state = State.SIZE_LF;
    }
    return step != ChunkExtensionGrammar.Step.BAD;
  }

  static boolean validVersion(String v) {
    return v.length() == 8
        && v.startsWith("HTTP/")
        && isDigit(v.charAt(5))
        && v.charAt(6) == '.'
        && isDigit(v.charAt(7));
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  static boolean isTchar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c)
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
