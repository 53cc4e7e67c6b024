package dev.motflow.jobs.service;

/** How a message ended: done (acknowledge) or retry (report as a batch item failure). */
public enum Outcome {
    DONE,
    RETRY;

    public Outcome and(Outcome other) {
        return this == RETRY || other == RETRY ? RETRY : DONE;
    }
}
