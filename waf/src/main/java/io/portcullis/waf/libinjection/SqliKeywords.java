package io.portcullis.waf.libinjection;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * libinjection's keyword table: SQL words and operators with their token type, and the known
 * SQLi fingerprints (type {@code F}, stored as {@code 0} + fingerprint). Generated into
 * sqli-keywords.txt from libinjection's data header (BSD licence, attribution in that file).
 */
final class SqliKeywords {
  private SqliKeywords() {}

  private static final Map<String, Character> TABLE = load();

  private static Map<String, Character> load() {
    Map<String, Character> m = new HashMap<>(16384);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        SqliKeywords.class.getResourceAsStream("/io/portcullis/waf/libinjection/sqli-keywords.txt"),
        StandardCharsets.ISO_8859_1))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#") || line.isEmpty()) {
          continue;
        }
        int tab = line.lastIndexOf('\t');
        m.put(line.substring(0, tab), line.charAt(tab + 1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  /** The type of {@code s[from, from+len)} compared ASCII-case-insensitively, or 0. */
  static char lookup(CharSequence s, int from, int len) {
    char[] up = new char[len];
    for (int i = 0; i < len; i++) {
      char c = s.charAt(from + i);
      up[i] = c >= 'a' && c <= 'z' ? (char) (c - 32) : c;
    }
    Character t = TABLE.get(new String(up));
    return t == null ? 0 : t;
  }

  static char lookup(String s) {
    return lookup(s, 0, s.length());
  }
}
