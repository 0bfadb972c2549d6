package io.portcullis.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

/** The dependency direction DESIGN.md asks for, kept true by the build. */
class ArchitectureTest {
  private static final JavaClasses OPERATOR =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.portcullis.operator");

  @Test
  void theCompilerIsPureAndKnowsNothingOfTheOperatorsIo() {
    noClasses()
        .that()
        .resideInAPackage("io.portcullis.operator.compile..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.portcullis.operator",
            "io.portcullis.operator.source..",
            "io.portcullis.operator.cache..",
            "io.portcullis.operator.status..",
            "io.portcullis.operator.metrics..",
            "io.portcullis.operator.stream..",
            "io.fabric8.kubernetes.client.dsl..",
            "io.fabric8.kubernetes.client.informers..")
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(KubernetesClient.class)
        .check(OPERATOR);
  }

  @Test
  void sourcesAndTheStatusWriterDoNotReachIntoEachOther() {
    noClasses()
        .that()
        .resideInAnyPackage("io.portcullis.operator.source..", "io.portcullis.operator.cache..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.portcullis.operator.status..", "io.portcullis.operator.stream..")
        .check(OPERATOR);
    noClasses()
        .that()
        .resideInAPackage("io.portcullis.operator.status..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.portcullis.operator.source..", "io.portcullis.operator.stream..")
        .check(OPERATOR);
  }
}
