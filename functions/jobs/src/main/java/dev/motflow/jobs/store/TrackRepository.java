package dev.motflow.jobs.store;

import static dev.motflow.common.Attr.n;
import static dev.motflow.common.Attr.s;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.motflow.jobs.model.TrackSummary;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Track summaries of a job: {@code pk=JOB#id, sk=TRACK#<firstFrame:8>#<trackId:10>}. */
public final class TrackRepository {
    /** Queries one page may take to fill up when a frame filter drops items. */
    private static final int MAX_QUERIES_PER_PAGE = 8;

    private final DynamoDbClient dynamo;
    private final String table;
    private final BatchWriter writer;

    public TrackRepository(DynamoDbClient dynamo, String table, BatchWriter writer) {
        this.dynamo = dynamo;
        this.table = table;
        this.writer = writer;
    }

    public static String sortKey(int firstFrame, int trackId) {
        return TableKeys.trackSk(firstFrame, trackId);
    }

    public BatchWriter.Stats putAll(String jobId, List<TrackSummary> tracks) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(tracks.size());
        for (TrackSummary t : tracks) {
            items.add(TrackItems.toItem(jobId, t));
        }
        return writer.putAll(table, items);
    }

    /** The partition of a job: page tokens of its track list must stay in it. */
    public static String jobPartition(String jobId) {
        return TableKeys.jobPk(jobId);
    }

    /** The LastEvaluatedKey of {@link #page}: a track item of the job. */
    public static PageTokens.KeyShape pageShape(String jobId) {
        return new PageTokens.KeyShape(Map.of(TableKeys.PK, jobPartition(jobId), TableKeys.SK, TableKeys.TRACK_PREFIX),
                TableKeys.PK, jobPartition(jobId));
    }

    /**
     * Tracks of a job in first-frame order. {@code fromFrame}/{@code toFrame} (either may be null)
     * keep the tracks that overlap the range: first frame <= toFrame is a key condition,
     * last frame >= fromFrame a filter.
     */
    public Page<TrackSummary> page(String jobId, Integer fromFrame, Integer toFrame, int limit,
                                   PageKey start) {
        String low = TableKeys.TRACK_PREFIX;
        String high = TableKeys.trackSkUpTo(toFrame);
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":pk", s(TableKeys.jobPk(jobId)));
        values.put(":lo", s(low));
        values.put(":hi", s(high));
        String filter = null;
        if (fromFrame != null) {
            values.put(":from", n(fromFrame));
            filter = TrackItems.LAST_FRAME + " >= :from";
        }
        List<TrackSummary> out = new ArrayList<>();
        Map<String, AttributeValue> next = PageKey.startKey(start);
        for (int q = 0; q < MAX_QUERIES_PER_PAGE && out.size() < limit; q++) {
            QueryRequest.Builder b = QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :lo AND :hi")
                    .expressionAttributeValues(values)
                    .limit(limit - out.size());
            if (filter != null) {
                b.filterExpression(filter);
            }
            if (next != null) {
                b.exclusiveStartKey(next);
            }
            QueryResponse r = dynamo.query(b.build());
            for (Map<String, AttributeValue> item : r.items()) {
                out.add(TrackItems.fromItem(item));
            }
            next = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
            if (next == null) {
                break;
            }
        }
        return new Page<>(out, PageKey.of(next));
    }
}
