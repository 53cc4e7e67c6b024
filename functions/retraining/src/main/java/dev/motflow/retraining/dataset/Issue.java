package dev.motflow.retraining.dataset;

/**
 * One thing wrong with a dataset: the file (relative to the dataset root, or the manifest), the
 * 1-based line (0 when the problem is not about a line) and what is wrong.
 */
public record Issue(String file, int line, String problem) {
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem;
    }
}
