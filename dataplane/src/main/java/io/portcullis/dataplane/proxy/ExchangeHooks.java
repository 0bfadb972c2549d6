package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.RequestBodyWatcher;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What filters hung on one exchange: a watcher of the request body (body limits) and tasks to
 * run once the exchange ends however it ends (concurrency counts). Event loop only.
 */
final class ExchangeHooks {
  private static final Logger log = LoggerFactory.getLogger(ExchangeHooks.class);

  private RequestBodyWatcher bodyWatcher;
  /** Request body bytes that arrived so far. */
  private long bodyBytes;
  /** Null until a task is added, and once ended. */
  private List<Runnable> endTasks;
  private boolean ended;

  void watchRequestBody(RequestBodyWatcher watcher) {
    bodyWatcher = watcher;
  }

  /**
   * Counts a body part; returns the watcher's answer when it stops the request (the watcher is
   * then dropped), else null.
   */
  LocalResponse bodyPart(int bytes) {
    bodyBytes += bytes;
    if (bodyWatcher == null) {
      return null;
    }
    LocalResponse stop = bodyWatcher.onPart(bodyBytes);
    if (stop != null) {
      bodyWatcher = null;
    }
    return stop;
  }

  /** Runs {@code task} when the exchange ends; at once when it has ended already. */
  void onEnd(Runnable task) {
    if (ended) {
      task.run();
      return;
    }
    if (endTasks == null) {
      endTasks = new ArrayList<>(1);
    }
    endTasks.add(task);
  }

  /** The exchange left its connection: runs the end tasks, once. */
  void end(String route) {
    if (ended) {
      return;
    }
    ended = true;
    List<Runnable> tasks = endTasks;
    endTasks = null;
    if (tasks == null) {
      return;
    }
    for (Runnable task : tasks) {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("an exchange end task failed on route {}", route, e);
      }
    }
  }
}
