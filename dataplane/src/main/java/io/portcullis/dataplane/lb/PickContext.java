package io.portcullis.dataplane.lb;

import io.portcullis.dataplane.http.RequestHead;
import java.util.Set;

/**
 * What a balancer may look at for one pick.
 *
 * @param request the request (hash keys come from its headers, cookies and query), or null
 * @param clientAddress the client's IP as text, or null
 * @param tried endpoints already tried by this request: a retry avoids them when it can
 */
public record PickContext(RequestHead request, String clientAddress, Set<UpstreamEndpoint> tried) {
  public static final PickContext NONE = new PickContext(null, null, Set.of());

  public PickContext {
    tried = tried == null ? Set.of() : tried;
  }
}
