"""Audit the installed dependencies with pip-audit; fail on any known vulnerability.

    python .ci/audit.py [--require-all]

Runs `pip-audit --skip-editable` (the project itself is not a published package) and reads its
JSON report. pip-audit asks PyPI for each installed version (`/pypi/<name>/<version>/json`);
where that page cannot be had (some mirrors and proxies serve only the project page), the
project page `/pypi/<name>/json` is asked instead: it lists the known vulnerabilities of the
latest release, so it audits an installed version that is the latest one, and only that.

It exits 1 when a dependency has a known vulnerability, and prints how many dependencies were
actually looked up and which were not, with the reason, so that "no known vulnerabilities" never
hides an audit that did not happen. `--require-all` makes such a gap a failure as well.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from importlib import metadata
from pathlib import Path
from typing import Any

_PROJECT = "https://pypi.org/pypi/{name}/json"


def _from_project_page(dependency: dict[str, Any]) -> dict[str, Any]:
    """Audit one dependency pip-audit could not look up, from PyPI's project page."""
    name = dependency["name"]
    try:
        version = dependency.get("version") or metadata.version(name)
    except metadata.PackageNotFoundError:
        return dependency
    try:
        with urllib.request.urlopen(_PROJECT.format(name=name), timeout=30) as answer:  # noqa: S310  # nosec B310
            page = json.load(answer)
    except (OSError, ValueError) as exc:
        return {**dependency, "skip_reason": f"project page unavailable: {exc}"}
    latest = page["info"]["version"]
    if latest != version:
        reason = f"per-version page unavailable and {version} is not the latest ({latest})"
        return {**dependency, "skip_reason": reason}
    vulns = [
        {"id": v["id"], "fix_versions": v.get("fixed_in") or []}
        for v in page.get("vulnerabilities") or []
    ]
    return {"name": name, "version": version, "vulns": vulns}


def main() -> int:
    """Run the audit and print its verdict; the exit code is the verdict."""
    require_all = "--require-all" in sys.argv[1:]
    audit = Path(sys.executable).with_name("pip-audit")
    command = [str(audit), "--skip-editable", "--format", "json", "--progress-spinner", "off"]
    # Versions pip-audit cannot find are retried below; its own cache may hold the misses.
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return 1
    dependencies = [
        _from_project_page(d) if "not found on PyPI" in d.get("skip_reason", "") else d
        for d in report["dependencies"]
    ]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {len(dependencies)} dependencies, {audited} looked up, {len(skipped)} not")
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            print(
                f"  VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} ({fixed})"
            )
    if skipped:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        print(f"  not audited ({len(skipped)}): {'; '.join(reasons)}")
        print("  " + ", ".join(sorted(d["name"] for d in skipped)))
    if vulnerable:
        return 1
    if skipped and require_all:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
