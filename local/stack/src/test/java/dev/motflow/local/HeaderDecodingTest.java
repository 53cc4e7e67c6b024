package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The local SageMaker reads header values as the SDK sent them: UTF-8 bytes. */
class HeaderDecodingTest {
    /** What the JDK's server hands over for a header whose bytes were the UTF-8 of {@code s}. */
    private static String asJdkServerReadsIt(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Test
    void utf8BytesReadAsLatin1AreDecodedBack() {
        for (String uri : new String[] {"s3://b/incoming/ü.mp4", "s3://b/incoming/東京.mp4", "s3://b/incoming/видео 🎥.mp4",
                "s3://b/incoming/a b+c%20d#e.mp4"}) {
            assertEquals(uri, LocalSageMaker.utf8(asJdkServerReadsIt(uri)));
        }
    }

    @Test
    void asciiAndNonUtf8ValuesAreLeftAsTheyCame() {
        assertEquals("video/mp4", LocalSageMaker.utf8("video/mp4"));
        assertEquals("caf\u00e9", LocalSageMaker.utf8("caf\u00e9")); // one Latin-1 byte: not UTF-8
        assertNull(LocalSageMaker.utf8(null));
    }
}
