package io.portcullis.dataplane.proxy;

import io.netty.channel.ChannelPipeline;

/**
 * Handlers that observe client connections without being part of the proxy (byte counters, the
 * access log), added by the channel initializer at two fixed points of the pipeline.
 */
public interface ConnectionHooks {
  ConnectionHooks NONE = new ConnectionHooks() {};

  /** Called first, on the empty pipeline: what is added here sees the bytes on the socket. */
  default void connectionOpened(ChannelPipeline pipeline) {}

  /** Called right after the HTTP/1.1 codec was added: what is added here sees HTTP messages. */
  default void afterHttp1Codec(ChannelPipeline pipeline) {}
}
