package io.portcullis.operator.status;

import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What changed between two compile results' status lists, found by one walk over both by position
 * and identity: the compiler hands an unchanged object's status on as the same instance, so most
 * steps are one comparison of references, with no key built per object.
 */
final class StatusListWalk {
  private StatusListWalk() {}

  /**
   * Walks both lists by position, adding what changed to {@code changed}; returns the keys of
   * the objects gone, or null when the lists differ in a way one step of look-ahead cannot follow.
   */
  static List<String> walk(List<ObjectStatus> before, List<ObjectStatus> now,
      Map<String, ObjectStatus> changed) {
    List<String> gone = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < before.size() || j < now.size()) {
      ObjectStatus a = i < before.size() ? before.get(i) : null;
      ObjectStatus b = j < now.size() ? now.get(j) : null;
      if (a == b) { // the common case: the compiler handed the same status on
        i++;
        j++;
      } else if (a != null && b != null && sameObject(a, b)) {
        if (!a.equals(b)) {
          changed.put(StatusWriter.key(b.object()), b);
        }
        i++;
        j++;
      } else if (b != null && (a == null || (j + 1 < now.size() && sameObject(a, now.get(j + 1))))) {
        changed.put(StatusWriter.key(b.object()), b); // new here
        j++;
      } else if (a != null && (b == null || (i + 1 < before.size() && sameObject(before.get(i + 1), b)))) {
        gone.add(StatusWriter.key(a.object()));
        i++;
      } else {
        return null;
      }
    }
    return gone;
  }

  private static boolean sameObject(ObjectStatus a, ObjectStatus b) {
    ObjectRef x = a.object();
    ObjectRef y = b.object();
    return x.name().equals(y.name()) && x.namespace().equals(y.namespace()) && x.kind().equals(y.kind());
  }
}
