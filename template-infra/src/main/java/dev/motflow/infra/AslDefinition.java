package dev.motflow.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One Amazon States Language file of statemachines/: its text, the {@code ${Name}} definition
 * substitutions it uses and the Step Functions service integrations it calls (for its IAM role).
 */
public record AslDefinition(String name, Path path, String text, Set<String> placeholders, Set<String> integrations) {
    public static final String SUFFIX = ".asl.json";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern INTEGRATION =
            Pattern.compile("\"Resource\"\\s*:\\s*\"arn:aws:states:::([^\"]+)\"");

    public static AslDefinition read(Path path) {
        String file = path.getFileName().toString();
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        return new AslDefinition(file.substring(0, file.length() - SUFFIX.length()), path, text,
                collect(PLACEHOLDER, text), collect(INTEGRATION, text));
    }

    /** Every *.asl.json in {@code dir}, by name; an empty list when there are none (or no dir). */
    public static List<AslDefinition> readAll(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted()
                    .map(AslDefinition::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The placeholders of this definition that {@code supplied} does not cover. */
    public Set<String> missing(Map<String, String> supplied) {
        Set<String> missing = new TreeSet<>(placeholders);
        missing.removeAll(supplied.keySet());
        return missing;
    }

    private static Set<String> collect(Pattern pattern, String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
