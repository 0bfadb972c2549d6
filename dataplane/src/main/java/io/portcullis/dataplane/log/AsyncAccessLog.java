package io.portcullis.dataplane.log;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log behind a bounded queue: event loops only {@code offer} (never block, never
 * format, never write); one daemon thread formats each entry as a JSON line and writes it. When
 * the writer falls behind (stdout piped to a slow collector) entries are dropped and counted
 * rather than slowing the proxy down.
 */
public final class AsyncAccessLog implements AccessLog, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AsyncAccessLog.class);

  /** Entries waiting to be written; a few seconds of a busy proxy. */
  public static final int DEFAULT_CAPACITY = 16_384;

  /** Where formatted lines go: stdout in production, a list in tests. */
  public interface LineSink {
    void write(String line) throws IOException;

    /** Called when the queue ran empty: push buffered lines out. */
    default void flush() throws IOException {}
  }

  private final BlockingQueue<AccessLogEntry> queue;
  private final LineSink sink;
  private final Runnable onDrop;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  /**
   * @param onDrop called on the event loop for each entry dropped because the queue was full
   */
  public AsyncAccessLog(LineSink sink, int capacity, Runnable onDrop) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sink = sink;
    this.onDrop = onDrop;
    this.writer = new Thread(this::run, "access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** One JSON line per request on the process's stdout, buffered. */
  public static AsyncAccessLog toStdout(Runnable onDrop) {
    Writer out =
        new BufferedWriter(
            new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8),
            64 * 1024);
    return new AsyncAccessLog(
        new LineSink() {
          @Override
          public void write(String line) throws IOException {
            out.write(line);
            out.write('\n');
          }

          @Override
          public void flush() throws IOException {
            out.flush();
          }
        },
        DEFAULT_CAPACITY,
        onDrop);
  }

  @Override
  public void log(AccessLogEntry entry) {
    if (!queue.offer(entry)) {
      dropped.incrementAndGet();
      onDrop.run();
    }
  }

  /** Entries dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  private void run() {
    boolean failed = false;
    while (!closed || !queue.isEmpty()) {
      try {
        AccessLogEntry entry = queue.poll(200, TimeUnit.MILLISECONDS);
        if (entry == null) {
          continue;
        }
        sink.write(JsonLines.format(entry));
        if (queue.isEmpty()) {
          sink.flush();
        }
        failed = false;
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
      } catch (IOException | RuntimeException e) {
        if (!failed) { // once per run of failures, not once per line
          log.warn("cannot write the access log: {}", e.toString());
          failed = true;
        }
      }
    }
    try {
      sink.flush();
    } catch (IOException e) {
      log.debug("final access log flush failed: {}", e.toString());
    }
  }

  /** Writes what is queued (up to a second), then stops the writer thread. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
