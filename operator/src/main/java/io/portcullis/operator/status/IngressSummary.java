package io.portcullis.operator.status;

import io.portcullis.operator.compile.ObjectStatus;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;

/** Counts the Ingresses whose conditions changed in one pass, for one INFO line. */
final class IngressSummary {
  private int changed;
  private int unhealthy;
  private final TreeMap<String, Integer> reasons = new TreeMap<>();

  void changed(List<ObjectStatus.Condition> conditions) {
    changed++;
    boolean bad = false;
    for (ObjectStatus.Condition c : conditions) {
      if (!c.status()) {
        bad = true;
        reasons.merge(c.reason(), 1, Integer::sum);
      }
    }
    if (bad) {
      unhealthy++;
    }
  }

  void log(Logger log) {
    if (changed == 0) {
      return;
    }
    if (unhealthy == 0) {
      log.info("Ingress statuses: {} changed, all accepted and resolved", changed);
    } else {
      log.info("Ingress statuses: {} changed, {} with a False condition {} (details at DEBUG)",
          changed, unhealthy, reasons);
    }
  }

  /** One Ingress's conditions on one line (DEBUG). */
  static String describe(List<ObjectStatus.Condition> conditions) {
    StringBuilder out = new StringBuilder();
    for (ObjectStatus.Condition c : conditions) {
      if (!out.isEmpty()) {
        out.append(' ');
      }
      out.append(c.type()).append('=').append(c.status() ? "True" : "False");
      out.append('(').append(c.reason()).append(": ").append(c.message()).append(')');
    }
    return out.toString();
  }
}
