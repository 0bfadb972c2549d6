/**
 * HTTP/2 towards clients: ALPN {@code h2} on the TLS listener ({@link
 * io.portcullis.dataplane.h2.AlpnSwitch}), h2c with prior knowledge on the plain one ({@link
 * io.portcullis.dataplane.h2.CleartextPrefaceDetector}), and the connection-level pipeline ({@link
 * io.portcullis.dataplane.h2.Http2Connections}): Netty's frame codec with Portcullis's limits and
 * flood bounds, one child channel per stream, and a guard for control-frame floods, idle
 * connections and GOAWAY on drain. Each stream runs the same per-request HTTP/1.x proxy logic as
 * an HTTP/1.1 connection, behind {@code Http2StreamFrameToHttpObjectCodec}.
 */
package io.portcullis.dataplane.h2;
