"""The `readiness` console command: every command in one group, and quiet ends for user errors.

The command runs as pip's console script runs it (the entry point named in pyproject.toml), in a
process of its own where the process matters: a closed output pipe, Ctrl-C, the exit status.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.exc import OperationalError

from api.cli import readiness
from engine import ExitCode
from store.database import Database
from tests.conftest import run_process

ROOT = Path(__file__).resolve().parents[2]


def _console_script(name: str) -> list[str]:
    """What the script pip makes for `[project.scripts] name` runs, without it being installed."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    module, function = scripts["scripts"][name].split(":")
    code = f"import sys; from {module} import {function}; sys.argv[0] = {name!r}; {function}()"
    return [sys.executable, "-c", code]


READINESS = _console_script("readiness")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_process([*READINESS, *args], env=env)


def test_one_command_holds_the_rule_tools_and_the_server_commands() -> None:
    done = run("--help")
    assert done.returncode == ExitCode.OK, done.stderr
    assert done.stdout.startswith("Usage: readiness ")
    for command in ("assess", "rules", "serve", "migrate", "keys"):
        assert f"\n  {command} " in done.stdout


def test_a_missing_file_is_one_line_on_stderr_and_exit_2() -> None:
    done = run("assess", "no-such-request.json")
    assert done.returncode == ExitCode.INPUT
    assert done.stdout == ""
    assert done.stderr == "Error: no-such-request.json: no such file\n"


def test_a_closed_output_pipe_ends_the_command_quietly() -> None:
    # As `readiness assess FILE | head -c 10` once head has gone: nobody reads what it writes.
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [*READINESS, "assess", "examples/design-examples.json", "--explain"],
            stdout=writer,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.stderr == b""
    assert done.returncode == ExitCode.PIPE_CLOSED


def _open_for_writing(fifo: Path, process: subprocess.Popen[bytes]) -> int:
    """Open a named pipe for writing once `process` has opened it for reading."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:  # ENXIO: no reader yet
            if exc.errno != errno.ENXIO:
                raise
        time.sleep(0.05)
    raise AssertionError(f"the command never opened {fifo} (exit {process.poll()})")


def _wait_until_blocked_reading(process: subprocess.Popen[bytes]) -> None:
    """Return once `process` sleeps in its read of a pipe (Linux), not merely has it open.

    A Ctrl-C that lands between the open and the read is noted by Python's handler but interrupts
    no system call, so the read that follows waits on: the command would be stopped by a second
    Ctrl-C, and the test, sending one, would hang. Where /proc tells nothing, a pause stands in.
    """
    proc = Path("/proc") / str(process.pid)
    if not proc.is_dir():
        time.sleep(1)
        return
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            where = (proc / "wchan").read_text().strip()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            break  # gone, or not ours to read: the exit status below tells
        # Kernels name the wait `pipe_read`, `anon_pipe_read` or (older) `pipe_wait`.
        if where.endswith(("pipe_read", "pipe_wait")) or (where in {"", "0"} and state == "S"):
            return
        time.sleep(0.02)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_ctrl_c_ends_the_command_with_one_line_and_exit_130(tmp_path: Path) -> None:
    fifo = tmp_path / "request.json"
    os.mkfifo(fifo)
    # A child inherits an ignored SIGINT, and Python then raises no KeyboardInterrupt: give the
    # command the disposition a shell gives it, whatever this test process was left with.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*READINESS, "assess", str(fifo)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
    finally:
        signal.signal(signal.SIGINT, inherited)
    try:
        # Once the command reads the file, it waits for a request that never comes.
        writer = _open_for_writing(fifo, process)
        _wait_until_blocked_reading(process)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
        os.close(writer)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert (process.returncode, out, err) == (ExitCode.INTERRUPTED, b"", b"Interrupted.\n")


def test_python_m_api_without_a_command_serves() -> None:
    env = {**os.environ, "READINESS_PORT": "not-a-port"}
    done = run_process([sys.executable, "-m", "api"], env=env)
    assert done.returncode == ExitCode.INPUT
    assert done.stderr.startswith("Error: invalid setting: ")


def invoke(*args: str, database_url: str | None = None) -> Result:
    env = {} if database_url is None else {"READINESS_DATABASE_URL": database_url}
    result = CliRunner().invoke(readiness, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_migrate_answers_a_database_url_it_cannot_use_with_exit_2() -> None:
    done = invoke("migrate", database_url="nosuchdatabase://secret@host/db")
    assert done.exit_code == ExitCode.INPUT
    assert done.stderr.startswith("Error: invalid setting: database_url: ")
    assert len(done.stderr.splitlines()) == 1


def test_migrate_answers_a_database_it_cannot_open_with_exit_3(tmp_path: Path) -> None:
    done = invoke("migrate", database_url=f"sqlite:///{tmp_path}")  # a folder, not a file
    assert done.exit_code == ExitCode.UNAVAILABLE
    assert done.stderr == "Error: cannot open the database: unable to open database file\n"


def test_a_migration_that_fails_closes_the_database_it_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed_databases: list[Database]
) -> None:
    def refuse(self: Database) -> None:
        raise OperationalError("ALTER TABLE", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Database, "migrate", refuse)
    done = invoke("migrate", database_url=f"sqlite:///{tmp_path / 'readiness.sqlite3'}")
    assert done.exit_code == ExitCode.UNAVAILABLE
    assert done.stderr == "Error: cannot open the database: disk I/O error\n"
    assert len(closed_databases) == 1


def test_the_rules_folder_option_is_not_a_server_setting(tmp_path: Path) -> None:
    done = invoke("--rules", str(tmp_path), "serve")
    assert done.exit_code == ExitCode.INPUT
    assert "READINESS_RULES_DIR" in done.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--scopes", "read,fly"), "unknown scopes ['fly']"),
        (("--scopes", "read"), "must be bound"),
        (("--scopes", "read", "--region", "Skåne", "--organisation", "x"), "not both"),
        (
            ("--scopes", "read", "--region", "Skåne "),
            "no spaces or line breaks at its start or end",
        ),
        (("--scopes", "read", "--region", " "), "not blank"),
    ],
    ids=["unknown-scope", "unbound", "bound-twice", "region-with-a-space", "blank-region"],
)
def test_keys_create_refuses_a_bad_key_with_exit_2(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    done = invoke("keys", "create", *args, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert done.exit_code == ExitCode.INPUT
    assert expected in done.stderr
    assert len(done.stderr.splitlines()) == 1
