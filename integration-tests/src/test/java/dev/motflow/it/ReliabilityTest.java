package dev.motflow.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;

import dev.motflow.common.Backoff;
import dev.motflow.common.JsonLog;
import dev.motflow.jobs.model.Job;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.JobStatus;
import dev.motflow.jobs.model.S3ObjectRef;
import dev.motflow.jobs.store.JobRepository;
import dev.motflow.jobs.store.Page;
import dev.motflow.jobs.store.PageKey;
import dev.motflow.testsupport.AwsEvents;
import dev.motflow.testsupport.Fault;
import dev.motflow.testsupport.FaultPlan;
import dev.motflow.testsupport.RecordedCall;
import dev.motflow.testsupport.Videos;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reliability figures of the ingest path; each test prints what it measured. */
class ReliabilityTest {

    @BeforeEach
    void quiet() {
        JsonLog.threshold(JsonLog.Level.ERROR);
    }

    @AfterEach
    void loud() {
        JsonLog.threshold(JsonLog.Level.INFO);
    }

    record Obj(String key, String eTag, String sequencer, int size) {
        String event(String bucket) {
            return AwsEvents.s3Put(bucket, key, eTag, size, sequencer);
        }

        String jobId(String bucket) {
            return JobIds.forObject(new S3ObjectRef(bucket, key, null, eTag, sequencer, size));
        }
    }

    private static List<Obj> upload(Stack stack, String prefix, int count, ExecutorService pool) throws Exception {
        byte[] video = Videos.mp4(64);
        List<Future<Obj>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = prefix + String.format("%04d", i) + ".mp4";
            futures.add(pool.submit(() -> new Obj(key, stack.put(key, video), AwsEvents.nextSequencer(), video.length)));
        }
        List<Obj> out = new ArrayList<>();
        for (Future<Obj> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    /** Delivers bodies in SQS batches of 10 from {@code threads} threads; redelivers failures. Returns rounds used. */
    private static int[] deliver(Stack stack, List<String> bodies, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int rounds = 0;
        int redelivered = 0;
        try {
            List<String> pending = bodies;
            while (!pending.isEmpty() && rounds < 30) {
                rounds++;
                ConcurrentLinkedQueue<List<String>> batches = new ConcurrentLinkedQueue<>();
                for (int i = 0; i < pending.size(); i += 10) {
                    batches.add(pending.subList(i, Math.min(pending.size(), i + 10)));
                }
                ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    workers.add(pool.submit(() -> {
                        List<String> batch;
                        while ((batch = batches.poll()) != null) {
                            var event = Stack.sqs(batch);
                            SQSBatchResponse r = stack.ingest.handleRequest(event, null);
                            Map<String, String> byId = new HashMap<>();
                            event.getRecords().forEach(m -> byId.put(m.getMessageId(), m.getBody()));
                            r.getBatchItemFailures().forEach(f -> failed.add(byId.get(f.getItemIdentifier())));
                        }
                        return null;
                    }));
                }
                for (Future<?> w : workers) {
                    w.get();
                }
                pending = new ArrayList<>(failed);
                redelivered += pending.size();
                if (!pending.isEmpty()) {
                    Thread.sleep(20); // SQS visibility timeout, compressed
                }
            }
            assertTrue(pending.isEmpty(), pending.size() + " messages still failing after " + rounds + " rounds");
        } finally {
            pool.shutdownNow();
        }
        return new int[] {rounds, redelivered};
    }

    private static Map<JobStatus, Integer> countByStatus(Stack stack) {
        JobRepository jobs = new JobRepository(stack.aws.dynamo(), stack.table, java.time.Clock.systemUTC());
        Map<JobStatus, Integer> counts = new HashMap<>();
        for (JobStatus s : JobStatus.values()) {
            int n = 0;
            PageKey start = null;
            do {
                Page<Job> p = jobs.listByStatus(s, 100, start);
                n += p.items().size();
                start = p.lastKey();
            } while (start != null);
            counts.put(s, n);
        }
        return counts;
    }

