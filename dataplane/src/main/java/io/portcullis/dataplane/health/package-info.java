/**
 * Endpoint health for the dataplane: active HTTP health checks and passive outlier detection.
 *
 * <p>Both only set state on {@link io.portcullis.dataplane.lb.UpstreamEndpoint}
 * ({@code activeHealthy}, the ejection deadline); {@code ClusterRuntime.pick} reads it, with panic
 * mode as the safety net. Entry points:
 *
 * <ul>
 *   <li>{@link io.portcullis.dataplane.health.HealthCheckService} hears the clusters in service
 *       after every config change (a {@link io.portcullis.dataplane.health.ClustersListener}) and
 *       runs one {@code HealthProbe} per checked endpoint on the proxy's event loops.
 *   <li>{@link io.portcullis.dataplane.health.OutlierDetector}, one per cluster ({@code
 *       ClusterRuntime.outliers()}), hears every request outcome from the proxy; its javadoc is
 *       the contract for callers (retries included).
 * </ul>
 *
 * <p>This package sits below the cluster runtime and the config: it sees a cluster only as a
 * {@link io.portcullis.dataplane.health.CheckedCluster} and never imports them.
 */
package io.portcullis.dataplane.health;
