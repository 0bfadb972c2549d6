package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads raw HPACK header blocks the way a peer's decoder does (one decoder per connection, blocks
 * in order) and tells, for each field, which representation the encoder chose (RFC 7541 §6):
 * what the decoded headers cannot show.
 */
final class HpackBlocks {
  /** HPACK field representations. */
  enum Representation { INDEXED, INCREMENTAL_INDEXING, WITHOUT_INDEXING, NEVER_INDEXED }

  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(true);

  /** The next block of the connection: each field's name and representation, in order. */
  List<Map.Entry<String, Representation>> read(byte[] block) throws Http2Exception {
    Http2Headers decoded = decoder.decodeHeaders(1, Unpooled.wrappedBuffer(block));
    List<Representation> kinds = representations(Unpooled.wrappedBuffer(block));
    List<Map.Entry<String, Representation>> fields = new ArrayList<>();
    int i = 0;
    for (Map.Entry<CharSequence, CharSequence> h : decoded) {
      fields.add(Map.entry(h.getKey().toString(), kinds.get(i++)));
    }
    assertEquals(kinds.size(), i, "one representation per field");
    return fields;
  }

  /** Each field's representation in a header block, in order; names and values are skipped, not decoded. */
  static List<Representation> representations(ByteBuf block) {
    List<Representation> kinds = new ArrayList<>();
    while (block.isReadable()) {
      int b = block.getUnsignedByte(block.readerIndex());
      if ((b & 0x80) != 0) {
        integer(block, 7);
        kinds.add(Representation.INDEXED);
        continue;
      }
      if ((b & 0xe0) == 0x20) { // dynamic table size update: no field
        integer(block, 5);
        continue;
      }
      Representation kind = (b & 0x40) != 0 ? Representation.INCREMENTAL_INDEXING
          : (b & 0x10) != 0 ? Representation.NEVER_INDEXED : Representation.WITHOUT_INDEXING;
      int nameIndex = integer(block, kind == Representation.INCREMENTAL_INDEXING ? 6 : 4);
      if (nameIndex == 0) {
        skipString(block);
      }
      skipString(block);
      kinds.add(kind);
    }
    return kinds;
  }

  /** An integer with an N-bit prefix (RFC 7541 §5.1). */
  private static int integer(ByteBuf in, int prefixBits) {
    int max = (1 << prefixBits) - 1;
    int value = in.readUnsignedByte() & max;
    if (value < max) {
      return value;
    }
    int shift = 0;
    int b;
    do {
      b = in.readUnsignedByte();
      value += (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return value;
  }

  /** A string literal (RFC 7541 §5.2), Huffman-coded or not. */
  private static void skipString(ByteBuf in) {
    in.skipBytes(integer(in, 7));
  }

  /**
   * The header blocks of HEADERS frames in a client's byte stream (preface first), in order. The
   * frames must carry whole blocks without padding or priority, as Netty's encoder writes them.
   */
  static List<byte[]> clientHeaderBlocks(byte[] stream) {
    ByteBuf in = Unpooled.wrappedBuffer(stream);
    in.skipBytes(24); // PRI * HTTP/2.0 ...
    List<byte[]> blocks = new ArrayList<>();
    while (in.readableBytes() >= 9) {
      int length = in.readUnsignedMedium();
      int type = in.readUnsignedByte();
      in.readUnsignedByte();
      in.readInt();
      if (in.readableBytes() < length) {
        break;
      }
      byte[] payload = new byte[length];
      in.readBytes(payload);
      if (type == 1) {
        blocks.add(payload);
      }
    }
    return blocks;
  }
}
