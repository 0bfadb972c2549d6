package io.portcullis.waf.engine;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * ModSecurity's decoding transformations ({@code t:urlDecodeUni}, {@code t:htmlEntityDecode},
 * {@code t:jsDecode}, {@code t:cssDecode}, {@code t:base64Decode}, {@code t:hexDecode}, {@code
 * t:sqlHexDecode}, {@code t:utf8toUnicode}, {@code t:hexEncode}), over byte strings: one byte per
 * char (ISO-8859-1), as in {@link Transformations}.
 */
public final class Decoding {
  private Decoding() {}

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
}
