"""Dimensions from headers (no decoding) and the pixel budget: motflow_ml/pixel_budget.py and its use by
the video pipeline."""
import struct

import cv2
import numpy as np
import pytest

from bombs import frame, jpeg_declaring, png_bomb
from motflow_ml import pixel_budget as pb
from motflow_ml.pipeline import VideoError, open_video


def encoded(ext, w, h, params=()):
    rng = np.random.default_rng(3)
    ok, buf = cv2.imencode(ext, rng.integers(0, 256, (h, w, 3), dtype=np.uint8), list(params))
    assert ok
    return buf.tobytes()


@pytest.mark.parametrize("ext,params,fmt", [
    (".png", (), "png"),
    (".jpg", (), "jpeg"),
    (".jpg", (cv2.IMWRITE_JPEG_PROGRESSIVE, 1), "jpeg"),
    (".webp", (cv2.IMWRITE_WEBP_QUALITY, 80), "webp"),
    (".webp", (cv2.IMWRITE_WEBP_QUALITY, 101), "webp"),  # lossless: the VP8L header
    (".bmp", (), "bmp"),
])
def test_the_header_gives_the_size_opencv_decodes(ext, params, fmt):
    data = encoded(ext, 123, 45, params)
    assert pb.image_size(data) == (fmt, 123, 45)
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape[:2] == (45, 123)


