"""Image dimensions read from the header, before decoding, and the pixel budget they must fit.

The byte limit of a request does not bound the memory of decoding it: a 389 KB PNG of zeros can declare
20000 x 20000 pixels (1.2 GB as BGR, several GB through preprocessing). So the model server reads the
dimensions each format declares in its first bytes and refuses a frame above the budget before any
decoder allocates its pixels.

Formats read: PNG (IHDR), JPEG (the first SOFn marker), WebP (VP8, VP8L, VP8X), BMP, GIF (logical screen).
A body that is none of these is refused as undecodable: OpenCV would otherwise decode whatever its
magic bytes say (TIFF, PPM, EXR, ...), whose dimensions this module cannot check.
"""
import os
import struct

DEFAULT_MAX_PIXELS = 7680 * 4320  # 8K UHD: 33,177,600 pixels
ENV = "MOTFLOW_MAX_PIXELS"

_PNG = b"\x89PNG\r\n\x1a\n"
# SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range but are not frame headers.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_NO_LENGTH = frozenset([0x01, 0xD8] + list(range(0xD0, 0xD8)))  # TEM, SOI, RST0..7


class NotAnImage(ValueError):
    """The header is not one of the formats read here, or is truncated or inconsistent."""


class TooManyPixels(ValueError):
    """A frame whose declared size is over the budget."""

    def __init__(self, width, height, budget, what="the image"):
        self.width, self.height, self.budget = width, height, budget
        super().__init__(f"{what} is {width}x{height} = {width * height:,} pixels, over the budget of "
                         f"{budget:,} pixels ({ENV})")


def max_pixels(env=None):
    """The budget from MOTFLOW_MAX_PIXELS (a positive integer), else the 8K default."""
    raw = (os.environ if env is None else env).get(ENV)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_PIXELS
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        raise ValueError(f"{ENV}={raw!r} is not an integer") from None
    if value <= 0:
        raise ValueError(f"{ENV}={raw!r} must be positive")
    return value


def check(width, height, budget, what="the image"):
    if width * height > budget:
        raise TooManyPixels(width, height, budget, what)


def image_size(data):
    """(format, width, height) from the header of an encoded image; NotAnImage if it cannot be read."""
    b = memoryview(data).tobytes() if not isinstance(data, bytes) else data
    if b.startswith(_PNG):
        return ("png",) + _png(b)
    if b.startswith(b"\xff\xd8"):
        return ("jpeg",) + _jpeg(b)
    if b[:4] == b"RIFF" and b[8:12] == b"WEBP":
        return ("webp",) + _webp(b)
    if b.startswith(b"BM"):
        return ("bmp",) + _bmp(b)
    if b[:6] in (b"GIF87a", b"GIF89a"):
        if len(b) < 10:
            raise NotAnImage("truncated GIF header")
        return ("gif",) + _positive(*struct.unpack_from("<HH", b, 6))
    raise NotAnImage("not a JPEG, PNG, WebP, BMP or GIF image (first bytes " + b[:8].hex() + ")")


def _positive(w, h):
    if w <= 0 or h <= 0:
        raise NotAnImage(f"the header declares {w}x{h} pixels")
    return w, h


def _png(b):
    # The first chunk must be IHDR (13 bytes): width, height as big-endian uint32.
    if len(b) < 24 or b[12:16] != b"IHDR":
        raise NotAnImage("PNG without an IHDR chunk first")
    return _positive(*struct.unpack_from(">II", b, 16))


