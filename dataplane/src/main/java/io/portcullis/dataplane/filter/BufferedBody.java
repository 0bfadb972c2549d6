package io.portcullis.dataplane.filter;

import io.netty.buffer.ByteBuf;

/**
 * The start of a request body, held so that a filter can inspect it before anything goes
 * upstream (a WAF, an external authorization call with the body). It still goes upstream after
 * the chain, unchanged.
 *
 * @param content the first bytes of the body, read-only and owned by the exchange: valid only
 *     until the filter's stage completes; copy what must outlive it
 * @param complete true when {@code content} is the whole body, false when the body was longer
 *     than the bytes asked for (the rest is streamed upstream unseen)
 */
public record BufferedBody(ByteBuf content, boolean complete) {}
