package dev.motflow.retraining.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.motflow.common.Attr;
import dev.motflow.retraining.Json;
import dev.motflow.retraining.TestBed;
import dev.motflow.retraining.TestBed.DataFile;
import dev.motflow.retraining.TestTables;
import dev.motflow.retraining.store.ModelRegistry;
import dev.motflow.retraining.store.Keys;
import dev.motflow.retraining.store.RunRecords;
import dev.motflow.retraining.training.TrainingPlanner;
import dev.motflow.retraining.trigger.RunRequest;
import dev.motflow.testsupport.LocalAws;
import software.amazon.awssdk.core.sync.RequestBody;

class DatasetValidatorTest {
    private final LocalAws local = LocalAws.shared();
    private String table;
    private String labelled;
    private String artifacts;
    private DatasetValidator validator;

    @BeforeEach
    void setUp() {
        table = TestTables.create(local);
        labelled = local.newBucket("labelled");
        artifacts = local.newBucket("artifacts");
        validator = new DatasetValidator(local.s3(), local.dynamo(), table, artifacts,
                new TrainingPlanner(new ModelRegistry(local.dynamo(), table, "m", Clock.systemUTC()),
                        new RunRecords(local.dynamo(), table, Clock.systemUTC())), Clock.systemUTC());
    }

    private RunRequest upload(String version, List<DataFile> files, String manifest) {
        for (DataFile f : files) {
            local.s3().putObject(b -> b.bucket(labelled).key("labelled/cams/" + f.path()), RequestBody.fromBytes(f.bytes()));
        }
        local.s3().putObject(b -> b.bucket(labelled).key("labelled/cams/manifest.json"), RequestBody.fromString(manifest));
        return new RunRequest("cams", labelled, "labelled/cams/manifest.json", version, RunRequest.MOTCHALLENGE, false, "S3", "t");
    }

    private static List<String> report(JsonNode result) {
        List<String> out = new ArrayList<>();
        result.path("report").forEach(i -> out.add(i.path("file").asText() + ":" + i.path("line").asInt() + ": " + i.path("problem").asText()));
        return out;
    }

    @Test
    void aGoodDatasetIsSplitByNameHashAndItsVersionRecordedOnce() {
        List<DataFile> files = TestBed.motDataset(f -> f);
        RunRequest req = upload("1", files, TestBed.manifest("cams", "1", files).toString());
        JsonNode r = validator.validate("cams-1", req);
        assertEquals("VALID", r.path("status").asText(), r.toString());
        JsonNode ds = r.path("dataset");
        assertEquals(1, ds.path("version").asLong());
        assertEquals(12, ds.path("frames").asInt(), "4 + 8 real frames");
        assertEquals(1, ds.path("validationSequences").size());
        assertEquals(1, ds.path("trainSequences").size());

        JsonNode manifest = Json.parse(local.s3().getObjectAsBytes(b -> b.bucket(artifacts).key("retraining/cams-1/validation.manifest")).asUtf8String());
        assertEquals("s3://" + labelled + "/labelled/cams/", manifest.get(0).path("prefix").asText());
        String seq = ds.path("validationSequences").get(0).asText();
        for (int i = 1; i < manifest.size(); i++) {
            assertTrue(manifest.get(i).asText().startsWith(seq + "/"), "only validation files: " + manifest.get(i));
        }
        var item = local.dynamo().getItem(b -> b.tableName(table).key(Keys.datasetVersion("cams", 1))).item();
        assertEquals("1", Attr.str(item, "manifestVersion"));
        assertEquals(ds.path("validationSetId").asText(), Attr.str(item, "validationSetId"));

        JsonNode again = validator.validate("cams-1-retry", req);
        assertEquals(1, again.path("dataset").path("version").asLong(), "same manifest, same dataset version");
        assertEquals(ds.path("validationSequences"), again.path("dataset").path("validationSequences"), "deterministic split");
        assertTrue(r.path("jobs").path("tuning").asText().length() <= 32);
    }

    @Test
    void theTrainingPlanStartsColdWithoutAProductionModelAndAsTheManifestAsks() {
        List<DataFile> files = TestBed.motDataset(f -> f);
        JsonNode first = validator.validate("cams-w1", upload("w1", files, TestBed.manifest("cams", "w1", files).toString()));
        JsonNode plan = first.path("training");
        assertEquals("COLD", plan.path("start").asText(), plan.toString());
        assertEquals("cold start: no production model yet", plan.path("summary").asText());
        List<String> channels = new ArrayList<>();
        plan.path("channels").forEach(c -> channels.add(c.path("ChannelName").asText()));
        assertEquals(List.of("train", "validation"), channels);
        assertEquals(first.path("dataset").path("trainManifestUri").asText(),
                plan.path("channels").path(0).path("DataSource").path("S3DataSource").path("S3Uri").asText());
        assertEquals("COLD", Attr.str(local.dynamo().getItem(b -> b.tableName(table).key(Keys.run("cams", "cams-w1"))).item(),
                "trainingStart"));

        ObjectNode cold = TestBed.manifest("cams", "w2", files);
        cold.putObject("training").put("coldStart", true);
        JsonNode asked = validator.validate("cams-w2", upload("w2", files, cold.toString()));
        assertEquals("cold start: asked for by the manifest (training.coldStart)", asked.path("training").path("summary").asText());
        // the request's own choice wins over the manifest's
        JsonNode overridden = validator.validate("cams-w3", upload("w3", files, cold.toString()).withColdStart(false));
        assertEquals("cold start: no production model yet", overridden.path("training").path("summary").asText());
    }