    @Test
    void a_thousandEventsWithDuplicatesFromEightThreadsMakeOneJobPerObject() throws Exception {
        Stack stack = new Stack(50L << 30, Stack.fastBackoff());
        stack.sm.reset();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Obj> objects;
        try {
            objects = upload(stack, "incoming/load/v", 800, pool);
        } finally {
            pool.shutdown();
        }
        Random random = new Random(42);
        List<String> events = new ArrayList<>();
        objects.forEach(o -> events.add(o.event(stack.drop)));
        for (int i = 0; i < 200; i++) {
            events.add(objects.get(random.nextInt(objects.size())).event(stack.drop));
        }
        Collections.shuffle(events, random);
        // Half of the duplicates go into the next SQS batch at the same slot as their original, so two
        // threads handle the pair at the same moment; the others arrive at random times.
        int hot = 0;
        for (int i = 0; i < events.size() && hot < 100; i++) {
            int first = events.indexOf(events.get(i));
            if (first < i && first + 10 < events.size()) {
                Collections.swap(events, i, first + 10);
                hot++;
            }
        }
        long t0 = System.nanoTime();
        int[] rounds = deliver(stack, events, 8);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        List<RecordedCall> starts = stack.sm.successfulCalls("InvokeEndpointAsync");
        Set<String> inferenceIds = new HashSet<>();
        starts.forEach(c -> inferenceIds.add(c.header("X-Amzn-SageMaker-Inference-Id")));
        Set<String> expected = new HashSet<>();
        objects.forEach(o -> expected.add(o.jobId(stack.drop)));
        Map<JobStatus, Integer> counts = countByStatus(stack);
        System.out.printf("(a) %d S3 events (%d distinct objects, %d duplicates) from 8 threads in %d ms: %d jobs "
                        + "RUNNING, %d in other states, %d InvokeEndpointAsync starts for %d distinct inference ids; "
                        + "%d duplicates delivered concurrently with their original; %d delivery rounds, %d messages redelivered (duplicates that met a start in progress)%n",
                events.size(), objects.size(), events.size() - objects.size(), ms, counts.get(JobStatus.RUNNING),
                counts.values().stream().mapToInt(Integer::intValue).sum() - counts.get(JobStatus.RUNNING),
                starts.size(), inferenceIds.size(), hot, rounds[0], rounds[1]);
        assertEquals(800, (int) counts.get(JobStatus.RUNNING));
        assertEquals(800, counts.values().stream().mapToInt(Integer::intValue).sum(), "no extra jobs");
        assertEquals(expected, inferenceIds);
        assertEquals(800, starts.size(), "exactly one start per object");
    }

