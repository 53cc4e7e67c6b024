package dev.motflow.retraining.model;

import java.time.Instant;
import java.util.List;

/**
 * A validated dataset version ({@code pk=DATASET#<name>}, {@code sk=V#<version>}, docs/data-model.md
 * "Retraining items"). The same manifest content (sha256 and manifest version) keeps its number.
 *
 * @param validationSetId 16 hex of SHA-256 over the validation sequences and their gt.txt checksums
 */
public record DatasetVersion(String dataset, long version, String manifestS3Uri, String manifestVersion, String format,
                             String sha256, String rootS3Uri, int sequences, int frames, List<String> trainSequences,
                             List<String> validationSequences, String validationSetId, String executionName,
                             Instant createdAt) {
    public DatasetVersion {
        trainSequences = List.copyOf(trainSequences);
        validationSequences = List.copyOf(validationSequences);
    }

    /** This content with another version number. */
    public DatasetVersion withVersion(long v) {
        return new DatasetVersion(dataset, v, manifestS3Uri, manifestVersion, format, sha256, rootS3Uri, sequences,
                frames, trainSequences, validationSequences, validationSetId, executionName, createdAt);
    }
}
