package io.portcullis.waf.engine;

import com.google.re2j.Pattern;
import java.util.Locale;

/**
 * One entry of a rule's variable list: {@code ARGS}, {@code ARGS:q}, {@code ARGS:/^id_/},
 * {@code &TX:foo} (count), {@code !REQUEST_COOKIES:/__utm/} (exclusion).
 */
public record Target(
    String collection, String key, Pattern keyPattern, AhoCorasick keyFilter, boolean count, boolean exclude) {

  public static Target parse(String text) {
    String t = text.trim();
    boolean exclude = false;
    boolean count = false;
    if (t.startsWith("!")) {
      exclude = true;
      t = t.substring(1);
    }
    if (t.startsWith("&")) {
      count = true;
      t = t.substring(1);
    }
    int colon = t.indexOf(':');
    String collection = (colon < 0 ? t : t.substring(0, colon)).toUpperCase(Locale.ROOT);
    String key = null;
    Pattern pattern = null;
    if (colon >= 0) {
      String k = t.substring(colon + 1);
      if (k.length() >= 2 && k.startsWith("/") && k.endsWith("/") && !collection.equals("XML")) {
        pattern = Pattern.compile(k.substring(1, k.length() - 1), Pattern.CASE_INSENSITIVE);
      } else {
        if (k.startsWith("'") && k.endsWith("'") && k.length() >= 2) {
          k = k.substring(1, k.length() - 1);
        }
        key = k.toLowerCase(Locale.ROOT);
      }
    }
    AhoCorasick filter = null;
    if (pattern != null) {
      java.util.Set<String> lits = RegexPrefilter.literals(t.substring(colon + 2, t.length() - 1));
      filter = lits == null ? null : new AhoCorasick(lits);
    }
    return new Target(collection, key, pattern, filter, count, exclude);
  }

  /** Whether a value of this collection with key {@code k} (lowercase) is selected. */
  public boolean selects(String k) {
    if (keyPattern != null) {
      return k != null && (keyFilter == null || keyFilter.find(k) != null) && keyPattern.matcher(k).find();
    }
    return key == null || key.equals(k);
  }

  /** Whether this exclusion removes {@code v} from the values of {@code collectionName}. */
  public boolean excludes(String collectionName, VarValue v) {
    return collection.equals(collectionName) && (key != null || keyPattern != null) && selects(v.key());
  }
}
