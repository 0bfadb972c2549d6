package io.portcullis.operator.compile;

import io.portcullis.operator.compile.nginx.Canary;
import io.portcullis.snapshot.PathMatch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The paths of ingress-nginx canary Ingresses, waiting for the main Ingress route of the same host
 * and path to split with. As in ingress-nginx, a canary is matched by host and path (and path
 * type), one canary per path (the oldest registered wins), and a canary without a main route is
 * not served.
 */
final class CanarySplits {
  /** A canary backend for one host and path. */
  record Split(ObjectRef owner, String cluster, Canary canary) {}

  private record Key(String host, PathMatch path) {}

  private final StatusCollector status;
  private final Map<Key, Split> waiting = new LinkedHashMap<>();
  private final Map<Key, Split> used = new LinkedHashMap<>();

  CanarySplits(StatusCollector status) {
    this.status = status;
  }

  void add(String host, PathMatch path, Split split) {
    Split earlier = waiting.putIfAbsent(new Key(host, path), split);
    if (earlier != null && !earlier.owner().equals(split.owner())) {
      status.rejected(split.owner(), Reasons.HOST_CONFLICT, "canary for host " + host + " "
          + IngressPass.describe(path) + " is already given by " + earlier.owner()
          + "; this one is ignored");
    }
  }

  /** The canary for a main route, or null. A canary serves every main route of its host and path. */
  Split take(String host, PathMatch path) {
    Key key = new Key(host, path);
    Split split = waiting.get(key);
    if (split != null) {
      used.put(key, split);
    }
    return split;
  }

  /** Tells each canary owner about the paths no main Ingress serves. */
  void reportUnused() {
    waiting.forEach((key, split) -> {
      if (!used.containsKey(key)) {
        status.event(split.owner(), true, Reasons.CANARY_WITHOUT_MAIN, "canary path "
            + IngressPass.describe(key.path()) + " on host " + key.host() + " has no main Ingress"
            + " with the same host and path; it is not served");
      }
    });
  }
}
