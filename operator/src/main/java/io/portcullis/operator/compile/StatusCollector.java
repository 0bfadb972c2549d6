package io.portcullis.operator.compile;

import io.portcullis.operator.compile.ObjectStatus.Condition;
import io.portcullis.operator.compile.ObjectStatus.Event;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gathers, during one compile, what every object of ours should be told, and turns it into
 * {@link ObjectStatus}es: an {@code Accepted} and a {@code ResolvedRefs} condition (each False
 * with the first problem's reason and every problem's message), Warning events, and the names of
 * the routes the object put into the snapshot.
 */
final class StatusCollector {
  /** Messages joined into one condition, beyond which "and N more" is said (conditions are short). */
  static final int MAX_MESSAGES_PER_CONDITION = 8;

  /**
   * Longest message kept, in characters. Messages quote user input (hosts, paths, regexes), and
   * the API server caps an Event note at 1 KiB, so a hostile object cannot make statuses huge.
   */
  static final int MAX_MESSAGE_LENGTH = 1000;

  private final Map<ObjectRef, Entry> entries = new LinkedHashMap<>();

  /** Registers an object of ours, so it gets a status even when nothing is wrong. */
  void track(ObjectRef ref) {
    entries.computeIfAbsent(ref, r -> new Entry());
  }

  /** A rule or route was dropped because it is invalid (or conflicts, with that reason). */
  void rejected(ObjectRef ref, String reason, String message) {
    message = bounded(message);
    Entry e = entry(ref);
    e.acceptedProblems.add(new Problem(reason, message));
    e.events.add(new Event(true, reason, message));
  }

  /** A backend reference does not resolve to ready endpoints; the route stays (503). */
  void unresolved(ObjectRef ref, String reason, String message) {
    message = bounded(message);
    Entry e = entry(ref);
    e.refProblems.add(new Problem(reason, message));
    e.events.add(new Event(true, reason, message));
  }

  /** Something worth an event that changes neither condition. */
  void event(ObjectRef ref, boolean warning, String reason, String message) {
    entry(ref).events.add(new Event(warning, reason, bounded(message)));
  }

  static String bounded(String message) {
    return message.length() <= MAX_MESSAGE_LENGTH
        ? message : message.substring(0, MAX_MESSAGE_LENGTH - 3) + "...";
  }

  void routeProduced(ObjectRef ref, String routeName) {
    entry(ref).routeNames.add(routeName);
  }

  /** Routes a later pass took out of the snapshot again (client certificates failing closed). */
  void routesDropped(Set<String> routeNames) {
    entries.values().forEach(e -> e.routeNames.removeAll(routeNames));
  }

  List<ObjectStatus> build() {
    List<ObjectStatus> out = new ArrayList<>(entries.size());
    entries.forEach((ref, e) -> out.add(e.toStatus(ref)));
    out.sort(
        Comparator.comparing((ObjectStatus s) -> s.object().kind())
            .thenComparing(s -> s.object().namespace())
            .thenComparing(s -> s.object().name()));
    return out;
  }

  private Entry entry(ObjectRef ref) {
    return entries.computeIfAbsent(ref, r -> new Entry());
  }

  private record Problem(String reason, String message) {}

  private static final class Entry {
    final List<Problem> acceptedProblems = new ArrayList<>();
    final List<Problem> refProblems = new ArrayList<>();
    // Same reason and message twice (one Service missing behind three paths) is one event.
    final Set<Event> events = new LinkedHashSet<>();
    final List<String> routeNames = new ArrayList<>();

    ObjectStatus toStatus(ObjectRef ref) {
      List<Condition> conditions =
          List.of(
              condition(Reasons.ACCEPTED, acceptedProblems, "every rule is accepted"),
              condition(Reasons.RESOLVED_REFS, refProblems, "every backend resolves"));
      return new ObjectStatus(
          ref, conditions, List.copyOf(events), routeNames.stream().sorted().toList());
    }

    private static Condition condition(String type, List<Problem> problems, String okMessage) {
      if (problems.isEmpty()) {
        return new Condition(type, true, type, okMessage);
      }
      List<String> messages = problems.stream().map(Problem::message).distinct().toList();
      String message = String.join("; ", messages.subList(0, Math.min(messages.size(), MAX_MESSAGES_PER_CONDITION)));
      if (messages.size() > MAX_MESSAGES_PER_CONDITION) {
        message += "; and " + (messages.size() - MAX_MESSAGES_PER_CONDITION) + " more";
      }
      return new Condition(type, false, problems.get(0).reason(), message);
    }
  }
}
