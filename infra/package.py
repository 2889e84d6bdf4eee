"""Build the deployable artefacts: `python -m infra.package OUT_DIR [--stage prod]`.

Runs `chalice package --merge-template infra/resources.json`, then removes from the zip
what the Lambda Python runtime already provides (boto3, botocore and their helpers,
pulled in by PynamoDB) so the package stays small.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVIDED_BY_LAMBDA = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "urllib3",
    "six",
    "python_dateutil",
)


def _provided(name: str) -> bool:
    top = name.split("/", 1)[0]
    base = top.split("-", 1)[0].removesuffix(".py").lower()
    return base in PROVIDED_BY_LAMBDA


def slim(zip_path: Path) -> tuple[int, int]:
    before = zip_path.stat().st_size
    slim_path = zip_path.with_suffix(".slim.zip")
    with (
        zipfile.ZipFile(zip_path) as src,
        zipfile.ZipFile(slim_path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if not _provided(info.filename):
                dst.writestr(info, src.read(info.filename))
    slim_path.replace(zip_path)
    return before, zip_path.stat().st_size


def package(out: Path, stage: str = "prod") -> None:
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-3"),
    }
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from chalice.cli import main; sys.exit(main())",
            "package",
            "--stage",
            stage,
            "--pkg-format",
            "cloudformation",
            "--merge-template",
            "infra/resources.json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    before, after = slim(out / "deployment.zip")
    print(
        f"{out}/sam.json and {out}/deployment.zip "
        f"({before / 1e6:.1f} MB -> {after / 1e6:.1f} MB without the runtime's boto3)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m infra.package")
    parser.add_argument("out", type=Path)
    parser.add_argument("--stage", default="prod")
    args = parser.parse_args()
    package(args.out.resolve(), args.stage)
