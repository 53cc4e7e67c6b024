package dev.motflow.mot;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A MOTChallenge {@code seqinfo.ini}: a {@code [Sequence]} section with {@code name}, {@code seqLength}
 * and usually {@code frameRate}, {@code imWidth}, {@code imHeight}, {@code imDir}, {@code imExt}.
 * {@code name} and {@code seqLength} are required; the others are optional (older MOT15 files lack
 * them). Unknown keys are kept in {@link #entries()}.
 */
public final class SeqInfo {
    private final Map<String, String> entries;

    private SeqInfo(Map<String, String> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** A sequence description built in code; {@code frameRate}, width and height &gt; 0. */
    public static SeqInfo of(String name, int seqLength, double frameRate, int imWidth, int imHeight) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("imDir", "img1");
        e.put("frameRate", MotFile.formatNumber(frameRate));
        e.put("seqLength", Integer.toString(seqLength));
        e.put("imWidth", Integer.toString(imWidth));
        e.put("imHeight", Integer.toString(imHeight));
        e.put("imExt", ".jpg");
        return new SeqInfo(e);
    }

    public static SeqInfo read(Path file) throws IOException {
        BufferedReader in;
        try {
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new MotFormatException(file, 0, "no such file");
        }
        try (in) {
            return read(in, file);
        }
    }

    /** Parses an ini text; {@code name} only labels errors. */
    public static SeqInfo read(Reader reader, Path name) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        Map<String, String> entries = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new LinkedHashMap<>();
        String section = null;
        boolean sawSequence = false;
        int lineNo = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            String t = line.strip();
            if (lineNo == 1 && t.startsWith("\uFEFF")) {
                t = t.substring(1).strip();
            }
            if (t.isEmpty() || t.startsWith(";") || t.startsWith("#")) {
                continue;
            }
            if (t.startsWith("[")) {
                if (!t.endsWith("]")) {
                    throw new MotFormatException(name, lineNo, "unterminated section header: " + t);
                }
                section = t.substring(1, t.length() - 1).strip();
                sawSequence |= section.equalsIgnoreCase("Sequence");
                continue;
            }
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new MotFormatException(name, lineNo, "expected key=value, found: " + t);
            }
            if (section == null) {
                throw new MotFormatException(name, lineNo, "key outside any section (expected [Sequence] first)");
            }
            if (section.equalsIgnoreCase("Sequence")) {
                String key = t.substring(0, eq).strip();
                entries.put(key, t.substring(eq + 1).strip());
                keyLines.put(key, lineNo);
            }
        }
        if (!sawSequence) {
            throw new MotFormatException(name, 0, "no [Sequence] section");
        }
        SeqInfo info = new SeqInfo(entries);
        if (info.get("name") == null || info.get("name").isEmpty()) {
            throw new MotFormatException(name, keyLines.getOrDefault("name", 0), "missing name");
        }
        if (info.get("seqLength") == null) {
            throw new MotFormatException(name, 0, "missing seqLength");
        }
        // Validate the typed values now so that a bad number is reported with the file.
        for (String key : new String[] {"seqLength", "imWidth", "imHeight"}) {
            String v = info.get(key);
            if (v != null) {
                try {
                    if (Integer.parseInt(v) < 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new MotFormatException(name, keyLines.get(key), key + " is not a non-negative integer: '" + v + "'");
                }
            }
        }
        String fr = info.get("frameRate");
        if (fr != null) {
            try {
                double d = Double.parseDouble(fr);
                if (!(d > 0) || Double.isInfinite(d)) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new MotFormatException(name, keyLines.get("frameRate"), "frameRate is not a positive number: '" + fr + "'");
            }
        }
        return info;
    }

    /** Writes the {@code [Sequence]} section with every entry, in order. */
    public void write(Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("[Sequence]\n");
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
    }

    /** The raw value of a key in the {@code [Sequence]} section, or null. */
    public String get(String key) {
        return entries.get(key);
    }

    /** Every key of the {@code [Sequence]} section in file order. */
    public Map<String, String> entries() {
        return entries;
    }

    public String name() {
        return entries.get("name");
    }

    /** Number of frames (frames are numbered 1..seqLength). */
    public int seqLength() {
        return Integer.parseInt(entries.get("seqLength"));
    }

    public OptionalDouble frameRate() {
        String v = entries.get("frameRate");
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(v));
    }

    public OptionalInt imWidth() {
        String v = entries.get("imWidth");
        return v == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v));
    }

    public OptionalInt imHeight() {
        String v = entries.get("imHeight");
        return v == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v));
    }

    /** Image folder relative to the sequence folder ({@code img1} when absent). */
    public String imDir() {
        return entries.getOrDefault("imDir", "img1");
    }

    /** Image file extension with the dot ({@code .jpg} when absent). */
    public String imExt() {
        return entries.getOrDefault("imExt", ".jpg");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeqInfo s && entries.equals(s.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "SeqInfo" + entries;
    }
}
