package io.portcullis.waf.seclang;

import java.util.List;

/**
 * One configuration directive of a SecLang file after line continuations and quoting are undone:
 * {@code SecRule ARGS "@rx x" "id:1,..."} is name {@code SecRule} and three arguments.
 *
 * @param file where it came from, for load reports
 * @param line its first line in that file
 */
public record Directive(String name, List<String> args, String file, int line) {
  public Directive {
    args = List.copyOf(args);
  }

  public String where() {
    return file + ":" + line;
  }
}
