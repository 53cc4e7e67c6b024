package dev.motflow.streams.api;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.motflow.streams.service.StreamException;
import dev.motflow.streams.service.StreamService;
import dev.motflow.streams.service.StreamService.FrameResult;
import dev.motflow.streams.service.StreamService.StreamStatus;
import dev.motflow.streams.service.StreamService.TrackBox;
import dev.motflow.streams.service.StreamsConfig;
import dev.motflow.streams.store.StoredState;

/**
 * The stream API's response bodies (docs/handlers.md, "Stream tracking"), written from the service's
 * records by the module's one JSON writer. Streaming output rather than a databind mapper on purpose:
 * the stream Lambda's jar carries no jackson-databind (smaller jar, faster cold start and snapshot).
 */
final class StreamJson {
    private static final JsonFactory JSON = dev.motflow.streams.StreamsJson.FACTORY;

    private StreamJson() {
    }

    /** {@code POST /streams/{id}/frames}: the frame's confirmed tracks. */
    static String frame(FrameResult r) {
        return write(g -> {
            g.writeStringField("streamId", r.streamId());
            g.writeNumberField("frame", r.frame());
            g.writeNumberField("version", r.version());
            g.writeStringField("policy", StreamsConfig.policyName(r.policy()));
            g.writeNumberField("step", r.step());
            g.writeNumberField("detections", r.detections());
            g.writeArrayFieldStart("tracks");
            for (TrackBox t : r.tracks()) {
                g.writeStartObject();
                g.writeNumberField("id", t.id());
                g.writeArrayFieldStart("box");
                g.writeNumber(round2(t.x()));
                g.writeNumber(round2(t.y()));
                g.writeNumber(round2(t.w()));
                g.writeNumber(round2(t.h()));
                g.writeEndArray();
                g.writeNumberField("score", Math.round(t.score() * 1e4) / 1e4);
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** {@code GET /streams/{id}}. */
    static String status(StreamStatus s) {
        return write(g -> {
            g.writeStringField("streamId", s.streamId());
            g.writeNumberField("version", s.version());
            g.writeNumberField("lastFrame", s.lastFrame());
            g.writeStringField("policy", StreamsConfig.policyName(s.policy()));
            g.writeNumberField("steps", s.steps());
            g.writeNumberField("trackedTracks", s.trackedTracks());
            g.writeNumberField("lostTracks", s.lostTracks());
            g.writeNumberField("stateBytes", s.stateBytes());
            g.writeNumberField("itemBytes", s.itemBytes());
            g.writeStringField("updatedAt", s.updatedAt().toString());
            g.writeNumberField("expiresAt", s.expiresAt());
            if (s.owner() != null) {
                g.writeStringField("owner", s.owner());
            }
        });
    }

    /**
     * {@code GET /streams}: {@code {"streams": [{streamId, owner?, policy, lastFrame, version, steps,
     * createdAt, updatedAt, expiresAt}], "nextToken"?}}.
     */
    static String list(StreamService.StreamList list) {
        return write(g -> {
            g.writeArrayFieldStart("streams");
            for (StoredState s : list.streams()) {
                g.writeStartObject();
                g.writeStringField("streamId", s.streamId());
                if (s.owner() != null) {
                    g.writeStringField("owner", s.owner());
                }
                g.writeStringField("policy", StreamsConfig.policyName(s.policy()));
                g.writeNumberField("lastFrame", s.lastFrame());
                g.writeNumberField("version", s.version());
                g.writeNumberField("steps", s.steps());
                g.writeStringField("createdAt", s.createdAt().toString());
                g.writeStringField("updatedAt", s.updatedAt().toString());
                g.writeNumberField("expiresAt", s.expiresAt());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (list.nextToken() != null) {
                g.writeStringField("nextToken", list.nextToken());
            }
        });
    }

    /** {@code {"error": code, "message": text, ...details}}. */
    static String error(StreamException e) {
        return write(g -> {
            g.writeStringField("error", e.code());
            g.writeStringField("message", e.getMessage());
            for (Map.Entry<String, Object> d : e.details().entrySet()) {
                if (d.getValue() instanceof Number n) {
                    g.writeNumberField(d.getKey(), n.longValue());
                } else {
                    g.writeStringField(d.getKey(), String.valueOf(d.getValue()));
                }
            }
        });
    }

    private static double round2(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Fields fields) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
        return w.toString();
    }
}
