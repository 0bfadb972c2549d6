package io.portcullis.waf.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Recognises a GraphQL document and pulls out its string literals. A GraphQL query is code the
 * API's own clients wrote: its braces, parentheses and {@code $variables} are what CRS's
 * command-injection and SQL rules mistake for attacks. What an attacker controls inside a valid
 * document is its string literals (and the JSON {@code variables}, inspected as usual), so those
 * are what the rules see instead of the whole text. Text that does not tokenize as GraphQL is
 * left as it is.
 */
final class GraphQl {
  private GraphQl() {}

  /** The string literals of {@code s} if it is a GraphQL document, else null. */
  static List<String> literals(String s) {
    String t = s.stripLeading();
    if (!(t.startsWith("{") || t.startsWith("query") || t.startsWith("mutation")
        || t.startsWith("subscription") || t.startsWith("fragment"))) {
      return null;
    }
    List<String> out = new ArrayList<>();
    int n = s.length();
    int i = 0;
    int depth = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\ufeff') {
        i++;
      } else if (c == '#') {
        while (i < n && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
          i++;
        }
      } else if (c == '{' || c == '(' || c == '[') {
        depth++;
        i++;
      } else if (c == '}' || c == ')' || c == ']') {
        if (--depth < 0) {
          return null;
        }
        i++;
      } else if ("!$&:=@|".indexOf(c) >= 0) {
        i++;
      } else if (c == '.' && s.startsWith("...", i)) {
        i += 3;
      } else if (c == '_' || Character.isLetter(c) && c < 128) {
        while (i < n && (s.charAt(i) == '_' || Character.isLetterOrDigit(s.charAt(i)) && s.charAt(i) < 128)) {
          i++;
        }
      } else if (c == '-' || Character.isDigit(c)) {
        i++;
        while (i < n && (Character.isDigit(s.charAt(i)) || ".eE+-".indexOf(s.charAt(i)) >= 0)) {
          i++;
        }
      } else if (c == '"') {
        if (s.startsWith("\"\"\"", i)) {
          int end = s.indexOf("\"\"\"", i + 3);
          if (end < 0) {
            return null;
          }
          out.add(s.substring(i + 3, end));
          i = end + 3;
        } else {
          StringBuilder lit = new StringBuilder();
          i++;
          while (i < n && s.charAt(i) != '"') {
            char ch = s.charAt(i);
            if (ch == '\n' || ch == '\r') {
              return null;
            }
            if (ch == '\\' && i + 1 < n) {
              lit.append(s.charAt(i + 1));
              i += 2;
            } else {
              lit.append(ch);
              i++;
            }
          }
          if (i >= n) {
            return null;
          }
          out.add(lit.toString());
          i++;
        }
      } else {
        return null; // not GraphQL: ; ' < > ` and the like never occur outside strings
      }
    }
    return depth == 0 ? out : null;
  }
}
