package io.portcullis.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency direction between the modules is the architecture; these rules keep it. */
class ModuleDependencyTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.portcullis");
  }

  @Test
  void theSnapshotContractDependsOnJacksonAndTheJdkOnly() {
    classes()
        .that()
        .resideInAPackage("io.portcullis.snapshot..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("io.portcullis.snapshot..", "java..", "com.fasterxml.jackson..")
        .check(classes);
  }

  @Test
  void theDataplaneKnowsNothingOfTheOperatorOrKubernetes() {
    noClasses()
        .that()
        .resideInAPackage("io.portcullis.dataplane..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.portcullis.operator..", "io.fabric8..")
        .check(classes);
  }

  @Test
  void theSnapshotContractKnowsNeitherPlane() {
    noClasses()
        .that()
        .resideInAPackage("io.portcullis.snapshot..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.portcullis.operator..", "io.portcullis.dataplane..")
        .check(classes);
  }
}
