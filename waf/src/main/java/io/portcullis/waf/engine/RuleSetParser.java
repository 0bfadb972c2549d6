package io.portcullis.waf.engine;

import io.portcullis.waf.model.RuleIds;
import io.portcullis.waf.seclang.Directive;
import io.portcullis.waf.seclang.DirectiveReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Turns SecLang directives into compiled rules. A rule that uses something this engine does not
 * have (an operator, a variable, a regex RE2J cannot run) is left out and reported with its id;
 * everything else loads. Configuration-time removals ({@code SecRuleRemoveById/ByTag}) and target
 * updates ({@code SecRuleUpdateTargetById}) apply to rules already read, as in ModSecurity.
 */
public final class RuleSetParser {
  private static final Set<String> COLLECTIONS =
      Set.of(
          "ARGS", "ARGS_GET", "ARGS_POST", "ARGS_NAMES", "ARGS_GET_NAMES", "ARGS_POST_NAMES",
          "ARGS_COMBINED_SIZE", "REQUEST_HEADERS", "REQUEST_HEADERS_NAMES", "REQUEST_COOKIES",
          "REQUEST_COOKIES_NAMES", "REQUEST_URI", "REQUEST_URI_RAW", "REQUEST_FILENAME",
          "REQUEST_BASENAME", "REQUEST_LINE", "REQUEST_METHOD", "REQUEST_PROTOCOL", "QUERY_STRING",
          "REQUEST_BODY", "REQUEST_BODY_LENGTH", "REMOTE_ADDR", "REMOTE_HOST", "SERVER_NAME",
          "FILES", "FILES_NAMES", "FILES_SIZES", "FILES_COMBINED_SIZE", "MULTIPART_PART_HEADERS",
          "MULTIPART_FILENAME", "MULTIPART_NAME", "XML", "TX", "IP", "GLOBAL", "SESSION", "USER",
          "RESOURCE", "MATCHED_VAR", "MATCHED_VAR_NAME", "MATCHED_VARS", "MATCHED_VARS_NAMES",
          "REQBODY_PROCESSOR", "REQBODY_ERROR", "REQBODY_ERROR_MSG", "MULTIPART_STRICT_ERROR",
          "MULTIPART_UNMATCHED_BOUNDARY", "UNIQUE_ID", "DURATION", "ENV", "GEO", "RESPONSE_BODY",
          "RESPONSE_HEADERS", "RESPONSE_HEADERS_NAMES", "RESPONSE_STATUS", "RESPONSE_PROTOCOL",
          "RESPONSE_CONTENT_TYPE", "RESPONSE_CONTENT_LENGTH", "AUTH_TYPE", "FULL_REQUEST",
          "FULL_REQUEST_LENGTH", "INBOUND_DATA_ERROR", "OUTBOUND_DATA_ERROR", "STATUS_LINE");

  private static final Set<String> IGNORED_ACTIONS =
      Set.of(
          "ver", "rev", "maturity", "accuracy", "status", "expirevar", "initcol", "setenv",
          "setsid", "setuid", "auditlog", "noauditlog", "multimatch", "sanitisematched",
          "sanitizematched", "sanitisearg", "sanitizearg", "append", "prepend", "redirect",
          "deprecatevar", "xmlns", "exec", "proxy");

  private static final Set<String> IGNORED_DIRECTIVES =
      Set.of(
          "SecComponentSignature", "SecCollectionTimeout", "SecRuleEngine", "SecRequestBodyAccess",
          "SecResponseBodyAccess", "SecRequestBodyLimit", "SecRequestBodyNoFilesLimit",
          "SecRequestBodyLimitAction", "SecPcreMatchLimit", "SecPcreMatchLimitRecursion",
          "SecAuditEngine", "SecAuditLog", "SecAuditLogParts", "SecAuditLogType",
          "SecAuditLogRelevantStatus", "SecArgumentSeparator", "SecCookieFormat",
          "SecUnicodeMapFile", "SecStatusEngine", "SecTmpDir", "SecDataDir", "SecDebugLog",
          "SecDebugLogLevel", "SecResponseBodyMimeType", "SecResponseBodyLimit",
          "SecResponseBodyLimitAction", "SecUploadDir", "SecUploadKeepFiles", "SecAuditLogStorageDir");

