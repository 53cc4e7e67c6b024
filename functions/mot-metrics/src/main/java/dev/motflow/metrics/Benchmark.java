package dev.motflow.metrics;

import java.util.Locale;

/**
 * Which MOTChallenge scoring rules apply.
 *
 * <ul>
 *   <li>{@link #MOT15}: no preprocessing; every row counts (the files have no classes).</li>
 *   <li>{@link #MOT16}, {@link #MOT17}, {@link #MOT20}: as the devkit and TrackEval score them.
 *     Result boxes matched (IoU &gt;= 0.5, Hungarian on IoU) to a ground-truth box of a distractor
 *     class are removed; ground-truth rows with conf 0 or a class other than pedestrian (1) are
 *     not targets.</li>
 * </ul>
 */
public enum Benchmark {
    MOT15(new int[0]),
    /** person_on_vehicle (2), static_person (7), distractor (8), reflection (12). */
    MOT16(new int[] {2, 7, 8, 12}),
    MOT17(new int[] {2, 7, 8, 12}),
    /** As MOT16/17 plus non_mot_vehicle (6). */
    MOT20(new int[] {2, 6, 7, 8, 12});

    /** The pedestrian class, the only one scored. */
    public static final int PEDESTRIAN = 1;
    /** MOTChallenge ground-truth classes are 1..13. */
    public static final int MAX_CLASS = 13;

    private final int[] distractorClasses;

    Benchmark(int[] distractorClasses) {
        this.distractorClasses = distractorClasses;
    }

    /** True when the distractor removal and target selection apply (MOT16/17/20). */
    public boolean preprocesses() {
        return this != MOT15;
    }

    public boolean isDistractor(int classId) {
        for (int c : distractorClasses) {
            if (c == classId) {
                return true;
            }
        }
        return false;
    }

    /** Parses {@code MOT15|MOT16|MOT17|MOT20}, case-insensitive. */
    public static Benchmark parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown benchmark '" + name + "' (MOT15, MOT16, MOT17 or MOT20)");
        }
    }
}
