package io.portcullis.dataplane.config;

import io.portcullis.dataplane.filter.ChainCompiler;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The routes of one virtual host, indexed so that finding the candidates for a path costs the
 * path's length, not the number of routes: exact paths in a hash map, prefixes in a trie of path
 * segments. Regex routes are checked one by one (they cannot be indexed; RE2 keeps each check
 * linear). Among the candidates the one with the lowest priority (earliest in the snapshot) whose
 * other conditions hold wins.
 */
final class VirtualHostIndex {
  private final Map<String, List<CompiledRoute>> exact = new HashMap<>();
  private final PrefixNode prefixes = new PrefixNode();
  private final List<CompiledRoute> regexes = new ArrayList<>();
  /** For requests of this host that no route matched. */
  final FilterChain hostFilters;
  /** What this index was built from: the host, and the cluster instances its routes resolved. */
  private final VirtualHost vhost;
  private final Map<String, ClusterRuntime> resolved = new HashMap<>();

  VirtualHostIndex(
      VirtualHost vhost, Function<String, ClusterRuntime> clusters,
      ChainCompiler.SnapshotChains chains) {
    this.vhost = vhost;
    this.hostFilters = chains.host(vhost);
    int priority = 0;
    for (var route : vhost.routes()) {
      for (String name : route.action().clusterNames()) {
        resolved.put(name, clusters.apply(name));
      }
      CompiledRoute compiled =
          new CompiledRoute(priority++, route, clusters, chains.route(vhost, route));
      PathMatch path = route.match().path();
      if (path instanceof PathMatch.Exact e) {
        exact.computeIfAbsent(e.value(), k -> new ArrayList<>()).add(compiled);
      } else if (path instanceof PathMatch.Prefix p) {
        prefixes.insert(p.value()).routes.add(compiled);
      } else {
        regexes.add(compiled);
      }
    }
  }

  /** The virtual host this index was built from. */
  VirtualHost host() {
    return vhost;
  }

  /**
   * Whether this index, built for an earlier config, serves {@code next} as it is: the same virtual
   * host, and every cluster its routes name still the very instance they resolved (clusters whose
   * endpoints changed are updated in place, so they are). Its routes then keep their compiled
   * chains, regexes and weighted pickers' state. The caller vouches that nothing snapshot-wide
   * that chains depend on changed.
   */
  boolean serves(VirtualHost next, Function<String, ClusterRuntime> clusters) {
    if (next != vhost && !next.equals(vhost)) {
      return false;
    }
    for (Map.Entry<String, ClusterRuntime> e : resolved.entrySet()) {
      if (clusters.apply(e.getKey()) != e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The winning route for a normalized path, or null: of the candidates (exact, every prefix on
   * the path's way down the trie, every regex) whose other conditions hold, the one earliest in
   * the snapshot. Walked in place, without collecting and sorting the candidates per request.
   */
  CompiledRoute match(String path, RequestHead request) {
    CompiledRoute best = null;
    List<CompiledRoute> exactRoutes = exact.get(path);
    if (exactRoutes != null) {
      best = earliestAccepting(exactRoutes, best, path, request);
    }
    best = prefixes.earliestAccepting(path, best, request);
    return earliestAccepting(regexes, best, path, request);
  }

  /** {@code best}, or the route of {@code routes} earlier than it that accepts the request. */
  private static CompiledRoute earliestAccepting(
      List<CompiledRoute> routes, CompiledRoute best, String path, RequestHead request) {
    for (int i = 0; i < routes.size(); i++) {
      CompiledRoute route = routes.get(i);
      if ((best == null || route.priority < best.priority) && route.accepts(path, request)) {
        best = route;
      }
    }
    return best;
  }

  /** A trie over {@code /}-separated segments; a node's routes are the prefixes ending there. */
  private static final class PrefixNode {
    final Map<String, PrefixNode> children = new HashMap<>();
    final List<CompiledRoute> routes = new ArrayList<>(1);

    PrefixNode insert(String prefix) {
      PrefixNode node = this;
      for (String segment : segments(prefix)) {
        node = node.children.computeIfAbsent(segment, k -> new PrefixNode());
      }
      return node;
    }

    /** Looks at the routes of every node on the path's way down: each is a prefix of the path. */
    CompiledRoute earliestAccepting(String path, CompiledRoute best, RequestHead request) {
      PrefixNode node = this;
      best = VirtualHostIndex.earliestAccepting(node.routes, best, path, request);
      int start = 1;
      while (start <= path.length()) {
        int end = path.indexOf('/', start);
        if (end < 0) {
          end = path.length();
        }
        node = node.children.get(path.substring(start, end));
        if (node == null) {
          return best;
        }
        best = VirtualHostIndex.earliestAccepting(node.routes, best, path, request);
        start = end + 1;
      }
      return best;
    }

    private static List<String> segments(String prefix) {
      if (prefix.equals("/")) {
        return List.of();
      }
      return Arrays.asList(prefix.substring(1).split("/", -1));
    }
  }
}
