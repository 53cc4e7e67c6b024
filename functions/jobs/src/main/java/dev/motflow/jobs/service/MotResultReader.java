package dev.motflow.jobs.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.mot.MotFile;
import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;

/**
 * Reads a MOTChallenge tracking result ({@code frame,id,x,y,w,h,score,-1,-1,-1}) as a stream and
 * reduces it to per-track summaries, in memory bounded by the number of tracks (each keeps at
 * most 2 x {@link TrackSummary#MAX_TRAJECTORY} sampled boxes). Strict: any malformed line, a
 * negative track id, a non-positive box size or a track with two boxes in one frame is an error
 * naming the line.
 */
public final class MotResultReader {
    /** Longest line accepted (a result line is ~50 characters). */
    public static final int MAX_LINE_CHARS = 4096;

    /** What a result reduces to. */
    public record Result(List<TrackSummary> tracks, int frames, long boxes) {
    }

    /** A result the pipeline cannot use, with the line it failed on. */
    public static final class InvalidResultException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidResultException(String message) {
            super(message);
        }
    }

    public Result read(InputStream in, String name) throws IOException, InvalidResultException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        Map<Integer, Accumulator> tracks = new HashMap<>();
        BitSet frames = new BitSet();
        long boxes = 0;
        int lineNo = 0;
        Path label = Path.of(name.replace('/', '_'));
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            if (line.length() > MAX_LINE_CHARS) {
                throw new InvalidResultException(name + " line " + lineNo + ": longer than " + MAX_LINE_CHARS + " characters");
            }
            MotRow row;
            try {
                row = MotFile.parseLine(line, label, lineNo);
            } catch (MotFormatException e) {
                throw new InvalidResultException(name + " line " + lineNo + ": " + reasonOf(e));
            }
            if (row.id() < 0) {
                throw new InvalidResultException(name + " line " + lineNo + ": track id " + row.id()
                        + " is negative (a result row needs a track id)");
            }
            if (!(row.w() > 0) || !(row.h() > 0)) {
                throw new InvalidResultException(name + " line " + lineNo + ": box size " + row.w() + "x" + row.h()
                        + " is not positive");
            }
            Accumulator acc = tracks.computeIfAbsent(row.id(), Accumulator::new);
            if (!acc.add(row)) {
                throw new InvalidResultException(name + " line " + lineNo + ": track " + row.id()
                        + " has a second box in frame " + row.frame());
            }
            frames.set(row.frame());
            boxes++;
        }
        List<TrackSummary> out = new ArrayList<>(tracks.size());
        for (Accumulator a : tracks.values()) {
            out.add(a.summary());
        }
        out.sort(Comparator.comparingInt(TrackSummary::firstFrame).thenComparingInt(TrackSummary::trackId));
        return new Result(out, frames.cardinality(), boxes);
    }

    private static String reasonOf(MotFormatException e) {
        String m = e.getMessage();
        int colon = m == null ? -1 : m.lastIndexOf(": ");
        return colon >= 0 ? m.substring(colon + 2) : String.valueOf(m);
    }

    /** One track's running summary with a stride sampler: keeps every stride-th box, doubling the stride when full. */
    static final class Accumulator {
        private static final int KEEP = TrackSummary.MAX_TRAJECTORY * 2;
        final int id;
        int classId = 1;
        int count;
        int lastSeenFrame = -1;
        double scoreSum;
        int scoreCount;
        TrackSummary.Box first;
        TrackSummary.Box last;
        List<TrackSummary.Box> sample = new ArrayList<>();
        int stride = 1;

        Accumulator(int id) {
            this.id = id;
        }

        boolean add(MotRow r) {
            if (r.frame() == lastSeenFrame) {
                return false;
            }
            lastSeenFrame = r.frame();
            TrackSummary.Box b = new TrackSummary.Box(r.frame(), r.x(), r.y(), r.w(), r.h());
            if (count == 0 && r.c8() > 0 && r.c8() == Math.rint(r.c8())) {
                classId = (int) r.c8();
            }
            if (first == null || b.frame() < first.frame()) {
                first = b;
            }
            if (last == null || b.frame() > last.frame()) {
                last = b;
            }
            if (r.conf() >= 0) {
                scoreSum += r.conf();
                scoreCount++;
            }
            if (count % stride == 0) {
                sample.add(b);
                if (sample.size() >= KEEP) {
                    List<TrackSummary.Box> half = new ArrayList<>(KEEP / 2);
                    for (int i = 0; i < sample.size(); i += 2) {
                        half.add(sample.get(i));
                    }
                    sample = half;
                    stride *= 2;
                }
            }
            count++;
            return true;
        }

        TrackSummary summary() {
            Map<Integer, TrackSummary.Box> byFrame = new HashMap<>();
            for (TrackSummary.Box b : sample) {
                byFrame.put(b.frame(), b);
            }
            byFrame.put(first.frame(), first);
            byFrame.put(last.frame(), last);
            List<TrackSummary.Box> all = new ArrayList<>(byFrame.values());
            all.sort(Comparator.comparingInt(TrackSummary.Box::frame));
            int max = TrackSummary.MAX_TRAJECTORY;
            List<TrackSummary.Box> traj;
            if (all.size() <= max) {
                traj = all;
            } else {
                traj = new ArrayList<>(max);
                for (int k = 0; k < max; k++) {
                    traj.add(all.get((int) Math.round(k * (all.size() - 1) / (double) (max - 1))));
                }
            }
            Double mean = scoreCount == 0 ? null : scoreSum / scoreCount;
            return new TrackSummary(id, classId, first.frame(), last.frame(), count, mean, traj);
        }
    }
}
