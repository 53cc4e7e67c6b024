package dev.motflow.tracking;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shared association vectors in {@code test-vectors/association/}: their scenarios and the writer.
 * A vector holds per frame the detections (box, score, embedding) and, for both policies with their
 * default parameters, the id each detection ends up with and the tracks that are output. See the
 * README there for the schema. Regenerate with
 * {@code mvn -pl functions/tracking-core test -Dtest=AssociationVectorsTest -Dmotflow.writeVectors=true}.
 */
final class AssociationVectors {
    static final String SCHEMA = "motflow/association-vector@1";

    /** One detection as written (values exactly as serialised). */
    record Det(double x, double y, double w, double h, double score, float[] embedding) {
    }

    static final class Scenario {
        final String name;
        final String description;
        final double frameRate;
        final int dim;
        final List<List<Det>> frames = new ArrayList<>();
        /** The JDE configuration of this scenario, from the default one (written to the vector). */
        java.util.function.UnaryOperator<TrackerConfig> jdeSettings = c -> c;

        Scenario(String name, String description, double frameRate, int dim, int frameCount) {
            this.name = name;
            this.description = description;
            this.frameRate = frameRate;
            this.dim = dim;
            for (int f = 0; f < frameCount; f++) {
                frames.add(new ArrayList<>());
            }
        }

        Scenario add(int frame, double x, double y, double w, double h, double score, int identity) {
            frames.get(frame - 1).add(new Det(x, y, w, h, score, oneHot(identity)));
            return this;
        }

        Scenario add(int frame, double x, double y, double w, double h, double score, float[] embedding) {
            frames.get(frame - 1).add(new Det(x, y, w, h, score, embedding));
            return this;
        }

        private float[] oneHot(int identity) {
            // A distinct, slightly spread appearance per identity: most weight on one component.
            float[] e = new float[dim];
            for (int k = 0; k < dim; k++) {
                e[k] = k == identity % dim ? 1f : 0.05f;
            }
            return e;
        }
    }

    private AssociationVectors() {
    }

    static TrackerConfig byteTrack(Scenario s) {
        return TrackerConfig.byteTrack().withFrameRate(s.frameRate);
    }

    static TrackerConfig jde(Scenario s) {
        return s.jdeSettings.apply(TrackerConfig.jde(s.dim).withFrameRate(s.frameRate));
    }

