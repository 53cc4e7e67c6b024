package dev.motflow.jobs.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.motflow.jobs.model.Container;
import dev.motflow.testsupport.Videos;

class ContainerSnifferTest {
    private final ContainerSniffer sniffer = new ContainerSniffer();
    private final AtomicInteger reads = new AtomicInteger();

    private ContainerSniffer.Verdict sniff(byte[] file) {
        return sniffer.sniff(file.length, (offset, length) -> {
            reads.incrementAndGet();
            int from = (int) Math.min(offset, file.length);
            return Arrays.copyOfRange(file, from, (int) Math.min(file.length, offset + length));
        });
    }

    @Test
    void acceptsWellFormedContainers() {
        assertEquals(Container.MP4, sniff(Videos.mp4(100)).container());
        assertEquals(Container.MATROSKA, sniff(Videos.webm()).container());
        assertEquals(Container.AVI, sniff(Videos.avi(64)).container());
    }

    @Test
    void walksMp4BoxesBeyondTheFirstReadWithRangedReads() {
        byte[] big = Videos.concat(Videos.mp4(10), Videos.box("free", new byte[10_000]),
                Videos.box("mdat", new byte[20_000]));
        ContainerSniffer.Verdict v = sniff(big);
        assertEquals(Container.MP4, v.container());
        assertEquals(2, reads.get(), "one head read plus one header read for the box past 4 KiB");
    }

    @Test
    void rejectsEmptyTextAndImages() {
        assertTrue(sniff(new byte[0]).rejection().contains("empty"));
        String text = sniff("hello, this is not a video\n".getBytes(StandardCharsets.UTF_8)).rejection();
        assertTrue(text.contains("text"), text);
        assertTrue(text.contains("hello"), text);
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
        assertTrue(sniff(png).rejection().contains("PNG"));
        assertTrue(sniff(new byte[] {0, 1, 2, 3, (byte) 0xff, (byte) 0xfe, 9, 9, 9}).rejection().contains("first bytes"));
    }

    @Test
    void rejectsTruncatedAndFakeMp4() {
        byte[] full = Videos.mp4(1000);
        ContainerSniffer.Verdict cut = sniff(Arrays.copyOf(full, full.length - 100));
        assertFalse(cut.accepted());
        assertTrue(cut.rejection().contains("truncated"), cut.rejection());

        byte[] ftypOnly = Arrays.copyOf(full, 32);
        ContainerSniffer.Verdict header = sniff(ftypOnly);
        assertFalse(header.accepted());
        assertTrue(header.rejection().contains("moov"), header.rejection());

        byte[] fake = Videos.concat(Arrays.copyOf(full, 32), "garbage that follows the ftyp box.".getBytes(StandardCharsets.US_ASCII));
        assertFalse(sniff(fake).accepted());

        byte[] zeroSizeBox = Videos.concat(Arrays.copyOf(full, 32), new byte[] {0, 0, 0, 4, 'm', 'o', 'o', 'v'});
        assertTrue(sniff(zeroSizeBox).rejection().contains("less than its own header"));
    }

    @Test
    void rejectsTruncatedAviAndForeignEbml() {
        byte[] avi = Videos.avi(200);
        assertTrue(sniff(Arrays.copyOf(avi, 100)).rejection().contains("truncated"));
        byte[] notVideo = Videos.webm();
        byte[] patched = notVideo.clone();
        System.arraycopy("xxxx".getBytes(StandardCharsets.US_ASCII), 0, patched, 8, 4);
        assertTrue(sniff(patched).rejection().contains("DocType"));
        assertNull(sniff(patched).container());
    }
}
