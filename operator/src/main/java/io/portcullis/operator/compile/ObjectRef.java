package io.portcullis.operator.compile;

/**
 * Names an object that gets a status or an event.
 *
 * @param kind {@code Ingress} or {@code ProxyRoute}
 * @param generation {@code metadata.generation}, written back as {@code observedGeneration}
 * @param uid {@code metadata.uid}, for Events' involvedObject; may be null in local mode
 */
public record ObjectRef(String kind, String namespace, String name, long generation, String uid) {
  @Override
  public String toString() {
    return kind + " " + namespace + "/" + name;
  }
}
