package io.portcullis.dataplane.clientaddress;

import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import java.util.Locale;

/**
 * Whether the listeners expect a PROXY protocol header ({@code --proxy-protocol}) and of which
 * version. When expected, it is required: a connection without a valid header of an allowed
 * version is closed, since nothing else can tell a load balancer's connection from a client's.
 */
public enum ProxyProtocol {
  OFF,
  V1,
  V2,
  ANY;

  /** Parses {@code off}, {@code v1}, {@code v2} or {@code any}, in any case. */
  public static ProxyProtocol parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "off" -> OFF;
      case "v1" -> V1;
      case "v2" -> V2;
      case "any" -> ANY;
      default -> throw new IllegalArgumentException("expected off, v1, v2 or any");
    };
  }

  /** Whether a header of this version is accepted. */
  public boolean allows(HAProxyProtocolVersion version) {
    return switch (this) {
      case OFF -> false;
      case V1 -> version == HAProxyProtocolVersion.V1;
      case V2 -> version == HAProxyProtocolVersion.V2;
      case ANY -> true;
    };
  }

  /** The flag's spelling. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
