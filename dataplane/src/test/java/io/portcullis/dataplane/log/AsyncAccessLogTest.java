package io.portcullis.dataplane.log;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncAccessLogTest {
  private static AccessLogEntry entry(String path) {
    return new AccessLogEntry(0, "id", "10.0.0.1", "GET", "a.example", path, "HTTP/1.1", 200,
        "r", "c", "10.1.1.1:80", 200, 1.5, 1.0, 0, 2, "ua\nwith a newline", 0);
  }

  @Test
  void aStuckWriterMakesEntriesDropAndCountInsteadOfBlockingTheCaller() throws Exception {
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch writing = new CountDownLatch(1);
    List<String> lines = new CopyOnWriteArrayList<>();
    AtomicInteger drops = new AtomicInteger();
    AsyncAccessLog log = new AsyncAccessLog(line -> {
      writing.countDown();
      try {
        if (!stuck.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("never released");
        }
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException();
      }
      lines.add(line);
    }, 1, drops::incrementAndGet);
    try {
      log.log(entry("/1")); // taken by the writer, which then hangs
      assertEquals(true, writing.await(10, TimeUnit.SECONDS));
      log.log(entry("/2")); // fills the queue of one
      log.log(entry("/3")); // dropped: the caller is an event loop and must not wait
      assertEquals(1, log.dropped());
      assertEquals(1, drops.get());

      stuck.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() == 2);
      assertEquals(true, lines.get(0).contains("\"path\":\"/1\""));
      assertEquals(true, lines.get(1).contains("\"path\":\"/2\""));
      assertEquals(false, lines.get(0).contains("\n"), "one line per entry, whatever the headers");
    } finally {
      stuck.countDown();
      log.close();
    }
  }

  @Test
  void linesOfManyLoggingThreadsAreAllWrittenWholeAndInEachThreadsOrder() throws Exception {
    int threads = 4;
    int perThread = 2_000;
    List<String> lines = new CopyOnWriteArrayList<>();
    AsyncAccessLog log = new AsyncAccessLog(lines::add, threads * perThread, () -> {
      throw new AssertionError("nothing may drop: there is room for every line");
    });
    try {
      List<Thread> loggers = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread logger = new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            log.log(entry("/" + id + "/" + i));
          }
        });
        loggers.add(logger);
        logger.start();
      }
      for (Thread logger : loggers) {
        logger.join(10_000);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() == threads * perThread);
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      int[] next = new int[threads];
      for (String line : lines) {
        String[] path = json.readTree(line).get("path").asText().split("/");
        int thread = Integer.parseInt(path[1]);
        assertEquals(next[thread]++, Integer.parseInt(path[2]), "thread " + thread + "'s lines in order");
      }
      assertEquals(0, log.dropped());
    } finally {
      log.close();
    }
  }

  @Test
  void aFailedWriteCostsItsLinesOnlyAndTheNextOnesAreWhole() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    AtomicInteger writes = new AtomicInteger();
    AsyncAccessLog log = new AsyncAccessLog(line -> {
      if (writes.incrementAndGet() == 1) {
        throw new java.io.IOException("broken pipe");
      }
      lines.add(line);
    }, 64, () -> {});
    try {
      log.log(entry("/1"));
      await().atMost(Duration.ofSeconds(10)).until(() -> writes.get() == 1);
      log.log(entry("/2"));
      log.log(entry("/3"));
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() == 2);
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      assertEquals("/2", json.readTree(lines.get(0)).get("path").asText());
      assertEquals("/3", json.readTree(lines.get(1)).get("path").asText());
    } finally {
      log.close();
    }
  }
}
