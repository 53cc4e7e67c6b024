"""Pixel bombs for the tests and the benchmark: small files that declare huge images."""
import struct
import zlib

import cv2
import numpy as np


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _zeros_zlib(n, block=1 << 22):
    """A zlib stream of n zero bytes, made without compressing n bytes: after a full flush deflate starts
    afresh, so the compressed form of one block of zeros can be repeated."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = raw.compress(b"\0" * block) + raw.flush(zlib.Z_FULL_FLUSH)
    full, rest = divmod(n, block)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = tail.compress(b"\0" * rest) + tail.flush(zlib.Z_FINISH)
    adler = 1
    zeros = b"\0" * block
    for _ in range(full):
        adler = zlib.adler32(zeros, adler)
    adler = zlib.adler32(b"\0" * rest, adler)
    return b"\x78\xda" + one * full + last + struct.pack(">I", adler & 0xFFFFFFFF)


def png_bomb(width, height):
    """A valid 8-bit greyscale PNG of width x height black pixels (20000 x 20000: about 390 KB)."""
    idat = _zeros_zlib((width + 1) * height)  # each row: filter byte 0, then the pixels
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))


def jpeg_declaring(width, height):
    """A real small JPEG whose frame header (SOF0) is rewritten to declare width x height."""
    ok, buf = cv2.imencode(".jpg", np.zeros((16, 16, 3), np.uint8))
    assert ok
    b = bytearray(buf.tobytes())
    i = b.index(b"\xff\xc0")
    struct.pack_into(">HH", b, i + 5, height, width)
    return bytes(b)


def frame(width, height, ext=".jpg", seed=0):
    """An encoded noisy frame of width x height (noise: a realistic, not degenerate, file size)."""
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8)
    img = cv2.resize(img, (width, height), interpolation=cv2.INTER_LINEAR)
    ok, buf = cv2.imencode(ext, img)
    assert ok
    return buf.tobytes()
