package dev.motflow.streams;

import com.fasterxml.jackson.core.JsonFactory;

/**
 * The module's one JSON factory: parses the model's answers and writes the API's bodies with the
 * streaming API (the stream Lambda's jar carries no jackson-databind: smaller jar, faster cold start).
 */
public final class StreamsJson {
    public static final JsonFactory FACTORY = new JsonFactory();

    private StreamsJson() {
    }
}
