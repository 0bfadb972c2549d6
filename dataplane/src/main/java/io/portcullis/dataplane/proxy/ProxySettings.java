package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.clientaddress.ClientAddressSettings;
import io.portcullis.dataplane.h2.Http2Limits;
import java.time.Duration;
import java.util.Objects;

/**
 * Every limit and timeout of the HTTP/1.1 proxy listener. Build with {@link #builder()}; every
 * field has a safe default.
 *
 * @param bindAddress address to listen on; default {@code 0.0.0.0}
 * @param port TCP port; 0 picks an ephemeral port; default 8080
 * @param workerThreads event loops; default {@code Runtime.availableProcessors()}
 * @param maxInitialLineLength longest request line; longer gets 414; default 8 KiB
 * @param maxHeaderSize all request header lines together; more gets 431; default 32 KiB
 * @param maxRequestBodyBytes largest declared {@code Content-Length}; more gets 413. Default 4 GiB:
 *     bodies stream, so the limit guards nothing in memory; it only has to allow a 1 GB upload.
 *     Chunked bodies are not counted (they stream as well).
 * @param headerReadTimeout from the first byte of a request until its head is complete; a slow
 *     client gets 408 and a closed connection; default 30 s
 * @param upstreamConnectTimeout TCP connect to a backend; failure gets 502; default 5 s
 * @param responseTimeout from sending the request head upstream until the response head arrives,
 *     when the route sets none; exceeded gets 504; default 60 s
 * @param downstreamIdleTimeout a client connection with no traffic and no request in flight is
 *     closed after this (also bounds idle WebSocket tunnels); default 60 s
 * @param upstreamIdleTimeout a pooled backend connection unused for this long is closed; default
 *     60 s (keep it below the backends' own keep-alive timeout)
 * @param maxIdleUpstreamPerEndpoint idle keep-alive connections kept per backend endpoint per
 *     event loop; default 1024. It must exceed the number of requests one loop has in flight to
 *     one endpoint, or every burst closes and reopens connections (32 measured 28,000 new backend
 *     connections in 5 s at 64 concurrent clients); idle ones cost a socket and close after
 *     {@code upstreamIdleTimeout}
 * @param shutdownGracePeriod how long {@link ProxyServer#close()} lets in-flight requests finish;
 *     default 10 s (also how long an HTTP/2 connection that got GOAWAY waits for its streams)
 * @param http2MaxConcurrentStreams HTTP/2 {@code SETTINGS_MAX_CONCURRENT_STREAMS}: streams a client
 *     may have open on one connection; more are refused with {@code REFUSED_STREAM}; default 100
 * @param http2InitialStreamWindow HTTP/2 {@code SETTINGS_INITIAL_WINDOW_SIZE}: request body bytes a
 *     client may send on one stream before the proxy has passed them on (so the most it buffers per
 *     stream); default 64 KiB
 * @param http2ConnectionWindow request body bytes in flight on one connection, all streams
 *     together; default 1 MiB
 * @param http2MaxResetsPerWindow {@code RST_STREAM} frames a client may send per connection in
 *     {@link #HTTP2_FLOOD_WINDOW}; one more gets {@code GOAWAY ENHANCE_YOUR_CALM} and the connection
 *     closed (rapid reset, CVE-2023-44487); default 200
 * @param http2MaxControlFramesPerWindow {@code SETTINGS} and {@code PING} frames a client may send
 *     per connection in {@link #HTTP2_FLOOD_WINDOW}; one more gets {@code GOAWAY ENHANCE_YOUR_CALM};
 *     default 1000
 * @param exchangeIdleTimeout a request in flight fails when no byte moved either way for this
 *     long, when its route sets none: 504 before the response started, else the connection
 *     closes; default 60 s
 * @param maxReplayBodyBytes request bodies up to this size are kept while a retry is possible (so
 *     the retry can send them again) and are copied to a mirror; a bigger body is not retried
 *     after it started to flow, and is not mirrored; default 64 KiB
 * @param clientAddresses trusted proxies, the PROXY protocol and the per-client connection limit;
 *     default none of them
 * @param transport the socket layer of the event loops; default {@link Transport#best()}
 */
