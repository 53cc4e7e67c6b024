package dev.motflow.streams.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.motflow.tracking.Detections;

class DetectionsParserTest {
    static ModelDetections parse(String json) {
        return DetectionsParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static String parseError(String json) {
        return assertThrows(IllegalArgumentException.class, () -> parse(json)).getMessage();
    }

    @Test
    void readsTheServingContainersAnswer() {
        // As motflow_ml.serve writes it: box = [x1, y1, x2 - x1, y2 - y1], tlbr, score, embedding.
        ModelDetections d = parse("{\"width\":1920,\"height\":1080,\"detections\":["
                + "{\"box\":[10.5,20.25,30.0,60.0],\"tlbr\":[10.5,20.25,40.5,80.25],\"score\":0.9123,"
                + "\"embedding\":[0.6,0.8,0.0]},"
                + "{\"box\":[100,200,10,20],\"tlbr\":[100,200,110,220],\"score\":0.5,\"embedding\":[1,0,0]}]}");
        assertEquals(2, d.size());
        assertEquals(3, d.dim());
        assertEquals(1920, d.width());
        assertEquals(1080, d.height());
        assertEquals(10.5, d.x(0));
        assertEquals(20.25, d.y(0));
        assertEquals(30.0, d.w(0));
        assertEquals(60.0, d.h(0));
        assertEquals(0.9123, d.score(0));
        assertEquals(0.8f, d.embedding(0, 1));
        Detections t = d.toDetections(3, 10);
        assertEquals(2, t.size());
        assertEquals(0.8f, t.embedding(0, 1), 1e-6);
        assertEquals(1, d.toDetections(3, 1).size(), "the cap keeps the highest scores");
        assertEquals(0, d.toDetections(0, 10).embeddingDim(), "boxes only for bytetrack");
    }

    @Test
    void sortsByScoreDropsDegenerateBoxesAndSkipsUnknownFields() {
        ModelDetections d = parse("{\"model\":{\"v\":[1,2]},\"detections\":["
                + "{\"box\":[0,0,10,10],\"score\":0.3,\"extra\":[1,{\"a\":2}]},"
                + "{\"box\":[0,0,0,10],\"score\":0.99},"
                + "{\"box\":[5,5,10,10],\"score\":0.8}]}");
        assertEquals(2, d.size());
        assertEquals(0, d.dim());
        assertEquals(0.8, d.score(0));
        assertEquals(5.0, d.x(0));
        assertEquals(0.3, d.score(1));
    }

    @Test
    void anEmptyFrameIsFine() {
        ModelDetections d = parse("{\"width\":640,\"height\":480,\"detections\":[]}");
        assertEquals(0, d.size());
        assertEquals(0, d.toDetections(128, 300).size());
    }

    @Test
    void explainsWhatIsWrong() {
        assertTrue(parseError("not json").contains("not JSON"));
        assertTrue(parseError("[1]").contains("not a JSON object"));
        assertTrue(parseError("{\"width\":3}").contains("no 'detections'"));
        assertTrue(parseError("{\"detections\":{}}").contains("not an array"));
        assertTrue(parseError("{\"detections\":[{\"score\":1}]}").contains("detection 0 has no 'box'"));
        assertTrue(parseError("{\"detections\":[{\"box\":[1,2,3],\"score\":1}]}").contains("must be 4 numbers"));
        assertTrue(parseError("{\"detections\":[{\"box\":[1,2,3,4]}]}").contains("no 'score'"));
        assertTrue(parseError("{\"detections\":[{\"box\":[1,2,3,4],\"score\":1,\"embedding\":[1,0]},"
                + "{\"box\":[1,2,3,4],\"score\":1,\"embedding\":[1,0,0]}]}").contains("3-d embedding, earlier ones 2-d"));
        assertTrue(parseError("{\"detections\":[{\"box\":[1,2,3,4],\"score\":\"high\"}]}").contains("non-numeric score"));
    }
}
