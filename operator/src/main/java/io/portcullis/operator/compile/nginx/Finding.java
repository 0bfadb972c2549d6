package io.portcullis.operator.compile.nginx;

import java.util.Objects;

/**
 * What an Ingress's owner must hear about one annotation.
 *
 * @param annotation the full annotation name
 * @param kind refused (ignored, the rest served), invalid (a value we cannot use: its default
 *     applies) or changed (served, with a documented difference)
 * @param message names the annotation and says why
 */
public record Finding(String annotation, Kind kind, String message) {
  public enum Kind { REFUSED, INVALID, CHANGED }

  public Finding {
    Objects.requireNonNull(annotation, "annotation");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }
}