public record ProxySettings(
    String bindAddress,
    int port,
    int workerThreads,
    int maxInitialLineLength,
    int maxHeaderSize,
    long maxRequestBodyBytes,
    Duration headerReadTimeout,
    Duration upstreamConnectTimeout,
    Duration responseTimeout,
    Duration downstreamIdleTimeout,
    Duration upstreamIdleTimeout,
    int maxIdleUpstreamPerEndpoint,
    Duration shutdownGracePeriod,
    int http2MaxConcurrentStreams,
    int http2InitialStreamWindow,
    int http2ConnectionWindow,
    int http2MaxResetsPerWindow,
    int http2MaxControlFramesPerWindow,
    Duration exchangeIdleTimeout,
    int maxReplayBodyBytes,
    ClientAddressSettings clientAddresses,
    Transport transport) {

  /** The window in which HTTP/2 resets and control frames are counted. */
  public static final Duration HTTP2_FLOOD_WINDOW = Http2Limits.FLOOD_WINDOW;

  /** What the HTTP/2 listener side needs of these settings. */
  public Http2Limits http2() {
    return new Http2Limits(http2MaxConcurrentStreams, http2InitialStreamWindow,
        http2ConnectionWindow, maxHeaderSize, http2MaxControlFramesPerWindow,
        http2MaxResetsPerWindow, downstreamIdleTimeout, headerReadTimeout, shutdownGracePeriod);
  }

  public ProxySettings {
    Objects.requireNonNull(bindAddress, "bindAddress");
    requireRange(port, 0, 65535, "port");
    requireRange(workerThreads, 1, 1024, "workerThreads");
    requireRange(maxInitialLineLength, 64, 1 << 20, "maxInitialLineLength");
    requireRange(maxHeaderSize, 256, 1 << 22, "maxHeaderSize");
    if (maxRequestBodyBytes < 0) {
      throw new IllegalArgumentException("maxRequestBodyBytes must be >= 0");
    }
    requirePositive(headerReadTimeout, "headerReadTimeout");
    requirePositive(upstreamConnectTimeout, "upstreamConnectTimeout");
    requirePositive(responseTimeout, "responseTimeout");
    requirePositive(downstreamIdleTimeout, "downstreamIdleTimeout");
    requirePositive(upstreamIdleTimeout, "upstreamIdleTimeout");
    requireRange(maxIdleUpstreamPerEndpoint, 0, 10_000, "maxIdleUpstreamPerEndpoint");
    Objects.requireNonNull(shutdownGracePeriod, "shutdownGracePeriod");
    requireRange(http2MaxConcurrentStreams, 1, 10_000, "http2MaxConcurrentStreams");
    // 65535 is the protocol's initial value; 2^31-1 its maximum.
    requireRange(http2InitialStreamWindow, 1024, Integer.MAX_VALUE, "http2InitialStreamWindow");
    requireRange(http2ConnectionWindow, 65_535, Integer.MAX_VALUE, "http2ConnectionWindow");
    requireRange(http2MaxResetsPerWindow, 1, 1_000_000, "http2MaxResetsPerWindow");
    requireRange(http2MaxControlFramesPerWindow, 1, 1_000_000, "http2MaxControlFramesPerWindow");
    requirePositive(exchangeIdleTimeout, "exchangeIdleTimeout");
    requireRange(maxReplayBodyBytes, 0, 16 << 20, "maxReplayBodyBytes");
    Objects.requireNonNull(clientAddresses, "clientAddresses");
    Objects.requireNonNull(transport, "transport");
  }

  public static ProxySettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.bindAddress = bindAddress;
    b.port = port;
    b.workerThreads = workerThreads;
    b.maxInitialLineLength = maxInitialLineLength;
    b.maxHeaderSize = maxHeaderSize;
    b.maxRequestBodyBytes = maxRequestBodyBytes;
    b.headerReadTimeout = headerReadTimeout;
    b.upstreamConnectTimeout = upstreamConnectTimeout;
    b.responseTimeout = responseTimeout;
    b.downstreamIdleTimeout = downstreamIdleTimeout;
    b.upstreamIdleTimeout = upstreamIdleTimeout;
    b.maxIdleUpstreamPerEndpoint = maxIdleUpstreamPerEndpoint;
    b.shutdownGracePeriod = shutdownGracePeriod;
    b.http2MaxConcurrentStreams = http2MaxConcurrentStreams;
    b.http2InitialStreamWindow = http2InitialStreamWindow;
    b.http2ConnectionWindow = http2ConnectionWindow;
    b.http2MaxResetsPerWindow = http2MaxResetsPerWindow;
    b.http2MaxControlFramesPerWindow = http2MaxControlFramesPerWindow;
    b.exchangeIdleTimeout = exchangeIdleTimeout;
    b.maxReplayBodyBytes = maxReplayBodyBytes;
    b.clientAddresses = clientAddresses;
    b.transport = transport;
    return b;
  }

  private static void requireRange(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
    }
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration");
    }
  }

  /** Builder holding the documented defaults. */
  public static final class Builder {
    private String bindAddress = "0.0.0.0";
    private int port = 8080;
    private int workerThreads = Runtime.getRuntime().availableProcessors();
    private int maxInitialLineLength = 8 * 1024;
    private int maxHeaderSize = 32 * 1024;
    private long maxRequestBodyBytes = 4L * 1024 * 1024 * 1024;
    private Duration headerReadTimeout = Duration.ofSeconds(30);
    private Duration upstreamConnectTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ofSeconds(60);
    private Duration downstreamIdleTimeout = Duration.ofSeconds(60);
    private Duration upstreamIdleTimeout = Duration.ofSeconds(60);
    private int maxIdleUpstreamPerEndpoint = 1024;
    private Duration shutdownGracePeriod = Duration.ofSeconds(10);
    private int http2MaxConcurrentStreams = 100;
    private int http2InitialStreamWindow = 64 * 1024;
    private int http2ConnectionWindow = 1024 * 1024;
    private int http2MaxResetsPerWindow = 200;
    private int http2MaxControlFramesPerWindow = 1000;
    private Duration exchangeIdleTimeout = Duration.ofSeconds(60);
    private int maxReplayBodyBytes = 64 * 1024;
    private ClientAddressSettings clientAddresses = ClientAddressSettings.DEFAULT;
    private Transport transport = Transport.best();

    private Builder() {}

    public Builder bindAddress(String v) { bindAddress = v; return this; }
    public Builder port(int v) { port = v; return this; }
    public Builder workerThreads(int v) { workerThreads = v; return this; }
    public Builder maxInitialLineLength(int v) { maxInitialLineLength = v; return this; }
    public Builder maxHeaderSize(int v) { maxHeaderSize = v; return this; }
    public Builder maxRequestBodyBytes(long v) { maxRequestBodyBytes = v; return this; }
    public Builder headerReadTimeout(Duration v) { headerReadTimeout = v; return this; }
    public Builder upstreamConnectTimeout(Duration v) { upstreamConnectTimeout = v; return this; }
    public Builder responseTimeout(Duration v) { responseTimeout = v; return this; }
    public Builder downstreamIdleTimeout(Duration v) { downstreamIdleTimeout = v; return this; }
    public Builder upstreamIdleTimeout(Duration v) { upstreamIdleTimeout = v; return this; }
    public Builder maxIdleUpstreamPerEndpoint(int v) { maxIdleUpstreamPerEndpoint = v; return this; }
    public Builder shutdownGracePeriod(Duration v) { shutdownGracePeriod = v; return this; }
    public Builder http2MaxConcurrentStreams(int v) { http2MaxConcurrentStreams = v; return this; }
    public Builder http2InitialStreamWindow(int v) { http2InitialStreamWindow = v; return this; }
    public Builder http2ConnectionWindow(int v) { http2ConnectionWindow = v; return this; }
    public Builder http2MaxResetsPerWindow(int v) { http2MaxResetsPerWindow = v; return this; }
    public Builder http2MaxControlFramesPerWindow(int v) {
      http2MaxControlFramesPerWindow = v;
      return this;
    }
    public Builder exchangeIdleTimeout(Duration v) { exchangeIdleTimeout = v; return this; }
    public Builder maxReplayBodyBytes(int v) { maxReplayBodyBytes = v; return this; }
    public Builder clientAddresses(ClientAddressSettings v) { clientAddresses = v; return this; }
    public Builder transport(Transport v) { transport = v; return this; }

    public ProxySettings build() {
      return new ProxySettings(
          bindAddress, port, workerThreads, maxInitialLineLength, maxHeaderSize,
          maxRequestBodyBytes, headerReadTimeout, upstreamConnectTimeout, responseTimeout,
          downstreamIdleTimeout, upstreamIdleTimeout, maxIdleUpstreamPerEndpoint,
          shutdownGracePeriod, http2MaxConcurrentStreams, http2InitialStreamWindow,
          http2ConnectionWindow, http2MaxResetsPerWindow, http2MaxControlFramesPerWindow,
          exchangeIdleTimeout, maxReplayBodyBytes, clientAddresses, transport);
    }
  }
}
