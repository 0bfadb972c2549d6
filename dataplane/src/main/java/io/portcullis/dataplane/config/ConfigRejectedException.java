package io.portcullis.dataplane.config;

import java.util.List;

/** A snapshot that cannot be applied; the dataplane NACKs it and keeps its current config. */
public class ConfigRejectedException extends RuntimeException {
  private final List<String> resources;

  public ConfigRejectedException(String message, List<String> resources) {
    super(message);
    this.resources = List.copyOf(resources);
  }

  /** Names of the routes, virtual hosts or clusters that caused the rejection. */
  public List<String> resources() {
    return resources;
  }
}
