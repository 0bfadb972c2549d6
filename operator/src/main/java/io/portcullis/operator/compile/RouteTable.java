package io.portcullis.operator.compile;

import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the routes of every object by host, settles true conflicts (same host and the same
 * whole match: path and type, headers, methods) in favour of the oldest object, and orders each
 * host's routes by {@link RoutePriority}.
 */
final class RouteTable {
  private static final Comparator<RouteCandidate> OLDEST_FIRST =
      Comparator.comparing(RouteCandidate::created)
          .thenComparing(c -> c.owner().namespace())
          .thenComparing(c -> c.owner().name())
          .thenComparing(c -> c.owner().kind())
          .thenComparingInt(RouteCandidate::ordinal);

  private final Map<String, List<RouteCandidate>> byHost = new TreeMap<>();

  void add(RouteCandidate candidate) {
    byHost.computeIfAbsent(candidate.host(), h -> new ArrayList<>()).add(candidate);
  }

  /** Settles conflicts (telling losers, and recording winners' route names) and orders routes. */
  List<VirtualHost> build(StatusCollector status) {
    List<VirtualHost> hosts = new ArrayList<>(byHost.size());
    byHost.forEach((host, candidates) -> {
      List<RouteCandidate> winners = settleConflicts(host, candidates, status);
      winners.sort(RoutePriority.ORDER);
      List<Route> routes = new ArrayList<>(winners.size());
      for (RouteCandidate c : winners) {
        routes.add(c.route());
        status.routeProduced(c.owner(), c.route().name());
      }
      hosts.add(new VirtualHost(host, routes));
    });
    return hosts;
  }

  private static List<RouteCandidate> settleConflicts(
      String host, List<RouteCandidate> candidates, StatusCollector status) {
    candidates.sort(OLDEST_FIRST);
    Map<RouteMatch, RouteCandidate> winnerByMatch = new HashMap<>();
    List<RouteCandidate> winners = new ArrayList<>(candidates.size());
    for (RouteCandidate c : candidates) {
      RouteCandidate winner = winnerByMatch.putIfAbsent(c.route().match(), c);
      if (winner == null) {
        winners.add(c);
      } else {
        status.rejected(c.owner(), Reasons.HOST_CONFLICT,
            "host " + host + " " + c.description() + " is already served by " + winner.owner()
                + " (the older object wins); this one is ignored");
      }
    }
    return winners;
  }
}
