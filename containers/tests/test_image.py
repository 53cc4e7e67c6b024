"""The Dockerfile cannot be built here (no Docker): check that what it copies and runs exists."""
import re

from conftest import CONTAINERS


def test_dockerfile_copies_existing_files_and_commands_point_at_modules():
    text = (CONTAINERS / "Dockerfile").read_text()
    assert text.startswith("#") and re.search(r"^FROM pytorch/pytorch:\S+-cuda\S+", text, re.M)
    for line in re.findall(r"^COPY (.+)$", text, re.M):
        for src in line.split()[:-1]:
            assert (CONTAINERS / src).exists(), src
    for cmd in ("train", "serve", "process"):
        script = CONTAINERS / "docker" / cmd
        assert script.stat().st_mode & 0o111, f"{cmd} must be executable"
        module = re.search(r"python -m (motflow_ml\.\w+)", script.read_text()).group(1)
        assert (CONTAINERS / (module.replace(".", "/") + ".py")).exists()
    pins = [line for line in (CONTAINERS / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", p) for p in pins)
