package dev.motflow.mot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeqInfoTest {
    @TempDir
    Path tmp;

    @Test
    void readsFullAndMinimalFiles() throws IOException {
        SeqInfo mot17 = SeqInfo.read(TestData.file("mot17-lift/gt/MOT17-02/seqinfo.ini"));
        assertEquals("MOT17-02", mot17.name());
        assertEquals(600, mot17.seqLength());
        assertEquals(OptionalDouble.of(30), mot17.frameRate());
        assertEquals(OptionalInt.of(1920), mot17.imWidth());
        assertEquals(OptionalInt.of(1080), mot17.imHeight());
        assertEquals(".jpg", mot17.imExt());

        SeqInfo campus = SeqInfo.read(TestData.file("mot15/TUD-Campus/seqinfo.ini"));
        assertEquals("TUD-Campus", campus.name());
        assertEquals(71, campus.seqLength());
        assertTrue(campus.frameRate().isEmpty());
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        SeqInfo info = SeqInfo.of("cam-7", 1500, 25, 1280, 720);
        Path file = tmp.resolve("seqinfo.ini");
        info.write(file);
        assertEquals(info, SeqInfo.read(file));
    }

    @Test
    void errorsNameTheLine() {
        MotFormatException e = assertThrows(MotFormatException.class, () -> SeqInfo.read(
                new StringReader("[Sequence]\nname=a\nseqLength=ten\n"), Path.of("seqinfo.ini")));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("seqinfo.ini:3: "));
        assertEquals(2, assertThrows(MotFormatException.class, () -> SeqInfo.read(
                new StringReader("[Sequence]\njunk\n"), null)).line());
        assertThrows(MotFormatException.class, () -> SeqInfo.read(new StringReader("[Other]\nname=a\n"), null));
        assertThrows(MotFormatException.class, () -> SeqInfo.read(new StringReader("[Sequence]\nname=a\n"), null));
    }
}
