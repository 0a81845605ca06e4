"""`make audit`: pip-audit over the locked requirements, saying plainly what it could and could not check.

Usage: audit.py REQUIREMENTS_FILE. Fails (exit 1) when any locked package has a known vulnerability or
pip-audit itself fails. A package the vulnerability service does not answer for (offline, a mirror without
the PyPI JSON API) is not a pass: it is listed, and a warning says the audit proved nothing about it.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PIP_AUDIT = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "pip-audit"


def main(requirements: str) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "audit.json"
        result = subprocess.run(
            [str(PIP_AUDIT), "-r", requirements, "--no-deps", "--disable-pip", "--vulnerability-service", "pypi",
             "--progress-spinner", "off", "-f", "json", "-o", str(report_path)],
            capture_output=True, text=True)
        if not report_path.exists():
            print(result.stdout + result.stderr, file=sys.stderr)
            print("pip-audit failed before writing a report", file=sys.stderr)
            return 1
        report = json.loads(report_path.read_text())

    dependencies = report["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    print(f"pip-audit: {len(dependencies)} locked packages, {audited} audited, {len(vulnerable)} vulnerable, "
          f"{len(skipped)} could not be audited")
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"WARNING: the vulnerability service did not answer for {len(skipped)} of {len(dependencies)} "
              f"packages, so nothing is known about them: {names}")
        print(f"WARNING: first reason given: {skipped[0]['skip_reason']}")
    if vulnerable:
        return 1
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
