package io.portcullis.dataplane.log;

/**
 * Where finished requests go. Called on event loops: an implementation must never block (see
 * {@link AsyncAccessLog}).
 */
@FunctionalInterface
public interface AccessLog {
  void log(AccessLogEntry entry);
}
