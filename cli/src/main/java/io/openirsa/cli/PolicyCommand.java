package io.openirsa.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.openirsa.policy.Finding;
import io.openirsa.policy.Linter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "policy", mixinStandardHelpOptions = true, description = "Work with IAM policy documents.",
        subcommands = PolicyCommand.Lint.class)
final class PolicyCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "lint", mixinStandardHelpOptions = true,
            description = "Find trust-policy mistakes IAM accepts silently. Exit status: 0 clean or warnings only, 1 errors, 2 unreadable files or files that are not JSON.")
    static final class Lint implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "trust policy documents (JSON)")
        List<Path> files;

        @Option(names = "--format", description = "text (default) or json", defaultValue = "text")
        String format;

        @Option(names = "--size-limit", description = "trust policy quota in characters, whitespace excluded (default ${DEFAULT-VALUE})", defaultValue = "2048")
        int sizeLimit;

        @Override
        public Integer call() throws IOException {
            if (!format.equals("text") && !format.equals("json")) {
                System.err.println("--format must be text or json");
                return 2;
            }
            Linter linter = new Linter(sizeLimit);
            Map<String, List<Finding>> results = new LinkedHashMap<>();
            boolean unreadable = false;
            for (Path file : files) {
                try {
                    String text = Files.readString(file, StandardCharsets.UTF_8);
                    try {
                        new ObjectMapper().readTree(text);
                    } catch (JsonProcessingException e) {
                        // Not JSON at all: the file is the mistake, said in one line with Jackson's own words and position.
                        var at = e.getLocation();
                        System.err.println(file + ": not JSON: " + e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[")
                                + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
                        unreadable = true;
                        continue;
                    }
                    results.put(file.toString(), linter.lintTrustPolicy(text));
                } catch (IOException e) {
                    System.err.println(file + ": cannot read: " + e.getMessage());
                    unreadable = true;
                }
            }
            if (format.equals("json")) {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
            } else {
                results.forEach((file, findings) -> {
                    if (findings.isEmpty()) {
                        System.out.println(file + ": no findings");
                    }
                    for (Finding f : findings) {
                        System.out.println(file + ": " + f.severity() + " " + f.code() + " at " + f.location());
                        System.out.println("    " + f.message());
                        System.out.println("    fix: " + f.fix());
                    }
                });
            }
            boolean errors = results.values().stream().flatMap(List::stream).anyMatch(f -> f.severity() == Finding.Severity.ERROR);
            return unreadable ? 2 : errors ? 1 : 0;
        }
    }
}
