"""The app image is built from what pyproject.toml installs: a package left out of the Dockerfile fails at run time.

Docker cannot run on the machines that test pressdesk, so the image itself is not built
here; this reads the Dockerfile against pyproject.toml (``reports`` was once missing).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_image_copies_every_package_and_the_build_files() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied: set[str] = set()
    for line in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"COPY (.+) (\S+)$", line.strip()):
            copied.update(match.group(1).split())
    assert packages, "pyproject.toml lists no packages"
    assert packages <= copied, f"the Dockerfile does not COPY {sorted(packages - copied)}"
    assert {"pyproject.toml", "setup.py"} <= copied
