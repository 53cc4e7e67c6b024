package dev.motflow.retraining.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.motflow.common.Attr;
import dev.motflow.retraining.model.DatasetVersion;
import dev.motflow.table.TableKeys;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link DatasetVersion} <-> its DynamoDB item; the attribute names are the stored format. */
final class DatasetVersionItems {
    static final String SHA256 = "sha256";
    static final String MANIFEST_VERSION = "manifestVersion";

    private DatasetVersionItems() {
    }

    static Map<String, AttributeValue> toItem(DatasetVersion d) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.datasetVersion(d.dataset(), d.version()));
        item.put("manifestS3Uri", Attr.s(d.manifestS3Uri()));
        item.put(MANIFEST_VERSION, Attr.s(d.manifestVersion()));
        item.put("format", Attr.s(d.format()));
        item.put(SHA256, Attr.s(d.sha256()));
        item.put("rootS3Uri", Attr.s(d.rootS3Uri()));
        item.put("sequences", Attr.n(d.sequences()));
        item.put("frames", Attr.n(d.frames()));
        item.put("trainSequences", DynamoJson.fromObject(d.trainSequences()));
        item.put("validationSequences", DynamoJson.fromObject(d.validationSequences()));
        item.put("validationSetId", Attr.s(d.validationSetId()));
        item.put("executionName", Attr.s(d.executionName()));
        item.put("createdAt", Attr.s(d.createdAt().toString()));
        return item;
    }

    static DatasetVersion fromItem(String dataset, Map<String, AttributeValue> item) {
        String createdAt = Attr.str(item, "createdAt");
        return new DatasetVersion(dataset, TableKeys.versionOf(Attr.str(item, TableKeys.SK)), Attr.str(item, "manifestS3Uri"),
                Attr.str(item, MANIFEST_VERSION), Attr.str(item, "format"), Attr.str(item, SHA256),
                Attr.str(item, "rootS3Uri"), (int) Attr.num(item, "sequences", 0), (int) Attr.num(item, "frames", 0),
                names(item.get("trainSequences")), names(item.get("validationSequences")),
                Attr.str(item, "validationSetId"), Attr.str(item, "executionName"),
                createdAt == null ? null : Instant.parse(createdAt));
    }

    private static List<String> names(AttributeValue list) {
        List<String> out = new ArrayList<>();
        if (list != null && list.hasL()) {
            list.l().forEach(v -> out.add(v.s()));
        }
        return out;
    }
}
