package io.portcullis.dataplane.filters.ratelimit;

import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.net.InetAddress;

/** What a request's bucket is keyed by. */
sealed interface KeySource {

  /** The key value of a request: an {@link InetAddress} or a header's value. */
  Object of(FilterContext ctx);

  /** The short name used as the policy name in the {@code RateLimit} headers. */
  String label();

  static KeySource of(RateLimitPolicy policy) {
    String header = policy.headerName();
    return header == null ? new ClientAddress() : new HeaderValue(header);
  }

  /** The key of requests whose client address is not known (never on a real connection). */
  enum Unknown {
    CLIENT
  }

  /** The client address (as resolved through trusted proxies). */
  record ClientAddress() implements KeySource {
    @Override
    public Object of(FilterContext ctx) {
      InetAddress address = ctx.clientAddress();
      return address == null ? Unknown.CLIENT : address;
    }

    @Override
    public String label() {
      return "client";
    }
  }

  /**
   * A request header's value (an API key set by a gateway, a tenant id). Requests without it, or
   * with an overlong value, are keyed by client address: a missing header is no way around the
   * limit, and a flood of huge values cannot fill memory.
   */
  record HeaderValue(String name) implements KeySource {
    @Override
    public Object of(FilterContext ctx) {
      String value = ctx.request().headers().get(name);
      if (value == null || value.isEmpty()
          || value.length() > RateLimitPolicy.MAX_HEADER_KEY_LENGTH) {
        return new ClientAddress().of(ctx);
      }
      return value;
    }

    @Override
    public String label() {
      return "header";
    }
  }
}
