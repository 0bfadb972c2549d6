package io.portcullis.dataplane.proxy;

import io.netty.channel.Channel;
import io.portcullis.dataplane.upstream.UpstreamKey;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.Set;

/**
 * Idle keep-alive HTTP/1.1 connections to backends, by {@link UpstreamKey} (endpoint and TLS
 * settings), for ONE event loop. Upstream channels live on the event
 * loop of the client connection that opened them, so the pool needs no locks; it must only be
 * touched from its loop.
 */
final class UpstreamPool {
  private final int maxIdlePerEndpoint;
  private final Map<UpstreamKey, ArrayDeque<Channel>> idle = new HashMap<>();

  UpstreamPool(int maxIdlePerEndpoint) {
    this.maxIdlePerEndpoint = maxIdlePerEndpoint;
  }

  /** The most recently used live idle connection to {@code endpoint}, or null. */
  Channel poll(UpstreamKey endpoint) {
    ArrayDeque<Channel> channels = idle.get(endpoint);
    if (channels == null) {
      return null;
    }
    Channel ch;
    while ((ch = channels.pollLast()) != null) {
      if (ch.isActive()) {
        return ch;
      }
      ch.close();
    }
    return null;
  }

  /** Keeps {@code ch} for reuse, or closes it when the endpoint already has enough idle ones. */
  void offer(UpstreamKey endpoint, Channel ch) {
    if (!ch.isActive()) {
      return;
    }
    ArrayDeque<Channel> channels = idle.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
    if (channels.size() >= maxIdlePerEndpoint) {
      ch.close();
      return;
    }
    channels.addLast(ch);
  }

  /** Forgets {@code ch} (it closed while idle). */
  void remove(UpstreamKey endpoint, Channel ch) {
    ArrayDeque<Channel> channels = idle.get(endpoint);
    if (channels != null) {
      channels.remove(ch);
      if (channels.isEmpty()) {
        idle.remove(endpoint);
      }
    }
  }

  /**
   * Closes one idle connection that {@code which} accepts; returns whether there was one. Only the
   * circuit breaker calls this, when a cluster is at its connection limit.
   */
  boolean closeOneIdle(Predicate<Channel> which) {
    for (ArrayDeque<Channel> channels : idle.values()) {
      for (Channel ch : channels) {
        if (which.test(ch)) {
          channels.remove(ch);
          ch.close();
          return true;
        }
      }
    }
    return false;
  }

  int idleCount(UpstreamKey endpoint) {
    ArrayDeque<Channel> channels = idle.get(endpoint);
    return channels == null ? 0 : channels.size();
  }

  /**
   * Closes the idle connections filed under keys not in {@code live} (their endpoints left every
   * cluster, or are reached with other settings now); the others stay pooled across the config
   * change. Walks the whole pool: for a config counted whole.
   */
  void retainOnly(Set<UpstreamKey> live) {
    var it = idle.entrySet().iterator();
    while (it.hasNext()) {
      var entry = it.next();
      if (!live.contains(entry.getKey())) {
        it.remove();
        entry.getValue().forEach(Channel::close);
      }
    }
  }

  /** Closes the idle connections filed under {@code gone}: as many lookups as keys. */
  void closeIdle(Set<UpstreamKey> gone) {
    for (UpstreamKey key : gone) {
      ArrayDeque<Channel> channels = idle.remove(key);
      if (channels != null) {
        channels.forEach(Channel::close);
      }
    }
  }

  void closeAll() {
    idle.values().forEach(q -> q.forEach(Channel::close));
    idle.clear();
  }
}