def _jpeg(b):
    i, n = 2, len(b)
    while i < n:
        if b[i] != 0xFF:
            raise NotAnImage(f"JPEG marker expected at byte {i}")
        while i < n and b[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            break
        marker = b[i]
        i += 1
        if marker in _JPEG_NO_LENGTH:
            continue
        if marker in (0xD9, 0xDA):  # EOI or start of scan before any frame header
            raise NotAnImage("JPEG without a frame header (SOF) before its scan data")
        if i + 2 > n:
            break
        (length,) = struct.unpack_from(">H", b, i)
        if length < 2:
            raise NotAnImage(f"JPEG segment of length {length} at byte {i}")
        if marker in _JPEG_SOF:
            if i + 7 > n:
                break
            h, w = struct.unpack_from(">HH", b, i + 3)
            return _positive(w, h)  # height 0 (defined later by DNL) is not decodable by libjpeg
        i += length
    raise NotAnImage("truncated JPEG header (no frame header found)")


def _webp(b):
    chunk = b[12:16]
    if chunk == b"VP8X" and len(b) >= 30:  # extended: 24-bit canvas width - 1, height - 1
        w = int.from_bytes(b[24:27], "little") + 1
        h = int.from_bytes(b[27:30], "little") + 1
        return _positive(w, h)
    if chunk == b"VP8 " and len(b) >= 30 and b[23:26] == b"\x9d\x01\x2a":  # lossy key frame
        w, h = struct.unpack_from("<HH", b, 26)
        return _positive(w & 0x3FFF, h & 0x3FFF)
    if chunk == b"VP8L" and len(b) >= 25 and b[20] == 0x2F:  # lossless: 14-bit width - 1, height - 1
        bits = int.from_bytes(b[21:25], "little")
        return _positive((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    raise NotAnImage("WebP without a readable VP8/VP8L/VP8X header")


def _bmp(b):
    if len(b) < 26:
        raise NotAnImage("truncated BMP header")
    (dib,) = struct.unpack_from("<I", b, 14)
    if dib == 12:  # BITMAPCOREHEADER: 16-bit sizes
        w, h = struct.unpack_from("<hh", b, 18)
    elif dib >= 40:
        w, h = struct.unpack_from("<ii", b, 18)
    else:
        raise NotAnImage(f"BMP with an unknown header of {dib} bytes")
    return _positive(w, abs(h))  # a negative height is a top-down bitmap


_MAX_MOOV = 64 << 20  # a movie header larger than this is left to the decoder's check
# Boxes read per level: real files have a handful; a file of millions of tiny boxes would cost CPU time.
_MAX_BOXES = 4096


def _boxes(b, start=0, end=None):
    """(type, payload start, payload end) of the ISO BMFF boxes in b[start:end]."""
    i, end = start, len(b) if end is None else end
    for _ in range(_MAX_BOXES):
        if i + 8 > end:
            return
        size, kind = struct.unpack_from(">I4s", b, i)
        head = 8
        if size == 1 and i + 16 <= end:
            (size,) = struct.unpack_from(">Q", b, i + 8)
            head = 16
        elif size == 0:
            size = end - i
        if size < head or i + size > end:
            return
        yield kind, i + head, i + size
        i += size


def _moov_frame_sizes(moov):
    """(width, height) of each video sample entry in a moov box's payload."""
    sizes = []
    for kind, s, e in _boxes(moov):
        if kind != b"trak":
            continue
        for kind2, s2, e2 in _boxes(moov, s, e):
            if kind2 != b"mdia":
                continue
            handler, stsd = None, None
            for kind3, s3, e3 in _boxes(moov, s2, e2):
                if kind3 == b"hdlr" and e3 - s3 >= 12:
                    handler = moov[s3 + 8:s3 + 12]
                elif kind3 == b"minf":
                    for kind4, s4, e4 in _boxes(moov, s3, e3):
                        if kind4 == b"stbl":
                            for kind5, s5, e5 in _boxes(moov, s4, e4):
                                if kind5 == b"stsd":
                                    stsd = (s5, e5)
            if handler != b"vide" or stsd is None:
                continue
            # stsd: version/flags, entry count, then sample entries; a visual one has its coded width
            # and height 24 bytes into its payload.
            for _, s6, e6 in _boxes(moov, stsd[0] + 8, stsd[1]):
                if e6 - s6 >= 28:
                    sizes.append(struct.unpack_from(">HH", moov, s6 + 24))
    return sizes


def mp4_frame_size(path):
    """The largest video frame (width, height) an MP4 / MOV file's sample descriptions declare, read from
    the movie header without opening a decoder (FFmpeg's probe decodes a frame on opening); None when
    the file is not ISO BMFF or declares no video track."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        length = f.tell()
        i = 0
        for _ in range(_MAX_BOXES):
            if i + 8 > length:
                return None
            f.seek(i)
            head = f.read(16)
            if len(head) < 8:
                return None
            size, kind = struct.unpack_from(">I4s", head)
            hsize = 8
            if size == 1 and len(head) == 16:
                (size,) = struct.unpack_from(">Q", head, 8)
                hsize = 16
            elif size == 0:
                size = length - i
            if size < hsize or not kind.isascii():
                return None
            if kind == b"moov":
                if size > _MAX_MOOV:
                    return None
                f.seek(i + hsize)
                sizes = _moov_frame_sizes(f.read(size - hsize))
                return max(sizes, key=lambda wh: wh[0] * wh[1]) if sizes else None
            i += size
    return None
