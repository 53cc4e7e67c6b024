package dev.motflow.streams.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks that a stream's track ids follow its scene's objects: each response's tracks are matched to
 * the objects' true boxes in that frame by IoU, and an object must keep one id (and an id one object)
 * over all frames checked.
 */
public final class Identities {
    private final SyntheticScene scene;
    private final Map<Integer, Integer> idOfObject = new HashMap<>();
    private final Map<Integer, Integer> objectOfId = new HashMap<>();
    private int framesChecked;

    public Identities(SyntheticScene scene) {
        this.scene = scene;
    }

    /** Checks one frame's response body; every object must be tracked. */
    public void check(JsonNode response) {
        long frame = response.get("frame").asLong();
        JsonNode tracks = response.get("tracks");
        assertEquals(scene.objects(), tracks.size(), "tracks of frame " + frame + ": " + response);
        for (JsonNode t : tracks) {
            int id = t.get("id").asInt();
            JsonNode b = t.get("box");
            int best = -1;
            double bestIou = 0.5;
            for (int o = 0; o < scene.objects(); o++) {
                double iou = iou(scene.truth(o, frame), b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(),
                        b.get(3).asDouble());
                if (iou > bestIou) {
                    bestIou = iou;
                    best = o;
                }
            }
            assertTrue(best >= 0, "track " + id + " of frame " + frame + " covers no object: " + t);
            Integer before = idOfObject.putIfAbsent(best, id);
            assertEquals(before == null ? id : before, id, "object " + best + " changed id in frame " + frame);
            Integer obj = objectOfId.putIfAbsent(id, best);
            assertEquals(obj == null ? best : obj, best, "id " + id + " moved to another object in frame " + frame);
        }
        framesChecked++;
    }

    public int framesChecked() {
        return framesChecked;
    }

    public Map<Integer, Integer> idOfObject() {
        return Map.copyOf(idOfObject);
    }

    private static double iou(double[] a, double x, double y, double w, double h) {
        double ix = Math.max(0, Math.min(a[0] + a[2], x + w) - Math.max(a[0], x));
        double iy = Math.max(0, Math.min(a[1] + a[3], y + h) - Math.max(a[1], y));
        double inter = ix * iy;
        return inter / (a[2] * a[3] + w * h - inter);
    }
}
