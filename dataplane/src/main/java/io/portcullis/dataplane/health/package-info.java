/**
 * Endpoint health for the dataplane: active HTTP health checks and passive outlier detection.
 *
 * <p>Both only set state on {@link io.portcullis.dataplane.lb.UpstreamEndpoint}
 * ({@code activeHealthy}, the ejection deadline); {@code ClusterRuntime.pick} reads it, with panic
 * mode as the safety net. Entry points:
 *
 * <ul>
 *   <li>{@link io.portcullis.dataplane.health.HealthCheckService} follows the live config and runs
 *       one {@code HealthProbe} per checked endpoint on the proxy's event loops.
 *   <li>{@link io.portcullis.dataplane.health.OutlierDetector}, one per cluster ({@code
 *       ClusterRuntime.outliers()}), hears every request outcome from the proxy; its javadoc is
 *       the contract for callers (retries included).
 * </ul>
 */
package io.portcullis.dataplane.health;
