package io.portcullis.dataplane.filter;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** What a filter's request phase decided. */
public sealed interface FilterAction {

  /** Go on with the next filter, and at the end of the chain with the terminal step. */
  static FilterAction proceed() {
    return Proceed.INSTANCE;
  }

  /**
   * Answer the request here; the rest of the chain and the terminal step are skipped, and the
   * response passes the response phases of the filters before this one.
   */
  static FilterAction respond(LocalResponse response) {
    return new Respond(response);
  }

  /**
   * Wait for {@code next} without blocking the event loop (an auth call, a token exchange, a
   * buffered request body); the chain goes on, on the event loop, with the action it completes
   * with. A stage that fails is answered with a 500 and logged: filters that can fail in an
   * expected way complete with their own answer instead.
   */
  static FilterAction pause(CompletionStage<FilterAction> next) {
    return new Pause(next);
  }

  /** See {@link #proceed()}. */
  enum Proceed implements FilterAction {
    INSTANCE
  }

  /** See {@link #respond}. */
  record Respond(LocalResponse response) implements FilterAction {
    public Respond {
      Objects.requireNonNull(response, "response");
    }
  }

  /** See {@link #pause}. */
  record Pause(CompletionStage<FilterAction> next) implements FilterAction {
    public Pause {
      Objects.requireNonNull(next, "next");
    }
  }
}