    @Test
    void b_thirtyPercentSageMakerFaultsLoseNothingAndRetriesStayBounded() throws Exception {
        List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
        Backoff backoff = Stack.fastBackoff();
        // The SDK's retry strategy sleeps the waits it asks the backoff for; record them on the way.
        Stack stack = new Stack(50L << 30, backoff.maxAttempts(), retry -> {
            Duration d = backoff.delay(retry);
            sleeps.add(d);
            return d;
        });
        stack.sm.reset();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Obj> asyncObjects;
        List<Obj> batchObjects;
        try {
            asyncObjects = upload(stack, "incoming/faults/a", 100, pool);
            batchObjects = upload(stack, "incoming/batch/faults/b", 30, pool);
        } finally {
            pool.shutdown();
        }
        stack.sm.injectFaults(FaultPlan.random(0.3, 7, Fault.THROTTLING, Fault.INTERNAL_ERROR, Fault.SERVICE_UNAVAILABLE));
        List<String> events = new ArrayList<>();
        asyncObjects.forEach(o -> events.add(o.event(stack.drop)));
        batchObjects.forEach(o -> events.add(o.event(stack.drop)));
        Collections.shuffle(events, new Random(3));
        int[] rounds = deliver(stack, events, 4);
        stack.sm.injectFaults(FaultPlan.none());

        Map<String, Integer> callsPerJob = new HashMap<>();
        Map<String, Integer> successesPerJob = new HashMap<>();
        int total = 0;
        int failed = 0;
        for (RecordedCall c : stack.sm.calls()) {
            String id = switch (c.operation()) {
                case "InvokeEndpointAsync" -> c.header("X-Amzn-SageMaker-Inference-Id");
                case "CreateProcessingJob", "DescribeProcessingJob" ->
                        JobIds.fromProcessingJobName(c.json().path("ProcessingJobName").asText());
                default -> null;
            };
            if (id == null) {
                continue;
            }
            total++;
            callsPerJob.merge(id, 1, Integer::sum);
            if (c.succeeded() && !c.operation().equals("DescribeProcessingJob")) {
                successesPerJob.merge(id, 1, Integer::sum);
            } else if (!c.succeeded()) {
                failed++;
            }
        }
        Map<JobStatus, Integer> counts = countByStatus(stack);
        int maxCalls = callsPerJob.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        long retried = callsPerJob.values().stream().filter(n -> n > 1).count();
        long maxSleep = sleeps.stream().mapToLong(Duration::toMillis).max().orElse(0);
        double meanSleep = sleeps.stream().mapToLong(Duration::toMillis).average().orElse(0);
        Set<Long> distinctSleeps = new HashSet<>();
        sleeps.forEach(d -> distinctSleeps.add(d.toNanos()));
        System.out.printf("(b) 130 videos (100 async, 30 processing) with 30%% of SageMaker calls failing "
                        + "(Throttling/InternalFailure/ServiceUnavailable): %d RUNNING, %d lost; %d SageMaker calls, %d failed "
                        + "(%.1f%%); %d jobs needed retries; max calls for one job %d (bound: 6 per delivery); "
                        + "%d backoff waits, mean %.1f ms, max %d ms (cap 80 ms), %d distinct; %d delivery rounds, %d redeliveries%n",
                counts.get(JobStatus.RUNNING), 130 - counts.get(JobStatus.RUNNING), total, failed, 100.0 * failed / total,
                retried, maxCalls, sleeps.size(), meanSleep, maxSleep, distinctSleeps.size(), rounds[0], rounds[1]);
        assertEquals(130, (int) counts.get(JobStatus.RUNNING));
        assertEquals(130, successesPerJob.size());
        assertTrue(successesPerJob.values().stream().allMatch(n -> n == 1), "exactly one accepted start per job");
        assertTrue(failed > 0.2 * total, "faults were injected");
        assertTrue(maxCalls <= 6 * rounds[0]);
        assertTrue(maxSleep <= 80);
        assertTrue(distinctSleeps.size() > sleeps.size() / 2, "waits are jittered");
    }

    @Test
    void c_aNonRetryableRefusalFailsTheJobWithTheReason() throws Exception {
        Stack stack = new Stack(50L << 30, Stack.fastBackoff());
        stack.sm.reset();
        byte[] video = Videos.mp4(64);
        Obj async = new Obj("incoming/refused.mp4", stack.put("incoming/refused.mp4", video), AwsEvents.nextSequencer(), video.length);
        Obj batch = new Obj("incoming/batch/refused.mp4", stack.put("incoming/batch/refused.mp4", video), AwsEvents.nextSequencer(), video.length);
        stack.sm.injectFaults(FaultPlan.always(Fault.VALIDATION));
        SQSBatchResponse r = stack.ingest.handleRequest(Stack.sqs(List.of(async.event(stack.drop), batch.event(stack.drop))), null);
        stack.sm.injectFaults(FaultPlan.none());
        assertTrue(r.getBatchItemFailures().isEmpty(), "a refusal is final: no SQS retry");
        JobRepository jobs = new JobRepository(stack.aws.dynamo(), stack.table, java.time.Clock.systemUTC());
        Job a = jobs.get(async.jobId(stack.drop)).orElseThrow();
        Job b = jobs.get(batch.jobId(stack.drop)).orElseThrow();
        System.out.printf("(c) non-retryable SageMaker error: async job %s reason \"%s\"; processing job %s reason \"%s\"; "
                + "%d calls in all (no retries)%n", a.status(), a.statusReason(), b.status(), b.statusReason(), stack.sm.calls().size());
        assertEquals(JobStatus.FAILED, a.status());
        assertEquals(JobStatus.FAILED, b.status());
        assertTrue(a.statusReason().contains("InvokeEndpointAsync was refused") && a.statusReason().contains("Injected validation error"));
        assertTrue(b.statusReason().contains("CreateProcessingJob was refused") && b.statusReason().contains("ValidationException"));
        assertEquals(2, stack.sm.calls().size());
    }
}