    static List<Scenario> scenarios() {
        List<Scenario> all = new ArrayList<>();

        Scenario basic = new Scenario("lifecycle-basic",
                "Two people from frame 1 (confirmed at once, ids 1, 2); a third appears at frame 2 (unconfirmed, "
                        + "output from frame 3 as id 3); a one-frame detection at frame 4 consumes id 4 and is "
                        + "dropped; a fifth person from frame 5 is output from frame 6 as id 5.", 30, 16, 8);
        for (int f = 1; f <= 8; f++) {
            basic.add(f, 100 + 5 * f, 200, 50, 120, 0.9, 0);
            basic.add(f, 400 - 5 * f, 210, 55, 130, 0.85, 1);
            if (f >= 2) {
                basic.add(f, 700 + 2 * f, 180, 45, 110, 0.8, 2);
            }
            if (f == 4) {
                basic.add(f, 1000, 300, 40, 100, 0.95, 3);
            }
            if (f >= 5) {
                basic.add(f, 1150 - 3 * f, 250, 50, 125, 0.75, 4);
            }
        }
        all.add(basic);

        Scenario lost = new Scenario("lost-and-refound",
                "Person 1 walks right at 4 px/frame, is missed in frames 6-15 (lost, kept for 30 frames) and is "
                        + "found again at frame 16 with its id; person 2 stands still throughout.", 30, 16, 20);
        for (int f = 1; f <= 20; f++) {
            if (f <= 5 || f >= 16) {
                lost.add(f, 100 + 4 * f, 200, 50, 120, 0.9, 0);
            }
            lost.add(f, 800, 220, 60, 140, 0.9, 1);
        }
        all.add(lost);

        Scenario timeout = new Scenario("buffer-timeout",
                "At 10 fps ByteTrack's lost buffer is int(10 / 30 * 30) = 10 frames, JDE's 4 s int(10 * 4) = 40 "
                        + "frames. Person 1 is seen in frames 1-3, missed in 4-16 and back in 17-19: ByteTrack "
                        + "has removed it by then, so it becomes a new track (id 2, output from frame 18); JDE "
                        + "finds track 1 again.", 10, 16, 19);
        for (int f = 1; f <= 19; f++) {
            if (f <= 3 || f >= 17) {
                timeout.add(f, 300, 200, 50, 120, 0.9, 0);
            }
        }
        all.add(timeout);

        Scenario low = new Scenario("low-score-continuation",
                "Person 1 is detected with score 0.9 in frames 1-3, 0.3 in frames 4-8 and 0.9 in 9-10; a 0.3 "
                        + "false positive sits at x=800 in frames 4-8. ByteTrack continues track 1 through the "
                        + "low-score frames and never starts a track from them; JDE drops detections with score "
                        + "<= 0.4, so track 1 is lost in 4-8 and found again by appearance at frame 9.", 30, 16, 10);
        for (int f = 1; f <= 10; f++) {
            double score = f >= 4 && f <= 8 ? 0.3 : 0.9;
            low.add(f, 200 + 2 * f, 150, 50, 120, score, 0);
            if (f >= 4 && f <= 8) {
                low.add(f, 800, 160, 50, 120, 0.3, 5);
            }
        }
        all.add(low);

        Scenario crossing = new Scenario("crossing",
                "Two people walk towards each other at 8 px/frame along nearly the same line and cross around "
                        + "frame 16; detections come in alternating order. JDE keeps both ids by appearance.",
                30, 16, 30);
        for (int f = 1; f <= 30; f++) {
            double xa = 100 + 8 * f;
            double xb = 600 - 8 * f;
            if (f % 2 == 0) {
                crossing.add(f, xa, 200, 50, 120, 0.9, 0);
                crossing.add(f, xb, 204, 50, 120, 0.88, 1);
            } else {
                crossing.add(f, xb, 204, 50, 120, 0.88, 1);
                crossing.add(f, xa, 200, 50, 120, 0.9, 0);
            }
        }
        all.add(crossing);

        Scenario dup = new Scenario("duplicate-newer-removed",
                "Person 1 stands still for 10 frames and is missed in frame 11. In frames 12-13 a box with a "
                        + "different appearance appears at the same place: JDE does not revive track 1 (appearance "
                        + "too far), starts track 2, confirms it in frame 13 and then drops it as a duplicate of the "
                        + "longer-lived lost track 1. ByteTrack (IoU only) simply finds track 1 again.", 30, 16, 13);
        for (int f = 1; f <= 13; f++) {
            if (f <= 10) {
                dup.add(f, 300, 200, 50, 120, 0.9, 0);
            } else if (f >= 12) {
                dup.add(f, 300, 200, 50, 120, 0.9, 7);
            }
        }
        all.add(dup);

        Scenario refind = new Scenario("low-score-refind",
                "Person 1 walks right at 3 px/frame with score 0.9 in frames 1-4, is missed in frames 5-6 (lost) and "
                        + "comes back partly hidden with score 0.3 in frames 7-12. ByteTrack finds track 1 again with "
                        + "the low-score boxes (lost for 3 frames, within the 30-frame refind window); JDE drops "
                        + "boxes scoring <= 0.4, so track 1 stays lost.", 30, 16, 12);
        for (int f = 1; f <= 12; f++) {
            if (f <= 4) {
                refind.add(f, 200 + 3 * f, 150, 50, 120, 0.9, 0);
            } else if (f >= 7) {
                refind.add(f, 200 + 3 * f, 150, 50, 120, 0.3, 0);
            }
        }
        all.add(refind);

        Scenario late = new Scenario("late-confirmation",
                "Person 1 from frame 1 (id 1). Person 2 appears at frame 3 (unconfirmed id 2), is missed in frame 4 "
                        + "and seen again from frame 5: ByteTrack gives a new track 2 frames to be confirmed, so id 2 "
                        + "is output from frame 5; JDE removes it at frame 4 and starts id 3 at frame 5, output from "
                        + "frame 6.", 30, 16, 8);
        for (int f = 1; f <= 8; f++) {
            late.add(f, 100 + 2 * f, 200, 50, 120, 0.9, 0);
            if (f == 3 || f >= 5) {
                late.add(f, 600, 210, 55, 130, 0.85, 1);
            }
        }
        all.add(late);

        Scenario reid = new Scenario("long-occlusion-reid",
                "At 30 fps person 1 walks right at 6 px/frame in frames 1-10, is hidden for 2 s (frames 11-70) and "
                        + "comes back at frame 71 at x=300, walking left; person 2 stands still throughout; person 3 "
                        + "stands at x=1300 in frames 1-10 and leaves for good; at frame 71 person 4, who looks like "
                        + "person 3 (cosine distance about 0.3), appears where person 3 stood. JDE with embedding-only "
                        + "re-identification on (this vector's setting: tracks lost for more than 1 s are matched by "
                        + "embedding alone, up to 0.25) gives person 1 its id back and person 4 a new id (4); the "
                        + "default JDE rule (fused cost below 0.4 in the widened gate) would give person 4 id 3. "
                        + "ByteTrack removed tracks 1 and 3 after 30 frames: persons 1 and 4 get ids 4 and 5.",
                30, 16, 76);
        reid.jdeSettings = c -> c.withReid(1.0, 0.25);
        for (int f = 1; f <= 76; f++) {
            if (f <= 10) {
                reid.add(f, 100 + 6 * f, 200, 50, 120, 0.9, 0);
            } else if (f >= 71) {
                reid.add(f, 300 - 3 * (f - 71), 205, 52, 122, 0.9, 0);
            }
            reid.add(f, 1000, 220, 60, 140, 0.9, 1);
            if (f <= 10) {
                reid.add(f, 1300, 500, 50, 120, 0.9, 3);
            } else if (f >= 71) {
                reid.add(f, 1310, 505, 50, 120, 0.9, new float[] {
                    0.05f, 0.05f, 0.05f, 0.7f, 0.8f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f,
                    0.05f, 0.05f});
            }
        }
        all.add(reid);

        all.add(random("random-16d-a", "10 people over 40 frames with box noise, 10% misses, ~1.5 false "
                + "positives per frame and 20% low-score detections; 16-d embeddings.", 101, 40, 10, 16, 0.1, 1.5, 0.2, 30));
        all.add(random("random-16d-b", "14 people over 30 frames at 15 fps (lost buffer 15), 20% misses, ~3 false "
                + "positives per frame, 30% low scores; 16-d embeddings.", 202, 30, 14, 16, 0.2, 3, 0.3, 15));
        Scenario hidden = random("random-16d-reid", "8 people over 45 frames at 10 fps, 10% misses, ~1 false "
                + "positive per frame, 20% low scores; people 1-3 (in creation order) are hidden in frames 12-27 "
                + "(1.6 s). JDE with embedding-only re-identification on (this vector's setting: after 1 s, "
                + "limit 0.3), so tracks lost longer than 10 frames are matched by embedding alone and restart "
                + "their Kalman state; 16-d embeddings.", 404, 45, 8, 16, 0.1, 1, 0.2, 10, 3, 12, 27);
        hidden.jdeSettings = c -> c.withReid(1.0, 0.3);
        all.add(hidden);
        Scenario pan = new Scenario("camera-pan",
                "Eight people stand still for 10 frames; from frame 11 the camera pans and every box moves 20 px "
                        + "a frame to the right. ByteTrack learns the shift from the settled tracks' innovations "
                        + "(tracklet length >= 5, at least 5 agreeing) and moves every prediction by it, so person 1, "
                        + "missed in frames 15-16, is found again at frame 17 with its id. JDE has no camera shift "
                        + "and does not find person 1 again: it restarts as id 9 (output from frame 18).", 30, 16, 24);
        Detections panFrame = new Detections(0);
        for (int f = 1; f <= 24; f++) {
            CameraShiftTest.panning(f, panFrame);
            for (int i = 0, k = 0; i < CameraShiftTest.OBJECTS; i++) {
                if (i == 0 && (f == CameraShiftTest.MISSED_FROM || f == CameraShiftTest.MISSED_FROM + 1)) {
                    continue;
                }
                pan.add(f, panFrame.x(k), panFrame.y(k), panFrame.w(k), panFrame.h(k), panFrame.score(k), i);
                k++;
            }
        }
        all.add(pan);
        Scenario shortTrack = new Scenario("short-track-expiry",
                "Person 1 stands at x 100 in frames 1-3 only (a short track: followed over fewer than 5 frames); "
                        + "person 2 stands at x 600 in frames 1-10, is missed in frames 11-23 and back at frame 24; "
                        + "from frame 16 person 3 stands 15 px right of where person 1 stood (IoU 0.54). ByteTrack removes track 1 once lost "
                        + "for more than 10 frames (after frame 14), so person 3 gets a new id (3, output from frame "
                        + "17); track 2, followed over 10 frames, is kept the full 30 and person 2 gets id 2 back. "
                        + "Without the short-track buffer person 3 would take id 1. JDE tells persons 1 and 3 apart "
                        + "by their embeddings.", 30, 16, 26);
        for (int f = 1; f <= 26; f++) {
            if (f <= 3) {
                shortTrack.add(f, 100, 200, 50, 120, 0.9, 0);
            }
            if (f <= 10 || f >= 24) {
                shortTrack.add(f, 600, 210, 52, 124, 0.9, 1);
            }
            if (f >= 16) {
                shortTrack.add(f, 115, 201, 50, 120, 0.9, 2);
            }
        }
        all.add(shortTrack);
        Scenario nested = new Scenario("nested-box",
                "Person 1 stands at x 100 in frames 1-12; in frames 4-10 the detector also gives a second, partial "
                        + "box on them (x 110, 36 x 80 px, score 0.8) lying wholly inside their box. Person 2 stands at "
                        + "x 400; from frame 6 person 3 stands behind them, 30 px to the right (half of their box inside "
                        + "person 2's). ByteTrack starts no track from the partial box (more than 0.9 of it inside a box "
                        + "a track took: the nested-box limit) and starts one for person 3 (id 3, output from frame 7). "
                        + "Without the limit the partial box would start a track of its own. JDE has no such rule.",
                30, 16, 12);
        for (int f = 1; f <= 12; f++) {
            nested.add(f, 100, 200, 60, 150, 0.9, 0);
            nested.add(f, 400, 200, 60, 150, 0.9, 1);
            if (f >= 4 && f <= 10) {
                nested.add(f, 110, 215, 36, 80, 0.8, 0);
            }
            if (f >= 6) {
                nested.add(f, 430, 190, 60, 150, 0.9, 2);
            }
        }
        all.add(nested);
        Scenario turn = new Scenario("camera-turn",
                "Six people close to the camera (boxes 120 x 240) and two far off (40 x 100) stand still for 10 "
                        + "frames; from frame 11 the camera turns and every box moves 40 px a frame to the right. At "
                        + "frame 11 the close people's boxes still overlap their predictions (IoU 0.5) and give the "
                        + "frame's shift, 40 px; ByteTrack moves the far people's predictions by it and matches them "
                        + "again (the rematch after the shift), so all eight keep their ids. Without the rematch the "
                        + "far people are lost at frame 11. JDE has no camera shift.", 30, 16, 20);
        Detections turnFrame = new Detections(0);
        for (int f = 1; f <= 20; f++) {
            CameraShiftTest.turning(f, turnFrame);
            for (int k = 0; k < turnFrame.size(); k++) {
                turn.add(f, turnFrame.x(k), turnFrame.y(k), turnFrame.w(k), turnFrame.h(k), turnFrame.score(k), k);
            }
        }
        all.add(turn);
        all.add(random("random-128d", "5 people over 16 frames, 10% misses, ~1 false positive per frame; "
                + "128-d embeddings.", 303, 16, 5, 128, 0.1, 1, 0.2, 30));
        return all;
    }

