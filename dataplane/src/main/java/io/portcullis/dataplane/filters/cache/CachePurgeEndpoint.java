package io.portcullis.dataplane.filters.cache;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portcullis.dataplane.http.AdminEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /cache/purge?key=URL} or {@code ?prefix=URL-PREFIX} on the admin port: drops stored
 * responses at once (keys are {@code GET scheme://host/path?query}; the {@code GET } may be
 * left out). Answers {@code {"purged": N}}. POST only, because a purge changes state.
 */
public final class CachePurgeEndpoint implements AdminEndpoint {
  public static final String PATH = "/cache/purge";

  private final CacheEngine engine;

  public CachePurgeEndpoint(CacheEngine engine) {
    this.engine = engine;
  }

  @Override
  public FullHttpResponse handle(FullHttpRequest request) {
    if (!HttpMethod.POST.equals(request.method())) {
      FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
      r.headers().set(HttpHeaderNames.ALLOW, "POST");
      return r;
    }
    Map<String, List<String>> params = new QueryStringDecoder(request.uri()).parameters();
    List<String> key = params.get("key");
    List<String> prefix = params.get("prefix");
    if ((key == null) == (prefix == null)
        || (key != null && (key.size() != 1 || key.get(0).isEmpty()))
        || (prefix != null && (prefix.size() != 1 || prefix.get(0).isEmpty()))) {
      return text(HttpResponseStatus.BAD_REQUEST,
          "give exactly one of ?key=URL or ?prefix=URL-PREFIX\n");
    }
    int purged = key != null ? engine.purgeKey(key.get(0)) : engine.purgePrefix(prefix.get(0));
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.copiedBuffer("{\"purged\":" + purged + "}\n", StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return r;
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return r;
  }
}
