package io.portcullis.dataplane;

import io.portcullis.dataplane.clientaddress.ClientAddressSettings;
import io.portcullis.dataplane.clientaddress.ProxyProtocol;
import io.portcullis.dataplane.clientaddress.TrustedProxies;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.cli.Flags;
import io.portcullis.cli.Flags.FlagException;
import io.portcullis.dataplane.proxy.Transport;
import io.portcullis.snapshot.filter.IpRules;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The dataplane's command line, validated. Every flag also comes from its {@code PORTCULLIS_*}
 * environment variable; the command line wins.
 *
 * @param controlPlane where the operator's snapshot stream listens: {@code https://} (mutual TLS
 *     with {@code tls}), or {@code http://} (plaintext h2c) to a loopback host only
 * @param nodeId how this dataplane names itself to the operator
 * @param httpPort plain HTTP listener; 0 picks a free port
 * @param httpsPort the HTTPS listener port (SNI picks the certificate from the snapshot)
 * @param adminPort {@code /ready}, {@code /healthz}, {@code /metrics}; 0 picks a free port
 * @param bindAddress address the proxy and admin listeners bind to
 * @param logLevel slf4j-simple level: trace, debug, info, warn or error
 * @param tls {@code --tls-cert}, {@code --tls-key}, {@code --tls-ca}: the client certificate for an
 *     {@code https://} control plane (usually the mounted Secret the operator maintains); null
 *     for {@code http://}
 * @param drainDelay {@code --drain-delay}: after SIGTERM, how long the listeners keep accepting
 *     while {@code /ready} says 503, so load balancers and kube-proxy stop sending new connections
 * @param drainTimeout {@code --drain-timeout}: then how long in-flight requests may take to finish
 * @param accessLog {@code --access-log}: one JSON line per request on stdout, or none
 * @param cacheSize {@code --cache-size}: bytes the shared HTTP cache may hold (routes opt in)
 * @param wafRules {@code --waf-rules}: the OWASP Core Rule Set directory (its {@code rules/*.conf}
 *     and data files), loaded when a snapshot first asks for a WAF
 * @param clientAddresses {@code --trusted-proxies}, {@code --proxy-protocol} and {@code
 *     --max-connections-per-client}: who the client of a connection and of a request is, and how
 *     many connections one client may hold
 * @param ipDeny {@code --ip-deny}: the global deny list, canonical CIDRs refused on every host
 *     and route before their own IP rules; empty for none
 * @param transport {@code --io-transport}: the event loops' socket layer (io_uring, epoll, nio or auto)
 */
public record DataplaneOptions(
    URI controlPlane,
    String nodeId,
    int httpPort,
    int httpsPort,
    int adminPort,
    String bindAddress,
    String logLevel,
    TlsFiles tls,
    Duration drainDelay,
    Duration drainTimeout,
    boolean accessLog,
    long cacheSize,
    Path wafRules,
    ClientAddressSettings clientAddresses,
    List<String> ipDeny,
    Transport transport) {

  public DataplaneOptions {
    java.util.Objects.requireNonNull(clientAddresses, "clientAddresses");
    java.util.Objects.requireNonNull(transport, "transport");
    ipDeny = ipDeny == null ? List.of() : List.copyOf(ipDeny);
  }

  /** Options without client-address settings (no trusted proxies, no PROXY protocol, no limit). */
  public DataplaneOptions(URI controlPlane, String nodeId, int httpPort, int httpsPort,
      int adminPort, String bindAddress, String logLevel, TlsFiles tls, Duration drainDelay,
      Duration drainTimeout, boolean accessLog, long cacheSize, Path wafRules) {
    this(controlPlane, nodeId, httpPort, httpsPort, adminPort, bindAddress, logLevel, tls,
        drainDelay, drainTimeout, accessLog, cacheSize, wafRules, ClientAddressSettings.DEFAULT,
        List.of(), Transport.best());
  }

  /**
   * The dataplane's identity for the snapshot stream: PEM files, re-read when they change.
   *
   * @param cert client certificate chain ({@code tls.crt})
   * @param key its PKCS#8 private key ({@code tls.key})
   * @param ca the operator's CA, the only one trusted for the operator's certificate ({@code ca.crt})
   */
  public record TlsFiles(Path cert, Path key, Path ca) {}

  /** Options without control-plane TLS (plaintext to a loopback operator). */
  public DataplaneOptions(URI controlPlane, String nodeId, int httpPort, int httpsPort,
      int adminPort, String bindAddress, String logLevel) {
    this(controlPlane, nodeId, httpPort, httpsPort, adminPort, bindAddress, logLevel, null);
  }

  /** Options with the default drain and access log. */
  public DataplaneOptions(URI controlPlane, String nodeId, int httpPort, int httpsPort,
      int adminPort, String bindAddress, String logLevel, TlsFiles tls) {
    this(controlPlane, nodeId, httpPort, httpsPort, adminPort, bindAddress, logLevel, tls,
        DEFAULT_DRAIN_DELAY, DEFAULT_DRAIN_TIMEOUT, true, DEFAULT_CACHE_SIZE, DEFAULT_WAF_RULES);
  }

  /** The same options with other drain timings (tests drain in well under a second). */
  public DataplaneOptions withDrain(Duration delay, Duration timeout) {
    return new DataplaneOptions(controlPlane, nodeId, httpPort, httpsPort, adminPort, bindAddress,
        logLevel, tls, delay, timeout, accessLog, cacheSize, wafRules, clientAddresses, ipDeny,
        transport);
  }

  /** The same options with the access log on or off. */
  public DataplaneOptions withAccessLog(boolean on) {
    return new DataplaneOptions(controlPlane, nodeId, httpPort, httpsPort, adminPort, bindAddress,
        logLevel, tls, drainDelay, drainTimeout, on, cacheSize, wafRules, clientAddresses, ipDeny,
        transport);
  }

  /** The same options with another WAF rules directory. */
  public DataplaneOptions withWafRules(Path dir) {
    return new DataplaneOptions(controlPlane, nodeId, httpPort, httpsPort, adminPort, bindAddress,
        logLevel, tls, drainDelay, drainTimeout, accessLog, cacheSize, dir, clientAddresses, ipDeny,
        transport);
  }

  /** The same options with other client-address settings. */
  public DataplaneOptions withClientAddresses(ClientAddressSettings settings) {
    return new DataplaneOptions(controlPlane, nodeId, httpPort, httpsPort, adminPort, bindAddress,
        logLevel, tls, drainDelay, drainTimeout, accessLog, cacheSize, wafRules, settings, ipDeny,
        transport);
  }

  /** The same options with another global deny list (canonical CIDRs). */
  public DataplaneOptions withIpDeny(List<String> cidrs) {
    return new DataplaneOptions(controlPlane, nodeId, httpPort, httpsPort, adminPort, bindAddress,
        logLevel, tls, drainDelay, drainTimeout, accessLog, cacheSize, wafRules, clientAddresses,
        cidrs, transport);
  }

  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final int DEFAULT_HTTPS_PORT = 8443;
  public static final int DEFAULT_ADMIN_PORT = 9901;
  public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
  public static final String DEFAULT_LOG_LEVEL = "info";
  /** A third of the heap the chart's default memory limit gives (1Gi, heap 40%). */
  public static final long DEFAULT_CACHE_SIZE = 128L << 20;
  /** Long enough for an endpoint removal to reach kube-proxy and cloud load balancers. */
  public static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(5);
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(25);
  /** Bounds that keep a typo ({@code 5h}) from holding a pod in Terminating for hours. */
  static final Duration MAX_DRAIN_DELAY = Duration.ofMinutes(5);
  static final Duration MAX_DRAIN_TIMEOUT = Duration.ofHours(1);
  /** Debian's modsecurity-crs package (CRS 3.3). */
  public static final Path DEFAULT_WAF_RULES = Path.of("/usr/share/modsecurity-crs");

  static final List<String> FLAGS =
      List.of(
          "control-plane",
          "node-id",
          "http-port",
          "https-port",
          "admin-port",
          "bind-address",
          "log-level",
          "tls-cert",
          "tls-key",
          "tls-ca",
          "drain-delay",
          "drain-timeout",
          "access-log",
          "cache-size",
          "waf-rules",
          "trusted-proxies",
          "proxy-protocol",
          "max-connections-per-client",
          "ip-deny",
          "io-transport");

  private static final List<String> TLS_FLAGS = List.of("tls-cert", "tls-key", "tls-ca");

  private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error");

  public static final String USAGE =
      """
      usage: java -jar portcullis-dataplane.jar --control-plane URL [flags]

      Every flag can also be set through an environment variable (shown in brackets);
      the command line wins.

        --control-plane URL   the operator's snapshot stream (required)
                              [PORTCULLIS_CONTROL_PLANE]: https://HOST:PORT (mutual TLS, needs
                              the three --tls-* files), or http://127.0.0.1:PORT (plaintext h2c,
                              local mode; refused for any host but loopback)
        --tls-cert FILE       client certificate PEM (tls.crt) [PORTCULLIS_TLS_CERT]
        --tls-key FILE        its PKCS#8 key PEM (tls.key) [PORTCULLIS_TLS_KEY]
        --tls-ca FILE         the operator's CA PEM (ca.crt) [PORTCULLIS_TLS_CA]; the three
                              files are re-read when they change
        --node-id ID          name reported to the operator (default: $HOSTNAME, else the
                              host name) [PORTCULLIS_NODE_ID]
        --http-port N         plain HTTP/1.1 listener (default 8080) [PORTCULLIS_HTTP_PORT]
        --https-port N        HTTPS listener (default 8443) [PORTCULLIS_HTTPS_PORT]; SNI picks
                              the certificate the operator sent
        --admin-port N        /ready, /healthz, /metrics (default 9901) [PORTCULLIS_ADMIN_PORT]
        --bind-address ADDR   address the listeners bind to (default 0.0.0.0)
                              [PORTCULLIS_BIND_ADDRESS]
        --log-level LEVEL     trace, debug, info, warn or error (default info)
                              [PORTCULLIS_LOG_LEVEL]
        --drain-delay D       after SIGTERM, keep accepting for D while /ready says 503
                              (default 5s, at most 5m) [PORTCULLIS_DRAIN_DELAY]
        --drain-timeout D     then let in-flight requests finish for up to D (default 25s,
                              1s to 1h) [PORTCULLIS_DRAIN_TIMEOUT]
        --access-log FORMAT   json (one line per request on stdout) or off (default json)
                              [PORTCULLIS_ACCESS_LOG]
        --cache-size SIZE     heap for the shared HTTP cache, e.g. 256Mi or 1Gi (default
                              128Mi); routes opt in with cache: {} [PORTCULLIS_CACHE_SIZE]
        --waf-rules DIR       the OWASP Core Rule Set for routes with a WAF: DIR/rules/*.conf
                              (default /usr/share/modsecurity-crs, Debian's modsecurity-crs)
                              [PORTCULLIS_WAF_RULES]
        --trusted-proxies CIDRS
                              comma-separated IPv4/IPv6 networks whose X-Forwarded-For is
                              believed, e.g. 10.0.0.0/8,2001:db8::/32 (default none: every
                              client's X-Forwarded-For is replaced) [PORTCULLIS_TRUSTED_PROXIES]
        --proxy-protocol MODE off, v1, v2 or any: require a PROXY protocol header first on
                              every connection (default off; only behind a load balancer
                              that sends it) [PORTCULLIS_PROXY_PROTOCOL]
        --max-connections-per-client N
                              open connections one client address may hold; more are closed
                              before TLS (default 0: unlimited)
                              [PORTCULLIS_MAX_CONNECTIONS_PER_CLIENT]
        --ip-deny CIDRS       client addresses refused with 403 on every host and route:
                              comma-separated CIDRs or addresses, or @FILE (one or more per
                              line, # comments), read at start (default none) [PORTCULLIS_IP_DENY]
        --io-transport NAME   the event loops' socket layer: io_uring, epoll, nio, or auto
                              (the default: io_uring where the kernel and the container
                              runtime allow it, else epoll, else nio)
                              [PORTCULLIS_IO_TRANSPORT]
        --help                print this text
      """;

  /**
   * Parses the command line and environment.
   *
   * @throws FlagException with a one-line message naming the offending flag
   */
  public static DataplaneOptions parse(String[] args, Map<String, String> env) {
    Flags flags = Flags.parse(args, env, FLAGS);
    // Every given value is checked before anything is reported missing: a typo in a flag the
    // user wrote is the more useful message.
    URI controlPlane = flags.get("control-plane", DataplaneOptions::controlPlane, null);
    String nodeId = flags.get("node-id", DataplaneOptions::nodeId, defaultNodeId(env));
    int httpPort = flags.get("http-port", Flags::port, DEFAULT_HTTP_PORT);
    int httpsPort = flags.get("https-port", Flags::port, DEFAULT_HTTPS_PORT);
    int adminPort = flags.get("admin-port", Flags::port, DEFAULT_ADMIN_PORT);
    String bindAddress =
        flags.get("bind-address", DataplaneOptions::bindAddress, DEFAULT_BIND_ADDRESS);
    String logLevel = flags.get("log-level", DataplaneOptions::logLevel, DEFAULT_LOG_LEVEL);
    Duration drainDelay = flags.get("drain-delay", DataplaneOptions::drainDelay, DEFAULT_DRAIN_DELAY);
    Duration drainTimeout =
        flags.get("drain-timeout", DataplaneOptions::drainTimeout, DEFAULT_DRAIN_TIMEOUT);
    boolean accessLog = flags.get("access-log", DataplaneOptions::accessLog, true);
    long cacheSize = flags.get("cache-size", DataplaneOptions::cacheSize, DEFAULT_CACHE_SIZE);
    Path wafRules = flags.get("waf-rules", DataplaneOptions::wafRules, DEFAULT_WAF_RULES);
    ClientAddressSettings clientAddresses = new ClientAddressSettings(
        flags.get("trusted-proxies", TrustedProxies::parse, TrustedProxies.NONE),
        flags.get("proxy-protocol", ProxyProtocol::parse, ProxyProtocol.OFF),
        flags.get("max-connections-per-client", DataplaneOptions::maxConnectionsPerClient, 0));
    List<String> ipDeny = flags.get("ip-deny", DataplaneOptions::ipDeny, List.of());
    Transport transport = flags.get("io-transport", Transport::named, Transport.best());
    for (String tlsFlag : TLS_FLAGS) {
      flags.get(tlsFlag, Path::of, null);
    }
    if (controlPlane == null) {
      throw new FlagException(
          "--control-plane is required (e.g. --control-plane http://127.0.0.1:18000; --help lists every flag)");
    }
    if (httpPort != 0 && httpPort == adminPort) {
      throw new FlagException("--http-port and --admin-port are both " + httpPort);
    }
    if (httpPort != 0 && httpPort == httpsPort) {
      throw new FlagException("--http-port and --https-port are both " + httpPort);
    }
    if (adminPort != 0 && adminPort == httpsPort) {
      throw new FlagException("--admin-port and --https-port are both " + adminPort);
    }
    return new DataplaneOptions(
        controlPlane, nodeId, httpPort, httpsPort, adminPort, bindAddress, logLevel,
        tlsFiles(flags, controlPlane), drainDelay, drainTimeout, accessLog, cacheSize, wafRules,
        clientAddresses, ipDeny,
        transport);
  }

  /**
   * Comma-separated CIDRs, or {@code @FILE} with CIDRs separated by commas, blanks or lines and
   * {@code #} comments: a block list too long for an environment variable (a mounted ConfigMap).
   */
  static List<String> ipDeny(String text) {
    String list = text.trim();
    if (list.startsWith("@")) {
      Path file = Path.of(list.substring(1));
      try {
        list = Files.readString(file).replaceAll("#[^\n]*", "");
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
      }
    }
    List<String> entries = Arrays.stream(list.split("[,\\s]+"))
        .filter(s -> !s.isEmpty()).toList();
    try {
      return IpRules.canonical(entries, "deny");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().replaceFirst("^ip deny: ", ""));
    }
  }

  /** A directory given explicitly must hold rule files (the default may be absent until used). */
  static Path wafRules(String text) {
    Path dir = Path.of(text.trim());
    if (!java.nio.file.Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a directory: " + text);
    }
    return dir;
  }

  /** The three TLS files: all of them for https://, none for http:// (loopback only). */
  private static TlsFiles tlsFiles(Flags flags, URI controlPlane) {
    boolean https = "https".equalsIgnoreCase(controlPlane.getScheme());
    if (!https) {
      for (String flag : TLS_FLAGS) {
        if (flags.has(flag)) {
          throw new FlagException("--" + flag + " needs an https:// --control-plane");
        }
      }
      if (!StreamClient.isLoopback(controlPlane.getHost())) {
        throw new FlagException("bad value '" + controlPlane + "' for --control-plane: plaintext"
            + " http:// only to a loopback host (snapshots carry private keys); use https:// with"
            + " --tls-cert, --tls-key and --tls-ca");
      }
      return null;
    }
    for (String flag : TLS_FLAGS) {
      if (!flags.has(flag)) {
        throw new FlagException("--" + flag + " is required with an https:// --control-plane");
      }
    }
    return new TlsFiles(
        flags.get("tls-cert", Path::of, null),
        flags.get("tls-key", Path::of, null),
        flags.get("tls-ca", Path::of, null));
  }

  /** {@code true} when the arguments ask for the usage text. */
  public static boolean wantsHelp(String[] args) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  static URI controlPlane(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL");
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("expected https://HOST:PORT or http://127.0.0.1:PORT");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("the URL has no host");
    }
    if (uri.getPort() > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535");
    }
    return uri;
  }

  static String nodeId(String text) {
    if (text.isEmpty() || text.length() > 253) {
      throw new IllegalArgumentException("must be 1 to 253 characters");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // Node ids end up in logs, metrics labels and the operator's status: keep them printable.
      if (c <= ' ' || c >= 0x7f) {
        throw new IllegalArgumentException("only printable ASCII without spaces");
      }
    }
    return text;
  }

  static String bindAddress(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty address");
    }
    // Literal addresses only: a host name here would make start-up depend on DNS.
    boolean ipv4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (ipv4) {
      for (String octet : text.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          throw new IllegalArgumentException("not an IP address");
        }
      }
    }
    boolean ipv6 = text.indexOf(':') >= 0 && text.matches("[0-9a-fA-F:.]+");
    if (!ipv4 && !ipv6) {
      throw new IllegalArgumentException("expected an IP address such as 0.0.0.0 or ::");
    }
    try {
      InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address");
    }
    return text;
  }

  static String logLevel(String text) {
    String level = text.toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw new IllegalArgumentException("expected trace, debug, info, warn or error");
    }
    return level;
  }

  static Duration drainDelay(String text) {
    Duration delay = Flags.duration(text);
    if (delay.compareTo(MAX_DRAIN_DELAY) > 0) {
      throw new IllegalArgumentException("at most 5m");
    }
    return delay;
  }

  static Duration drainTimeout(String text) {
    Duration timeout = Flags.duration(text);
    if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(MAX_DRAIN_TIMEOUT) > 0) {
      throw new IllegalArgumentException("must be between 1s and 1h");
    }
    return timeout;
  }

  static long cacheSize(String text) {
    long size = io.portcullis.cli.ByteSizes.parse(text);
    if (size < 1L << 20) {
      throw new IllegalArgumentException("must be at least 1Mi");
    }
    return size;
  }

  static int maxConnectionsPerClient(String text) {
    int max;
    try {
      max = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a whole number (0: unlimited)");
    }
    if (max < 0 || max > ClientAddressSettings.MAX_CONNECTIONS_LIMIT) {
      throw new IllegalArgumentException(
          "must be between 0 (unlimited) and " + ClientAddressSettings.MAX_CONNECTIONS_LIMIT);
    }
    return max;
  }

  static boolean accessLog(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "json" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException("expected json or off");
    };
  }

  private static String defaultNodeId(Map<String, String> env) {
    String host = env.get("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "dataplane";
    }
  }
}