  final List<Rule> rules = new ArrayList<>();
  final Map<Integer, String> rejected = new LinkedHashMap<>();
  final List<String> warnings = new ArrayList<>();
  private final Map<Integer, String[]> defaults = new java.util.HashMap<>(); // phase -> actions text
  private Rule openChain; // the last link of a chain still being read
  private boolean skippingChain; // the head of this chain was rejected
  private RuleIds removed = RuleIds.NONE;
  private final Set<String> removedTags = new HashSet<>();

  /** The rules read so far, and what was left out. */
  public record Result(List<Rule> rules, int responseRules, Map<Integer, String> rejected, List<String> warnings) {}

  public Result result() {
    int response = (int) rules.stream().filter(r -> !r.isMarker() && r.phase > 2).count();
    return new Result(List.copyOf(rules), response, rejected, warnings);
  }

  public void parse(String text, String file, Path dataDir) {
    for (Directive d : DirectiveReader.read(text, file)) {
      try {
        directive(d, dataDir);
      } catch (RuntimeException e) {
        warnings.add(d.where() + ": " + d.name() + ": " + e.getMessage());
      }
    }
  }

  private void directive(Directive d, Path dataDir) {
    switch (d.name()) {
      case "SecRule" -> {
        if (d.args().size() < 2) {
          warnings.add(d.where() + ": SecRule needs variables and an operator");
          return;
        }
        rule(d, d.args().get(0), d.args().get(1), d.args().size() > 2 ? d.args().get(2) : "", dataDir);
      }
      case "SecAction" -> rule(d, null, null, d.args().isEmpty() ? "" : d.args().get(0), dataDir);
      case "SecMarker" -> {
        Rule m = new Rule();
        m.marker = d.args().isEmpty() ? "" : d.args().get(0);
        m.phase = 0;
        rules.add(m);
      }
      case "SecDefaultAction" -> {
        String actions = d.args().isEmpty() ? "" : d.args().get(0);
        int phase = 2;
        for (String[] a : DirectiveReader.actions(actions)) {
          if (a[0].equalsIgnoreCase("phase")) {
            phase = phase(a[1]);
          }
        }
        defaults.put(phase, new String[] {actions});
      }
      case "SecRuleRemoveById" -> {
        removed = removed.plus(RuleIds.parse(d.args()));
        rules.removeIf(r -> !r.isMarker() && removed.contains(r.id));
      }
      case "SecRuleRemoveByTag" -> {
        for (String tag : d.args()) {
          removedTags.add(tag);
          rules.removeIf(r -> r.tags.contains(tag));
        }
      }
      case "SecRuleRemoveByMsg" -> {
        for (String msg : d.args()) {
          rules.removeIf(r -> r.msg != null && r.msg.text().equals(msg));
        }
      }
      case "SecRuleUpdateTargetById" -> {
        RuleIds ids = RuleIds.parse(List.of(d.args().get(0)));
        List<Target> extra = targets(d.args().get(1));
        for (Rule r : rules) {
          if (!r.isMarker() && ids.contains(r.id)) {
            List<Target> t = new ArrayList<>(r.targets);
            t.addAll(extra);
            r.targets = List.copyOf(t);
          }
        }
      }
      default -> {
        if (!IGNORED_DIRECTIVES.contains(d.name())) {
          warnings.add(d.where() + ": directive " + d.name() + " is not supported, ignored");
        }
      }
    }
  }

