"""Hot reload of the rules folder: validate and test the new set aside, then switch at once."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.heap import resettle
from api.questionnaire import build_questionnaires
from api.runtime import Runtime, Served
from engine import (
    Engine,
    InvalidRulesetError,
    RoundFileError,
    default_rules_dir,
    load_round_spec,
    load_ruleset,
    ruleset_digest,
    run_cases,
    yaml_files,
)

__all__ = ["ReloadStatus", "Reloader"]

_log = logging.getLogger("readiness.reload")
_RETIRE_AFTER = 30.0
"""Seconds an old engine is kept after a switch, for requests that started on it."""


@dataclass
class ReloadStatus:
    """The outcome of the last reload attempt."""

    attempted_at: str | None = None
    ok: bool = True
    digest: str | None = None
    errors: list[str] | None = None
    serving: str | None = field(default=None, compare=False)
    """The digest served when the attempt ended (not part of `to_json`: `/ready` has its own)."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "attempted_at": self.attempted_at,
            "ok": self.ok,
            "digest": self.digest,
            "errors": self.errors,
        }


class Reloader:
    """Watches the rules folder and switches the runtime's engine when a valid new set appears.

    A new set is loaded and validated (coverage included), and every rule case must pass on it;
    only then does `runtime.served` point to it (engine, questionnaires, round spec), in one
    assignment. Each request works with what it started with, so no request sees a mix. On any
    failure the old set keeps serving and the reason is kept for `/ready` and logged.
    """

    def __init__(self, runtime: Runtime, root: Path | None, interval: float) -> None:
        self.runtime = runtime
        self.root = (root or default_rules_dir()).resolve()
        self.interval = interval
        self.status = ReloadStatus(digest=runtime.engine.ruleset.digest)
        self._seen = runtime.engine.ruleset.digest
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching (when the interval is positive)."""
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="rules-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()

    def _signature(self) -> tuple[tuple[str, int, int], ...]:
        return tuple(
            (str(p), (stat := p.stat()).st_mtime_ns, stat.st_size) for p in yaml_files(self.root)
        )

    def _watch(self) -> None:
        # Cheap stat() checks each interval; the files are read and hashed only when one moved.
        # None at first: the first check hashes the folder, so that a change made after the set
        # in use was loaded and before this thread first looked is not missed.
        signature: tuple[tuple[str, int, int], ...] | None = None
        while not self._stop.wait(self.interval):
            try:
                current = self._signature()
                if current == signature:
                    continue
                signature = current
                digest = ruleset_digest(self.root)
            except OSError:
                continue  # a file vanished mid-scan; look again next time
            if digest != self._seen:
                self.reload()

    def reload(self) -> ReloadStatus:
        """Load, validate and test the folder now; switch only if all of it passes.

        The status says, in `serving`, the digest of the set served when the attempt ended
        (read before another reload can switch again).
        """
        with self._lock:
            status = self._attempt()
            return replace(status, serving=self.runtime.engine.ruleset.digest)

    def _attempt(self) -> ReloadStatus:
        """`reload`, under its lock."""
        digest = ruleset_digest(self.root)
        self._seen = digest
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        current = self.runtime.engine
        if digest == current.ruleset.digest:
            self.status = ReloadStatus(now, True, digest, None)
            return self.status
        try:
            candidate = Engine(load_ruleset(self.root), self.runtime.settings.engine)
        except InvalidRulesetError as exc:
            return self._failed(now, digest, [str(e) for e in exc.errors])
        try:
            round_spec = load_round_spec(self.root)
        except RoundFileError as exc:
            candidate.close()
            return self._failed(now, digest, [str(exc)])
        report = run_cases(candidate)
        if report.failed:
            candidate.close()
            problems = [f"{o.rule}: {o.name}: {'; '.join(o.problems)}" for o in report.failed]
            return self._failed(now, digest, problems)
        questionnaires = build_questionnaires(candidate.ruleset, round_spec)
        # One assignment: a request sees the old folder's three or the new one's, never a mix.
        self.runtime.served = Served(candidate, questionnaires, round_spec)
        self.status = ReloadStatus(now, True, candidate.ruleset.digest, None)
        _log.info(
            "ruleset switched",
            extra={
                "ruleset_digest": candidate.ruleset.digest,
                "ruleset_version": candidate.ruleset.version,
            },
        )
        threading.Timer(_RETIRE_AFTER, _retire, (current,)).start()
        return self.status

    def _failed(self, now: str, digest: str, errors: list[str]) -> ReloadStatus:
        self.status = ReloadStatus(now, False, digest, errors[:50])
        _log.error(
            "ruleset reload failed; the old set keeps serving",
            extra={"ruleset_digest": digest, "errors": errors[:50]},
        )
        return self.status


def _retire(engine: Engine) -> None:
    """Retire a replaced engine and let the collector reclaim it (see `api.heap`).

    Now, or when the last batch streaming on it is done.
    """
    engine.retire(then=resettle)
