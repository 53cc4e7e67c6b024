package dev.motflow.cli;

import dev.motflow.mot.MotFile;
import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;
import dev.motflow.mot.SeqInfo;
import dev.motflow.tracking.Detections;
import dev.motflow.tracking.Policy;
import dev.motflow.tracking.Tracker;
import dev.motflow.tracking.TrackerConfig;
import dev.motflow.tracking.TrackerOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code track-dets}: runs an association policy over a MOTChallenge det file (boxes, scores and
 * optional re-ID embeddings in columns 11+) and writes a MOTChallenge result file
 * ({@code frame,id,x,y,w,h,score,-1,-1,-1}).
 *
 * <p>The frame rate (which scales every time-based setting, such as how long lost tracks are kept) comes
 * from {@code --fps}, else from a {@code seqinfo.ini} next to the det file or one folder up (the
 * MOTChallenge layout {@code SEQ/det/det.txt}), else 30 with a warning on stderr. Rows may come in any
 * frame order (the published MOT17 det files are not sorted): they are grouped by frame, file order kept
 * within a frame. Every frame from 1 to the last one (or {@code seqLength}) is fed to the tracker, empty
 * ones too, so lost tracks age correctly.
 */
@Command(name = "track-dets", sortOptions = false,
        description = {"Run an association policy (bytetrack|jde) over a MOTChallenge det.txt and write a MOTChallenge result.",
            "The frame rate comes from --fps, else a seqinfo.ini next to the det file or one folder up, else 30 (with a warning).",
            "Rows need not be sorted by frame."})
public final class TrackDetsCommand implements Callable<Integer> {
    /** The frame rate used when neither {@code --fps} nor a seqinfo.ini gives one. */
    static final double DEFAULT_FPS = 30.0;

    @ParentCommand
    private MotflowCommand root;

    @Option(names = "--det", required = true, paramLabel = "det.txt",
            description = "detections: MOTChallenge det rows, re-ID embeddings in columns 11+ for jde")
    private Path det;

    @Option(names = "--out", required = true, paramLabel = "result.txt", description = "where the result is written")
    private Path out;

    @Option(names = "--policy", paramLabel = "bytetrack|jde", defaultValue = "bytetrack", converter = PolicyConverter.class,
            description = "association policy (jde = fairmot; needs embeddings); default ${DEFAULT-VALUE}")
    private Policy policy;

    @Option(names = "--fps", paramLabel = "N", converter = FiniteNumber.class, description = "frame rate (> 0)")
    private Double fps;

    @Option(names = "--min-score", paramLabel = "S", converter = FiniteNumber.class,
            description = "drop detections scoring below S before tracking")
    private Double minScore;

    @Option(names = "--track-thresh", paramLabel = "T", converter = FiniteNumber.class, description = "the policy's track threshold")
    private Double trackThresh;

    @Option(names = "--det-thresh", paramLabel = "T", converter = FiniteNumber.class, description = "the policy's detection threshold")
    private Double detThresh;

    @Mixin
    private HelpOption help;

