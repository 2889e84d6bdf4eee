"""Lint the packaged template: `python -m infra.lint dist/sam.json`.

Runs the three linters the issue asks for on what `make package` produced:

- ``cfn-lint -c I`` (errors, warnings and informational checks),
- ``sam validate --lint`` (SAM's transform, then cfn-lint),
- ``checkov --framework cloudformation``,

and fails on every finding that the "Linter findings" table of infra/README.md does not
justify. A justification names the tool, the check id and a glob of the resources it
covers (``*`` for all); for sam, whose output names no resource, the glob is matched
against the finding's message. A justification that matches nothing fails too: the table
must not keep excuses for findings that are gone.

Tools are looked up beside this Python (.venv/bin: the suite's cfn-lint), then in
$LINT_BIN, then .venv-lint/bin, then on PATH. checkov and aws-sam-cli live in their own
environment (requirements-lint.txt) because they pin boto3 differently from the app.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "infra" / "README.md"
TOOLS = ("cfn-lint", "sam", "checkov")


@dataclass(frozen=True)
class Finding:
    tool: str
    check: str
    resource: str  # logical id or checkov's Type.LogicalId; sam: the message
    message: str

    def __str__(self) -> str:
        return f"{self.tool} {self.check} {self.resource}: {self.message}"


@dataclass(frozen=True)
class Justification:
    tool: str
    check: str
    resources: str  # a glob
    reason: str

    def covers(self, f: Finding) -> bool:
        return (
            f.tool == self.tool
            and f.check == self.check
            and fnmatch.fnmatchcase(f.resource, self.resources)
        )


def justifications(text: str) -> list[Justification]:
    """Rows of the README's table: | tool | `CHECK` | `glob` | reason |"""
    out = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0] not in TOOLS:
            continue
        check, resources = cells[1].strip("`"), cells[2].strip("`")
        reason = "|".join(cells[3:]).strip()
        if not reason:
            raise ValueError(f"a justification without a reason: {line}")
        out.append(Justification(cells[0], check, resources, reason))
    return out


def unjustified(
    findings: list[Finding], justified: list[Justification]
) -> tuple[list[Finding], list[Justification]]:
    """Findings no row covers, and rows that cover no finding."""
    open_findings = [f for f in findings if not any(j.covers(f) for j in justified)]
    stale = [j for j in justified if not any(j.covers(f) for f in findings)]
    return open_findings, stale


def tool(name: str) -> str:
    candidates = [Path(sys.executable).with_name(name)]
    if os.environ.get("LINT_BIN"):
        candidates.append(Path(os.environ["LINT_BIN"]) / name)
    candidates.append(ROOT / ".venv-lint" / "bin" / name)
    for path in candidates:
        if path.exists():
            return str(path)
    found = shutil.which(name)
    if not found:
        raise SystemExit(
            f"{name} is not installed: `make lint-infra` installs requirements-lint.txt"
        )
    return found


def _env() -> dict[str, str]:
    # Offline: no credentials are needed (fake ones keep boto3 from looking further).
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "lint",
        "AWS_SECRET_ACCESS_KEY": "lint",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
        "SAM_CLI_TELEMETRY": "0",
    }


def cfn_lint(template: Path) -> list[Finding]:
    result = subprocess.run(
        [tool("cfn-lint"), "-c", "I", "--format", "json", str(template)],
        capture_output=True,
        text=True,
        timeout=600,
        env=_env(),
    )
    if result.returncode & 1:  # cfn-lint itself failed
        raise SystemExit(f"cfn-lint failed:\n{result.stderr}")
    findings = []
    for f in json.loads(result.stdout or "[]"):
        path = f.get("Location", {}).get("Path") or []
        resource = path[1] if len(path) > 1 and path[0] == "Resources" else "(template)"
        findings.append(Finding("cfn-lint", f["Rule"]["Id"], str(resource), f["Message"]))
    return findings


_SAM_FINDING = re.compile(r"\[(?P<check>[EWI]\d+): [^\]]*\] \((?P<message>.*?)\) matched \d+")


def sam_validate(template: Path) -> list[Finding]:
    result = subprocess.run(
        [tool("sam"), "validate", "--lint", "-t", str(template), "--region", "ap-southeast-3"],
        capture_output=True,
        text=True,
        timeout=600,
        env=_env(),
    )
    output = result.stdout + result.stderr
    findings = [
        Finding("sam", m["check"], m["message"], m["message"])
        for m in _SAM_FINDING.finditer(output)
    ]
    if result.returncode and not findings:
        raise SystemExit(f"sam validate --lint failed:\n{output}")
    return findings


def checkov(template: Path) -> list[Finding]:
    result = subprocess.run(
        [
            tool("checkov"),
            "-f",
            str(template),
            "--framework",
            "cloudformation",
            "--quiet",
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=_env(),
    )
    try:
        reports = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"checkov failed:\n{result.stdout}\n{result.stderr}") from None
    reports = reports if isinstance(reports, list) else [reports]
    if any(r.get("summary", {}).get("parsing_errors") for r in reports):
        raise SystemExit(f"checkov could not parse {template}")
    return [
        Finding("checkov", f["check_id"], f["resource"], f["check_name"])
        for r in reports
        for f in r.get("results", {}).get("failed_checks", [])
    ]


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m infra.lint dist/sam.json", file=sys.stderr)
        return 2
    template = Path(args[0])
    findings = cfn_lint(template) + sam_validate(template) + checkov(template)
    justified = justifications(README.read_text())
    open_findings, stale = unjustified(findings, justified)
    covered = len(findings) - len(open_findings)
    print(f"{len(findings)} findings, {covered} justified in infra/README.md")
    for f in open_findings:
        print(f"UNJUSTIFIED {f}")
    for j in stale:
        print(f"STALE justification (matches no finding): {j.tool} {j.check} {j.resources}")
    return 1 if open_findings or stale else 0


if __name__ == "__main__":
    sys.exit(main())
