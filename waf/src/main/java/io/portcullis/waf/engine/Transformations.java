package io.portcullis.waf.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * ModSecurity's transformation functions over byte strings. Every string in the engine holds one
 * byte per char (ISO-8859-1), as ModSecurity works on bytes: a decoded {@code %c3%a9} stays two
 * bytes until {@code t:utf8toUnicode} says otherwise.
 */
public final class Transformations {
  private Transformations() {}

  private static final Map<String, UnaryOperator<String>> BY_NAME =
      Map.ofEntries(
          Map.entry("lowercase", s -> s.toLowerCase(Locale.ROOT)),
          Map.entry("uppercase", s -> s.toUpperCase(Locale.ROOT)),
          Map.entry("urldecode", s -> urlDecode(s, false)),
          Map.entry("urldecodeuni", s -> urlDecode(s, true)),
          Map.entry("htmlentitydecode", Transformations::htmlEntityDecode),
          Map.entry("jsdecode", s -> escapeDecode(s, true)),
          Map.entry("escapeseqdecode", s -> escapeDecode(s, false)),
          Map.entry("cssdecode", Transformations::cssDecode),
          Map.entry("removenulls", s -> s.indexOf('\0') < 0 ? s : s.replace("\0", "")),
          Map.entry("replacenulls", s -> s.replace('\0', ' ')),
          Map.entry("removewhitespace", Transformations::removeWhitespace),
          Map.entry("compresswhitespace", Transformations::compressWhitespace),
          Map.entry("cmdline", Transformations::cmdLine),
          Map.entry("normalizepath", s -> normalizePath(s, false)),
          Map.entry("normalisepath", s -> normalizePath(s, false)),
          Map.entry("normalizepathwin", s -> normalizePath(s, true)),
          Map.entry("normalisepathwin", s -> normalizePath(s, true)),
          Map.entry("base64decode", s -> base64Decode(s, false)),
          Map.entry("base64decodeext", s -> base64Decode(s, true)),
          Map.entry("hexdecode", Transformations::hexDecode),
          Map.entry("hexencode", Transformations::hexEncode),
          Map.entry("sqlhexdecode", Transformations::sqlHexDecode),
          Map.entry("sha1", s -> digest("SHA-1", s)),
          Map.entry("md5", s -> digest("MD5", s)),
          Map.entry("utf8tounicode", Transformations::utf8ToUnicode),
          Map.entry("replacecomments", Transformations::replaceComments),
          Map.entry("removecomments", Transformations::removeComments),
          Map.entry("removecommentschar", Transformations::removeCommentsChar),
          Map.entry("length", s -> Integer.toString(s.length())),
          Map.entry("trim", Transformations::trim),
          Map.entry("trimleft", s -> s.replaceFirst("^[\\s\\x0b]+", "")),
          Map.entry("trimright", s -> s.replaceFirst("[\\s\\x0b]+$", "")));

  /** The function for a {@code t:} name (case-insensitive), or null when unknown. */
  public static UnaryOperator<String> named(String name) {
    return BY_NAME.get(name.toLowerCase(Locale.ROOT));
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static boolean isHex(String s, int from, int count) {
    if (from + count > s.length()) {
      return false;
    }
    for (int i = from; i < from + count; i++) {
      if (hex(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** %XX and + decoding; {@code uni} also takes IIS-style %uXXXX (full-width ASCII folded). */
  public static String urlDecode(String s, boolean uni) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '+') {
        b.append(' ');
      } else if (c == '%') {
        if (uni && i + 5 < n + 0 && i + 1 < n && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')
            && isHex(s, i + 2, 4)) {
          int lo = hex(s.charAt(i + 4)) * 16 + hex(s.charAt(i + 5));
          boolean fullWidth = (s.charAt(i + 2) == 'f' || s.charAt(i + 2) == 'F')
              && (s.charAt(i + 3) == 'f' || s.charAt(i + 3) == 'F');
          if (fullWidth && lo >= 0x01 && lo <= 0x5e) {
            lo += 0x20;
          }
          b.append((char) (lo & 0xff));
          i += 5;
        } else if (isHex(s, i + 1, 2)) {
          b.append((char) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2))));
          i += 2;
        } else {
          b.append(c);
        }
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static final Map<String, Character> ENTITIES =
      Map.of("quot", '"', "amp", '&', "lt", '<', "gt", '>', "nbsp", (char) 0xa0, "apos", '\'');

  public static String htmlEntityDecode(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c != '&' || i + 1 >= n) {
        b.append(c);
        i++;
        continue;
      }
      int j = i + 1;
      if (s.charAt(j) == '#') {
        j++;
        boolean hexForm = j < n && (s.charAt(j) == 'x' || s.charAt(j) == 'X');
        if (hexForm) {
          j++;
        }
        int k = j;
        long v = 0;
        while (k < n && (hexForm ? hex(s.charAt(k)) >= 0 : Character.isDigit(s.charAt(k)))
            && k - j < 8) {
          v = v * (hexForm ? 16 : 10) + (hexForm ? hex(s.charAt(k)) : s.charAt(k) - '0');
          k++;
        }
        if (k > j) {
          b.append((char) (v & 0xff));
          i = (k < n && s.charAt(k) == ';') ? k + 1 : k;
          continue;
        }
      } else {
        int k = j;
        while (k < n && Character.isLetterOrDigit(s.charAt(k)) && k - j < 8) {
          k++;
        }
        Character e = ENTITIES.get(s.substring(j, k).toLowerCase(Locale.ROOT));
        if (e != null) {
          b.append(e.charValue());
          i = (k < n && s.charAt(k) == ';') ? k + 1 : k;
          continue;
        }
      }
      b.append(c);
      i++;
    }
    return b.toString();
  }

