package dev.motflow.mot;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Reads and writes MOTChallenge text files (gt.txt, det.txt, tracker results): one {@link MotRow}
 * per line, {@code frame,id,x,y,w,h[,conf,c8,c9,c10[,extra...]]}.
 *
 * <p>Fields are separated by commas (spaces around them are allowed) or, in a line without any
 * comma, by whitespace, as the reference tools accept; one trailing comma is ignored. Every malformed line is an error that names
 * the file and the line ({@link MotFormatException}); nothing is skipped silently. Blank lines are
 * allowed only at the end of the file.
 */
public final class MotFile {
    /** The fewest columns a row can have: frame, id and the box. */
    public static final int MIN_COLUMNS = 6;
    /** The standard columns; anything beyond goes to {@link MotRow#extra()}. */
    public static final int STANDARD_COLUMNS = 10;

    private MotFile() {
    }

    /** Reads a whole file. A missing file is a {@link MotFormatException} at line 0. */
    public static List<MotRow> read(Path file) throws IOException {
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

    /** Reads rows from {@code in}; {@code name} only labels errors (may be null). */
    public static List<MotRow> read(Reader in, Path name) throws IOException {
        BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
        List<MotRow> rows = new ArrayList<>();
        int lineNo = 0;
        int firstBlankLine = 0; // a blank line followed by more data is malformed
        String line;
        while ((line = lines.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                if (firstBlankLine == 0) {
                    firstBlankLine = lineNo;
                }
                continue;
            }
            if (firstBlankLine != 0) {
                throw new MotFormatException(name, firstBlankLine, "blank line inside the file");
            }
            rows.add(parseLine(line, name, lineNo));
        }
        return rows;
    }

    /** Parses rows from a string (tests, small inline inputs). */
    public static List<MotRow> parse(String text) {
        try {
            return read(new StringReader(text), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses one non-blank line. {@code file} and {@code lineNo} only label the error.
     *
     * @throws MotFormatException when the line has too few columns, an empty or non-numeric field,
     *     a non-finite number, a non-integer frame or id, or a frame below 1
     */
    public static MotRow parseLine(String line, Path file, int lineNo) throws MotFormatException {
        int n = line.length();
        while (n > 0 && Character.isWhitespace(line.charAt(n - 1))) {
            n--;
        }
        boolean commas = line.lastIndexOf(',', n - 1) >= 0;
        if (commas && n > 0 && line.charAt(n - 1) == ',') {
            n--; // one trailing separator is common in tracker output; TrackEval accepts it too
        }
        line = line.substring(0, n);
        double[] std = new double[STANDARD_COLUMNS];
        java.util.Arrays.fill(std, MotRow.UNUSED);
        float[] extra = null;
        int extraCount = 0;
        int col = 0;
        int pos = 0;
        if (!commas) {
            pos = skipWhitespace(line, 0);
        }
        while (pos <= n) {
            int end;
            int tokStart;
            int tokEnd;
            if (commas) {
                end = line.indexOf(',', pos);
                if (end < 0) {
                    end = n;
                }
                tokStart = pos;
                tokEnd = end;
                while (tokStart < tokEnd && Character.isWhitespace(line.charAt(tokStart))) {
                    tokStart++;
                }
                while (tokEnd > tokStart && Character.isWhitespace(line.charAt(tokEnd - 1))) {
                    tokEnd--;
                }
            } else {
                if (pos == n) {
                    break;
                }
                end = pos;
                while (end < n && !Character.isWhitespace(line.charAt(end))) {
                    end++;
                }
                tokStart = pos;
                tokEnd = end;
            }
            col++;
            if (tokStart == tokEnd) {
                throw new MotFormatException(file, lineNo, "column " + col + " is empty");
            }
            if (col <= STANDARD_COLUMNS) {
                double fast = FastDecimal.parse(line, tokStart, tokEnd);
                std[col - 1] = Double.isNaN(fast) ? parseNumber(line.substring(tokStart, tokEnd), col, file, lineNo)
                        : fast;
            } else {
                String token = line.substring(tokStart, tokEnd);
                if (extra == null) {
                    extra = new float[16];
                } else if (extraCount == extra.length) {
                    extra = java.util.Arrays.copyOf(extra, extraCount * 2);
                }
                // Parsed as float directly: going through double could round twice.
                extra[extraCount++] = parseFloat(token, col, file, lineNo);
            }
            if (commas) {
                pos = end + 1;
            } else {
                pos = skipWhitespace(line, end);
                if (pos == n) {
                    break;
                }
            }
        }
        if (col < MIN_COLUMNS) {
            throw new MotFormatException(file, lineNo,
                    "expected at least " + MIN_COLUMNS + " columns (frame,id,x,y,w,h), found " + col);
        }
        int frame = toInt(std[0], "frame", file, lineNo);
        if (frame < 1) {
            throw new MotFormatException(file, lineNo, "frame " + frame + " is below 1 (frames are 1-based)");
        }
        int id = toInt(std[1], "id", file, lineNo);
        float[] extraCols = extra == null ? null
                : extraCount == extra.length ? extra : java.util.Arrays.copyOf(extra, extraCount);
        return new MotRow(frame, id, std[2], std[3], std[4], std[5], std[6], std[7], std[8], std[9], extraCols);
    }

    private static int skipWhitespace(String s, int pos) {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    private static double parseNumber(String token, int col, Path file, int lineNo) throws MotFormatException {
        double v;
        try {
            v = Double.parseDouble(token);
        } catch (NumberFormatException e) {
            throw new MotFormatException(file, lineNo, "column " + col + " is not a number: '" + token + "'");
        }
        // Double.parseDouble also takes "NaN", "Infinity" and a trailing 'd'/'f': none belong in these files.
        char last = token.charAt(token.length() - 1);
        if (!Double.isFinite(v) || !(Character.isDigit(last) || last == '.')) {
            throw new MotFormatException(file, lineNo, "column " + col + " is not a finite number: '" + token + "'");
        }
        return v;
    }

    private static float parseFloat(String token, int col, Path file, int lineNo) throws MotFormatException {
        float v;
        try {
            v = Float.parseFloat(token);
        } catch (NumberFormatException e) {
            throw new MotFormatException(file, lineNo, "column " + col + " is not a number: '" + token + "'");
        }
        char last = token.charAt(token.length() - 1);
        if (!Float.isFinite(v) || !(Character.isDigit(last) || last == '.')) {
            throw new MotFormatException(file, lineNo, "column " + col + " is not a finite number: '" + token + "'");
        }
        return v;
    }

    private static int toInt(double v, String what, Path file, int lineNo) throws MotFormatException {
        if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new MotFormatException(file, lineNo, what + " is not an integer: " + formatNumber(v));
        }
        return (int) v;
    }

    /** Groups rows by frame, frames ascending, rows in file order. */
    public static NavigableMap<Integer, List<MotRow>> byFrame(List<MotRow> rows) {
        NavigableMap<Integer, List<MotRow>> frames = new TreeMap<>();
        for (MotRow r : rows) {
            frames.computeIfAbsent(r.frame(), f -> new ArrayList<>()).add(r);
        }
        return frames;
    }

    /** Writes rows, one per line, 10 standard columns plus any extra columns. */
    public static void write(Path file, Iterable<MotRow> rows) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(out, rows);
        }
    }

    /** Writes rows to {@code out} (not closed), one per line. */
    public static void write(Writer out, Iterable<MotRow> rows) throws IOException {
        StringBuilder sb = new StringBuilder(128);
        for (MotRow r : rows) {
            sb.setLength(0);
            appendRow(sb, r);
            sb.append('\n');
            out.append(sb);
        }
    }

    /** One row as a line (without the line break). */
    public static String format(MotRow r) {
        StringBuilder sb = new StringBuilder(64);
        appendRow(sb, r);
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, MotRow r) {
        sb.append(r.frame()).append(',').append(r.id());
        for (double v : new double[] {r.x(), r.y(), r.w(), r.h(), r.conf(), r.c8(), r.c9(), r.c10()}) {
            sb.append(',').append(formatNumber(v));
        }
        for (float v : r.extra()) {
            sb.append(',').append(formatNumber(v));
        }
    }

    /** Shortest text that reads back to the same double, without exponent; integers without ".0". */
    static String formatNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = Double.toString(v);
        return s.indexOf('E') < 0 ? s : new BigDecimal(s).toPlainString();
    }

    /** Shortest text that reads back to the same float, without exponent. */
    static String formatNumber(float v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7f) {
            return Long.toString((long) v);
        }
        String s = Float.toString(v);
        return s.indexOf('E') < 0 ? s : new BigDecimal(s).toPlainString();
    }
}