  private static int phase(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "request" -> 2;
      case "response" -> 4;
      case "logging" -> 5;
      default -> Integer.parseInt(v.trim());
    };
  }

  private void rule(Directive d, String variables, String operator, String actions, Path dataDir) {
    boolean isChainLink = openChain != null || skippingChain;
    Rule r = new Rule();
    r.file = d.file();
    r.line = d.line();
    boolean chainsOn = false;
    try {
      if (variables != null) {
        r.targets = targets(variables);
        for (Target t : r.targets) {
          if (!COLLECTIONS.contains(t.collection())) {
            throw new UnsupportedRuleException("variable " + t.collection() + " is not supported");
          }
        }
        String op = operator.trim();
        if (op.startsWith("!")) {
          r.negated = true;
          op = op.substring(1).trim();
        }
        String name = "rx";
        String arg = op;
        if (op.startsWith("@")) {
          int sp = op.indexOf(' ');
          name = sp < 0 ? op.substring(1) : op.substring(1, sp);
          arg = sp < 0 ? "" : op.substring(sp + 1);
        }
        r.operatorName = name;
        r.operatorArg = arg;
        r.operator = Operators.compile(name, arg, dataDir);
      }
      chainsOn = actions(r, actions, isChainLink);
    } catch (UnsupportedRuleException | RuntimeException e) {
      // Chain links carry no id: report the head's.
      int id = isChainLink && openChain != null ? headId() : idOf(actions);
      if (!isChainLink || openChain != null) {
        rejected.putIfAbsent(id, d.where() + ": " + e.getMessage());
      }
      if (isChainLink && openChain != null) {
        dropOpenChain();
      }
      skippingChain = hasChain(actions);
      openChain = null;
      return;
    }
    if (skippingChain) {
      skippingChain = chainsOn;
      return;
    }
    if (isChainLink) {
      openChain.chained = r;
      openChain = chainsOn ? r : null;
      return;
    }
    if (removed.contains(r.id) || r.tags.stream().anyMatch(removedTags::contains)) {
      skippingChain = chainsOn;
      return;
    }
    rules.add(r);
    openChain = chainsOn ? r : null;
  }

  private int headId() {
    return rules.isEmpty() ? 0 : rules.get(rules.size() - 1).id;
  }

  private void dropOpenChain() {
    if (!rules.isEmpty()) {
      rules.remove(rules.size() - 1);
    }
  }

  private static boolean hasChain(String actions) {
    return DirectiveReader.actions(actions).stream().anyMatch(a -> a[0].equalsIgnoreCase("chain"));
  }

  private static int idOf(String actions) {
    for (String[] a : DirectiveReader.actions(actions)) {
      if (a[0].equalsIgnoreCase("id") && a[1] != null) {
        try {
          return Integer.parseInt(a[1].trim());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  static List<Target> targets(String text) {
    List<Target> out = new ArrayList<>();
    // Split at | outside /regex/ keys.
    StringBuilder cur = new StringBuilder();
    boolean inRegex = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '/' && cur.length() > 0 && cur.charAt(cur.length() - 1) == ':') {
        inRegex = true;
      } else if (c == '/' && inRegex) {
        inRegex = false;
      }
      if (c == '|' && !inRegex) {
        if (cur.length() > 0) {
          out.add(Target.parse(cur.toString()));
        }
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(Target.parse(cur.toString()));
    }
    return List.copyOf(out);
  }

  /** Applies the actions to {@code r}; returns whether the rule chains to the next one. */
  private boolean actions(Rule r, String text, boolean chainLink) throws UnsupportedRuleException {
    List<String[]> list = DirectiveReader.actions(text);
    int phase = 2;
    for (String[] a : list) {
      if (a[0].equalsIgnoreCase("phase")) {
        phase = phase(a[1]);
      }
    }
    List<UnaryOperator<String>> transforms = new ArrayList<>();
    StringBuilder transformKey = new StringBuilder();
    if (!chainLink) {
      String[] def = defaults.get(phase);
      if (def != null) {
        for (String[] a : DirectiveReader.actions(def[0])) {
          if (a[0].equalsIgnoreCase("t")) {
            transform(a[1], transforms, transformKey);
          } else if (a[0].equalsIgnoreCase("log")) {
            r.log = true;
          } else if (a[0].equalsIgnoreCase("nolog")) {
            r.log = false;
          }
        }
      }
    }
    boolean chain = false;
    List<Rule.SetVar> setvars = new ArrayList<>();
    List<Rule.Ctl> ctls = new ArrayList<>();
    Set<String> tags = new HashSet<>();
    for (String[] a : list) {
      String name = a[0].toLowerCase(Locale.ROOT);
      String v = a[1];
      switch (name) {
        case "id" -> r.id = Integer.parseInt(v.trim());
        case "phase" -> r.phase = phase;
        case "chain" -> chain = true;
        case "t" -> transform(v, transforms, transformKey);
        case "msg" -> r.msg = Macro.of(v);
        case "logdata" -> r.logdata = Macro.of(v);
        case "tag" -> tags.add(v);
        case "severity" -> r.severity = severity(v);
        case "capture" -> r.capture = true;
        case "log" -> r.log = true;
        case "nolog" -> r.log = false;
        case "pass" -> r.disruptive = Rule.Disruptive.PASS;
        case "block" -> r.disruptive = Rule.Disruptive.BLOCK;
        case "deny", "drop" -> r.disruptive = Rule.Disruptive.DENY;
        case "allow" -> r.disruptive = Rule.Disruptive.ALLOW;
        case "skipafter" -> r.skipAfter = v;
        case "skip" -> r.skip = Integer.parseInt(v.trim());
        case "setvar" -> setvars.add(setvar(v));
        case "ctl" -> {
          int eq = v.indexOf('=');
          ctls.add(new Rule.Ctl(v.substring(0, eq).trim().toLowerCase(Locale.ROOT), v.substring(eq + 1).trim()));
        }
        default -> {
          if (!IGNORED_ACTIONS.contains(name)) {
            throw new UnsupportedRuleException("action " + a[0] + " is not supported");
          }
        }
      }
    }
    r.transforms = List.copyOf(transforms);
    r.transformKey = transformKey.toString();
    r.transformId = TransformChains.id(r.transformKey);
    r.setvars = List.copyOf(setvars);
    r.ctls = List.copyOf(ctls);
    r.tags = Set.copyOf(tags);
    return chain;
  }

  private static void transform(String name, List<UnaryOperator<String>> list, StringBuilder key)
      throws UnsupportedRuleException {
    if (name.equalsIgnoreCase("none")) {
      list.clear();
      key.setLength(0);
      return;
    }
    UnaryOperator<String> t = Transformations.named(name);
    if (t == null) {
      throw new UnsupportedRuleException("transformation t:" + name + " is not supported");
    }
    list.add(t);
    key.append(name.toLowerCase(Locale.ROOT)).append(',');
  }

  private static String severity(String v) {
    return switch (v.trim()) {
      case "0" -> "EMERGENCY";
      case "1" -> "ALERT";
      case "2" -> "CRITICAL";
      case "3" -> "ERROR";
      case "4" -> "WARNING";
      case "5" -> "NOTICE";
      default -> v.trim().toUpperCase(Locale.ROOT);
    };
  }

  static Rule.SetVar setvar(String v) {
    String s = v.trim();
    if (s.startsWith("!")) {
      String[] ck = splitVar(s.substring(1));
      return new Rule.SetVar(ck[0], Macro.of(ck[1]), '!', Macro.of(""));
    }
    int eq = s.indexOf('=');
    String left = eq < 0 ? s : s.substring(0, eq);
    String right = eq < 0 ? "1" : s.substring(eq + 1);
    char op = '=';
    if (right.startsWith("+")) {
      op = '+';
      right = right.substring(1);
    } else if (right.startsWith("-")) {
      op = '-';
      right = right.substring(1);
    }
    String[] ck = splitVar(left);
    return new Rule.SetVar(ck[0], Macro.of(ck[1]), op, Macro.of(right));
  }

  private static String[] splitVar(String s) {
    int dot = s.indexOf('.');
    if (dot < 0) {
      throw new IllegalArgumentException("setvar without a collection: " + s);
    }
    return new String[] {s.substring(0, dot).trim().toUpperCase(Locale.ROOT), s.substring(dot + 1).trim()};
  }
}