  /** JavaScript ({@code js}) or ANSI C escape decoding. */
  public static String escapeDecode(String s, boolean js) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= n) {
        b.append(c);
        i++;
        continue;
      }
      char d = s.charAt(i + 1);
      if (js && (d == 'u' || d == 'U') && isHex(s, i + 2, 4)) {
        int lo = hex(s.charAt(i + 4)) * 16 + hex(s.charAt(i + 5));
        boolean fullWidth = (s.charAt(i + 2) == 'f' || s.charAt(i + 2) == 'F')
            && (s.charAt(i + 3) == 'f' || s.charAt(i + 3) == 'F');
        if (fullWidth && lo >= 0x01 && lo <= 0x5e) {
          lo += 0x20;
        }
        b.append((char) lo);
        i += 6;
      } else if ((d == 'x' || d == 'X') && isHex(s, i + 2, 2)) {
        b.append((char) (hex(s.charAt(i + 2)) * 16 + hex(s.charAt(i + 3))));
        i += 4;
      } else if (d >= '0' && d <= '7') {
        int k = i + 1;
        int v = 0;
        while (k < n && k < i + 4 && s.charAt(k) >= '0' && s.charAt(k) <= '7') {
          v = v * 8 + (s.charAt(k) - '0');
          k++;
        }
        b.append((char) (v & 0xff));
        i = k;
      } else {
        b.append(switch (d) {
          case 'a' -> (char) 7;
          case 'b' -> '\b';
          case 'f' -> '\f';
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          case 'v' -> (char) 11;
          default -> d;
        });
        i += 2;
      }
    }
    return b.toString();
  }

  public static String cssDecode(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
        i++;
        continue;
      }
      if (i + 1 >= n) {
        i++;
        continue;
      }
      int k = i + 1;
      while (k < n && k < i + 7 && hex(s.charAt(k)) >= 0) {
        k++;
      }
      if (k > i + 1) {
        int digits = k - (i + 1);
        int lo = hex(s.charAt(k - 1));
        if (digits >= 2) {
          lo += 16 * hex(s.charAt(k - 2));
        }
        boolean fullWidth = digits >= 4 && (s.charAt(k - 4) == 'f' || s.charAt(k - 4) == 'F')
            && (s.charAt(k - 3) == 'f' || s.charAt(k - 3) == 'F');
        if (fullWidth && lo >= 0x01 && lo <= 0x5e) {
          lo += 0x20;
        }
        b.append((char) lo);
        i = k;
        if (i < n && Character.isWhitespace(s.charAt(i))) {
          i++;
        }
      } else if (s.charAt(i + 1) == '\n') {
        i += 2;
      } else {
        b.append(s.charAt(i + 1));
        i += 2;
      }
    }
    return b.toString();
  }

  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 11 || c == 0xa0;
  }

  static String removeWhitespace(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      if (!space(s.charAt(i))) {
        b.append(s.charAt(i));
      }
    }
    return b.toString();
  }

  static String compressWhitespace(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean inSpace = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (space(c)) {
        if (!inSpace) {
          b.append(' ');
        }
        inSpace = true;
      } else {
        b.append(c);
        inSpace = false;
      }
    }
    return b.toString();
  }

  /** Undoes the evasions shells accept: quotes and escapes inside words, odd spacing, case. */
  static String cmdLine(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"', '\'', '\\', '^' -> { }
        case ' ', ',', ';', '\t', '\r', '\n' -> space = true;
        case '/', '(' -> {
          space = false; // a space before / or ( is dropped
          b.append(c);
        }
        default -> {
          if (space && b.length() > 0) {
            b.append(' ');
          }
          space = false;
          b.append(Character.toLowerCase(c));
        }
      }
    }
    return b.toString();
  }

  static String normalizePath(String s, boolean windows) {
    if (windows) {
      s = s.replace('\\', '/');
    }
    if (s.isEmpty()) {
      return s;
    }
    boolean absolute = s.startsWith("/");
    boolean trailing = s.endsWith("/") || s.endsWith("/.") || s.endsWith("/..");
    String[] parts = s.split("/+");
    java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
    for (String p : parts) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (!stack.isEmpty() && !stack.peekLast().equals("..")) {
          stack.pollLast();
        } else if (!absolute) {
          stack.addLast("..");
        }
        continue;
      }
      stack.addLast(p);
    }
    String joined = String.join("/", stack);
    String out = (absolute ? "/" : "") + joined;
    if (trailing && !joined.isEmpty()) {
      out += "/";
    }
    return out;
  }

  static String base64Decode(String s, boolean lenient) {
    StringBuilder clean = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isLetterOrDigit(c) && c < 128 || c == '+' || c == '/') {
        clean.append(c);
      } else if (c == '=' || !lenient) {
        break;
      }
    }
    // Padding is optional, as in ModSecurity: a lone trailing char carries no whole byte.
    int rem = clean.length() % 4;
    if (rem == 1) {
      clean.setLength(clean.length() - 1);
    } else if (rem > 1) {
      clean.append("==", 0, 4 - rem);
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(clean.toString());
      return new String(bytes, StandardCharsets.ISO_8859_1);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  static String hexDecode(String s) {
    StringBuilder b = new StringBuilder(s.length() / 2);
    for (int i = 0; i + 1 < s.length(); i += 2) {
      int h = hex(s.charAt(i));
      int l = hex(s.charAt(i + 1));
      if (h < 0 || l < 0) {
        break;
      }
      b.append((char) (h * 16 + l));
    }
    return b.toString();
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static String hexEncode(String s) {
    StringBuilder b = new StringBuilder(s.length() * 2);
    for (int i = 0; i < s.length(); i++) {
      int c = s.charAt(i) & 0xff;
      b.append(HEX[c >> 4]).append(HEX[c & 15]);
    }
    return b.toString();
  }

  static String sqlHexDecode(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (i + 3 < s.length() && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
          && isHex(s, i + 2, 2)) {
        int k = i + 2;
        while (k + 1 < s.length() && isHex(s, k, 2)) {
          b.append((char) (hex(s.charAt(k)) * 16 + hex(s.charAt(k + 1))));
          k += 2;
        }
        i = k;
      } else {
        b.append(s.charAt(i++));
      }
    }
    return b.toString();
  }

  private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> newDigest("SHA-1"));
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> newDigest("MD5"));

  private static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String digest(String algorithm, String s) {
    MessageDigest md = (algorithm.equals("MD5") ? MD5 : SHA1).get();
    byte[] d = md.digest(s.getBytes(StandardCharsets.ISO_8859_1));
    return new String(d, StandardCharsets.ISO_8859_1);
  }

  /** Multi-byte UTF-8 sequences become {@code %uXXXX}, as ModSecurity writes them. */
  static String utf8ToUnicode(String s) {
    boolean high = false;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        high = true;
        break;
      }
    }
    if (!high) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    int n = s.length();
    int i = 0;
    while (i < n) {
      int c = s.charAt(i) & 0xff;
      int cp = -1;
      int len = 1;
      if (c >= 0xc2 && c <= 0xdf && i + 1 < n && cont(s, i + 1)) {
        cp = ((c & 0x1f) << 6) | (s.charAt(i + 1) & 0x3f);
        len = 2;
      } else if (c >= 0xe0 && c <= 0xef && i + 2 < n && cont(s, i + 1) && cont(s, i + 2)) {
        cp = ((c & 0x0f) << 12) | ((s.charAt(i + 1) & 0x3f) << 6) | (s.charAt(i + 2) & 0x3f);
        len = 3;
      } else if (c >= 0xf0 && c <= 0xf4 && i + 3 < n && cont(s, i + 1) && cont(s, i + 2)
          && cont(s, i + 3)) {
        cp = ((c & 0x07) << 18) | ((s.charAt(i + 1) & 0x3f) << 12)
            | ((s.charAt(i + 2) & 0x3f) << 6) | (s.charAt(i + 3) & 0x3f);
        len = 4;
      }
      if (cp >= 0) {
        b.append("%u").append(String.format("%04x", cp));
      } else {
        b.append((char) c);
      }
      i += len;
    }
    return b.toString();
  }

  private static boolean cont(String s, int i) {
    return (s.charAt(i) & 0xc0) == 0x80;
  }

  static String replaceComments(String s) {
    if (s.indexOf("/*") < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int start = s.indexOf("/*", i);
      if (start < 0) {
        b.append(s, i, s.length());
        break;
      }
      b.append(s, i, start).append(' ');
      int end = s.indexOf("*/", start + 2);
      if (end < 0) {
        break;
      }
      i = end + 2;
    }
    return b.toString();
  }

  static String removeComments(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    int n = s.length();
    while (i < n) {
      if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        if (end < 0) {
          break;
        }
        i = end + 2;
      } else if (s.startsWith("<!--", i)) {
        int end = s.indexOf("-->", i + 4);
        if (end < 0) {
          break;
        }
        i = end + 3;
      } else if (s.startsWith("--", i) || s.charAt(i) == '#') {
        break;
      } else {
        b.append(s.charAt(i++));
      }
    }
    return b.toString();
  }

  static String removeCommentsChar(String s) {
    return s.replace("/*", "").replace("*/", "").replace("<!--", "").replace("-->", "")
        .replace("--", "").replace("#", "");
  }

  static String trim(String s) {
    int a = 0;
    int z = s.length();
    while (a < z && space(s.charAt(a))) {
      a++;
    }
    while (z > a && space(s.charAt(z - 1))) {
      z--;
    }
    return s.substring(a, z);
  }
}