    @Test
    void aBadTrainingSectionIsReportedWithItsLine() {
        List<DataFile> files = TestBed.motDataset(f -> f);
        ObjectNode m = TestBed.manifest("cams", "t1", files);
        m.putObject("training").put("coldStart", "yes").put("coldstart", true);
        JsonNode r = validator.validate("cams-t1", upload("t1", files, m.toPrettyString()));
        assertEquals("REJECTED", r.path("status").asText());
        assertTrue(r.path("training").isNull());
        List<String> problems = report(r);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).matches("manifest\\.json:\\d+: \"training\" has an unknown field \"coldstart\"; known: \\[coldStart]"),
                problems.toString());
        assertTrue(problems.get(1).matches("manifest\\.json:\\d+: \"training.coldStart\" must be true or false, got \"yes\""),
                problems.toString());

        ObjectNode notObject = TestBed.manifest("cams", "t2", files);
        notObject.put("training", "cold");
        assertEquals(List.of("manifest.json:" + (notObject.toPrettyString().split("\"training\"")[0].split("\n").length)
                + ": \"training\" must be an object such as {\"coldStart\": true}"),
                report(validator.validate("cams-t2", upload("t2", files, notObject.toPrettyString()))));
    }

    @Test
    void brokenFilesAreReportedByFileAndLine() {
        List<DataFile> files = TestBed.motDataset(list -> {
            List<DataFile> out = new ArrayList<>();
            for (DataFile f : list) {
                if (f.path().equals("MOT17-04-FRCNN/gt/gt.txt")) {
                    String text = new String(f.bytes(), StandardCharsets.UTF_8);
                    out.add(new DataFile(f.path(), (text + "3,7,1950,50,20,20,1,1,1\n9,8,10,10,20,20,1,1,1.5\n").getBytes(StandardCharsets.UTF_8)));
                } else if (!f.path().equals("MOT17-02-FRCNN/img1/000003.jpg")) {
                    out.add(f);
                }
            }
            return out;
        });
        int gtLines = new String(files.stream().filter(f -> f.path().equals("MOT17-04-FRCNN/gt/gt.txt")).findFirst().orElseThrow().bytes(),
                StandardCharsets.UTF_8).split("\n").length;
        JsonNode r = validator.validate("cams-2", upload("2", files, TestBed.manifest("cams", "2", files).toString()));
        assertEquals("REJECTED", r.path("status").asText());
        List<String> report = report(r);
        assertTrue(report.contains("MOT17-02-FRCNN/seqinfo.ini:0: seqLength=4 but frames [3] are not listed"), report.toString());
        assertTrue(report.contains("MOT17-04-FRCNN/gt/gt.txt:" + (gtLines - 1) + ": box (1950.0,50.0 20.0x20.0) lies outside the 1920x1080 image"), report.toString());
        assertTrue(report.contains("MOT17-04-FRCNN/gt/gt.txt:" + gtLines + ": frame 9 is beyond seqLength=8"), report.toString());
        assertTrue(report.contains("MOT17-04-FRCNN/gt/gt.txt:" + gtLines + ": visibility must be within [0, 1], got 1.5"), report.toString());
    }

    @Test
    void malformedManifestAndGtAreReportedNotThrown() {
        List<DataFile> files = TestBed.motDataset(f -> f);
        JsonNode broken = validator.validate("cams-3", upload("3", files, "{\n  \"schema\": \"motflow.dataset/1\",\n  \"files\": [\n oops\n]}"));
        assertEquals("REJECTED", broken.path("status").asText());
        assertEquals(List.of("manifest.json:4: not valid JSON: Unrecognized token 'oops': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                report(broken));

        List<DataFile> badGt = TestBed.motDataset(list -> {
            List<DataFile> out = new ArrayList<>(list);
            out.replaceAll(f -> f.path().equals("MOT17-02-FRCNN/gt/gt.txt")
                    ? new DataFile(f.path(), "1,1,10,10,20,20,1,1,1\n2,x,10,10,20,20,1,1,1\n".getBytes(StandardCharsets.UTF_8)) : f);
            return out;
        });
        List<String> report = report(validator.validate("cams-4", upload("4", badGt, TestBed.manifest("cams", "4", badGt).toString())));
        assertEquals(1, report.size(), report.toString());
        assertTrue(report.get(0).startsWith("MOT17-02-FRCNN/gt/gt.txt:2: "), report.toString());
    }

    @Test
    void groundTruthVideoTrackingOutputIsConvertedToMotChallenge() {
        // Two Ground Truth sequences over the real MOT17 frames, labels taken from the real gt.
        StringBuilder manifest = new StringBuilder();
        for (String seq : List.of("MOT17-02-FRCNN", "MOT17-04-FRCNN")) {
            List<DataFile> frames = TestBed.motDataset(f -> f).stream().filter(f -> f.path().startsWith(seq + "/img1/")).toList();
            ObjectNode seqFile = Json.object().put("seq-no", 1).put("prefix", "s3://" + labelled + "/frames/" + seq + "/")
                    .put("number-of-frames", frames.size());
            var list = seqFile.putArray("frames");
            for (int i = 0; i < frames.size(); i++) {
                String name = "frame_" + (i + 1) + ".jpeg";
                DataFile f = frames.get(i);
                local.s3().putObject(b -> b.bucket(labelled).key("frames/" + seq + "/" + name), RequestBody.fromBytes(f.bytes()));
                list.addObject().put("frame-no", i + 1).put("frame", name);
            }
            ObjectNode labels = Json.object();
            var tracking = labels.putArray("tracking-annotations");
            for (int i = 0; i < frames.size(); i++) {
                ObjectNode frame = tracking.addObject().put("frame-no", i).put("frame", "frame_" + (i + 1) + ".jpeg");
                var anns = frame.putArray("annotations");
                for (String line : TestBed.perfect(seq).split("\n")) {
                    String[] c = line.split(",");
                    if (Integer.parseInt(c[0]) == i + 1) {
                        anns.addObject().put("object-id", "uuid-" + c[1]).put("object-name", "person:" + c[1]).put("class-id", "0")
                                .put("left", Double.parseDouble(c[2])).put("top", Double.parseDouble(c[3]))
                                .put("width", Double.parseDouble(c[4])).put("height", Double.parseDouble(c[5]));
                    }
                }
            }
            local.s3().putObject(b -> b.bucket(labelled).key("labelled/cams/gt-job/seqs/" + seq + ".json"), RequestBody.fromString(seqFile.toString()));
            local.s3().putObject(b -> b.bucket(labelled).key("labelled/cams/gt-job/annotations/" + seq + "/SeqLabel.json"),
                    RequestBody.fromString(labels.toString()));
            ObjectNode line = Json.object().put("source-ref", "s3://" + labelled + "/labelled/cams/gt-job/seqs/" + seq + ".json")
                    .put("people-ref", "s3://" + labelled + "/labelled/cams/gt-job/annotations/" + seq + "/SeqLabel.json");
            line.putObject("people-ref-metadata").put("type", "groundtruth/video-object-tracking").put("job-name", "labeling-job/cams")
                    .putObject("class-map").put("0", "person");
            manifest.append(line).append('\n');
        }
        String key = "labelled/cams/gt-job/manifests/output/output.manifest";
        local.s3().putObject(b -> b.bucket(labelled).key(key), RequestBody.fromString(manifest.toString()));
        RunRequest req = new RunRequest("cams", labelled, key, "gt-abc", RunRequest.GROUND_TRUTH, false, "S3", "t");

        JsonNode r = validator.validate("cams-gt-abc", req);
        assertEquals("VALID", r.path("status").asText(), r.toString());
        assertEquals(artifacts, r.path("dataset").path("bucket").asText());
        String root = r.path("dataset").path("rootPrefix").asText();
        assertEquals("datasets/cams/gt-abc/", root);
        String gt = local.s3().getObjectAsBytes(b -> b.bucket(artifacts).key(root + "MOT17-02-FRCNN/gt/gt.txt")).asUtf8String();
        long expectedRows = TestBed.perfect("MOT17-02-FRCNN").lines().count();
        assertEquals(expectedRows, gt.lines().count());
        assertTrue(gt.startsWith("1,1,"), "object ids renumbered from 1 in order of appearance: " + gt.lines().findFirst().orElse(""));
        assertTrue(local.s3().headObject(b -> b.bucket(artifacts).key(root + "MOT17-04-FRCNN/img1/000008.jpg")).contentLength() > 0);
        String info = local.s3().getObjectAsBytes(b -> b.bucket(artifacts).key(root + "MOT17-04-FRCNN/seqinfo.ini")).asUtf8String();
        assertTrue(info.contains("seqLength=8"), info);
    }
}
