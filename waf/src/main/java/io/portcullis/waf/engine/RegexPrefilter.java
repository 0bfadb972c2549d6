package io.portcullis.waf.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Literals a regex cannot match without: a set of strings such that every match contains at
 * least one of them (lower-cased, so the check runs on the lower-cased input and stays a
 * necessary condition whatever the regex's case flags). An Aho-Corasick scan for them is far
 * cheaper than RE2J's NFA, and on benign input most CRS regexes are ruled out by it: the idea of
 * RE2's FilteredRE2, on a small parser of the regex syntax CRS uses. Anything the parser does not
 * understand yields "no constraint", never a wrong one.
 */
final class RegexPrefilter {
  private static final int MAX_SET = 512;
  private static final int MIN_USEFUL = 1;

  private final String re;
  private int pos;

  private RegexPrefilter(String re) {
    this.re = re;
  }

  /** The necessary literals, or null when there is no useful set. */
  static Set<String> literals(String regex) {
    try {
      RegexPrefilter p = new RegexPrefilter(regex);
      Info info = p.alternation();
      if (p.pos != regex.length() || info.set == null || info.set.isEmpty()) {
        return null;
      }
      for (String s : info.set) {
        if (s.length() < MIN_USEFUL) {
          return null;
        }
      }
      return info.set;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * What a sub-pattern guarantees: {@code exact} when its matches are exactly these strings
   * (lower-cased), else {@code set} (every match contains one of them), else nothing (null set).
   */
  private record Info(boolean exact, Set<String> set) {
    static final Info ANY = new Info(false, null);

    static Info exact(Set<String> s) {
      return s.size() > MAX_SET ? ANY : new Info(true, s);
    }

    /** As a containment set: exact strings count as literals (empty string means no constraint). */
    Set<String> asMatch() {
      if (set == null || set.contains("")) {
        return null;
      }
      return set;
    }
  }

  private Info alternation() {
    List<Info> branches = new ArrayList<>();
    branches.add(concatenation());
    while (pos < re.length() && re.charAt(pos) == '|') {
      pos++;
      branches.add(concatenation());
    }
    if (branches.size() == 1) {
      return branches.get(0);
    }
    boolean allExact = branches.stream().allMatch(Info::exact);
    Set<String> union = new HashSet<>();
    for (Info b : branches) {
      Set<String> s = allExact ? b.set : b.asMatch();
      if (s == null) {
        return Info.ANY;
      }
      union.addAll(s);
    }
    if (allExact) {
      return Info.exact(union);
    }
    return union.size() > MAX_SET ? Info.ANY : new Info(false, union);
  }

  private Info concatenation() {
    Info acc = Info.exact(Set.of(""));
    Set<String> best = null; // the strongest containment set seen among inexact pieces
    boolean inexact = false; // some piece matched more than a known set of strings
    while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
      Info piece = repeat(atom());
      if (acc.exact && piece.exact) {
        Set<String> product = new HashSet<>();
        for (String a : acc.set) {
          for (String b : piece.set) {
            product.add(a + b);
            if (product.size() > MAX_SET) {
              break;
            }
          }
        }
        if (product.size() <= MAX_SET) {
          acc = Info.exact(product);
          continue;
        }
      }
      // The exact run so far ends here: keep the better of it and what we had.
      inexact = true;
      best = better(best, acc.asMatch());
      best = better(best, piece.exact ? piece.asMatch() : piece.set);
      acc = piece.exact ? piece : Info.exact(Set.of(""));
    }
    if (!inexact) {
      return acc;
    }
    best = better(best, acc.asMatch());
    return best == null ? Info.ANY : new Info(false, best);
  }

  /** The set whose shortest literal is longer (fewer false candidates). */
  private static Set<String> better(Set<String> a, Set<String> b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return minLen(b) > minLen(a) ? b : a;
  }

  private static int minLen(Set<String> s) {
    int m = Integer.MAX_VALUE;
    for (String x : s) {
      m = Math.min(m, x.length());
    }
    return m;
  }

  private Info repeat(Info atom) {
    if (pos >= re.length()) {
      return atom;
    }
    char c = re.charAt(pos);
    int min;
    if (c == '*' || c == '?') {
      pos++;
      min = 0;
    } else if (c == '+') {
      pos++;
      min = 1;
    } else if (c == '{' && pos + 1 < re.length() && Character.isDigit(re.charAt(pos + 1))) {
      int close = re.indexOf('}', pos);
      String body = re.substring(pos + 1, close);
      min = Integer.parseInt(body.split(",", -1)[0]);
      pos = close + 1;
    } else {
      return atom;
    }
    if (pos < re.length() && (re.charAt(pos) == '?' || re.charAt(pos) == '+')) {
      pos++; // lazy or possessive
    }
    if (min == 0) {
      return Info.ANY; // anything or nothing: it ends an exact run, and constrains nothing
    }
    Set<String> s = atom.exact ? atom.asMatch() : atom.set;
    return s == null ? Info.ANY : new Info(false, s);
  }

  private Info atom() {
    char c = re.charAt(pos);
    switch (c) {
      case '(' -> {
        pos++;
        if (re.startsWith("?", pos)) {
          // (?:  (?i)  (?i:  (?P<name>  (?<name>
          int k = pos + 1;
          if (k < re.length() && (re.charAt(k) == 'P' || re.charAt(k) == '<')) {
            int gt = re.indexOf('>', k);
            pos = gt + 1;
          } else {
            while (k < re.length() && re.charAt(k) != ':' && re.charAt(k) != ')') {
              char f = re.charAt(k);
              if (!(Character.isLetter(f) || f == '-')) {
                throw new IllegalArgumentException("group kind");
              }
              k++;
            }
            if (re.charAt(k) == ')') {
              pos = k + 1; // a flag setting like (?i): matches the empty string
              return Info.exact(Set.of(""));
            }
            pos = k + 1;
          }
        }
        Info inner = alternation();
        if (pos >= re.length() || re.charAt(pos) != ')') {
          throw new IllegalArgumentException("unbalanced");
        }
        pos++;
        return inner;
      }
      case '[' -> {
        return charClass();
      }
      case '.' -> {
        pos++;
        return Info.ANY;
      }
      case '^', '$' -> {
        pos++;
        return Info.exact(Set.of(""));
      }
      case '\\' -> {
        return escape();
      }
      default -> {
        pos++;
        return literal(c);
      }
    }
  }

  /** The engine's strings are bytes: only ASCII letters fold, as in {@link AhoCorasick}. */
  static char fold(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }

  private static Info literal(char c) {
    if (c > 0xff) {
      return Info.ANY; // never in a byte string: no literal to look for
    }
    return Info.exact(Set.of(String.valueOf(fold(c))));
  }

  private Info escape() {
    char e = re.charAt(pos + 1);
    pos += 2;
    switch (e) {
      case 'b', 'B', 'A', 'z', 'Z' -> {
        return Info.exact(Set.of(""));
      }
      case 'd', 'D', 'w', 'W', 's', 'S', 'p', 'P' -> {
        if ((e == 'p' || e == 'P') && pos < re.length() && re.charAt(pos) == '{') {
          pos = re.indexOf('}', pos) + 1;
        } else if (e == 'p' || e == 'P') {
          pos++;
        }
        return Info.ANY;
      }
      case 'x' -> {
        if (re.charAt(pos) == '{') {
          int close = re.indexOf('}', pos);
          int v = Integer.parseInt(re.substring(pos + 1, close), 16);
          pos = close + 1;
          return literal((char) v);
        }
        int v = Integer.parseInt(re.substring(pos, pos + 2), 16);
        pos += 2;
        return literal((char) v);
      }
      case 'n' -> {
        return literal('\n');
      }
      case 'r' -> {
        return literal('\r');
      }
      case 't' -> {
        return literal('\t');
      }
      case 'f' -> {
        return literal('\f');
      }
      case 'v' -> {
        return literal((char) 11);
      }
      case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> throw new IllegalArgumentException("octal/backreference");
      default -> {
        if (Character.isLetterOrDigit(e)) {
          throw new IllegalArgumentException("unknown escape");
        }
        return literal(e);
      }
    }
  }

  /** A small class ([aA], [/\\]) is an exact set of its chars; anything larger constrains nothing. */
  private Info charClass() {
    pos++; // [
    boolean negated = false;
    if (re.charAt(pos) == '^') {
      negated = true;
      pos++;
    }
    Set<String> chars = new HashSet<>();
    boolean big = negated;
    boolean first = true;
    while (pos < re.length() && (re.charAt(pos) != ']' || first)) {
      first = false;
      char c = re.charAt(pos);
      if (c == '[' && re.startsWith("[:", pos)) {
        pos = re.indexOf(":]", pos) + 2;
        big = true;
        continue;
      }
      char lo;
      if (c == '\\') {
        char e = re.charAt(pos + 1);
        if ("dDwWsSpP".indexOf(e) >= 0) {
          big = true;
          pos += 2;
          if ((e == 'p' || e == 'P') && re.charAt(pos) == '{') {
            pos = re.indexOf('}', pos) + 1;
          }
          continue;
        }
        int save = pos;
        Info one = escape();
        if (!one.exact || one.set.size() != 1 || one.set.iterator().next().length() != 1) {
          pos = save + 2;
          big = true;
          continue;
        }
        lo = one.set.iterator().next().charAt(0);
      } else {
        lo = c;
        pos++;
      }
      if (pos + 1 < re.length() && re.charAt(pos) == '-' && re.charAt(pos + 1) != ']') {
        pos++;
        char hi;
        if (re.charAt(pos) == '\\') {
          Info one = escape();
          if (!one.exact || one.set.size() != 1) {
            big = true;
            continue;
          }
          hi = one.set.iterator().next().charAt(0);
        } else {
          hi = re.charAt(pos++);
        }
        if (hi - lo > 8) {
          big = true;
        } else {
          for (char x = lo; x <= hi; x++) {
            chars.add(String.valueOf(fold(x)));
          }
        }
        continue;
      }
      if (lo > 0xff) {
        big = true;
        continue;
      }
      chars.add(String.valueOf(fold(lo)));
    }
    if (pos >= re.length()) {
      throw new IllegalArgumentException("unterminated class");
    }
    pos++; // ]
    if (big || chars.size() > 6) {
      return Info.ANY;
    }
    return Info.exact(chars);
  }
}
