package io.portcullis.waf.engine;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.portcullis.waf.libinjection.Sqli;
import io.portcullis.waf.libinjection.Xss;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;


/** Compiles {@code @name argument} into an {@link Operator}, everything precomputed at load. */
public final class Operators {
  private Operators() {}

  /**
   * @param dataDir where {@code @pmFromFile} files are looked up (the rule file's directory)
   * @throws UnsupportedRuleException for an operator this engine does not have, or an argument
   *     it cannot compile (a regex RE2J rejects: backreferences, lookaround, possessive quantifiers)
   */
  public static Operator compile(String name, String arg, Path dataDir) throws UnsupportedRuleException {
    Macro macro = Macro.of(arg);
    String lower = name.toLowerCase(Locale.ROOT);
    if (!macro.isConstant()) {
      if (lower.startsWith("pm") || lower.equals("ipmatch")) {
        throw new UnsupportedRuleException("@" + name + " with a macro argument");
      }
      if (lower.equals("rx")) {
        return macroRegex(macro);
      }
      // Compare against the argument as it is when the rule runs (TX thresholds, method lists).
      compileConstant(lower, "0", dataDir, name); // rejects unknown operators at load
      return (tx, input, capture) -> {
        try {
          return compileConstant(lower, macro.expand(tx), dataDir, name).matches(tx, input, capture);
        } catch (UnsupportedRuleException e) {
          return false;
        }
      };
    }
    return compileConstant(lower, arg, dataDir, name);
  }

  private static Operator compileConstant(String lower, String arg, Path dataDir, String name)
      throws UnsupportedRuleException {
    return switch (lower) {
      case "rx" -> regex(arg);
      case "pm" -> phrases(Arrays.asList(arg.trim().split("\\s+")));
      case "pmf", "pmfromfile" -> phrases(readPhrases(arg, dataDir));
      case "contains" -> (tx, in, cap) -> captured(tx, cap, in.contains(arg), arg);
      case "containsword" -> containsWord(arg);
      case "beginswith" -> (tx, in, cap) -> captured(tx, cap, in.startsWith(arg), arg);
      case "endswith" -> (tx, in, cap) -> captured(tx, cap, in.endsWith(arg), arg);
      case "streq" -> (tx, in, cap) -> captured(tx, cap, in.equals(arg), arg);
      case "within" -> (tx, in, cap) -> captured(tx, cap, !in.isEmpty() && arg.contains(in), in);
      case "eq" -> numeric(arg, c -> c == 0);
      case "ge" -> numeric(arg, c -> c >= 0);
      case "gt" -> numeric(arg, c -> c > 0);
      case "le" -> numeric(arg, c -> c <= 0);
      case "lt" -> numeric(arg, c -> c < 0);
      case "ipmatch" -> ipMatch(arg);
      case "validatebyterange" -> byteRange(arg);
      case "validateurlencoding" -> (tx, in, cap) -> invalidUrlEncoding(in);
      case "validateutf8encoding" -> (tx, in, cap) -> invalidUtf8(in);
      case "detectsqli" -> (tx, in, cap) -> {
        String fingerprint = Sqli.fingerprintIfSqli(in);
        if (fingerprint != null && cap) {
          tx.capture(0, fingerprint);
        }
        return fingerprint != null;
      };
      case "detectxss" -> (tx, in, cap) -> Xss.isXss(in);
      case "unconditionalmatch" -> (tx, in, cap) -> true;
      case "nomatch" -> (tx, in, cap) -> false;
      default -> throw new UnsupportedRuleException("operator @" + name + " is not supported");
    };
  }

  private static boolean captured(Transaction tx, boolean cap, boolean matched, String what) {
    if (matched && cap) {
      tx.capture(0, what);
    }
    return matched;
  }

  static Operator regex(String arg) throws UnsupportedRuleException {
    if (arg.equals("^.*$") || arg.equals(".*")) {
      // CRS uses these to capture a whole value; DOTALL makes them match anything.
      return (tx, in, cap) -> {
        if (cap) {
          tx.capture(0, in);
        }
        return true;
      };
    }
    Pattern p;
    try {
      p = Pattern.compile(arg, Pattern.DOTALL);
    } catch (PatternSyntaxException e) {
      throw new UnsupportedRuleException("regex not supported by RE2J: " + e.getDescription());
    }
    java.util.Set<String> needed = RegexPrefilter.literals(arg);
    AhoCorasick filter = needed == null ? null : new AhoCorasick(needed);
    return (tx, in, cap) -> {
      if (filter != null && filter.find(in) == null) {
        return false; // none of the literals every match contains: RE2J need not run
      }
      Matcher m = p.matcher(in);
      if (!m.find()) {
        return false;
      }
      if (cap) {
        int groups = Math.min(m.groupCount(), 9);
        for (int g = 0; g <= groups; g++) {
          String v = m.group(g);
          tx.capture(g, v == null ? "" : v);
        }
      }
      return true;
    };
  }

  /**
   * A regex built from TX values when the rule runs (CRS 920480 builds one from the allowed
   * charsets); compiled once per distinct expansion, a handful in practice, bounded anyway.
   */
  private static Operator macroRegex(Macro macro) {
    java.util.Map<String, Operator> cache = new java.util.concurrent.ConcurrentHashMap<>();
    Operator never = (tx, in, cap) -> false;
    return (tx, in, cap) -> {
      String pattern = macro.expand(tx);
      Operator op = cache.get(pattern);
      if (op == null) {
        try {
          op = regex(pattern);
        } catch (UnsupportedRuleException e) {
          op = never;
        }
        if (cache.size() < 64) {
          cache.put(pattern, op);
        }
      }
      return op.matches(tx, in, cap);
    };
  }

