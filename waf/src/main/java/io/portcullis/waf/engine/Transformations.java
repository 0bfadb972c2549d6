package io.portcullis.waf.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * ModSecurity's transformation functions over byte strings, by their {@code t:} names; the decoders
 * are in {@link Decoding}, the normalisers (whitespace, paths, comments, command lines) here. Every string in the engine holds one
 * byte per char (ISO-8859-1), as ModSecurity works on bytes: a decoded {@code %c3%a9} stays two
 * bytes until {@code t:utf8toUnicode} says otherwise.
 */
public final class Transformations {
  private Transformations() {}

  /** Compiled once: {@code String.replaceFirst} would compile its pattern on every value. */
  private static final Pattern LEADING_SPACE = Pattern.compile("^[\\s\\x0b]+");
  private static final Pattern TRAILING_SPACE = Pattern.compile("[\\s\\x0b]+$");

  private static final Map<String, UnaryOperator<String>> BY_NAME =
      Map.ofEntries(
          Map.entry("lowercase", s -> s.toLowerCase(Locale.ROOT)),
          Map.entry("uppercase", s -> s.toUpperCase(Locale.ROOT)),
          Map.entry("urldecode", s -> Decoding.urlDecode(s, false)),
          Map.entry("urldecodeuni", s -> Decoding.urlDecode(s, true)),
          Map.entry("htmlentitydecode", Decoding::htmlEntityDecode),
          Map.entry("jsdecode", s -> Decoding.escapeDecode(s, true)),
          Map.entry("escapeseqdecode", s -> Decoding.escapeDecode(s, false)),
          Map.entry("cssdecode", Decoding::cssDecode),
          Map.entry("removenulls", s -> s.indexOf('\0') < 0 ? s : s.replace("\0", "")),
          Map.entry("replacenulls", s -> s.replace('\0', ' ')),
          Map.entry("removewhitespace", Transformations::removeWhitespace),
          Map.entry("compresswhitespace", Transformations::compressWhitespace),
          Map.entry("cmdline", Transformations::cmdLine),
          Map.entry("normalizepath", s -> normalizePath(s, false)),
          Map.entry("normalisepath", s -> normalizePath(s, false)),
          Map.entry("normalizepathwin", s -> normalizePath(s, true)),
          Map.entry("normalisepathwin", s -> normalizePath(s, true)),
          Map.entry("base64decode", s -> Decoding.base64Decode(s, false)),
          Map.entry("base64decodeext", s -> Decoding.base64Decode(s, true)),
          Map.entry("hexdecode", Decoding::hexDecode),
          Map.entry("hexencode", Decoding::hexEncode),
          Map.entry("sqlhexdecode", Decoding::sqlHexDecode),
          Map.entry("sha1", s -> digest("SHA-1", s)),
          Map.entry("md5", s -> digest("MD5", s)),
          Map.entry("utf8tounicode", Decoding::utf8ToUnicode),
          Map.entry("replacecomments", Transformations::replaceComments),
          Map.entry("removecomments", Transformations::removeComments),
          Map.entry("removecommentschar", Transformations::removeCommentsChar),
          Map.entry("length", s -> Integer.toString(s.length())),
          Map.entry("trim", Transformations::trim),
          Map.entry("trimleft", s -> LEADING_SPACE.matcher(s).replaceFirst("")),
          Map.entry("trimright", s -> TRAILING_SPACE.matcher(s).replaceFirst("")));

  /** The function for a {@code t:} name (case-insensitive), or null when unknown. */
  public static UnaryOperator<String> named(String name) {
    return BY_NAME.get(name.toLowerCase(Locale.ROOT));
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
