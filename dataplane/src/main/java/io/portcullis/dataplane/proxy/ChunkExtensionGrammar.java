package io.portcullis.dataplane.proxy;

/**
 * The chunk extensions of one chunk-size line, byte by byte, by the grammar of RFC 9112 §7.1.1:
 * {@code *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )}, bounded in bytes per
 * request (nobody uses extensions; an attacker would). A CR, LF or other control byte can never
 * hide inside a quoted value. {@link Http1RequestFraming} hands it the bytes after the size.
 */
final class ChunkExtensionGrammar {
  /** What one byte did. */
  enum Step {
    /** Fine so far. */
    MORE,
    /** The CR that ends the size line, at a place where the line may end. */
    LINE_END,
    /** Not allowed here, or over the byte limit. */
    BAD
  }

  private enum Part {
    BEFORE_SEMICOLON, BEFORE_NAME, NAME, AFTER_NAME, BEFORE_VALUE, VALUE, QUOTED, QUOTED_ESCAPE,
    AFTER_QUOTED
  }

  private final int maxBytesPerRequest;
  private int bytes;
  private Part part;

  ChunkExtensionGrammar(int maxBytesPerRequest) {
    this.maxBytesPerRequest = maxBytesPerRequest;
  }

  /** The request ended: the next one gets the whole allowance again. */
  void newRequest() {
    bytes = 0;
  }

  /** A chunk size was followed by something other than CR: an extension list starts. */
  void startList() {
    part = Part.BEFORE_SEMICOLON;
  }

  Step accept(char c) {
    if (part == Part.QUOTED) {
      return quoted(c);
    }
    if (part == Part.QUOTED_ESCAPE) {
      if (!count() || !(c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7f))) {
        return Step.BAD;
      }
      part = Part.QUOTED;
      return Step.MORE;
    }
    if (c == '\r') {
      // The line may end after a name, a value or a closing quote: not after a blank or a ';'.
      return part == Part.NAME || part == Part.VALUE || part == Part.AFTER_QUOTED
          ? Step.LINE_END : Step.BAD;
    }
    if (!count()) {
      return Step.BAD;
    }
    return unquoted(c) ? Step.MORE : Step.BAD;
  }

  private Step quoted(char c) {
    if (!count()) {
      return Step.BAD;
    }
    if (c == '"') {
      part = Part.AFTER_QUOTED;
    } else if (c == '\\') {
      part = Part.QUOTED_ESCAPE;
    } else if (!isQdtext(c)) {
      return Step.BAD; // CR, LF and other controls may not hide in a quoted string
    }
    return Step.MORE;
  }

  private boolean unquoted(char c) {
    boolean blank = c == ' ' || c == '\t';
    boolean token = Http1RequestFraming.isTchar(c);
    switch (part) {
      case BEFORE_SEMICOLON, AFTER_QUOTED -> {
        if (c == ';') {
          part = Part.BEFORE_NAME;
          return true;
        }
        if (blank) {
          part = Part.BEFORE_SEMICOLON;
        }
        return blank;
      }
      case BEFORE_NAME -> {
        if (token) {
          part = Part.NAME;
        }
        return blank || token;
      }
      case NAME, AFTER_NAME -> {
        if (c == '=') {
          part = Part.BEFORE_VALUE;
          return true;
        }
        if (c == ';') {
          part = Part.BEFORE_NAME;
          return true;
        }
        if (blank) {
          part = Part.AFTER_NAME;
          return true;
        }
        return part == Part.NAME && token;
      }
      case BEFORE_VALUE -> {
        if (c == '"') {
          part = Part.QUOTED;
          return true;
        }
        if (token) {
          part = Part.VALUE;
        }
        return blank || token;
      }
      case VALUE -> {
        if (c == ';') {
          part = Part.BEFORE_NAME;
          return true;
        }
        if (blank) {
          part = Part.BEFORE_SEMICOLON;
          return true;
        }
        return token;
      }
      default -> {
        return false;
      }
    }
  }

  private boolean count() {
    return ++bytes <= maxBytesPerRequest;
  }

  private static boolean isQdtext(char c) {
    return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b)
        || (c >= 0x5d && c <= 0x7e) || c >= 0x80;
  }
}