    /** bytetrack, jde (or its other name, fairmot), case-insensitive. */
    static final class PolicyConverter implements ITypeConverter<Policy> {
        @Override
        public Policy convert(String v) {
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "bytetrack" -> Policy.BYTETRACK;
                case "jde", "fairmot" -> Policy.JDE;
                default -> throw new TypeConversionException("unknown policy '" + v + "' (bytetrack or jde)");
            };
        }
    }

    /** A finite number (no NaN, no infinity). */
    static final class FiniteNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String v) {
            try {
                double d = Double.parseDouble(v);
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("needs a number, got '" + v + "'");
        }
    }

    @Override
    public Integer call() throws UsageException, IOException {
        if (fps != null && !(fps > 0)) {
            throw new UsageException("--fps must be > 0, got " + fps);
        }
        List<MotRow> rows;
        try {
            rows = MotFile.read(det);
        } catch (MotFormatException e) {
            throw new UsageException(e.getMessage());
        }
        SeqInfo seqInfo = findSeqInfo(det);
        double frameRate;
        String fpsWarning = null;
        if (fps != null) {
            frameRate = fps;
        } else if (seqInfo != null && seqInfo.frameRate().isPresent()) {
            frameRate = seqInfo.frameRate().getAsDouble();
        } else {
            // A wrong rate silently stretches or shrinks every time-based setting: say which one is used.
            frameRate = DEFAULT_FPS;
            fpsWarning = String.format(Locale.ROOT, "track-dets: warning: %s, using %.0f fps (set --fps)",
                    seqInfo == null ? "no seqinfo.ini next to the det file or one folder up"
                            : "seqinfo.ini has no frameRate", DEFAULT_FPS);
        }
        int frames = seqInfo != null ? seqInfo.seqLength() : 0;

        TrackerConfig config = policy == Policy.JDE ? TrackerConfig.jde(embeddingDim(rows, det)) : TrackerConfig.byteTrack();
        config = config.withFrameRate(frameRate);
        if (trackThresh != null) {
            config = config.withTrackThresh(trackThresh);
        }
        if (detThresh != null) {
            config = config.withDetThresh(detThresh);
        }
        List<MotRow> result = track(rows, det, config, minScore == null ? Double.NEGATIVE_INFINITY : minScore, frames);
        MotFile.write(out, result);
        if (fpsWarning != null) {
            root.err().println(fpsWarning); // after the input checks, so that a bad file stays a one-line error
        }
        root.err().printf(Locale.ROOT, "track-dets: %s, %.4g fps, %d detections -> %d result rows, %d tracks in %s%n",
                config.policy().name().toLowerCase(Locale.ROOT), frameRate, rows.size(), result.size(),
                countIds(result), out);
        return Main.EXIT_OK;
    }

    /**
     * Runs the tracker over {@code rows} (line numbers in messages are row index + 1) and returns the
     * result rows. Rows are grouped by frame (a stable sort: file order within a frame). Frames run from
     * 1 to the larger of the last detection frame and {@code minFrames}.
     */
    static List<MotRow> track(List<MotRow> rows, Path file, TrackerConfig config, double minScore, int minFrames)
            throws UsageException {
        int dim = config.embeddingDim();
        int lastFrame = minFrames;
        boolean sorted = true;
        for (int i = 0; i < rows.size(); i++) {
            MotRow r = rows.get(i);
            if (!(r.w() > 0) || !(r.h() > 0)) {
                throw new UsageException(file + ":" + (i + 1) + ": box width and height must be > 0");
            }
            if (r.frame() < 1) {
                throw new UsageException(file + ":" + (i + 1) + ": frames start at 1, got " + r.frame());
            }
            sorted &= i == 0 || r.frame() >= rows.get(i - 1).frame();
            lastFrame = Math.max(lastFrame, r.frame());
        }
        if (!sorted) {
            List<MotRow> byFrame = new ArrayList<>(rows);
            byFrame.sort(java.util.Comparator.comparingInt(MotRow::frame)); // List.sort is stable
            rows = byFrame;
        }
        Tracker tracker = new Tracker(config);
        Detections dets = new Detections(dim);
        List<MotRow> out = new ArrayList<>();
        int next = 0;
        for (int frame = 1; frame <= lastFrame; frame++) {
            dets.clear();
            while (next < rows.size() && rows.get(next).frame() == frame) {
                MotRow r = rows.get(next++);
                if (r.conf() < minScore) {
                    continue;
                }
                if (dim > 0) {
                    dets.add(r.x(), r.y(), r.w(), r.h(), r.conf(), r.extra(), 0);
                } else {
                    dets.add(r.x(), r.y(), r.w(), r.h(), r.conf());
                }
            }
            TrackerOutput t = tracker.update(dets);
            for (int i = 0; i < t.size(); i++) {
                out.add(MotRow.result(frame, t.id(i), round(t.x(i), 100), round(t.y(i), 100), round(t.w(i), 100),
                        round(t.h(i), 100), round(t.score(i), 10000)));
            }
        }
        return out;
    }

    /** Boxes are written to 0.01 px and scores to 4 decimals, as MOTChallenge results usually are. */
    private static double round(double v, double scale) {
        return Math.round(v * scale) / scale;
    }

    /** The embedding length shared by every row; the jde policy needs one. */
    static int embeddingDim(List<MotRow> rows, Path file) throws UsageException {
        if (rows.isEmpty()) {
            throw new UsageException(file + ": the jde policy needs re-ID embeddings in columns 11+, but the file is empty");
        }
        int dim = rows.get(0).extra().length;
        for (int i = 0; i < rows.size(); i++) {
            int d = rows.get(i).extra().length;
            if (d == 0) {
                throw new UsageException(file + ":" + (i + 1) + ": the jde policy needs re-ID embeddings in columns 11+,"
                        + " this row has only the 10 standard columns (use --policy bytetrack for boxes only)");
            }
            if (d != dim) {
                throw new UsageException(file + ":" + (i + 1) + ": embedding has " + d + " values, line 1 has " + dim);
            }
        }
        return dim;
    }

    private static SeqInfo findSeqInfo(Path det) throws UsageException, IOException {
        Path dir = det.toAbsolutePath().getParent();
        for (int up = 0; up < 2 && dir != null; up++, dir = dir.getParent()) {
            Path ini = dir.resolve("seqinfo.ini");
            if (Files.isRegularFile(ini)) {
                try {
                    return SeqInfo.read(ini);
                } catch (MotFormatException e) {
                    throw new UsageException(e.getMessage());
                }
            }
        }
        return null;
    }

    private static long countIds(List<MotRow> rows) {
        java.util.HashSet<Integer> ids = new java.util.HashSet<>();
        for (MotRow r : rows) {
            ids.add(r.id());
        }
        return ids.size();
    }
}
