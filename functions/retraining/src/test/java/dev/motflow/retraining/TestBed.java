package dev.motflow.retraining;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.retraining.dataset.S3Location;
import dev.motflow.retraining.handler.FinishRunHandler;
import dev.motflow.retraining.handler.GateHandler;
import dev.motflow.retraining.handler.LabelledDataHandler;
import dev.motflow.retraining.handler.ScoreModelHandler;
import dev.motflow.retraining.handler.Steps;
import dev.motflow.retraining.handler.ValidateDatasetHandler;
import dev.motflow.retraining.store.RunCoordinator;
import dev.motflow.retraining.trigger.ExecutionStarter;
import dev.motflow.retraining.trigger.LabelledDataTrigger;
import dev.motflow.testsupport.LocalAws;
import dev.motflow.testsupport.RepoPaths;
import dev.motflow.testsupport.SageMakerStub;
import dev.motflow.testsupport.sfn.AslRunner;
import dev.motflow.testsupport.sfn.ExecutionResult;
import dev.motflow.testsupport.sfn.LambdaTasks;
import dev.motflow.testsupport.sfn.SageMakerLifecycle;
import dev.motflow.testsupport.sfn.SageMakerTasks;
import dev.motflow.testsupport.sfn.SnsTasks;
import dev.motflow.testsupport.sfn.TaskDispatcher;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Everything the retraining tests run against: a fresh table and buckets on the local services,
 * the module's real handlers wired to them, and the real ASL executed by aws-local-stepfunctions
 * with Lambda tasks running those handlers in this JVM and SageMaker/SNS tasks answered by the
 * stand-ins in test-support.
 */
public final class TestBed implements AutoCloseable {
    static final Path DEFINITION = RepoPaths.root().resolve("statemachines/retrain.asl.json");
    static final Path FRAMES = RepoPaths.sharedTestData().resolve("mot17-frames");
    static final String ENDPOINT = "motflow-tracker";
    /** The asynchronous (video) endpoint the stack deploys next to the real-time one. */
    static final String ASYNC_ENDPOINT = "motflow-video";
    static final String FN = "arn:aws:lambda:us-east-1:000000000000:function:";

    final LocalAws local = LocalAws.shared();
    final S3Client s3 = local.s3();
    final DynamoDbClient dynamo = local.dynamo();
    final String table = TestTables.create(local);
    final String labelled = local.newBucket("labelled");
    final String artifacts = local.newBucket("artifacts");
    final Clock clock = Clock.systemUTC();
    final Env env;
    final Steps steps;
    final SageMakerStub sageMaker = local.sageMaker();
    final SageMakerLifecycle lifecycle;
    final TaskDispatcher dispatcher = TaskDispatcher.start();
    final SnsTasks sns = new SnsTasks();
    final LocalStarter starter = new LocalStarter();
    final RunCoordinator coordinator;
    final LabelledDataTrigger trigger;
    /** What the evaluation "container" writes per sequence, by model role. */
    volatile Function<String, String> candidateResults = TestBed::perfect;
    volatile Function<String, String> productionResults = TestBed::perfect;