def test_jpeg_segments_before_the_frame_header_are_skipped():
    data = jpeg_declaring(640, 360)
    exif = b"Exif\0\0" + b"\xff\xc0" * 20  # marker-like bytes inside a segment are not markers
    with_app1 = data[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + data[2:]
    assert pb.image_size(with_app1) == ("jpeg", 640, 360)
    assert pb.image_size(data[:2] + b"\xff\xff" + data[2:]) == ("jpeg", 640, 360)  # fill bytes


def test_gif_and_bmp_headers():
    assert pb.image_size(b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\0" * 8)[1:] == (65535, 65535)
    bmp = bytearray(encoded(".bmp", 8, 6))
    struct.pack_into("<ii", bmp, 18, 10000, -20000)  # top-down bitmap: negative height
    assert pb.image_size(bytes(bmp)) == ("bmp", 10000, 20000)


def test_a_png_bomb_is_small_and_declares_its_size():
    bomb = png_bomb(20000, 20000)
    assert len(bomb) < 500_000
    assert pb.image_size(bomb) == ("png", 20000, 20000)
    with pytest.raises(pb.TooManyPixels) as e:
        pb.check(20000, 20000, pb.DEFAULT_MAX_PIXELS)
    assert "20000x20000" in str(e.value) and "33,177,600" in str(e.value)
    # the same generator gives a PNG that OpenCV decodes, so the bomb is a real image
    small = png_bomb(300, 200)
    img = cv2.imdecode(np.frombuffer(small, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape == (200, 300, 3) and not img.any()


def test_budget_boundary_and_8k():
    pb.check(7680, 4320, pb.DEFAULT_MAX_PIXELS)  # 8K fits exactly
    with pytest.raises(pb.TooManyPixels):
        pb.check(7681, 4320, pb.DEFAULT_MAX_PIXELS)
    pb.check(3840, 2160, pb.DEFAULT_MAX_PIXELS)


@pytest.mark.parametrize("data", [
    b"", b"\x89PNG\r\n\x1a\n", b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDX" + b"\0" * 13,
    b"\xff\xd8", b"\xff\xd8\xff\xda\0\x02", b"\xff\xd8\xff\xe0\0\x10JFIF",
    b"\xff\xd8\x00garbage", b"RIFF\0\0\0\0WEBPVP8 ", b"BM\0\0", b"GIF89a\x01",
    b"II*\0 a TIFF", b"P6\n20000 20000\n255\n", b"plain text",
], ids=["empty", "png-sig-only", "png-no-ihdr", "jpeg-soi-only", "jpeg-sos-first", "jpeg-truncated",
        "jpeg-no-marker", "webp-truncated", "bmp-truncated", "gif-truncated", "tiff", "ppm", "text"])
def test_unreadable_or_other_formats_are_not_images(data):
    with pytest.raises(pb.NotAnImage):
        pb.image_size(data)


def test_zero_sizes_are_not_images():
    with pytest.raises(pb.NotAnImage, match="0x"):
        pb.image_size(jpeg_declaring(0, 100))
    with pytest.raises(pb.NotAnImage):
        pb.image_size(png_bomb(1, 1)[:16] + struct.pack(">II", 5, 0))


def test_max_pixels_from_the_environment():
    assert pb.max_pixels({}) == 33_177_600
    assert pb.max_pixels({"MOTFLOW_MAX_PIXELS": "8294400"}) == 3840 * 2160
    assert pb.max_pixels({"MOTFLOW_MAX_PIXELS": " 1_000 "}) == 1000
    for bad in ("0", "-5", "lots", "1.5"):
        with pytest.raises(ValueError, match="MOTFLOW_MAX_PIXELS"):
            pb.max_pixels({"MOTFLOW_MAX_PIXELS": bad})


def write_video(path, w, h, fourcc, frames=3):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 10, (w, h))
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.full((h, w, 3), 40 * i, np.uint8))
    writer.release()
    return path


def test_mp4_frame_size_is_read_from_the_movie_header(tmp_path):
    mp4 = write_video(tmp_path / "a.mp4", 320, 176, "mp4v")
    assert pb.mp4_frame_size(mp4) == (320, 176)
    assert pb.mp4_frame_size(write_video(tmp_path / "a.avi", 64, 48, "MJPG")) is None  # not ISO BMFF
    (tmp_path / "junk.mp4").write_bytes(b"\0\0\0\x08junk" + b"x" * 100)
    assert pb.mp4_frame_size(tmp_path / "junk.mp4") is None


def test_a_video_over_the_budget_is_refused_before_a_frame_is_decoded(tmp_path):
    mp4 = write_video(tmp_path / "a.mp4", 320, 176, "mp4v")
    open_video(mp4, max_pixels=320 * 176)[0].release()  # exactly the budget: fine
    with pytest.raises(pb.TooManyPixels, match="320x176"):
        open_video(mp4, max_pixels=320 * 176 - 1)
    # A movie header that declares a huge frame is refused before FFmpeg opens (and probes) the file.
    data = bytearray(mp4.read_bytes())
    entry = data.index(b"mp4v", data.index(b"stsd"))  # the visual sample entry's type
    struct.pack_into(">HH", data, entry + 4 + 24, 40000, 30000)
    (tmp_path / "bomb.mp4").write_bytes(bytes(data))
    with pytest.raises(pb.TooManyPixels, match="40000x30000"):
        open_video(tmp_path / "bomb.mp4", max_pixels=pb.DEFAULT_MAX_PIXELS)
    # Not MP4: the size the decoder reports on opening is checked.
    avi = write_video(tmp_path / "a.avi", 64, 48, "MJPG")
    with pytest.raises(pb.TooManyPixels, match="64x48"):
        open_video(avi, max_pixels=64 * 48 - 1)


def test_undecodable_video_messages_name_no_file(tmp_path):
    junk = tmp_path / "tmp1234secret.mp4"
    junk.write_bytes(b"\0\0\0\x18ftypmp42 truncated")
    with pytest.raises(VideoError) as e:
        open_video(junk)
    assert "tmp1234secret" not in str(e.value)


def test_frame_helper_makes_real_frames():
    assert pb.image_size(frame(3840, 2160)) == ("jpeg", 3840, 2160)


def test_a_file_of_countless_tiny_boxes_is_left_to_the_decoder(tmp_path):
    path = tmp_path / "boxes.mp4"
    path.write_bytes(b"\0\0\0\x08free" * 200_000)  # 1.6 MB of empty boxes, no moov
    assert pb.mp4_frame_size(path) is None
