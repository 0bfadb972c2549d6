package io.portcullis.operator.rbac;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One request to the API server as RBAC sees it: the verb, the API group, the resource with its
 * subresource, the namespace and the object name (from the path, or for a list or watch from a
 * {@code metadata.name} field selector, which the API server authorizes as that name).
 *
 * @param group the API group, "" for the core group
 * @param resource {@code resource} or {@code resource/subresource}
 * @param namespace null for a cluster-scoped request
 * @param name null when the request names no object (create, list and watch without selector)
 */
public record ApiRequest(String verb, String group, String resource, String namespace, String name) {
  public ApiRequest {
    Objects.requireNonNull(verb, "verb");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(resource, "resource");
  }

  /** The request without its object name: what the report of used verbs groups by. */
  public ApiRequest unnamed() {
    return new ApiRequest(verb, group, resource, namespace, null);
  }

  /**
   * Maps an HTTP request to its RBAC verb the way the API server's request-info resolver does:
   * GET of an object {@code get}, of a collection {@code list}, with {@code watch=true} {@code
   * watch}; POST {@code create}; PUT {@code update}; PATCH {@code patch}; DELETE of an object
   * {@code delete}, of a collection {@code deletecollection}. Empty for non-resource paths
   * ({@code /version}, discovery).
   */
  public static Optional<ApiRequest> of(String method, URI uri) {
    List<String> parts =
        Arrays.stream(uri.getRawPath().split("/")).filter(s -> !s.isEmpty()).toList();
    int i;
    String group;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      i = 2; // api/v1/...
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      i = 3; // apis/group/version/...
    } else {
      return Optional.empty();
    }
    String namespace = null;
    if (parts.size() > i + 1 && parts.get(i).equals("namespaces") && parts.size() > i + 2) {
      namespace = parts.get(i + 1);
      i += 2;
    }
    if (parts.size() <= i) {
      return Optional.empty();
    }
    String resource = parts.get(i);
    String name = parts.size() > i + 1 ? parts.get(i + 1) : null;
    if (parts.size() > i + 2) {
      resource = resource + "/" + parts.get(i + 2);
    }
    if (namespace == null && resource.equals("namespaces") && name != null) {
      // GET /api/v1/namespaces/foo: the namespace object itself.
      namespace = null;
    }
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    boolean watch = false;
    String selectedName = null;
    for (String param : query.split("&")) {
      int eq = param.indexOf('=');
      String key = eq < 0 ? param : param.substring(0, eq);
      String value = eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
      if (key.equals("watch") && value.equals("true")) {
        watch = true;
      } else if (key.equals("fieldSelector")) {
        for (String term : value.split(",")) {
          if (term.startsWith("metadata.name=")) {
            selectedName = term.substring("metadata.name=".length());
          }
        }
      }
    }
    String verb =
        switch (method.toUpperCase(java.util.Locale.ROOT)) {
          case "GET", "HEAD" -> name != null ? "get" : watch ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name != null ? "delete" : "deletecollection";
          default -> throw new IllegalArgumentException("unexpected method " + method + " " + uri);
        };
    if (name == null && (verb.equals("list") || verb.equals("watch"))) {
      name = selectedName;
    }
    if (verb.equals("create")) {
      name = null; // the authorizer sees no name on create: resourceNames cannot grant it
    }
    return Optional.of(new ApiRequest(verb, group, resource, namespace, name));
  }

  @Override
  public String toString() {
    return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
        + (namespace == null ? " (cluster)" : " in " + namespace)
        + (name == null ? "" : " name=" + name);
  }
}
