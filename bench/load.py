"""The load generator: Debian's `wrk`, installed when missing, run with the scripts in `bench/wrk/`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["WRK_DIR", "WrkResult", "ensure_wrk", "run_wrk", "wrk_version"]

WRK_DIR = Path(__file__).resolve().parent / "wrk"
_MARKER = "BENCH_JSON "


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured.

    Attributes:
        requests: Completed requests.
        seconds: How long the run lasted.
        latency_ms: Latency percentiles (`p50`, `p75`, `p90`, `p99`, `p99_9`), `mean` and `max`.
        errors: wrk's error counts: `connect`, `read`, `write`, `status` (not 2xx/3xx), `timeout`.
        bytes: Bytes read, headers included.
    """

    requests: int
    seconds: float
    latency_ms: dict[str, float]
    errors: dict[str, int]
    bytes: int

    @property
    def per_second(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    @property
    def failed(self) -> int:
        """Requests that did not get a 2xx/3xx answer, or did not complete."""
        return sum(self.errors.values())


def ensure_wrk() -> tuple[str | None, str]:
    """Return wrk's path (None when it cannot be had) and what was done to get it.

    Installs Debian's package with apt-get when wrk is missing and we may (root, or sudo without a
    password).
    """
    found = shutil.which("wrk")
    if found:
        return found, "already installed"
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        return None, "wrk is missing and apt-get needs root: install it with `apt-get install wrk`"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    done = subprocess.run(install, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:  # the package lists may be missing in a fresh container
        subprocess.run([*prefix, "apt-get", "update"], env=env, capture_output=True, check=False)  # noqa: S603
        done = subprocess.run(install, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    found = shutil.which("wrk")
    if found:
        return found, "installed now with `apt-get install -y wrk`"
    return None, f"apt-get could not install wrk: {done.stderr.strip()[-300:]}"


def wrk_version(wrk: str) -> str:
    """Return wrk's version line, e.g. `wrk 4.1.0 [epoll] ...`."""
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0].split(" Copyright")[0].strip() if lines else "unknown"


def run_wrk(
    wrk: str,
    url: str,
    script: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 2,
    args: tuple[str, ...] = (),
) -> WrkResult:
    """Run wrk against `url` with `bench/wrk/<script>` and return its figures.

    Raises:
        RuntimeError: When wrk fails or prints no figures.
    """
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_DIR / script),
        url,
    ]
    if args:
        command += ["--", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    line = next((x for x in done.stdout.splitlines() if x.startswith(_MARKER)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    data = json.loads(line[len(_MARKER) :])
    latency = {k: v / 1000 for k, v in data["latency_us"].items()}
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        latency_ms=latency,
        errors=data["errors"],
        bytes=data["bytes"],
    )
