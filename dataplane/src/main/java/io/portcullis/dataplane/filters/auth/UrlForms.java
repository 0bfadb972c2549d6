package io.portcullis.dataplane.filters.auth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * application/x-www-form-urlencoded parameters: the query of a redirect to the provider and the
 * body of a token request are written the same way.
 */
final class UrlForms {
  private UrlForms() {}

  /** {@code params}, in their order, as {@code k=v&k=v}. */
  static String form(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(encode(k)).append('=').append(encode(v));
    });
    return sb.toString();
  }

  /** {@code endpoint} with {@code params} added to whatever query it already has. */
  static String withQuery(String endpoint, Map<String, String> params) {
    return endpoint + (endpoint.contains("?") ? "&" : "?") + form(params);
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
