package io.portcullis.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both ends get the same pipeline: idle detector at the socket end, codec, keepalive, streams. */
class StreamPipelineTest {
  private static List<String> names(EmbeddedChannel channel) {
    return channel.pipeline().names().stream().filter(n -> !n.startsWith("DefaultChannelPipeline")).toList();
  }

  @Test
  void theServerPipelineIsIdleCodecKeepaliveStreams() {
    EmbeddedChannel channel = new EmbeddedChannel();
    StreamPipeline.http2Server(channel, Http2Settings.defaultSettings(), 1_000,
        new ChannelInboundHandlerAdapter());
    assertEquals(List.of("idle", "http2", "keepalive", "streams"), names(channel));
    assertInstanceOf(IdleStateHandler.class, channel.pipeline().get("idle"));
    assertInstanceOf(Http2FrameCodec.class, channel.pipeline().get("http2"));
    assertInstanceOf(Keepalive.class, channel.pipeline().get("keepalive"));
    assertInstanceOf(Http2MultiplexHandler.class, channel.pipeline().get("streams"));
    channel.finishAndReleaseAll();
  }

  @Test
  void theClientPipelineIsTheSameAndItsConnectionWindowCanBeWidened() {
    EmbeddedChannel channel = new EmbeddedChannel();
    StreamPipeline.http2Client(channel, Http2Settings.defaultSettings(), 1_000);
    assertEquals(List.of("idle", "http2", "keepalive", "streams"), names(channel));
    StreamPipeline.widenConnectionWindow(channel, 4 * 1024 * 1024);
    Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
    assertEquals(4 * 1024 * 1024, codec.connection().local().flowController()
        .windowSize(codec.connection().connectionStream()));
    channel.finishAndReleaseAll();
  }
}
