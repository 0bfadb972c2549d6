package io.portcullis.dataplane.proxy;

/**
 * Events the proxy fires from the pipeline head (so handlers in front of the HTTP codec see them).
 */
enum ProxyEvent {
  /** A complete request head was decoded. */
  REQUEST_HEAD_RECEIVED,
  /** The response to the current request was fully written; the connection waits for the next. */
  EXCHANGE_COMPLETE
}