    private static Scenario random(String name, String description, long seed, int frames, int objects, int dim,
                                   double miss, double fp, double low, double fps) {
        return random(name, description, seed, frames, objects, dim, miss, fp, low, fps, 0, 0, 0);
    }

    /** As above, with objects {@code 0 .. hiddenObjects - 1} undetected in frames {@code hideFrom .. hideTo}. */
    private static Scenario random(String name, String description, long seed, int frames, int objects, int dim,
                                   double miss, double fp, double low, double fps, int hiddenObjects, int hideFrom,
                                   int hideTo) {
        SyntheticScene scene = SyntheticScene.generate(seed, frames, objects, dim, miss, fp, low);
        Scenario s = new Scenario(name, description, fps, dim, frames);
        for (int f = 1; f <= frames; f++) {
            for (SyntheticScene.Det d : scene.frames.get(f - 1)) {
                if (d.truth >= 0 && d.truth < hiddenObjects && f >= hideFrom && f <= hideTo) {
                    continue;
                }
                s.frames.get(f - 1).add(new Det(d.x, d.y, d.w, d.h, awayFromThresholds(d.score), d.embedding));
            }
        }
        return s;
    }

    /**
     * Keeps generated scores at least 0.002 away from every threshold the policies compare with, so a
     * port that reads them as float64 (or float32) classifies every detection the same way.
     */
    static double awayFromThresholds(double score) {
        for (double t : new double[] {0.1, 0.4, 0.5, 0.6}) {
            if (Math.abs(score - t) < 0.002) {
                return SyntheticScene.round4(t + 0.005);
            }
        }
        return score;
    }

