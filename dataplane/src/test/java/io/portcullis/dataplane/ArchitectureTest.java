package io.portcullis.dataplane;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The dataplane's package structure and the direction of the shared modules, kept by the build. */
class ArchitectureTest {
  private static final JavaClasses DATAPLANE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.portcullis.dataplane");

  private static final JavaClasses SHARED_MODULES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.portcullis.snapshot", "io.portcullis.transport");

  /**
   * TEMPORARY exclusion: {@code h2}, {@code proxy} and {@code tls} still form a cycle (issue 11,
   * item 5: the router out of proxy, HTTP/2 settings of their own). Dependencies among those three
   * are ignored until it is broken; then delete this exclusion. A cycle through any other package
   * still fails the test.
   */
  private static final String[] KNOWN_CYCLE = {
    "io.portcullis.dataplane.h2..", "io.portcullis.dataplane.proxy..", "io.portcullis.dataplane.tls.."
  };

  /**
   * TEMPORARY exclusion, like {@link #KNOWN_CYCLE}: {@code config} and {@code filters} depend on
   * each other (LiveConfig builds with StandardFilters, StandardFilters compiles with config's
   * ChainCompiler) while issue 11 item 6 (one atomic dataplane config) is under way. Delete it
   * when that cycle is broken.
   */
  private static final String[] KNOWN_CYCLE_CONFIG_FILTERS = {
    "io.portcullis.dataplane.config..", "io.portcullis.dataplane.filters.."
  };

  @Test
  void dataplanePackagesAreFreeOfCycles() {
    slices()
        .matching("io.portcullis.dataplane.(*)..")
        .should()
        .beFreeOfCycles()
        .ignoreDependency(resideInAnyPackage(KNOWN_CYCLE), resideInAnyPackage(KNOWN_CYCLE))
        .ignoreDependency(
            resideInAnyPackage(KNOWN_CYCLE_CONFIG_FILTERS),
            resideInAnyPackage(KNOWN_CYCLE_CONFIG_FILTERS))
        .check(DATAPLANE);
  }

  @Test
  void balancingHealthAndUpstreamConnectionsSitBelowTheClusterRuntimeAndTheConfig() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.portcullis.dataplane.lb..",
            "io.portcullis.dataplane.health..",
            "io.portcullis.dataplane.upstream..",
            "io.portcullis.dataplane.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.portcullis.dataplane.config..", "io.portcullis.dataplane.cluster..")
        .check(DATAPLANE);
  }

  @Test
  void theSnapshotContractAndTheStreamTransportKnowNeitherPlane() {
    noClasses()
        .that()
        .resideInAnyPackage("io.portcullis.snapshot..", "io.portcullis.transport..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.portcullis.operator..", "io.portcullis.dataplane..")
        .check(SHARED_MODULES);
  }
}
