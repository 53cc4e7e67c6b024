package dev.motflow.retraining.score;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.metrics.Benchmark;
import dev.motflow.metrics.MetricMode;
import dev.motflow.metrics.MotEvaluator;
import dev.motflow.metrics.MotMetrics;
import dev.motflow.metrics.SequenceEvaluation;
import dev.motflow.mot.MotFile;
import dev.motflow.mot.MotFormatException;
import dev.motflow.mot.MotRow;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.dataset.S3Location;
import dev.motflow.retraining.store.AwsErrors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Scores a model's MOT results on the validation sequences against their ground truth with the
 * Java metrics (MOTChallenge rules of the configured benchmark, CLEAR MOT and Identity as the
 * MOTChallenge evaluation defines them: {@link #DEFINITIONS}), all sequences combined.
 */
public final class ResultScorer {
    /** The gate's CLEAR MOT / Identity definitions, stored with every score set as {@code definitions}. */
    public static final MetricMode DEFINITIONS = MetricMode.TRACKEVAL;

    /** A result that cannot be scored (missing or malformed): the model's fault, not a transient one. */
    public static final class UnscorableResult extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnscorableResult(String message) {
            super(message);
        }
    }

    private final S3Client s3;
    private final Benchmark benchmark;

    public ResultScorer(S3Client s3, Benchmark benchmark) {
        this.s3 = s3;
        this.benchmark = benchmark;
    }

    /**
     * @param datasetRoot {@code s3://bucket/prefix/} of the MOTChallenge layout ({@code <seq>/gt/gt.txt})
     * @param resultsPrefix {@code s3://bucket/prefix/} holding {@code <seq>.txt} per sequence
     */
    public ObjectNode score(String datasetRoot, String resultsPrefix, List<String> sequences) {
        List<SequenceEvaluation> parts = new ArrayList<>();
        ObjectNode perSequence = Json.object();
        for (String seq : sequences) {
            S3Location gt = S3Location.parse(datasetRoot + seq + "/gt/gt.txt");
            S3Location result = S3Location.parse(resultsPrefix + seq + ".txt");
            List<MotRow> gtRows = read(gt, "ground truth");
            List<MotRow> resultRows = read(result, "result");
            try {
                SequenceEvaluation e = MotEvaluator.evaluate(seq, gtRows, Path.of(gt.key()), resultRows, Path.of(result.key()), benchmark,
                        DEFINITIONS);
                parts.add(e);
                perSequence.set(seq, summary(e.metrics()));
            } catch (MotFormatException e) {
                throw new UnscorableResult(e.getMessage());
            }
        }
        MotMetrics all = SequenceEvaluation.combine("validation", parts).metrics();
        ObjectNode out = summary(all);
        out.put("benchmark", benchmark.name());
        out.put("definitions", DEFINITIONS.label());
        out.set("sequences", perSequence);
        return out;
    }

    private static ObjectNode summary(MotMetrics m) {
        ObjectNode n = Json.object();
        for (Map.Entry<String, Number> e : m.toMap().entrySet()) {
            if (e.getValue() instanceof Double d) {
                if (d.isNaN() || d.isInfinite()) {
                    n.putNull(e.getKey());
                } else {
                    n.put(e.getKey(), d);
                }
            } else {
                n.put(e.getKey(), e.getValue().longValue());
            }
        }
        return n;
    }

    private List<MotRow> read(S3Location loc, String what) {
        try (Reader in = new InputStreamReader(s3.getObject(b -> b.bucket(loc.bucket()).key(loc.key())), StandardCharsets.UTF_8)) {
            return MotFile.read(in, Path.of(loc.key()));
        } catch (NoSuchKeyException e) {
            throw new UnscorableResult(what + " " + loc.uri() + " does not exist");
        } catch (MotFormatException e) {
            throw new UnscorableResult(e.getMessage());
        } catch (SdkException e) {
            throw AwsErrors.classify("read " + loc.uri(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
