package io.portcullis.dataplane.filter;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** What a filter's response phase decided. */
public sealed interface ResponseAction {

  /** Pass the response on (its head possibly changed in place) with its body as it is. */
  static ResponseAction proceed() {
    return Proceed.INSTANCE;
  }

  /**
   * Pass the response on with its body rewritten by {@code transform} (compression, or a copy
   * kept by the cache). The filter must also fix the framing headers it invalidates (for
   * example remove {@code Content-Length} when the length changes).
   */
  static ResponseAction transform(BodyTransform transform) {
    return new Transform(transform);
  }

  /**
   * Send {@code response} instead (a cache that revalidated a stored response, say): the body of
   * the response it replaces is discarded, and the replacement passes the response phases of the
   * filters before this one.
   */
  static ResponseAction replace(LocalResponse response) {
    return new Replace(response);
  }

  /**
   * Send what {@code later} completes with instead, once it completes (an error page fetched from
   * another service): the body of the response it replaces is discarded now, and nothing goes to
   * the client meanwhile. The replacement passes the response phases of the filters before this
   * one, on the event loop. {@code later} should complete with an answer of the filter's own on
   * failure; one that fails anyway is answered with a 502.
   */
  static ResponseAction replaceLater(CompletionStage<LocalResponse> later) {
    return new ReplaceLater(later);
  }

  /** See {@link #proceed()}. */
  enum Proceed implements ResponseAction {
    INSTANCE
  }

  /** See {@link #transform}. */
  record Transform(BodyTransform transform) implements ResponseAction {
    public Transform {
      Objects.requireNonNull(transform, "transform");
    }
  }

  /** See {@link #replace}. */
  record Replace(LocalResponse response) implements ResponseAction {
    public Replace {
      Objects.requireNonNull(response, "response");
    }
  }

  /** See {@link #replaceLater}. */
  record ReplaceLater(CompletionStage<LocalResponse> later) implements ResponseAction {
    public ReplaceLater {
      Objects.requireNonNull(later, "later");
    }
  }
}
