"""Dependency audit: every pin in requirements*.txt against PyPI's vulnerability data. Exit 0 only when clean.

    .venv/bin/python deploy/audit.py requirements.txt requirements-dev.txt      (make audit)

1. pip-audit, strict: every pin (--no-deps: the files pin the whole tree) must be found and audited;
   a vulnerability or a pin it could not audit fails.
2. Only when pip-audit could not reach PyPI's per-release feed (``/pypi/<name>/<version>/json``; from
   some networks that path answers 404 while the rest of PyPI works), it says so loudly and falls back
   to the project feed (``/pypi/<name>/json``), whose ``vulnerabilities`` are PyPI's advisories for the
   project's LATEST release: a pin equal to the latest release is audited exactly, with the same data.
   A pin behind the latest cannot be audited that way. The README's pin policy moves ordinary pins once a
   month, so a pin that fell behind less than GRACE_DAYS ago (the first release after it is that recent)
   is reported, loudly, and does not fail: CI must not go red the day a third party publishes a release.
   A pin behind for longer fails, unless deploy/audit-unaudited.txt lists it (``name==version  # why it
   cannot move``); a listed pin that has become auditable fails too, so the list cannot go stale. Any
   network failure fails.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
UNAUDITED = HERE / "audit-unaudited.txt"
PROJECT_FEED = "https://pypi.org/pypi/{name}/json"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;#]+)")
GRACE_DAYS = 30
UNREACHABLE = ("Dependency not found on PyPI", "Could not connect to PyPI", "PyPI is not redirecting")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(paths: list[Path]) -> dict[str, str]:
    """``name -> version`` of every ``name==version`` line, following ``-r`` includes."""
    pins: dict[str, str] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            line = line.strip()
            if line.startswith(("-r ", "--requirement ")):
                pins.update(read_pins([path.parent / line.split(maxsplit=1)[1]]))
            elif match := PIN.match(line):
                pins[normalize(match[1])] = match[3]
    return pins


def read_unaudited() -> dict[str, str]:
    listed: dict[str, str] = {}
    if UNAUDITED.exists():
        for line in UNAUDITED.read_text().splitlines():
            if match := PIN.match(line.strip()):
                listed[normalize(match[1])] = match[3]
    return listed


def pip_audit(paths: list[Path]) -> tuple[int, str]:
    """Run pip-audit strictly; (exit status, its stderr)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        command = [sys.executable, "-m", "pip_audit", "--strict", "--no-deps", "--disable-pip"]
        command += ["--progress-spinner", "off", "--format", "json", "--output", report.name]
        for path in paths:
            command += ["--requirement", str(path)]
        done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603 - our own arguments
        findings = Path(report.name).read_text() if Path(report.name).stat().st_size else ""
    if findings:
        vulnerable = [dep for dep in json.loads(findings).get("dependencies", []) if dep.get("vulns")]
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                print(f"VULNERABLE {dep['name']}=={dep['version']}: {vuln['id']} (fixed in {vuln['fix_versions']})")
    return done.returncode, done.stderr


def project_feed(name: str) -> dict:
    """PyPI's JSON for the project (three tries); raises when PyPI does not answer."""
    import requests

    for attempt in range(3):
        try:
            answer = requests.get(PROJECT_FEED.format(name=name), timeout=30, headers={"Accept": "application/json"})
            answer.raise_for_status()
            return answer.json()
        except requests.RequestException:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def behind_since(feed: dict, version: str) -> dt.datetime | None:
    """When the first final, unyanked release after ``version`` was uploaded (None when not known)."""
    from packaging.version import InvalidVersion, Version

    try:
        pinned = Version(version)
    except InvalidVersion:
        return None
    uploads = []
    for release, files in (feed.get("releases") or {}).items():
        try:
            newer = Version(release)
        except InvalidVersion:
            continue
        if newer > pinned and not newer.is_prerelease:
            uploads += [
                dt.datetime.fromisoformat(file["upload_time_iso_8601"].replace("Z", "+00:00"))
                for file in files
                if not file.get("yanked") and file.get("upload_time_iso_8601")
            ]
    return min(uploads, default=None)


def fallback(pins: dict[str, str], listed: dict[str, str], now: dt.datetime | None = None) -> int:
    """Audit pins that are their project's latest release with the project feed; see the module docstring."""
    failures = 0
    now = now or dt.datetime.now(dt.UTC)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        feeds = dict(zip(pins, pool.map(project_feed, pins), strict=True))
    audited = behind = fresh = 0
    for name, version in sorted(pins.items()):
        feed = feeds[name]
        latest = feed["info"]["version"]
        if version == latest:
            audited += 1
            vulns = [vuln for vuln in feed.get("vulnerabilities") or [] if not vuln.get("withdrawn")]
            for vuln in vulns:
                failures += 1
                print(
                    f"VULNERABLE {name}=={version}: {vuln['id']} {vuln.get('aliases')} fixed in {vuln.get('fixed_in')}"
                )
            if listed.get(name) == version:
                failures += 1
                print(f"STALE {UNAUDITED.name}: {name}=={version} is the latest release and was audited: remove it")
        elif listed.get(name) == version:
            behind += 1
            print(f"NOT AUDITED (listed in {UNAUDITED.name}) {name}=={version}: latest is {latest}")
        elif (since := behind_since(feed, version)) and now - since < dt.timedelta(days=GRACE_DAYS):
            fresh += 1
            print(
                f"NOT AUDITED (behind for {(now - since).days} of {GRACE_DAYS} grace days) {name}=={version}: "
                f"latest is {latest}; update the pin (README: updating pins)"
            )
        else:
            failures += 1
            print(f"NOT AUDITED {name}=={version}: latest is {latest}; update the pin (README: updating pins)")
    print(
        f"fallback: {audited} of {len(pins)} pins audited against PyPI's advisories, {behind} listed as held back,"
        f" {fresh} behind a release younger than {GRACE_DAYS} days"
    )
    return failures


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or [Path("requirements.txt"), Path("requirements-dev.txt")]
    pins = read_pins(paths)
    status, stderr = pip_audit(paths)
    if status == 0:
        print(f"pip-audit: {len(pins)} pins, no known vulnerabilities")
        return 0
    if not any(marker in stderr for marker in UNREACHABLE):
        print(stderr, file=sys.stderr)
        print("pip-audit: FAILED (see above)", file=sys.stderr)
        return 1
    reason = next(line for line in stderr.splitlines() if any(marker in line for marker in UNREACHABLE))
    print("=" * 100, file=sys.stderr)
    print("pip-audit could NOT use PyPI's per-release vulnerability feed from here:", file=sys.stderr)
    print(f"  {reason.strip()}", file=sys.stderr)
    print("Falling back to PyPI's project feed (advisories of each project's latest release).", file=sys.stderr)
    print("=" * 100, file=sys.stderr)
    import requests

    try:
        failures = fallback(pins, read_unaudited())
    except requests.RequestException as exc:
        print(f"audit: FAILED, PyPI's project feed is unreachable too: {exc}", file=sys.stderr)
        return 1
    print("audit: OK" if not failures else f"audit: FAILED ({failures} problems)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
