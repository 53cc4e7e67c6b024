package dev.motflow.retraining.dataset;

import java.util.ArrayList;
import java.util.List;

/** Collects issues up to a cap (a broken file can produce thousands) and counts the rest. */
final class Issues {
    static final int MAX = 100;
    private final List<Issue> issues = new ArrayList<>();
    private int dropped;

    void add(String file, int line, String problem) {
        if (issues.size() < MAX) {
            issues.add(new Issue(file, line, problem));
        } else {
            dropped++;
        }
    }

    boolean isEmpty() {
        return issues.isEmpty();
    }

    int count() {
        return issues.size() + dropped;
    }

    List<Issue> list() {
        List<Issue> out = new ArrayList<>(issues);
        if (dropped > 0) {
            out.add(new Issue("(report)", 0, dropped + " more problems not listed"));
        }
        return out;
    }
}
