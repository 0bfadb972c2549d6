package io.portcullis.waf.seclang;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SecLang text into directives the way Apache's config reader does for ModSecurity:
 * {@code #} comment lines, a trailing backslash continues the line, arguments are bare words or
 * double-quoted strings in which {@code \"} stands for a quote and {@code \\} for one backslash
 * (CRS regexes are written for exactly that unescaping).
 */
public final class DirectiveReader {
  private DirectiveReader() {}

  public static List<Directive> read(String text, String file) {
    List<Directive> out = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    StringBuilder logical = new StringBuilder();
    int start = -1;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (logical.length() == 0) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        start = i + 1;
      }
      if (line.endsWith("\\")) {
        logical.append(line, 0, line.length() - 1);
        continue;
      }
      logical.append(line);
      Directive d = tokenize(logical.toString(), file, start);
      if (d != null) {
        out.add(d);
      }
      logical.setLength(0);
    }
    if (logical.length() > 0) {
      Directive d = tokenize(logical.toString(), file, start);
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }

  static Directive tokenize(String s, String file, int line) {
    List<String> words = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      StringBuilder w = new StringBuilder();
      if (c == '"' || c == '\'') {
        char quote = c;
        i++;
        while (i < n && s.charAt(i) != quote) {
          char ch = s.charAt(i);
          if (ch == '\\' && i + 1 < n && (s.charAt(i + 1) == quote || s.charAt(i + 1) == '\\')) {
            w.append(s.charAt(i + 1));
            i += 2;
          } else {
            w.append(ch);
            i++;
          }
        }
        i++; // closing quote
      } else {
        while (i < n && !Character.isWhitespace(s.charAt(i))) {
          w.append(s.charAt(i++));
        }
      }
      words.add(w.toString());
    }
    if (words.isEmpty()) {
      return null;
    }
    return new Directive(words.get(0), words.subList(1, words.size()), file, line);
  }

  /**
   * Splits a rule's action list at commas outside single quotes; each action is name and an
   * optional value after the first colon, the value's single quotes removed.
   */
  public static List<String[]> actions(String s) {
    List<String[]> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && (s.charAt(i) == ',' || Character.isWhitespace(s.charAt(i)))) {
        i++;
      }
      if (i >= n) {
        break;
      }
      int nameStart = i;
      while (i < n && s.charAt(i) != ':' && s.charAt(i) != ',') {
        i++;
      }
      String name = s.substring(nameStart, i).strip();
      String value = null;
      if (i < n && s.charAt(i) == ':') {
        i++;
        while (i < n && s.charAt(i) == ' ') {
          i++;
        }
        StringBuilder v = new StringBuilder();
        if (i < n && s.charAt(i) == '\'') {
          i++;
          while (i < n && s.charAt(i) != '\'') {
            if (s.charAt(i) == '\\' && i + 1 < n && s.charAt(i + 1) == '\'') {
              v.append('\'');
              i += 2;
            } else {
              v.append(s.charAt(i++));
            }
          }
          i++;
          while (i < n && s.charAt(i) != ',') {
            i++;
          }
        } else {
          while (i < n && s.charAt(i) != ',') {
            v.append(s.charAt(i++));
          }
        }
        value = v.toString().strip();
      }
      out.add(new String[] {name, value});
    }
    return out;
  }
}
