package io.portcullis.dataplane;

import io.portcullis.dataplane.filter.ChainCompiler;
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

  @Test
  void dataplanePackagesAreFreeOfCycles() {
    slices()
        .matching("io.portcullis.dataplane.(*)..")
        .should()
        .beFreeOfCycles()
        .check(DATAPLANE);
  }

  @Test
  void filtersSeeTheFilterApiNotTheProxy() {
    noClasses()
        .that()
        .resideInAnyPackage("io.portcullis.dataplane.filter..", "io.portcullis.dataplane.filters..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.portcullis.dataplane.proxy..", "io.portcullis.dataplane.h2..",
            "io.portcullis.dataplane.stream..")
        .check(DATAPLANE);
  }

  @Test
  void theFilterApiKnowsNoFilterAndNoConfig() {
    noClasses()
        .that()
        .resideInAPackage("io.portcullis.dataplane.filter")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.portcullis.dataplane.filters..", "io.portcullis.dataplane.config..",
            "io.portcullis.dataplane.cluster..")
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