    TestBed() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("TABLE_NAME", table);
        vars.put("ARTIFACTS_BUCKET", artifacts);
        vars.put("ENDPOINT_NAME", ENDPOINT);
        vars.put("GATE_MIN_IMPROVEMENT", "0.01");
        vars.put("GATE_MAX_MOTA_DROP", "0.005");
        env = new Env(vars);
        steps = new Steps(env, s3, dynamo, clock);
        sageMaker.reset();
        lifecycle = new SageMakerLifecycle(sageMaker);
        lifecycle.onProcessingJob(this::runEvaluationContainer);
        coordinator = new RunCoordinator(dynamo, table, starter, clock, Duration.ofDays(11));
        trigger = new LabelledDataTrigger(s3, coordinator, clock);
        LambdaTasks lambdas = new LambdaTasks()
                .register(FN + "validate", stream(new ValidateDatasetHandler(steps.validator())))
                .register(FN + "score", stream(new ScoreModelHandler(steps.scoring())))
                .register(FN + "gate", stream(new GateHandler(steps.gate())))
                .register(FN + "finish", stream(new FinishRunHandler(steps.finisher(coordinator))));
        dispatcher.route(LambdaTasks.RESOURCE, lambdas)
                .route(SageMakerTasks.OPTIMIZED, new SageMakerTasks(sageMaker.endpoint()))
                .route(SageMakerTasks.SDK, new SageMakerTasks(sageMaker.endpoint()))
                .route(SnsTasks.RESOURCE, sns);
    }

    /** Every ${...} of the definition, as the CDK app would fill them. */
    static Map<String, String> substitutions() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ValidateDatasetFunctionArn", FN + "validate");
        s.put("ScoreModelFunctionArn", FN + "score");
        s.put("GateFunctionArn", FN + "gate");
        s.put("FinishRunFunctionArn", FN + "finish");
        s.put("TrainingImageUri", "000000000000.dkr.ecr.us-east-1.amazonaws.com/motflow-train:1");
        s.put("EvaluationImageUri", "000000000000.dkr.ecr.us-east-1.amazonaws.com/motflow-processing:1");
        s.put("ServingImageUri", "000000000000.dkr.ecr.us-east-1.amazonaws.com/motflow-serve:1");
        s.put("TrainingRoleArn", "arn:aws:iam::000000000000:role/motflow-training");
        s.put("EvaluationRoleArn", "arn:aws:iam::000000000000:role/motflow-evaluation");
        s.put("ModelRoleArn", "arn:aws:iam::000000000000:role/motflow-endpoint");
        s.put("TrainingInstanceType", "ml.g5.xlarge");
        s.put("TrainingInstanceCount", "2");
        s.put("EvaluationInstanceType", "ml.g5.xlarge");
        s.put("EndpointInstanceType", "ml.g5.xlarge");
        s.put("EndpointName", ENDPOINT);
        s.put("EndpointErrorAlarmName", "motflow-endpoint-5xx");
        s.put("EndpointLatencyAlarmName", "motflow-endpoint-latency");
        s.put("AsyncEndpointName", ASYNC_ENDPOINT);
        s.put("AsyncInstanceType", "ml.g5.xlarge");
        s.put("AsyncMaxConcurrentInvocations", "4");
        s.put("AsyncOutputS3Uri", "s3://motflow-results/async-output/");
        s.put("AsyncFailureS3Uri", "s3://motflow-results/async-failures/");
        s.put("AsyncSuccessTopicArn", "arn:aws:sns:us-east-1:000000000000:motflow-async-success");
        s.put("AsyncErrorTopicArn", "arn:aws:sns:us-east-1:000000000000:motflow-async-error");
        s.put("AsyncEndpointErrorAlarmName", "motflow-video-5xx");
        s.put("AsyncEndpointLatencyAlarmName", "motflow-video-latency");
        s.put("NotifyTopicArn", "arn:aws:sns:us-east-1:000000000000:motflow-retraining");
        return s;
    }

    private static LambdaTasks.LambdaFunction stream(RequestStreamHandler handler) {
        return payload -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)), out, null);
            return out.toString(StandardCharsets.UTF_8);
        };
    }

    /** Plays the evaluation container: writes <seq>.txt for every validation sequence to the job's output. */
    private String runEvaluationContainer(JsonNode job) {
        String out = job.path("ProcessingOutputConfig").path("Outputs").path(0).path("S3Output").path("S3Uri").asText();
        Function<String, String> results = out.contains("/eval/production/") ? productionResults : candidateResults;
        String manifestUri = "";
        for (JsonNode in : job.path("ProcessingInputs")) {
            if (in.path("InputName").asText().equals("validation")) {
                manifestUri = in.path("S3Input").path("S3Uri").asText();
            }
        }
        S3Location manifest = S3Location.parse(manifestUri);
        JsonNode entries = Json.parse(s3.getObjectAsBytes(b -> b.bucket(manifest.bucket()).key(manifest.key())).asUtf8String());
        java.util.Set<String> sequences = new java.util.TreeSet<>();
        for (int i = 1; i < entries.size(); i++) {
            sequences.add(entries.get(i).asText().split("/")[0]);
        }
        S3Location target = S3Location.parse(out);
        for (String seq : sequences) {
            s3.putObject(b -> b.bucket(target.bucket()).key(target.key() + seq + ".txt"), RequestBody.fromString(results.apply(seq)));
        }
        return null;
    }

    public static String groundTruthOf(String seq) {
        try {
            return Files.readString(FRAMES.resolve(seq).resolve("gt/gt.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A perfect tracker's output: the ground truth's pedestrian targets as result rows. */
    public static String perfect(String seq) {
        return results(seq, false);
    }

    /**
     * A worse tracker's output: the pedestrian targets with every third track's boxes dropped
     * after frame 2 and, from frame 3 on, ids 2k and 2k+1 traded.
     */
    public static String degraded(String seq) {
        return results(seq, true);
    }

    /** A tracker that found almost nothing: the pedestrian targets of frame 1 only. */
    public static String poor(String seq) {
        StringBuilder b = new StringBuilder();
        for (String line : results(seq, false).split("\n")) {
            if (line.startsWith("1,")) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }

    private static String results(String seq, boolean degrade) {
        StringBuilder b = new StringBuilder();
        for (String line : groundTruthOf(seq).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            boolean target = Double.parseDouble(f[6].trim()) != 0 && Integer.parseInt(f[7].trim()) == 1;
            if (!target) {
                continue;
            }
            int frame = Integer.parseInt(f[0].trim());
            int id = Integer.parseInt(f[1].trim());
            if (degrade && frame > 2 && id % 3 == 0) {
                continue;
            }
            if (degrade && frame >= 3) {
                id = id ^ 1; // neighbouring ids trade places: identity switches
            }
            b.append(frame).append(',').append(id).append(',').append(f[2].trim()).append(',').append(f[3].trim()).append(',')
                    .append(f[4].trim()).append(',').append(f[5].trim()).append(",1,-1,-1,-1\n");
        }
        return b.toString();
    }

    // ---- datasets -------------------------------------------------------------------------

    /** One file of a dataset being uploaded. */
    public record DataFile(String path, byte[] bytes) {
    }

    /**
     * The two real MOT17 sequences of the shared test data as a motflow dataset (seqinfo's
     * seqLength set to the frames present), after {@code edit} had its way with the files.
     */
    public static List<DataFile> motDataset(UnaryOperator<List<DataFile>> edit) {
        List<DataFile> files = new ArrayList<>();
        for (String seq : List.of("MOT17-02-FRCNN", "MOT17-04-FRCNN")) {
            Path dir = FRAMES.resolve(seq);
            try (Stream<Path> frames = Files.list(dir.resolve("img1"))) {
                List<Path> sorted = frames.sorted().toList();
                for (Path f : sorted) {
                    files.add(new DataFile(seq + "/img1/" + f.getFileName(), Files.readAllBytes(f)));
                }
                String info = Files.readString(dir.resolve("seqinfo.ini")).replaceAll("seqLength=\\d+", "seqLength=" + sorted.size());
                files.add(new DataFile(seq + "/seqinfo.ini", info.getBytes(StandardCharsets.UTF_8)));
                files.add(new DataFile(seq + "/gt/gt.txt", Files.readAllBytes(dir.resolve("gt/gt.txt"))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return edit.apply(files);
    }

    public static ObjectNode manifest(String dataset, String version, List<DataFile> files) {
        ObjectNode m = Json.object();
        m.put("schema", "motflow.dataset/1");
        m.put("dataset", dataset);
        m.put("version", version);
        ArrayNode list = m.putArray("files");
        for (DataFile f : files) {
            list.addObject().put("path", f.path()).put("size", f.bytes().length).put("sha256", sha256(f.bytes()));
        }
        return m;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Uploads the files, then the manifest (last, as the README asks); returns the manifest key. */
    String upload(String dataset, List<DataFile> files, String manifestJson) {
        for (DataFile f : files) {
            s3.putObject(b -> b.bucket(labelled).key("labelled/" + dataset + "/" + f.path()), RequestBody.fromBytes(f.bytes()));
        }
        String key = "labelled/" + dataset + "/manifest.json";
        s3.putObject(b -> b.bucket(labelled).key(key), RequestBody.fromString(manifestJson));
        return key;
    }

    /** The SQS message S3 sends for a new object (one record). */
    SQSEvent.SQSMessage s3Event(String messageId, String key) {
        var head = s3.headObject(b -> b.bucket(labelled).key(key));
        ObjectNode body = Json.object();
        ObjectNode rec = body.putArray("Records").addObject();
        rec.put("eventSource", "aws:s3").put("eventName", "ObjectCreated:Put");
        ObjectNode s3n = rec.putObject("s3");
        s3n.putObject("bucket").put("name", labelled);
        s3n.putObject("object").put("key", key.replace(" ", "+")).put("size", head.contentLength())
                .put("eTag", head.eTag().replace("\"", "")).put("sequencer", "0055AED6DCD90281E5");
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(messageId);
        m.setBody(body.toString());
        return m;
    }

    LabelledDataHandler labelledDataHandler() {
        return new LabelledDataHandler(trigger, clock);
    }

    static SQSEvent batch(SQSEvent.SQSMessage... messages) {
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(messages));
        return e;
    }

    // ---- executions ------------------------------------------------------------------------

    /** ExecutionStarter for tests: runs the real ASL locally, asynchronously like Step Functions. */
    final class LocalStarter implements ExecutionStarter {
        private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "local-execution");
            t.setDaemon(true);
            return t;
        });
        private final Map<String, Future<ExecutionResult>> executions = new ConcurrentHashMap<>();
        final List<String> startOrder = new CopyOnWriteArrayList<>();
        final AslRunner runner = AslRunner.local();

        @Override
        public synchronized Started start(String name, String inputJson) {
            if (executions.containsKey(name)) {
                return Started.ALREADY_EXISTS;
            }
            JsonNode input = Json.parse(inputJson);
            startOrder.add(name);
            executions.put(name, pool.submit(() -> runner.run(new AslRunner.Run(DEFINITION, substitutions(), name, input, dispatcher))));
            return Started.STARTED;
        }

        ExecutionResult await(String name) {
            Future<ExecutionResult> f = executions.get(name);
            if (f == null) {
                throw new AssertionError("execution " + name + " was never started; started: " + startOrder);
            }
            try {
                return f.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("execution " + name + " did not finish", e);
            }
        }
    }

    static void print(String title, ExecutionResult r) {
        System.out.println("=== " + title + ": " + r.executionName() + " " + r.status() + "\nstates visited: " + r.path()
                + "\nevent history:\n" + r.historyJson());
    }

    @Override
    public void close() {
        dispatcher.close();
        starter.pool.shutdownNow();
    }
}
