package dev.motflow.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * Alarms to the alert topic (dead-letter queues, Lambda errors and throttles, endpoint 5xx and model
 * latency, state machine failures) and one dashboard.
 */
public final class Observability extends Construct {
    private static final Duration MINUTE = Duration.minutes(1);
    private static final Duration FIVE_MINUTES = Duration.minutes(5);

    private final List<Alarm> alarms = new ArrayList<>();
    private final SnsAction alert;

    public Observability(Construct scope, String id, MotflowConfig cfg, Messaging messaging,
                         Map<String, JobFunctions.JavaFunction> functions, Ml ml, Workflows workflows) {
        super(scope, id);
        Topic topic = messaging.alerts();
        alert = new SnsAction(topic);
        cfg.alertEmailAddress().ifPresent(email -> topic.addSubscription(new EmailSubscription(email)));

        List<IMetric> dlqDepths = new ArrayList<>();
        for (Queue dlq : messaging.deadLetterQueues()) {
            Metric depth = dlq.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                    .period(MINUTE).statistic("Maximum").build());
            dlqDepths.add(depth);
            alarm(dlq.getNode().getId() + "NotEmpty", null, "A message failed for good: see " + dlq.getNode().getPath(),
                    depth, 0, 1);
        }

        List<IMetric> errors = new ArrayList<>();
        List<IMetric> throttles = new ArrayList<>();
        List<IMetric> durations = new ArrayList<>();
        new java.util.TreeMap<>(functions).forEach((name, f) -> {
            MetricOptions sum = MetricOptions.builder().period(FIVE_MINUTES).statistic("Sum").label(name).build();
            Metric err = f.function().metricErrors(sum);
            Metric thr = f.function().metricThrottles(sum);
            errors.add(err);
            throttles.add(thr);
            durations.add(f.function().metricDuration(MetricOptions.builder().period(FIVE_MINUTES)
                    .statistic("p99").label(name).build()));
            alarm(name + "Errors", null, "Lambda " + name + " reports errors", err, cfg.lambdaErrorThreshold() - 1, 1);
            alarm(name + "Throttles", null, "Lambda " + name + " is throttled", thr, 0, 1);
        });

        List<IMetric> endpointMetrics = new ArrayList<>();
        List<IMetric> latencies = new ArrayList<>();
        for (String endpoint : List.of(ml.asyncEndpointName(), ml.framesEndpointName())) {
            Metric fiveXx = endpointMetric(endpoint, "Invocation5XXErrors", "Sum", MINUTE);
            Metric latency = endpointMetric(endpoint, "ModelLatency", "p90", MINUTE);
            endpointMetrics.add(fiveXx);
            latencies.add(latency);
            // Named: the retraining workflow's blue/green update rolls back on these two alarms.
            alarm(null, errorAlarmName(endpoint), "SageMaker endpoint " + endpoint + " returns 5xx", fiveXx, 0, 2);
            // ModelLatency is in microseconds.
            alarm(null, latencyAlarmName(endpoint), "p90 model latency of " + endpoint + " above "
                    + cfg.endpointLatencyThresholdMs() + " ms", latency, cfg.endpointLatencyThresholdMs() * 1000.0, 3);
        }
        Metric backlog = new Metric(software.amazon.awscdk.services.cloudwatch.MetricProps.builder()
                .namespace("AWS/SageMaker").metricName("ApproximateBacklogSize")
                .dimensionsMap(Map.of("EndpointName", ml.asyncEndpointName()))
                .statistic("Average").period(MINUTE).build());

        List<IMetric> executions = new ArrayList<>();
        workflows.stateMachines().forEach((name, sm) -> {
            Metric failed = sm.metricFailed(MetricOptions.builder().period(FIVE_MINUTES).statistic("Sum")
                    .label(name + " failed").build());
            Metric timedOut = sm.metricTimedOut(MetricOptions.builder().period(FIVE_MINUTES).statistic("Sum")
                    .label(name + " timed out").build());
            executions.add(sm.metricSucceeded(MetricOptions.builder().period(FIVE_MINUTES).statistic("Sum")
                    .label(name + " succeeded").build()));
            executions.add(failed);
            executions.add(timedOut);
            alarm(name + "Failed", null, "State machine " + name + " has failed executions", failed, 0, 1);
            alarm(name + "TimedOut", null, "State machine " + name + " has timed-out executions", timedOut, 0, 1);
        });

        List<IWidget> row1 = List.of(
                graph("Dead-letter queue depth", dlqDepths),
                graph("Lambda errors", errors),
                graph("Lambda throttles", throttles));
        List<IWidget> row2 = new ArrayList<>(List.of(
                graph("Lambda duration p99", durations),
                graph("Endpoint 5xx", endpointMetrics),
                graph("Endpoint model latency p90 (us)", latencies),
                graph("Async backlog", List.of(backlog))));
        Dashboard.Builder.create(this, "Dashboard")
                .dashboardName(cfg.prefix())
                .widgets(executions.isEmpty() ? List.of(row1, row2)
                        : List.of(row1, row2, List.of(graph("Retraining executions", executions))))
                .build();
    }

    public static String errorAlarmName(String endpoint) {
        return endpoint + "-5xx";
    }

    public static String latencyAlarmName(String endpoint) {
        return endpoint + "-model-latency";
    }

    private static Metric endpointMetric(String endpoint, String name, String statistic, Duration period) {
        return new Metric(software.amazon.awscdk.services.cloudwatch.MetricProps.builder()
                .namespace("AWS/SageMaker").metricName(name)
                .dimensionsMap(Map.of("EndpointName", endpoint, "VariantName", Ml.VARIANT))
                .statistic(statistic).period(period).label(endpoint).build());
    }

    private static GraphWidget graph(String title, List<IMetric> metrics) {
        return GraphWidget.Builder.create().title(title).left(metrics).width(8).height(6).build();
    }

    /** Alarm when {@code metric} is above {@code threshold} for {@code periods} periods in a row. */
    private void alarm(String id, String name, String description, IMetric metric, double threshold, int periods) {
        Alarm a = Alarm.Builder.create(this, id != null ? id : name)
                .alarmName(name)
                .alarmDescription(description)
                .metric(metric)
                .threshold(threshold)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(periods)
                .datapointsToAlarm(periods)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        a.addAlarmAction(alert);
        alarms.add(a);
    }

    public List<Alarm> alarms() {
        return List.copyOf(alarms);
    }
}
