package io.portcullis.waf.engine;

import io.portcullis.waf.model.RuleIds;
import io.portcullis.waf.model.RuleMatch;
import io.portcullis.waf.model.WafRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The state of one request going through the rules: TX and the other collections, what matched,
 * runtime rule removals, and the outcome. Not shared between requests, not thread-safe.
 */
public final class Transaction {
  private static final AtomicLong IDS = new AtomicLong(System.nanoTime());
  private static final int MAX_LOGGED = 200;
  private static final String[] CAPTURE_KEYS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  /** Nanoseconds per rule id, when profiling (-Dportcullis.waf.profile=true); null otherwise. */
  public static final java.util.concurrent.ConcurrentHashMap<Integer, Long> PROFILE =
      Boolean.getBoolean("portcullis.waf.profile") ? new java.util.concurrent.ConcurrentHashMap<>() : null;

  private final RequestData req;
  private final Map<String, Map<String, String>> collections = new HashMap<>();
  private final long started = System.nanoTime();
  private final String uniqueId = Long.toHexString(IDS.incrementAndGet());
  private RuleIds removedIds;
  private final Set<String> removedTags = new HashSet<>();
  private final List<Object[]> removedTargets = new ArrayList<>(); // {RuleIds or tag String, Target}
  /** Transformed values by transformation chain (Rule.transformId), then by value identity. */
  private IdentityHashMap<VarValue, String>[] transformCache;
  private final List<VarValue> matchedVars = new ArrayList<>();
  private VarValue matchedVar;
  private Rule currentRule;
  private boolean engineOff;
  private boolean detectionOnly;
  final List<RuleMatch> matches = new ArrayList<>();
  int interruptingRule;
  boolean allowed;

  Transaction(WafRequest request, RuleIds excluded, Map<String, String> initialTx) {
    this.req = new RequestData(request);
    this.removedIds = excluded;
    Map<String, String> tx = new HashMap<>();
    initialTx.forEach((k, v) -> tx.put(k.toLowerCase(Locale.ROOT), v));
    collections.put("TX", tx);
  }

  boolean engineOff() {
    return engineOff;
  }

  boolean detectionOnly() {
    return detectionOnly;
  }

  String tx(String key) {
    return collections.get("TX").getOrDefault(key, "");
  }

  void capture(int group, String value) {
    collections.get("TX").put(CAPTURE_KEYS[group], value);
    mapCollectionLists.remove("TX");
  }

  /** Runs one phase's rules in order; returns true when a rule interrupted the transaction. */
  boolean runPhase(CompiledRules rules, int phase) {
    if (phase == 2) {
      req.parseBody();
    }
    List<Rule> list = rules.phase(phase);
    int i = 0;
    while (i < list.size() && !engineOff && !allowed) {
      Rule r = list.get(i);
      if (r.isMarker() || isRemoved(r)) {
        i++;
        continue;
      }
      matchedVars.clear();
      matchedVar = null;
      long t0 = PROFILE == null ? 0 : System.nanoTime();
      boolean m = matches(r);
      if (PROFILE != null) {
        PROFILE.merge(r.id, System.nanoTime() - t0, Long::sum);
      }
      if (!m) {
        i++;
        continue;
      }
      boolean interrupt = fire(r);
      if (interrupt) {
        interruptingRule = r.id;
        return true;
      }
      if (r.skipAfter != null) {
        Integer target = rules.markerIndex(phase, r.skipAfter);
        i = target == null ? i + 1 : target + 1;
      } else if (r.skip > 0) {
        i += 1 + r.skip;
      } else {
        i++;
      }
    }
    return false;
  }