    /** Runs both policies over the scenario and writes the vector as JSON. */
    static void write(Scenario s, Path file) throws IOException {
        Tracker bt = new Tracker(byteTrack(s));
        Tracker jde = new Tracker(jde(s));
        Detections boxes = new Detections(0);
        Detections withEmb = new Detections(s.dim);
        StringBuilder sb = new StringBuilder(1 << 16);
        sb.append("{\n  \"schema\": \"").append(SCHEMA).append("\",\n");
        sb.append("  \"name\": \"").append(s.name).append("\",\n");
        sb.append("  \"description\": \"").append(s.description.replace("\"", "'")).append("\",\n");
        sb.append("  \"frame_rate\": ").append(num(s.frameRate)).append(",\n");
        sb.append("  \"embedding_dim\": ").append(s.dim).append(",\n");
        sb.append("  \"policies\": {\n");
        TrackerConfig b = byteTrack(s);
        sb.append("    \"bytetrack\": {\"track_buffer\": ").append(b.trackBuffer())
                .append(", \"max_time_lost\": ").append(b.maxTimeLost())
                .append(", \"track_thresh\": ").append(num(b.trackThresh()))
                .append(", \"low_thresh\": ").append(num(b.lowThresh()))
                .append(", \"new_track_thresh\": ").append(num(b.trackThresh() + b.newTrackMargin()))
                .append(", \"match_thresh\": ").append(num(b.matchThresh()))
                .append(", \"low_match_thresh\": ").append(num(b.lowMatchThresh()))
                .append(", \"unconfirmed_match_thresh\": ").append(num(b.unconfirmedThresh()))
                .append(", \"fuse_score\": ").append(b.fuseScore())
                .append(", \"low_score_refind_buffer\": ").append(b.lowScoreRefindBuffer())
                .append(", \"low_score_refind_frames\": ").append(b.lowScoreRefindFrames())
                .append(", \"unconfirmed_buffer\": ").append(b.unconfirmedBuffer())
                .append(", \"unconfirmed_frames\": ").append(b.unconfirmedFrames())
                .append(", \"relative_aspect_noise\": ").append(b.relativeAspectNoise())
                .append(", \"low_score_confirm\": ").append(b.lowScoreConfirm())
                .append(", \"width_state\": ").append(b.widthState())
                .append(", \"camera_shift_from_tracks\": ").append(b.cameraShiftFromTracks())
                .append(", \"short_track_lost_buffer\": ").append(b.shortTrackLostBuffer())
                .append(", \"short_track_lost_frames\": ").append(b.shortTrackLostFrames())
                .append(", \"short_track_span_frames\": ").append(b.shortTrackSpanFrames())
                .append(", \"nested_box_limit\": ").append(num(b.nestedBoxLimit()))
                .append(", \"rematch_after_shift\": ").append(b.rematchAfterShift())
                .append(", \"report_missed_frame\": ").append(b.reportMissedFrame())
                .append(", \"duplicate_iou_distance\": ").append(num(b.duplicateThresh())).append("},\n");
        TrackerConfig j = jde(s);
        sb.append("    \"jde\": {\"track_buffer\": ").append(j.trackBuffer())
                .append(", \"max_time_lost\": ").append(j.maxTimeLost())
                .append(", \"det_thresh\": ").append(num(j.detThresh()))
                .append(", \"embedding_match_thresh\": ").append(num(j.embeddingMatchThresh()))
                .append(", \"motion_lambda\": ").append(num(j.motionLambda()))
                .append(", \"gating_chi2\": ").append(num(KalmanFilter.CHI2_95_4DOF))
                .append(", \"feature_momentum\": ").append(num(j.featureMomentum()))
                .append(", \"iou_match_thresh\": ").append(num(j.iouMatchThresh()))
                .append(", \"unconfirmed_match_thresh\": ").append(num(j.unconfirmedThresh()))
                .append(", \"duplicate_iou_distance\": ").append(num(j.duplicateThresh()))
                .append(", \"max_lost_seconds\": ").append(num(j.maxLostSeconds()))
                .append(", \"reid_after_seconds\": ").append(num(j.reidAfterSeconds()))
                .append(", \"reid_after_frames\": ").append(j.reidAfterFrames())
                .append(", \"reid_thresh\": ").append(num(j.reidThresh()))
                .append(", \"report_missed_frame\": ").append(j.reportMissedFrame()).append("}\n");
        sb.append("  },\n  \"frames\": [\n");
        for (int f = 1; f <= s.frames.size(); f++) {
            List<Det> dets = s.frames.get(f - 1);
            boxes.clear();
            withEmb.clear();
            for (Det d : dets) {
                boxes.add(d.x(), d.y(), d.w(), d.h(), d.score());
                withEmb.add(d.x(), d.y(), d.w(), d.h(), d.score(), d.embedding(), 0);
            }
            sb.append("    {\"frame\": ").append(f).append(",\n     \"detections\": [");
            for (int i = 0; i < dets.size(); i++) {
                Det d = dets.get(i);
                sb.append(i == 0 ? "" : ", ").append('[').append(num(d.x())).append(", ").append(num(d.y()))
                        .append(", ").append(num(d.w())).append(", ").append(num(d.h())).append(", ")
                        .append(num(d.score())).append(']');
            }
            sb.append("],\n     \"embeddings\": [");
            for (int i = 0; i < dets.size(); i++) {
                float[] e = dets.get(i).embedding();
                sb.append(i == 0 ? "" : ", ").append('[');
                for (int k = 0; k < e.length; k++) {
                    sb.append(k == 0 ? "" : ", ").append(num(e[k]));
                }
                sb.append(']');
            }
            sb.append("],\n     \"expected\": {\n");
            appendExpected(sb, "bytetrack", bt.update(boxes));
            sb.append(",\n");
            appendExpected(sb, "jde", jde.update(withEmb));
            sb.append("}}").append(f == s.frames.size() ? "\n" : ",\n");
        }
        sb.append("  ]\n}\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, sb.toString());
    }

    private static void appendExpected(StringBuilder sb, String policy, TrackerOutput out) {
        sb.append("       \"").append(policy).append("\": {\"detection_track_ids\": [");
        for (int i = 0; i < out.detectionCount(); i++) {
            sb.append(i == 0 ? "" : ", ").append(out.trackIdForDetection(i));
        }
        sb.append("], \"tracks\": [");
        for (int i = 0; i < out.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('[').append(out.id(i)).append(", ").append(box(out.x(i)))
                    .append(", ").append(box(out.y(i))).append(", ").append(box(out.w(i))).append(", ")
                    .append(box(out.h(i))).append(']');
        }
        sb.append("]}");
    }

    /** Boxes are written to 2 decimals (ports compare them with a tolerance, ids exactly). */
    static String box(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String num(float v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7) {
            return Long.toString((long) v);
        }
        return Float.toString(v);
    }
}
