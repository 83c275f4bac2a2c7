"""What the figures were measured on: CPU, cores, Python, package versions, wrk, date, commit."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["PACKAGES", "describe"]

PACKAGES = (
    "litestar", "pydantic", "pydantic-core", "uvicorn", "durable-rules", "httptools",
    "msgspec",
)  # fmt: skip

_ROOT = Path(__file__).resolve().parents[1]


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown"
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    # --no-optional-locks: reading the status must not rewrite the index under another editor.
    done = subprocess.run(  # noqa: S603
        ["git", "--no-optional-locks", *args],  # noqa: S607 - git from PATH, as a developer runs it
        cwd=_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def _commit() -> str:
    commit = _git("rev-parse", "--short=12", "HEAD")
    if not commit:
        return "unknown (not a git checkout)"
    changed = [line for line in _git("status", "--porcelain").splitlines() if line.strip()]
    return f"{commit} + {len(changed)} uncommitted changes" if changed else commit


def describe(wrk: str | None) -> dict[str, str]:
    """Return the machine and software the figures come from, label to value, in report order."""
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    info = {
        "CPU": _cpu_model(),
        "cores": f"{cores} ({usable} usable by this process)",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "OS": f"{platform.system()} {platform.release()} {platform.machine()}",
    }
    info.update({name: _package(name) for name in PACKAGES})
    info["wrk"] = wrk or "not available"
    info["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    info["git commit"] = _commit()
    return info
