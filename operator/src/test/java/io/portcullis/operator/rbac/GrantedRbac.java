package io.portcullis.operator.rbac;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a set of rendered RBAC objects grants one ServiceAccount, evaluated the way the API
 * server's RBAC authorizer does: a ClusterRoleBinding grants its ClusterRole's rules everywhere;
 * a RoleBinding grants its Role's (or ClusterRole's) rules in the binding's namespace. A rule
 * matches when its groups, resources and verbs contain the request's (or {@code *}) and its
 * resourceNames are empty or contain the request's name.
 */
public final class GrantedRbac {
  /** One rule as granted in a scope: {@code namespace} null means every namespace and cluster scope. */
  public record Grant(String namespace, String origin, PolicyRule rule) {}

  private final List<Grant> grants;

  private GrantedRbac(List<Grant> grants) {
    this.grants = List.copyOf(grants);
  }

  /** The grants of {@code serviceAccount} in {@code saNamespace} among {@code objects}. */
  public static GrantedRbac of(Collection<HasMetadata> objects, String saNamespace, String serviceAccount) {
    List<Grant> grants = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRoleBinding b && binds(b.getSubjects(), saNamespace, serviceAccount)) {
        rules(objects, b.getRoleRef(), null)
            .forEach(r -> grants.add(new Grant(null, "ClusterRoleBinding " + name(b), r)));
      } else if (o instanceof RoleBinding b && binds(b.getSubjects(), saNamespace, serviceAccount)) {
        String ns = b.getMetadata().getNamespace();
        rules(objects, b.getRoleRef(), ns)
            .forEach(r -> grants.add(new Grant(ns, "RoleBinding " + ns + "/" + name(b), r)));
      }
    }
    return new GrantedRbac(grants);
  }

  public List<Grant> grants() {
    return grants;
  }

  public boolean allows(ApiRequest request) {
    return grants.stream().anyMatch(g -> matches(g, request));
  }

  public static boolean matches(Grant grant, ApiRequest request) {
    if (grant.namespace() != null && !grant.namespace().equals(request.namespace())) {
      return false;
    }
    PolicyRule rule = grant.rule();
    List<String> names = rule.getResourceNames() == null ? List.of() : rule.getResourceNames();
    return containsOrStar(rule.getApiGroups(), request.group())
        && containsOrStar(rule.getResources(), request.resource())
        && containsOrStar(rule.getVerbs(), request.verb())
        && (names.isEmpty() || (request.name() != null && names.contains(request.name())));
  }

  /**
   * Every (scope, group, resource, verb, names) the grants spell out, one line each, for the
   * least-privilege report.
   */
  public Set<String> grantedLines() {
    Set<String> out = new TreeSet<>();
    for (Grant g : grants) {
      for (String group : g.rule().getApiGroups()) {
        for (String resource : g.rule().getResources()) {
          for (String verb : g.rule().getVerbs()) {
            out.add(line(g, group, resource, verb));
          }
        }
      }
    }
    return out;
  }

  /** The granted line a request is allowed by (the first matching grant's). */
  public Set<String> linesUsedBy(ApiRequest request) {
    Set<String> out = new TreeSet<>();
    for (Grant g : grants) {
      if (matches(g, request)) {
        out.add(line(g, request.group(), request.resource(), request.verb()));
      }
    }
    return out;
  }

  private static String line(Grant g, String group, String resource, String verb) {
    List<String> names = g.rule().getResourceNames() == null ? List.of() : g.rule().getResourceNames();
    return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
        + (g.namespace() == null ? " (cluster-wide)" : " in " + g.namespace())
        + (names.isEmpty() ? "" : " names=" + names)
        + " [" + g.origin() + "]";
  }

  private static boolean containsOrStar(List<String> values, String value) {
    return values != null && (values.contains("*") || values.contains(value));
  }

  private static boolean binds(List<Subject> subjects, String namespace, String serviceAccount) {
    return subjects != null
        && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
            && serviceAccount.equals(s.getName())
            && namespace.equals(s.getNamespace()));
  }

  private static List<PolicyRule> rules(Collection<HasMetadata> objects, RoleRef ref, String bindingNamespace) {
    for (HasMetadata o : objects) {
      if ("ClusterRole".equals(ref.getKind()) && o instanceof ClusterRole r && name(r).equals(ref.getName())) {
        return r.getRules() == null ? List.of() : r.getRules();
      }
      if ("Role".equals(ref.getKind()) && o instanceof Role r && name(r).equals(ref.getName())
          && r.getMetadata().getNamespace().equals(bindingNamespace)) {
        return r.getRules() == null ? List.of() : r.getRules();
      }
    }
    throw new AssertionError("binding refers to a missing " + ref.getKind() + " " + ref.getName());
  }

  private static String name(HasMetadata o) {
    return o.getMetadata().getName();
  }
}
