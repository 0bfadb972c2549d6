package io.portcullis.operator.compile;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The compiler stays pure: model classes in, records out; no client, no I/O, no clock. */
class CompilerArchitectureTest {
  private static JavaClasses compiler;

  @BeforeAll
  static void importClasses() {
    compiler = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.portcullis.operator.compile");
  }

  @Test
  @DisplayName("the compiler uses no Kubernetes client class")
  void noKubernetesClient() {
    noClasses().that().resideInAPackage("..operator.compile..")
        .should().dependOnClassesThat().resideInAPackage("io.fabric8.kubernetes.client..")
        .check(compiler);
  }

  @Test
  @DisplayName("the compiler uses no netty, no network and no file classes")
  void noIo() {
    noClasses().that().resideInAPackage("..operator.compile..")
        .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "java.net..", "java.nio.file..", "java.nio.channels..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName(java.io.File.class.getName())
        .orShould().dependOnClassesThat().haveFullyQualifiedName(java.io.FileInputStream.class.getName())
        .orShould().dependOnClassesThat().haveFullyQualifiedName(java.io.FileOutputStream.class.getName())
        .orShould().dependOnClassesThat().haveFullyQualifiedName(java.io.FileReader.class.getName())
        .orShould().dependOnClassesThat().haveFullyQualifiedName(java.io.FileWriter.class.getName())
        .orShould().dependOnClassesThat().haveFullyQualifiedName(java.io.RandomAccessFile.class.getName())
        .check(compiler);
  }

  @Test
  @DisplayName("the compiler reads no clock, so the same state always compiles the same")
  void noClock() {
    noClasses().that().resideInAPackage("..operator.compile..")
        .should().dependOnClassesThat().areAssignableTo(Clock.class)
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(Instant.class, "now")
        .check(compiler);
  }
}
