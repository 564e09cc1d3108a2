package io.openirsa.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The modules are the architecture and depend one way (docs/architecture.md):
 * policy <- core <- {store, server} <- cli. policy knows no server, storage or AWS wire; core knows
 * no HTTP or SQL; server and store never call each other.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.openirsa");
    }

    @Test
    void policy_dependsOnNothingOfOurs_norOnServersOrStorage() {
        noClasses().that().resideInAPackage("io.openirsa.policy..")
                .should().dependOnClassesThat().resideInAnyPackage("io.openirsa.core..", "io.openirsa.store..", "io.openirsa.server..",
                        "io.openirsa.cli..", "io.helidon..", "java.sql..", "java.net.http..", "com.nimbusds..", "software.amazon..")
                .check(classes);
    }

    @Test
    void core_knowsNoHttpNorSql() {
        noClasses().that().resideInAPackage("io.openirsa.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.openirsa.store..", "io.openirsa.server..", "io.openirsa.cli..",
                        "io.helidon..", "java.sql..", "org.flywaydb..", "com.zaxxer..")
                .check(classes);
    }

    @Test
    void server_andStore_neverCallEachOther() {
        noClasses().that().resideInAPackage("io.openirsa.server..")
                .should().dependOnClassesThat().resideInAnyPackage("io.openirsa.store..", "io.openirsa.cli..", "java.sql..")
                .check(classes);
        noClasses().that().resideInAPackage("io.openirsa.store..")
                .should().dependOnClassesThat().resideInAnyPackage("io.openirsa.server..", "io.openirsa.cli..", "io.helidon..")
                .check(classes);
    }

    @Test
    void webhook_dependsOnTheDomainOnly() {
        noClasses().that().resideInAPackage("io.openirsa.webhook..")
                .should().dependOnClassesThat().resideInAnyPackage("io.openirsa.store..", "io.openirsa.server..", "io.openirsa.cli..", "java.sql..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.openirsa.core..", "io.openirsa.policy..", "io.openirsa.server..", "io.openirsa.store..")
                .should().dependOnClassesThat().resideInAnyPackage("io.openirsa.webhook..", "io.fabric8..")
                .check(classes);
    }

    @Test
    void signer_knowsOnlyItsBackend_andNothingElseKnowsGrpc() {
        noClasses().that().resideInAPackage("io.openirsa.signer..")
                .should().dependOnClassesThat().resideInAnyPackage("io.openirsa.core..", "io.openirsa.store..", "io.openirsa.server..",
                        "io.openirsa.webhook..", "io.openirsa.cli..", "io.openirsa.policy..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.openirsa.core..", "io.openirsa.policy..", "io.openirsa.server..", "io.openirsa.store..",
                        "io.openirsa.webhook..")
                .should().dependOnClassesThat().resideInAnyPackage("io.openirsa.signer..", "io.grpc..")
                .check(classes);
    }

    @Test
    void namesComeFromTheDomain_notFromPatterns() {
        noClasses().that().resideInAPackage("io.openirsa..")
                .should().haveSimpleNameEndingWith("Manager").orShould().haveSimpleNameEndingWith("Helper")
                .orShould().haveSimpleNameEndingWith("Util").orShould().haveSimpleNameEndingWith("Utils")
                .check(classes);
    }
}
