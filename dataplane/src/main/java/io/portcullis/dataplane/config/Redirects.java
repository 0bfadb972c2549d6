package io.portcullis.dataplane.config;

import io.portcullis.dataplane.http.HostNames;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.RouteAction;

/** Builds the Location of a redirect from the route's parts and the request's own. */
final class Redirects {
  private Redirects() {}

  static String location(RouteAction.Redirect redirect, RequestHead request, String path) {
    String scheme = redirect.scheme() != null ? redirect.scheme() : request.scheme();
    String requestHost = HostNames.normalize(request.host());
    String host = redirect.host() != null ? redirect.host() : requestHost == null ? "" : requestHost;
    int port;
    if (redirect.port() != 0) {
      port = redirect.port();
    } else if (redirect.scheme() == null || redirect.scheme().equals(request.scheme())) {
      port = redirect.host() == null ? HostNames.port(request.host()) : -1;
    } else {
      port = -1; // a scheme change drops the old scheme's port
    }
    boolean defaultPort =
        port < 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
    StringBuilder location = new StringBuilder(64).append(scheme).append("://").append(host);
    if (!defaultPort) {
      location.append(':').append(port);
    }
    location.append(redirect.path() != null ? redirect.path() : path);
    if (request.query() != null) {
      location.append('?').append(request.query());
    }
    return location.toString();
  }
}
