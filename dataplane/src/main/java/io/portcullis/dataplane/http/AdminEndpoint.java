package io.portcullis.dataplane.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * An admin action a feature adds to the admin port (a cache purge, say). It sees the whole
 * request, checks the method itself, and answers on the admin event loop: keep it quick.
 */
@FunctionalInterface
public interface AdminEndpoint {
  FullHttpResponse handle(FullHttpRequest request);
}
