package dev.motflow.retraining.handler;

import java.time.Clock;
import java.time.Duration;

import dev.motflow.metrics.Benchmark;
import dev.motflow.retraining.Env;
import dev.motflow.retraining.dataset.DatasetValidator;
import dev.motflow.retraining.score.GatePolicy;
import dev.motflow.retraining.score.GateStep;
import dev.motflow.retraining.store.ModelRegistry;
import dev.motflow.retraining.score.ModelScoring;
import dev.motflow.retraining.score.QualityFloor;
import dev.motflow.retraining.score.ResultScorer;
import dev.motflow.retraining.store.RunFinisher;
import dev.motflow.retraining.store.RunRecords;
import dev.motflow.retraining.training.TrainingPlanner;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the workflow steps' services from configuration and clients: the Lambdas use the
 * environment and AWS clients, tests the local servers. Defaults are in docs/handlers.md.
 */
public final class Steps {
    public static final String DEFAULT_MODEL_NAME = "motflow-tracker";

    private final Env env;
    private final S3Client s3;
    private final DynamoDbClient dynamo;
    private final Clock clock;

    public Steps(Env env, S3Client s3, DynamoDbClient dynamo, Clock clock) {
        this.env = env;
        this.s3 = s3;
        this.dynamo = dynamo;
        this.clock = clock;
    }

    static Steps fromSystem() {
        return new Steps(Env.system(), Clients.s3(), Clients.dynamo(), Clock.systemUTC());
    }

    String table() {
        return env.required("TABLE_NAME");
    }

    public DatasetValidator validator() {
        return new DatasetValidator(s3, dynamo, table(), env.required("ARTIFACTS_BUCKET"), trainingPlanner(), clock);
    }

    public TrainingPlanner trainingPlanner() {
        return new TrainingPlanner(registry(), runs());
    }

    public ModelRegistry registry() {
        return new ModelRegistry(dynamo, table(), env.optional("MODEL_NAME", DEFAULT_MODEL_NAME), clock);
    }

    public RunRecords runs() {
        return new RunRecords(dynamo, table(), clock, Duration.ofSeconds(env.integer(Clients.LEASE_VARIABLE,
                Clients.DEFAULT_LEASE_SECONDS)));
    }

    public ModelScoring scoring() {
        return new ModelScoring(new ResultScorer(s3, Benchmark.parse(env.optional("SCORING_BENCHMARK", "MOT17"))),
                registry(), runs(), clock);
    }

    public GateStep gate() {
        return new GateStep(gatePolicy(), registry(), runs(), clock);
    }

    /** The gate's margins and quality floor; unset variables take the defaults of docs/handlers.md. */
    public GatePolicy gatePolicy() {
        QualityFloor d = QualityFloor.DEFAULT;
        QualityFloor floor = new QualityFloor(env.decimal(QualityFloor.ENV_MIN_HOTA, d.minHota()),
                env.decimal(QualityFloor.ENV_MIN_IDF1, d.minIdf1()), env.decimal(QualityFloor.ENV_MIN_MOTA, d.minMota()));
        return new GatePolicy(env.decimal("GATE_MIN_IMPROVEMENT", 0.01), env.decimal("GATE_MAX_MOTA_DROP", 0.005), floor);
    }

    public RunFinisher finisher(dev.motflow.retraining.store.RunCoordinator coordinator) {
        return new RunFinisher(registry(), runs(), coordinator, env.required("ENDPOINT_NAME"), clock);
    }
}
