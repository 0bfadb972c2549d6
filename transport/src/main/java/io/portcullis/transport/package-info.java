/**
 * The snapshot stream's transport, one implementation for both planes: the operator's stream
 * server and the dataplane's stream client set up their connections with {@link
 * io.portcullis.transport.StreamPipeline} (TLS, the HTTP/2 frame codec, {@link
 * io.portcullis.transport.Keepalive}, the stream multiplexer), speak through a {@link
 * io.portcullis.transport.MessageStreamHandler} (HTTP/2 frames in, stream messages out), and build
 * their TLS contexts with {@link io.portcullis.transport.ControlChannelTls} (the dataplane's from
 * watched PEM files, {@link io.portcullis.transport.ControlPlaneTls}).
 *
 * <p>It depends on the snapshot contract and Netty only; what a message means (hello, ack,
 * versions) stays with each plane.
 */
package io.portcullis.transport;
