package dev.motflow.jobs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.motflow.common.Backoff;
import dev.motflow.jobs.model.JobIds;
import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.jobs.testing.Local;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

class TrackRepositoryTest {
    private static final Local LOCAL = new Local();

    /**
     * The real client, except that BatchWriteItem only forwards half of each request (at least
     * one item) and answers the rest as UnprocessedItems, as DynamoDB does under throttling.
     */
    static final class HalfProcessing implements DynamoDbClient {
        final DynamoDbClient real;
        final AtomicInteger calls = new AtomicInteger();
        final boolean never;

        HalfProcessing(DynamoDbClient real, boolean neverProcess) {
            this.real = real;
            this.never = neverProcess;
        }

        @Override
        public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
            calls.incrementAndGet();
            Map<String, List<WriteRequest>> forward = new HashMap<>();
            Map<String, List<WriteRequest>> left = new HashMap<>();
            request.requestItems().forEach((table, writes) -> {
                int n = never ? 0 : Math.max(1, writes.size() / 2);
                if (n > 0) {
                    forward.put(table, writes.subList(0, n));
                }
                if (n < writes.size()) {
                    left.put(table, writes.subList(n, writes.size()));
                }
            });
            if (!forward.isEmpty()) {
                real.batchWriteItem(b -> b.requestItems(forward));
            }
            return BatchWriteItemResponse.builder().unprocessedItems(left).build();
        }

        @Override
        public String serviceName() {
            return real.serviceName();
        }

        @Override
        public void close() {
        }
    }

    private static List<TrackSummary> tracks(int n) {
        List<TrackSummary> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            int first = i * 10;
            out.add(new TrackSummary(i, 1, first, first + 20, 21, i % 2 == 0 ? 0.75 : null,
                    List.of(new TrackSummary.Box(first, 1.5, 2.25, 30, 60), new TrackSummary.Box(first + 20, 11, 12, 30.5, 61))));
        }
        return out;
    }

    @Test
    void pagesTracksInFirstFrameOrderAndFiltersAFrameRange() {
        Backoff fast = Backoff.of(8, Duration.ofMillis(1), Duration.ofMillis(10));
        TrackRepository repo = new TrackRepository(LOCAL.aws.dynamo(), LOCAL.table, new BatchWriter(LOCAL.aws.dynamo(), fast));
        String job = JobIds.random();
        List<TrackSummary> all = tracks(60);
        BatchWriter.Stats stats = repo.putAll(job, all);
        assertEquals(3, stats.calls());
        List<TrackSummary> read = new ArrayList<>();
        PageKey start = null;
        int pages = 0;
        do {
            Page<TrackSummary> p = repo.page(job, null, null, 25, start);
            read.addAll(p.items());
            start = p.lastKey();
            pages++;
        } while (start != null);
        assertEquals(all, read);
        assertTrue(pages >= 3);

        // Tracks overlapping frames 100..200: first <= 200 and last >= 100, i.e. ids 8..20.
        List<TrackSummary> range = repo.page(job, 100, 200, 100, null).items();
        assertEquals(List.of(8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
                range.stream().map(TrackSummary::trackId).toList());
        // A short page limit still fills up across the filtered-out items.
        assertEquals(5, repo.page(job, 300, null, 5, null).items().size());
    }

    @Test
    void unprocessedItemsAreResentUntilWritten() {
        HalfProcessing flaky = new HalfProcessing(LOCAL.aws.dynamo(), false);
        Backoff fast = Backoff.of(8, Duration.ofMillis(1), Duration.ofMillis(10));
        TrackRepository repo = new TrackRepository(LOCAL.aws.dynamo(), LOCAL.table, new BatchWriter(flaky, fast));
        String job = JobIds.random();
        BatchWriter.Stats stats = repo.putAll(job, tracks(30));
        System.out.printf("BatchWriteItem with half processed per call: 30 items, %d calls, %d items re-sent%n",
                stats.calls(), stats.resentItems());
        assertTrue(stats.resentItems() > 0);
        assertEquals(30, repo.page(job, null, null, 100, null).items().size());
    }

    @Test
    void givesUpAfterBoundedAttempts() {
        HalfProcessing stuck = new HalfProcessing(LOCAL.aws.dynamo(), true);
        Backoff fast = Backoff.of(4, Duration.ofMillis(1), Duration.ofMillis(5));
        BatchWriter writer = new BatchWriter(stuck, fast);
        TrackRepository repo = new TrackRepository(LOCAL.aws.dynamo(), LOCAL.table, writer);
        assertThrows(BatchWriter.UnprocessedItemsException.class, () -> repo.putAll(JobIds.random(), tracks(3)));
        assertEquals(4, stuck.calls.get());
    }
}
