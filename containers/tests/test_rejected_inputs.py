"""Inputs that cannot be tracked end a processing job with an "InputRejected: " reason a user can act on
(the control plane ends such jobs REJECTED, not FAILED), naming the user's file and never a temporary one."""
import json
import struct

import cv2
import numpy as np

from conftest import run_module


def box(kind, payload=b""):
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def audio_like_mp4():
    """An MP4 whose movie has no video track (as an audio-only file has none): ftyp + an empty moov."""
    mvhd = box(b"mvhd", bytes(4) + bytes(8) + struct.pack(">II", 1000, 0) + bytes(80))
    return box(b"ftyp", b"isom\0\0\x02\0isomiso2mp41") + box(b"moov", mvhd) + box(b"free")


def write_video(path, w, h, frames=4):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (w, h))
    for i in range(frames):
        writer.write(np.full((h, w, 3), 30 * i, np.uint8))
    writer.release()


def run_process(root, model, **env):
    proc = run_module("motflow_ml.process", ["--model-dir", str(model)], opt_ml=root, **env)
    failure = (root / "output" / "failure").read_text() if (root / "output" / "failure").exists() else ""
    return proc, failure


def test_a_video_without_a_video_stream_is_rejected_with_a_useful_reason(serving_model_dir, tmp_path):
    root = tmp_path / "optml"
    inp = root / "processing" / "input"
    inp.mkdir(parents=True)
    (inp / "holiday sound.mp4").write_bytes(audio_like_mp4())
    proc, failure = run_process(root, serving_model_dir)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert failure.startswith("InputRejected: holiday sound.mp4: the file has no video stream"), failure
    assert "audio-only" in failure and "/tmp" not in failure and str(tmp_path) not in failure
    run = json.loads((root / "processing" / "output" / "run_summary.json").read_text())
    assert run["items"][0]["status"] == "failed" and run["items"][0]["rejected"]


def test_frames_over_the_pixel_budget_are_rejected(serving_model_dir, tmp_path):
    root = tmp_path / "optml"
    inp = root / "processing" / "input"
    inp.mkdir(parents=True)
    write_video(inp / "wide.mp4", 128, 96)
    proc, failure = run_process(root, serving_model_dir, MOTFLOW_MAX_PIXELS=64 * 64)
    assert proc.returncode == 1
    assert failure.startswith("InputRejected: wide.mp4: the video's frame is 128x96"), failure
    assert "MOTFLOW_MAX_PIXELS" in failure


def test_a_fault_of_the_job_is_not_a_rejection(serving_model_dir, tmp_path):
    root = tmp_path / "optml"
    inp = root / "processing" / "input"
    inp.mkdir(parents=True)
    write_video(inp / "fine.mp4", 64, 48)
    proc, failure = run_process(root, tmp_path / "no-model-here")
    assert proc.returncode == 1 and failure and not failure.startswith("InputRejected")
