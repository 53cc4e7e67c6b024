package dev.motflow.cli;

import dev.motflow.metrics.Benchmark;
import dev.motflow.metrics.MetricMode;
import dev.motflow.metrics.MotEvaluator;
import dev.motflow.metrics.MotMetrics;
import dev.motflow.metrics.SequenceEvaluation;
import dev.motflow.mot.MotFormatException;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code ./motflow eval --gt GT.txt --result RESULT.txt [--gt G2 --result R2 ...]
 * [--benchmark MOT15|MOT16|MOT17|MOT20] [--compat py-motmetrics] [--format table|json]}.
 *
 * <p>The i-th {@code --gt} pairs with the i-th {@code --result}. Each pair is one row named after
 * the result file (without extension; a repeated name gets {@code #2}, {@code #3}, ...), followed by
 * an {@code overall} row combining all pairs (TrackEval's combined sequences; with
 * {@code --compat py-motmetrics} py-motmetrics' OVERALL for CLEAR MOT and Identity).
 * CLEAR MOT and Identity are the MOTChallenge benchmark's official definitions (TrackEval's) unless
 * {@code --compat py-motmetrics} asks for py-motmetrics' ({@link MetricMode}).
 * The default benchmark is MOT15: no distractor or class rules (TrackEval drops ground truth with
 * conf 0, py-motmetrics' loader rows with conf &lt; -1); MOT16/17/20 apply the MOTChallenge
 * distractor and target rules. JSON keys are py-motmetrics' metric names plus hota,
 * deta, assa, loca ({@code motp} is the mean distance 1 - IoU in both modes); an undefined value
 * (e.g. no ground truth under py-motmetrics' definitions) is {@code null}.
 */
@Command(name = "eval", sortOptions = false,
        description = {"MOT metrics (CLEAR MOT, IDF1, HOTA) of results against ground truth.",
            "The i-th --gt pairs with the i-th --result; one row per pair (named after the result file) and an "
            + "'overall' row. MOT15 (the default) has no distractor or class rules (ground truth with conf 0 is not "
            + "scored; with --compat py-motmetrics only rows with conf < -1 are dropped); MOT16/17/20 apply the "
            + "MOTChallenge distractor and target rules.",
            "CLEAR MOT and IDF1 are the MOTChallenge benchmark's official numbers (TrackEval's definitions) unless "
            + "--compat py-motmetrics is given."})
public final class EvalCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { table, json }

    @ParentCommand
    private MotflowCommand root;

    @Option(names = "--gt", paramLabel = "GT.txt", description = "ground truth (MOTChallenge gt.txt); repeat for more sequences")
    private List<Path> gts = new ArrayList<>();

    @Option(names = "--result", paramLabel = "RESULT.txt", description = "tracker result (MOTChallenge); one per --gt, in the same order")
    private List<Path> results = new ArrayList<>();

    @Option(names = "--benchmark", paramLabel = "MOT15|MOT16|MOT17|MOT20", converter = BenchmarkConverter.class,
            description = "scoring rules (default: ${DEFAULT-VALUE})", defaultValue = "MOT15")
    private Benchmark benchmark;

    @Option(names = "--compat", paramLabel = "py-motmetrics", converter = ModeConverter.class,
            defaultValue = "trackeval",
            description = "CLEAR MOT and Identity definitions: py-motmetrics (py-motmetrics 1.4.0's matching, "
                + "MT/PT/ML and fragmentations) instead of the default trackeval (the MOTChallenge evaluation)")
    private MetricMode mode;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
            description = "table or json (py-motmetrics' metric names plus hota, deta, assa, loca; motp is the mean "
                + "distance 1 - IoU; undefined values are null); default ${DEFAULT-VALUE}")
    private Format format;

    @Mixin
    private HelpOption help;

    /** Benchmark names, case-insensitive; a bad one is a usage error. */
    static final class BenchmarkConverter implements ITypeConverter<Benchmark> {
        @Override
        public Benchmark convert(String value) {
            try {
                return Benchmark.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code trackeval} or {@code py-motmetrics}, case-insensitive; a bad one is a usage error. */
    static final class ModeConverter implements ITypeConverter<MetricMode> {
        @Override
        public MetricMode convert(String value) {
            try {
                return MetricMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    @Override
    public Integer call() throws UsageException {
        PrintStream out = root.out();
        if (gts.isEmpty() || gts.size() != results.size()) {
            throw new UsageException("need as many --gt as --result files, at least one each (got "
                    + gts.size() + " and " + results.size() + "); see ./motflow eval --help");
        }

        Map<String, MotMetrics> rows = new LinkedHashMap<>();
        List<SequenceEvaluation> parts = new ArrayList<>();
        Set<String> taken = new HashSet<>(List.of("overall"));
        for (int k = 0; k < gts.size(); k++) {
            SequenceEvaluation e;
            try {
                e = MotEvaluator.evaluate(gts.get(k), results.get(k), benchmark, mode);
            } catch (MotFormatException ex) {
                throw new UsageException(ex.getMessage());
            } catch (IOException ex) {
                throw new UsageException("cannot read " + gts.get(k) + " / " + results.get(k) + ": " + ex);
            }
            parts.add(e);
            rows.put(uniqueName(e.name(), taken), e.metrics());
        }
        rows.put("overall", SequenceEvaluation.combine("overall", parts).metrics());

        if (format == Format.json) {
            out.println(json(rows));
        } else {
            out.print(table(rows, mode));
        }
        return Main.EXIT_OK;
    }

    private static String uniqueName(String name, Set<String> taken) {
        String candidate = name;
        for (int n = 2; !taken.add(candidate); n++) {
            candidate = name + "#" + n;
        }
        return candidate;
    }

    /** One JSON object: row name to {metric: value}. Written by hand: the CLI carries no JSON library. */
    static String json(Map<String, MotMetrics> rows) {
        StringBuilder sb = new StringBuilder("{");
        boolean firstRow = true;
        for (Map.Entry<String, MotMetrics> row : rows.entrySet()) {
            sb.append(firstRow ? "\n  " : ",\n  ");
            firstRow = false;
            jsonString(sb, row.getKey());
            sb.append(": {");
            boolean first = true;
            for (Map.Entry<String, Number> m : row.getValue().toMap().entrySet()) {
                sb.append(first ? "" : ", ");
                first = false;
                jsonString(sb, m.getKey());
                sb.append(": ");
                Number v = m.getValue();
                if (v instanceof Long l) {
                    sb.append(l);
                } else if (Double.isFinite(v.doubleValue())) {
                    sb.append(v.doubleValue());
                } else {
                    sb.append("null");
                }
            }
            sb.append('}');
        }
        return sb.append("\n}").toString();
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static final String[] HEADERS = {"IDF1", "IDP", "IDR", "Rcll", "Prcn", "GT", "MT", "PT", "ML", "FP", "FN",
        "IDs", "FM", "MOTA", "MOTP", "HOTA", "DetA", "AssA", "LocA"};

    /**
     * Ratios in percent with one decimal. MOTP as the reference tool shows it: TrackEval's (and the
     * MOTChallenge leaderboard's) mean IoU in percent, or py-motmetrics' mean distance with three decimals.
     */
    static String table(Map<String, MotMetrics> rows, MetricMode mode) {
        int nameWidth = "overall".length();
        for (String name : rows.keySet()) {
            nameWidth = Math.max(nameWidth, name.length());
        }
        List<String[]> cells = new ArrayList<>();
        for (MotMetrics m : rows.values()) {
            cells.add(new String[] {pct(m.idf1()), pct(m.idp()), pct(m.idr()), pct(m.recall()), pct(m.precision()),
                Long.toString(m.numUniqueObjects()), Long.toString(m.mostlyTracked()),
                Long.toString(m.partiallyTracked()), Long.toString(m.mostlyLost()),
                Long.toString(m.numFalsePositives()), Long.toString(m.numMisses()), Long.toString(m.numSwitches()),
                Long.toString(m.numFragmentations()), pct(m.mota()),
                mode == MetricMode.TRACKEVAL ? pct(1.0 - m.motp()) : fixed3(m.motp()), pct(m.hota()), pct(m.deta()),
                pct(m.assa()), pct(m.loca())});
        }
        int[] width = new int[HEADERS.length];
        for (int c = 0; c < HEADERS.length; c++) {
            width[c] = HEADERS[c].length();
            for (String[] r : cells) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(pad("", nameWidth, false));
        for (int c = 0; c < HEADERS.length; c++) {
            sb.append(' ').append(pad(HEADERS[c], width[c], true));
        }
        sb.append('\n');
        int k = 0;
        for (String name : rows.keySet()) {
            sb.append(pad(name, nameWidth, false));
            String[] r = cells.get(k++);
            for (int c = 0; c < HEADERS.length; c++) {
                sb.append(' ').append(pad(r[c], width[c], true));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : "nan";
    }

    private static String fixed3(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "nan";
    }

    private static String pad(String s, int width, boolean right) {
        if (s.length() >= width) {
            return s;
        }
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }
}
