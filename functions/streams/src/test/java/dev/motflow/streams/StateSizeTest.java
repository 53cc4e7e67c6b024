package dev.motflow.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.motflow.streams.handler.StreamApiHandler;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.streams.testing.Requests;
import dev.motflow.streams.testing.StreamsEnv;
import dev.motflow.streams.testing.SyntheticScene;
import dev.motflow.testsupport.SageMakerStub.InvokeResponse;

/**
 * The state item stays far below DynamoDB's 400 KB in a worst case: a crowd of 400 detections per
 * frame (above the 300 cap) where half the objects are new every frame and vanish after two frames,
 * so hundreds of tracks go lost every frame and would pile up for the 30-frame track buffer.
 */
class StateSizeTest {
    @Test
    void aCrowdWithManyLostTracksStaysUnderTheStateLimit() {
        StreamsEnv env = new StreamsEnv();
        String crowd = env.aws.uniqueName("crowd");
        env.sm.onInvoke(crowd, (type, body) -> {
            long frame = SyntheticScene.decodeImage(body)[1];
            List<SyntheticScene.Det> dets = new ArrayList<>();
            for (long k = frame * 200; k < frame * 200 + 400; k++) {
                SplittableRandom r = new SplittableRandom(k * 31 + 7);
                float[] e = new float[128];
                for (int i = 0; i < e.length; i++) {
                    e[i] = (float) (r.nextDouble() - 0.5);
                }
                dets.add(new SyntheticScene.Det((int) k, r.nextDouble(0, 4000), r.nextDouble(0, 3000), 24, 60,
                        0.5 + r.nextDouble() * 0.45, e));
            }
            dets.sort((a, b) -> Double.compare(b.score(), a.score()));
            return InvokeResponse.json(SyntheticScene.answerJson(dets, true));
        });
        StreamApiHandler handler = env.handler(StreamsConfig.of(env.table, crowd), Clock.systemUTC());
        SyntheticScene frames = new SyntheticScene(1, 0, 128, 0);
        int maxItem = 0;
        int maxState = 0;
        JsonNode status = null;
        for (long f = 1; f <= 12; f++) {
            JsonNode body = Requests.json(handler.handleRequest(Requests.frame("crowd", f, frames.jpeg(f)), null));
            assertEquals(400, body.get("detections").asInt(), body.toString());
            assertTrue(body.get("tracks").size() <= 300, "at most the 300 highest-scoring detections are tracked");
            status = Requests.json(handler.handleRequest(Requests.get("crowd"), null));
            maxItem = Math.max(maxItem, status.get("itemBytes").asInt());
            maxState = Math.max(maxState, status.get("stateBytes").asInt());
        }
        assertTrue(maxState <= 256 * 1024, "state " + maxState);
        assertTrue(maxItem <= 257 * 1024, "item " + maxItem);
        assertTrue(maxState > 200 * 1024, "the crowd does reach the limit: " + maxState);
        int lost = status.get("lostTracks").asInt();
        assertTrue(lost > 0 && lost < 1000, "some lost tracks kept, not all ~2000: " + lost);
        System.out.printf("crowd stream (400 detections/frame, 128-d): largest state %d bytes, largest item %d bytes;"
                + " %d tracked + %d lost tracks kept%n", maxState, maxItem, status.get("trackedTracks").asInt(), lost);
    }
}