  static Operator phrases(List<String> phrases) {
    AhoCorasick ac = new AhoCorasick(phrases);
    return (tx, in, cap) -> {
      String found = ac.find(in);
      if (found != null && cap) {
        tx.capture(0, found);
      }
      return found != null;
    };
  }

  static List<String> readPhrases(String arg, Path dataDir) throws UnsupportedRuleException {
    List<String> out = new ArrayList<>();
    for (String file : arg.trim().split("\\s+")) {
      if (file.startsWith("http://") || file.startsWith("https://")) {
        throw new UnsupportedRuleException("@pmFromFile from a URL");
      }
      Path p = dataDir == null ? Path.of(file) : dataDir.resolve(file);
      try {
        for (String line : Files.readAllLines(p, StandardCharsets.ISO_8859_1)) {
          String t = line.strip();
          if (!t.isEmpty() && !t.startsWith("#")) {
            out.add(t);
          }
        }
      } catch (IOException e) {
        throw new UnsupportedRuleException("cannot read " + p + ": " + e.getMessage());
      }
    }
    return out;
  }

  private static Operator containsWord(String word) {
    Pattern p = Pattern.compile("(?:^|\\W)" + Pattern.quote(word) + "(?:\\W|$)");
    return (tx, in, cap) -> captured(tx, cap, p.matcher(in).find(), word);
  }

  private interface IntTest {
    boolean test(int compare);
  }

  static long toNumber(String s) {
    s = s.trim();
    int i = 0;
    boolean neg = false;
    if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      neg = s.charAt(i) == '-';
      i++;
    }
    long v = 0;
    int start = i;
    while (i < s.length() && Character.isDigit(s.charAt(i)) && i - start < 18) {
      v = v * 10 + (s.charAt(i) - '0');
      i++;
    }
    return neg ? -v : v;
  }

  private static Operator numeric(String arg, IntTest test) {
    long right = toNumber(arg);
    return (tx, in, cap) -> test.test(Long.compare(toNumber(in), right));
  }

  private static Operator ipMatch(String arg) throws UnsupportedRuleException {
    List<byte[][]> nets = new ArrayList<>();
    for (String part : arg.split("[,\\s]+")) {
      if (part.isEmpty()) {
        continue;
      }
      String[] a = part.split("/");
      byte[] addr = literal(a[0]);
      if (addr == null) {
        throw new UnsupportedRuleException("@ipMatch: not an address: " + part);
      }
      int bits = a.length > 1 ? Integer.parseInt(a[1]) : addr.length * 8;
      nets.add(new byte[][] {addr, {(byte) bits}});
    }
    return (tx, in, cap) -> {
      byte[] ip = literal(in.trim());
      if (ip == null) {
        return false;
      }
      for (byte[][] net : nets) {
        if (net[0].length == ip.length && prefixMatches(net[0], ip, net[1][0] & 0xff)) {
          return true;
        }
      }
      return false;
    };
  }

  /** Address literal bytes, or null; never a DNS lookup. */
  static byte[] literal(String s) {
    if (s.isEmpty()) {
      return null;
    }
    if (s.indexOf(':') < 0) {
      return ipv4(s);
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  private static byte[] ipv4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c == '.') {
        if (value < 0 || value > 255 || part > 3) {
          return null;
        }
        out[part++] = (byte) value;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          return null;
        }
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  private static boolean prefixMatches(byte[] net, byte[] ip, int bits) {
    for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
      int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((net[i] & mask) != (ip[i] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static Operator byteRange(String arg) {
    boolean[] allowed = new boolean[256];
    for (String part : arg.split("[,\\s]+")) {
      if (part.isEmpty()) {
        continue;
      }
      String[] r = part.split("-");
      int from = Integer.parseInt(r[0].trim());
      int to = r.length > 1 ? Integer.parseInt(r[1].trim()) : from;
      for (int i = Math.max(0, from); i <= Math.min(255, to); i++) {
        allowed[i] = true;
      }
    }
    return (tx, in, cap) -> {
      for (int i = 0; i < in.length(); i++) {
        if (!allowed[in.charAt(i) & 0xff]) {
          return true;
        }
      }
      return false;
    };
  }

  static boolean invalidUrlEncoding(String in) {
    for (int i = 0; i < in.length(); i++) {
      if (in.charAt(i) == '%') {
        if (i + 2 >= in.length() || Decoding.hex(in.charAt(i + 1)) < 0
            || Decoding.hex(in.charAt(i + 2)) < 0) {
          return true;
        }
        i += 2;
      }
    }
    return false;
  }

  static boolean invalidUtf8(String in) {
    int n = in.length();
    int i = 0;
    while (i < n) {
      int c = in.charAt(i) & 0xff;
      int len;
      int min;
      if (c < 0x80) {
        i++;
        continue;
      } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
      } else {
        return true;
      }
      if (i + len > n) {
        return true;
      }
      int cp = c & (0xff >> (len + 1));
      for (int k = 1; k < len; k++) {
        int d = in.charAt(i + k) & 0xff;
        if ((d & 0xc0) != 0x80) {
          return true;
        }
        cp = (cp << 6) | (d & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return true;
      }
      i += len;
    }
    return false;
  }

}
