package dev.urlsession;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of STYLE.md 15 and issue 13, checked on the compiled classes of
 * {@code urlsession-core} (ArchUnit): what each package may depend on, no cycles between
 * packages or between two classes of different packages, and sizes a reader can hold in mind.
 */
class ArchitectureTests {
  static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.urlsession");
  static final Path MAIN = Path.of("src/main/java/dev/urlsession");

  @Test
  void coreDependsOnNoSpringAndNoMicrometer() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.micrometer..")
        .check(CORE);
  }

  @Test
  void httpClientTypesOnlyInInternalAndTheHc5EscapeHatch() {
    noClasses().that().resideOutsideOfPackages("dev.urlsession.internal..", "dev.urlsession.hc5..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.hc..")
        .check(CORE);
  }

  @Test
  void theDurableStoreOnlyInTheBackgroundEngine() {
    noClasses().that().resideOutsideOfPackage("dev.urlsession.internal.background..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("com.github.kagkarlsson..", "org.hsqldb..", "java.sql..")
        .check(CORE);
  }

  @Test
  void theSpiDependsOnNothingInternal() {
    noClasses().that().resideInAPackage("dev.urlsession.spi..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.urlsession.internal..")
        .check(CORE);
  }

  @Test
  void thePublicStoreSettingsDependOnNoEngine() {
    noClasses().that().resideInAnyPackage("dev.urlsession.background..", "dev.urlsession.hc5..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.urlsession.internal..")
        .check(CORE);
  }

  /**
   * Built-in handlers get the engine's {@code LoadSupport} as a parameter, from the load chain,
   * the one place that tells them from custom handlers: nothing inspects a load's class.
   */
  @Test
  void onlyTheLoadChainTellsBuiltInHandlersApart() {
    List<String> checks = new ArrayList<>();
    for (JavaClass c : CORE) {
      c.getInstanceofChecks().forEach(check -> {
        String type = check.getRawType().getName();
        boolean support = type.equals("dev.urlsession.internal.LoadSupport");
        boolean builtIn = type.equals("dev.urlsession.internal.BuiltInHandler");
        if (support || builtIn && !topLevel(c).getName().equals("dev.urlsession.LoadChain")) {
          checks.add(c.getName() + " checks instanceof " + type);
        }
      });
    }
    assertThat(checks).isEmpty();
  }

  @Test
  void subpackagesAreFreeOfCycles() {
    slices().matching("dev.urlsession.(**)").should().beFreeOfCycles().check(CORE);
  }

  /** No two classes of different packages use each other (Response and FileNames did). */
  @Test
  void noTwoClassesOfDifferentPackagesDependOnEachOther() {
    Map<String, Set<String>> uses = new HashMap<>();
    for (JavaClass c : CORE) {
      String from = topLevel(c).getName();
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        JavaClass target = d.getTargetClass();
        if (target.getPackageName().startsWith("dev.urlsession")) {
          uses.computeIfAbsent(from, k -> new HashSet<>()).add(topLevel(target).getName());
        }
      }
    }
    List<String> loops = new ArrayList<>();
    uses.forEach((a, targets) -> {
      for (String b : targets) {
        if (a.compareTo(b) < 0 && !packageOf(a).equals(packageOf(b))
            && uses.getOrDefault(b, Set.of()).contains(a)) {
          loops.add(a + " <-> " + b);
        }
      }
    });
    assertThat(loops).isEmpty();
  }

  @Test
  void noMainClassOfCoreIsLongerThan800Lines() throws IOException {
    Set<String> long800 = new TreeSet<>();
    for (Path p : sources()) {
      long lines = Files.readAllLines(p).size();
      if (lines > 800) {
        long800.add(MAIN.relativize(p) + " (" + lines + " lines)");
      }
    }
    assertThat(long800).isEmpty();
    assertThat(Files.readAllLines(MAIN.resolve("RealTask.java")).size())
        .as("RealTask, the state machine, stays small").isLessThanOrEqualTo(600);
    assertThat(Files.readAllLines(MAIN.resolve("BackgroundSession.java")).size()).isLessThanOrEqualTo(600);
  }

  @Test
  void jettyTypesOnlyInInternal() {
    noClasses().that().resideOutsideOfPackages("dev.urlsession.internal..")
        .should().dependOnClassesThat().resideInAnyPackage("org.eclipse.jetty..")
        .check(CORE);
  }

  @Test
  void everyPackageIsNullMarked() throws IOException {
    try (Stream<Path> dirs = Files.walk(MAIN)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Path info = dir.resolve("package-info.java");
        assertThat(info).as("package-info.java in " + dir).exists();
        assertThat(Files.readString(info)).contains("@NullMarked");
      }
    }
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(p -> p.toString().endsWith(".java")).toList();
    }
  }

  private static JavaClass topLevel(JavaClass c) {
    JavaClass t = c;
    while (t.getEnclosingClass().isPresent()) {
      t = t.getEnclosingClass().get();
    }
    return t;
  }

  private static String packageOf(String className) {
    return className.substring(0, className.lastIndexOf('.'));
  }
}