  private boolean isRemoved(Rule r) {
    if (r.id != 0 && removedIds.contains(r.id)) {
      return true;
    }
    if (!removedTags.isEmpty()) {
      for (String t : r.tags) {
        if (removedTags.contains(t)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Evaluates a rule and its chain links; all links must match. */
  private boolean matches(Rule head) {
    for (Rule link = head; link != null; link = link.chained) {
      currentRule = head;
      if (!evaluate(head, link)) {
        return false;
      }
    }
    return true;
  }

  private boolean evaluate(Rule head, Rule r) {
    if (r.operator == null) {
      return true; // SecAction
    }
    boolean matched = false;
    List<VarValue> newMatches = new ArrayList<>(2);
    for (Target t : r.targets) {
      if (t.exclude()) {
        continue;
      }
      List<VarValue> values = values(t, head, r);
      for (VarValue v : values) {
        String input = transform(r, v);
        boolean m = r.operator.matches(this, input, head.capture || r.capture) ^ r.negated;
        if (m) {
          matched = true;
          newMatches.add(new VarValue(v.name(), v.key(), input));
        }
      }
    }
    if (matched) {
      matchedVars.clear();
      matchedVars.addAll(newMatches);
      matchedVar = newMatches.get(newMatches.size() - 1);
    }
    return matched;
  }

  private String transform(Rule r, VarValue v) {
    if (r.transforms.isEmpty()) {
      return v.value();
    }
    if (transformCache == null) {
      @SuppressWarnings("unchecked")
      IdentityHashMap<VarValue, String>[] fresh = new IdentityHashMap[TransformChains.count()];
      transformCache = fresh;
    }
    IdentityHashMap<VarValue, String> cache = transformCache[r.transformId];
    if (cache == null) {
      cache = new IdentityHashMap<>();
      transformCache[r.transformId] = cache;
    }
    String cached = cache.get(v);
    if (cached != null) {
      return cached;
    }
    String s = v.value();
    for (UnaryOperator<String> t : r.transforms) {
      s = t.apply(s);
    }
    cache.put(v, s);
    return s;
  }

  /** Runs the actions of a matched rule and its links; returns whether it interrupts. */
  private boolean fire(Rule head) {
    currentRule = head;
    for (Rule link = head; link != null; link = link.chained) {
      for (Rule.SetVar sv : link.setvars) {
        setvar(sv);
      }
      for (Rule.Ctl ctl : link.ctls) {
        ctl(ctl);
      }
    }
    boolean log = head.log == null ? head.disruptive != Rule.Disruptive.NONE || head.msg != null : head.log;
    if (log && head.id != 0) {
      VarValue mv = matchedVar;
      String data = head.logdata == null ? (mv == null ? "" : mv.value()) : head.logdata.expand(this);
      if (data.length() > MAX_LOGGED) {
        data = data.substring(0, MAX_LOGGED);
      }
      matches.add(new RuleMatch(
          head.id,
          head.msg == null ? "" : head.msg.expand(this),
          mv == null ? "" : mv.name(),
          data,
          head.severity));
    }
    return switch (head.disruptive) {
      case DENY -> true;
      case ALLOW -> {
        allowed = true;
        yield false;
      }
      default -> false; // PASS, and BLOCK under CRS's default action "pass"
    };
  }

  private void setvar(Rule.SetVar sv) {
    Map<String, String> col = collections.computeIfAbsent(sv.collection(), k -> new HashMap<>());
    mapCollectionLists.remove(sv.collection());
    String key = sv.key().expand(this).toLowerCase(Locale.ROOT);
    switch (sv.op()) {
      case '!' -> col.remove(key);
      case '+', '-' -> {
        long cur = Operators.toNumber(col.getOrDefault(key, "0"));
        long delta = Operators.toNumber(sv.value().expand(this));
        col.put(key, Long.toString(sv.op() == '+' ? cur + delta : cur - delta));
      }
      default -> col.put(key, sv.value().expand(this));
    }
  }

  private void ctl(Rule.Ctl ctl) {
    String v = ctl.value();
    switch (ctl.name()) {
      case "ruleremovebyid" -> removedIds = removedIds.plus(RuleIds.parse(List.of(v)));
      case "ruleremovebytag" -> removedTags.add(v);
      case "ruleremovetargetbyid", "ruleremovetargetbytag" -> {
        int semi = v.indexOf(';');
        if (semi < 0) {
          return;
        }
        String who = v.substring(0, semi).trim();
        Object selector = ctl.name().endsWith("byid") ? RuleIds.parse(List.of(who)) : who;
        for (Target t : RuleSetParser.targets(v.substring(semi + 1))) {
          removedTargets.add(new Object[] {selector, t});
        }
      }
      case "ruleengine" -> {
        if (v.equalsIgnoreCase("off")) {
          engineOff = true;
        } else if (v.equalsIgnoreCase("detectiononly")) {
          detectionOnly = true;
        }
      }
      case "requestbodyprocessor" -> {
        if (!req.bodyParsed) {
          req.bodyProcessor = v.toUpperCase(Locale.ROOT);
        }
      }
      case "forcerequestbodyvariable" -> {
        if (v.equalsIgnoreCase("on")) {
          req.requestBody = req.rawBody;
        }
      }
      default -> { } // auditEngine, auditLogParts: no audit log of that kind here
    }
  }

  /** The values a target selects for rule {@code head}, minus the rule's and runtime exclusions. */
  private List<VarValue> values(Target t, Rule head, Rule r) {
    if (t.key() != null && !t.count()) {
      Map<String, String> col = collections.get(t.collection());
      if (col != null || isMapCollection(t.collection())) {
        // TX:foo and friends: one lookup, not a walk over the whole collection.
        String v = col == null ? null : col.get(t.key());
        return v == null ? List.of() : List.of(new VarValue(t.collection() + ":" + t.key(), t.key(), v));
      }
    }
    List<VarValue> all = collection(t.collection());
    List<VarValue> out;
    if (t.count()) {
      int n = 0;
      for (VarValue v : all) {
        if (t.selects(v.key())) {
          n++;
        }
      }
      return List.of(new VarValue("&" + t.collection(), "", Integer.toString(n)));
    }
    if (t.key() == null && t.keyPattern() == null) {
      out = all;
    } else {
      out = new ArrayList<>();
      for (VarValue v : all) {
        if (t.selects(v.key())) {
          out.add(v);
        }
      }
    }
    boolean ruleExclusions = false;
    for (Target x : r.targets) {
      if (x.exclude() && x.collection().equals(t.collection())) {
        ruleExclusions = true;
        break;
      }
    }
    if (!ruleExclusions && removedTargets.isEmpty()) {
      return out;
    }
    List<VarValue> kept = new ArrayList<>(out.size());
    for (VarValue v : out) {
      if (!excluded(t.collection(), v, head, r)) {
        kept.add(v);
      }
    }
    return kept;
  }

  private boolean excluded(String collection, VarValue v, Rule head, Rule r) {
    for (Target x : r.targets) {
      if (x.exclude() && x.excludes(collection, v)) {
        return true;
      }
    }
    for (Object[] rt : removedTargets) {
      boolean applies = rt[0] instanceof RuleIds ids ? ids.contains(head.id) : head.tags.contains((String) rt[0]);
      Target x = (Target) rt[1];
      if (applies && x.collection().equals(collection)
          && ((x.key() == null && x.keyPattern() == null) || x.selects(v.key()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isMapCollection(String name) {
    return switch (name) {
      case "TX", "IP", "GLOBAL", "SESSION", "USER", "RESOURCE" -> true;
      default -> false;
    };
  }

  private static VarValue single(String name, String value) {
    return new VarValue(name, "", value);
  }

  /** Request collections as of phase 1 and as of phase 2 (after the body processor ran). */
  private final Map<String, List<VarValue>> cachedPhase1 = new HashMap<>();
  private final Map<String, List<VarValue>> cachedPhase2 = new HashMap<>();
  /** TX and the other writable collections as lists, dropped whenever the collection changes. */
  private final Map<String, List<VarValue>> mapCollectionLists = new HashMap<>();

  List<VarValue> collection(String name) {
    switch (name) {
      case "TX", "IP", "GLOBAL", "SESSION", "USER", "RESOURCE" -> {
        List<VarValue> listed = mapCollectionLists.get(name);
        if (listed != null) {
          return listed;
        }
        Map<String, String> col = collections.get(name);
        if (col == null || col.isEmpty()) {
          return List.of();
        }
        List<VarValue> out = new ArrayList<>(col.size());
        col.forEach((k, v) -> out.add(new VarValue(name + ":" + k, k, v)));
        mapCollectionLists.put(name, out);
        return out;
      }
      case "MATCHED_VAR" -> {
        return matchedVar == null ? List.of() : List.of(single("MATCHED_VAR", matchedVar.value()));
      }
      case "MATCHED_VAR_NAME" -> {
        return matchedVar == null ? List.of() : List.of(single("MATCHED_VAR_NAME", matchedVar.name()));
      }
      case "MATCHED_VARS" -> {
        return List.copyOf(matchedVars);
      }
      case "MATCHED_VARS_NAMES" -> {
        List<VarValue> out = new ArrayList<>();
        for (VarValue v : matchedVars) {
          out.add(new VarValue("MATCHED_VARS_NAMES:" + v.name(), v.key(), v.name()));
        }
        return out;
      }
      case "DURATION" -> {
        return List.of(single(name, Long.toString((System.nanoTime() - started) / 1000)));
      }
      default -> { }
    }
    // Request variables do not change within a phase; ARGS and body ones change at phase 2.
    Map<String, List<VarValue>> cache = req.bodyParsed ? cachedPhase2 : cachedPhase1;
    List<VarValue> cached = cache.get(name);
    if (cached == null) {
      cached = requestCollection(name);
      cache.put(name, cached);
    }
    return cached;
  }

  private List<VarValue> requestCollection(String name) {
    return switch (name) {
      case "ARGS" -> concat(req.argsGet, req.argsPost);
      case "ARGS_GET" -> req.argsGet;
      case "ARGS_POST" -> req.argsPost;
      case "ARGS_NAMES" -> names("ARGS_NAMES", concat(req.argsGet, req.argsPost));
      case "ARGS_GET_NAMES" -> names("ARGS_GET_NAMES", req.argsGet);
      case "ARGS_POST_NAMES" -> names("ARGS_POST_NAMES", req.argsPost);
      case "ARGS_COMBINED_SIZE" -> {
        long n = 0;
        for (VarValue v : concat(req.argsGet, req.argsPost)) {
          n += v.key().length() + v.value().length();
        }
        yield List.of(single(name, Long.toString(n)));
      }
      case "REQUEST_HEADERS" -> req.headers;
      case "REQUEST_HEADERS_NAMES" -> names("REQUEST_HEADERS_NAMES", req.headers);
      case "REQUEST_COOKIES" -> req.cookies;
      case "REQUEST_COOKIES_NAMES" -> names("REQUEST_COOKIES_NAMES", req.cookies);
      case "REQUEST_URI" -> List.of(single(name, req.uriRaw));
      case "REQUEST_URI_RAW" -> List.of(single(name, req.uriRaw));
      case "REQUEST_FILENAME" -> List.of(single(name, req.path));
      case "REQUEST_BASENAME" -> List.of(single(name, req.path.substring(req.path.lastIndexOf('/') + 1)));
      case "REQUEST_LINE" -> List.of(single(name, req.method + " " + req.uriRaw + " " + req.protocol));
      case "REQUEST_METHOD" -> List.of(single(name, req.method));
      case "REQUEST_PROTOCOL" -> List.of(single(name, req.protocol));
      case "QUERY_STRING" -> List.of(single(name, req.query));
      case "REQUEST_BODY" -> req.bodyParsed && !req.requestBody.isEmpty()
          ? List.of(single(name, req.requestBody)) : List.of();
      case "REQUEST_BODY_LENGTH" -> List.of(single(name, Integer.toString(req.rawBody.length())));
      case "REMOTE_ADDR", "REMOTE_HOST" -> List.of(single(name, req.remoteAddr));
      case "SERVER_NAME" -> List.of(single(name, req.header("host")));
      case "FILES" -> req.files;
      case "FILES_NAMES" -> req.filesNames;
      case "FILES_COMBINED_SIZE" -> List.of(single(name, "0"));
      case "MULTIPART_PART_HEADERS" -> req.multipartPartHeaders;
      case "MULTIPART_FILENAME" -> req.files.isEmpty() ? List.of() : List.of(req.files.get(0));
      case "MULTIPART_NAME" -> req.filesNames.isEmpty() ? List.of() : List.of(req.filesNames.get(0));
      case "MULTIPART_STRICT_ERROR" -> List.of(single(name, req.multipartStrictError));
      case "MULTIPART_UNMATCHED_BOUNDARY" -> List.of(single(name, "0"));
      case "XML" -> req.xml;
      case "REQBODY_PROCESSOR" -> req.bodyProcessor.isEmpty() ? List.of() : List.of(single(name, req.bodyProcessor));
      case "REQBODY_ERROR" -> List.of(single(name, req.bodyError));
      case "REQBODY_ERROR_MSG" -> List.of(single(name, req.bodyErrorMsg));
      case "UNIQUE_ID" -> List.of(single(name, uniqueId));
      case "FULL_REQUEST_LENGTH" -> List.of(single(name, Integer.toString(req.rawBody.length())));
      case "INBOUND_DATA_ERROR" -> List.of(single(name, "0"));
      default -> List.of(); // response variables, GEO, ENV: nothing at request time
    };
  }

  private static List<VarValue> concat(List<VarValue> a, List<VarValue> b) {
    if (b.isEmpty()) {
      return a;
    }
    if (a.isEmpty()) {
      return b;
    }
    List<VarValue> out = new ArrayList<>(a.size() + b.size());
    out.addAll(a);
    out.addAll(b);
    return out;
  }

  private static List<VarValue> names(String collection, List<VarValue> from) {
    List<VarValue> out = new ArrayList<>(from.size());
    for (VarValue v : from) {
      String n = v.name().substring(v.name().indexOf(':') + 1);
      out.add(new VarValue(collection + ":" + n, v.key(), n));
    }
    return out;
  }

  /** {@code %{collection.key}} for macros. */
  String macroValue(String collection, String key) {
    switch (collection) {
      case "RULE" -> {
        Rule r = currentRule;
        if (r == null || key == null) {
          return "";
        }
        return switch (key) {
          case "id" -> Integer.toString(r.id);
          case "msg" -> r.msg == null ? "" : r.msg.expand(this);
          case "severity" -> r.severity;
          default -> "";
        };
      }
      case "MATCHED_VAR" -> {
        return matchedVar == null ? "" : matchedVar.value();
      }
      case "MATCHED_VAR_NAME" -> {
        return matchedVar == null ? "" : matchedVar.name();
      }
      default -> { }
    }
    Map<String, String> col = collections.get(collection);
    if (col != null) {
      return key == null ? "" : col.getOrDefault(key, "");
    }
    for (VarValue v : collection(collection)) {
      if (key == null || key.equals(v.key())) {
        return v.value();
      }
    }
    return "";
  }

  int anomalyScore() {
    long inbound = Operators.toNumber(tx("inbound_anomaly_score"));
    long total = Operators.toNumber(tx("anomaly_score"));
    return (int) Math.max(inbound, total);
  }

  /** For tests and the audit line: the TX collection as it stands. */
  Map<String, String> txView() {
    return new LinkedHashMap<>(collections.get("TX"));
  }
}
