package io.portcullis.waf.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A string with {@code %{collection.key}} references, split once at load and expanded per request. */
public final class Macro {
  private final String text;
  private final List<Object> parts; // String literal, or String[] {collection, key}

  private Macro(String text, List<Object> parts) {
    this.text = text;
    this.parts = parts;
  }

  public static Macro of(String text) {
    List<Object> parts = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int start = text.indexOf("%{", i);
      int end = start < 0 ? -1 : text.indexOf('}', start);
      if (start < 0 || end < 0) {
        parts.add(text.substring(i));
        break;
      }
      if (start > i) {
        parts.add(text.substring(i, start));
      }
      String ref = text.substring(start + 2, end);
      int dot = ref.indexOf('.');
      String collection = (dot < 0 ? ref : ref.substring(0, dot)).toUpperCase(Locale.ROOT);
      String key = dot < 0 ? null : ref.substring(dot + 1).toLowerCase(Locale.ROOT);
      parts.add(new String[] {collection, key});
      i = end + 1;
    }
    return new Macro(text, List.copyOf(parts));
  }

  public boolean isConstant() {
    return parts.stream().allMatch(p -> p instanceof String);
  }

  public String text() {
    return text;
  }

  public String expand(Transaction tx) {
    if (parts.size() == 1 && parts.get(0) instanceof String s) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof String s) {
        b.append(s);
      } else {
        String[] ref = (String[]) p;
        b.append(tx.macroValue(ref[0], ref[1]));
      }
    }
    return b.toString();
  }
}
