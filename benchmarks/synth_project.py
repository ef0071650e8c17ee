"""A synthetic large project for the scale benchmarks (issue 20): N briefs and M recipients.

    .venv/bin/python benchmarks/synth_project.py DEST --briefs 1000 [--recipients 100000]

Copies the example project's shared files and theme overrides to DEST and writes N briefs made
from the example industry and fund briefs, round robin. Each copy is a brief of its own, not a
duplicate: a distinct id (``<example>-s0042``), a date moved on by a day per copy (with its
related reports kept before it), a distinct figure and a distinct sentence in every
language (a key-data row "Sample no. 42" / "样本编号 42"), so every output file differs. Company
notes are left out: their recommendation history ties one note to the next on a security.
Each copy is approved again under its own id (an approval record binds one brief's content). The recipients file (``content/_distribution/recipients.yaml``) lists M fictitious clients, in
turn zh-CN, en and zh-HK.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPANY = re.compile(r"^security:", re.MULTILINE)
ANY_DATE = re.compile(r"\b(20\d{2}-\d{2}-\d{2})\b")


def templates() -> list[Path]:
    """The example briefs a synthetic one is made from (no company notes, no drafts)."""
    folders = sorted(p.parent for p in (ROOT / "content").glob("[!_]*/brief.yaml"))
    chosen = []
    for folder in folders:
        text = (folder / "brief.yaml").read_text("utf-8")
        if COMPANY.search(text) or "approval:" not in text:
            continue
        chosen.append(folder)
    return chosen


def _shifted(text: str, days: int) -> str:
    """Every ISO date in the brief's YAML moved on by ``days`` (its date, approval, related
    reports): the order between them is kept."""

    def move(match: re.Match[str]) -> str:
        day = dt.date.fromisoformat(match.group(1)) + dt.timedelta(days=days)
        return day.isoformat()

    return ANY_DATE.sub(move, text)


def _with_sample_row(text: str, number: int) -> str:
    """A key-data row of its own: a distinct figure and sentence in both languages."""
    row = f"  - label: {{zh-CN: 样本编号, en: Sample no.}}\n    value: {{zh-CN: '{number}', en: '{number}'}}\n"
    if "\nkey_data:\n" in text:
        return text.replace("\nkey_data:\n", "\nkey_data:\n" + row, 1)
    return text.replace("\nkey_points:\n", "\nkey_data:\n" + row + "key_points:\n", 1)


def generate(dest: Path, briefs: int, recipients: int = 0) -> list[str]:
    """Write the project; returns the ids of its briefs."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "content").mkdir(parents=True)
    shutil.copytree(ROOT / "content" / "_shared", dest / "content" / "_shared")
    shutil.copytree(ROOT / "content" / "_distribution", dest / "content" / "_distribution")
    if (ROOT / "templates").is_dir():
        shutil.copytree(ROOT / "templates", dest / "templates")
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    sources = templates()
    ids = []
    for k in range(briefs):
        source = sources[k % len(sources)]
        brief_id = f"{source.name}-s{k:04d}"
        folder = dest / "content" / brief_id
        shutil.copytree(source, folder)
        (folder / "approval.yaml").unlink(missing_ok=True)  # the example's: approved again below
        yaml = folder / "brief.yaml"
        text = yaml.read_text("utf-8").replace(f"id: {source.name}\n", f"id: {brief_id}\n", 1)
        yaml.write_text(_with_sample_row(_shifted(text, k // len(sources)), k), "utf-8")
        ids.append(brief_id)
    if recipients:
        write_recipients(dest, recipients)
    # The new row is a translation like any other: marked reviewed, as an analyst would.
    subprocess.run(
        [sys.executable, "-m", "briefs", "--project", str(dest), "translations", "--reviewed"],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "CI": "1"},
    )
    # Each copy approved again, as compliance would: an approval record names its brief and
    # binds its content, so the example's record does not cover the copy.
    subprocess.run([sys.executable, "-c", APPROVE, str(dest)], check=True, env={**os.environ, "CI": "1"})
    return ids


APPROVE = """
import datetime as dt, re, sys
from pathlib import Path
from briefs.authoring.approval import approve
from briefs.project.config import load_config
config = load_config(Path(sys.argv[1]))
for yaml in sorted(config.content.glob("[!_]*/brief.yaml")):
    found = re.search(r"^approval: {by: ([^,]+), date: ([0-9-]+)}", yaml.read_text("utf-8"), re.MULTILINE)
    if found:
        approve(config, yaml.parent.name, found.group(1), dt.date.fromisoformat(found.group(2)))
"""


def write_recipients(dest: Path, count: int) -> None:
    """``count`` fictitious clients, in turn zh-CN, en and zh-HK, streamed to the file."""
    langs = ("zh-CN", "en", "zh-HK")
    with (dest / "content" / "_distribution" / "recipients.yaml").open("w", encoding="utf-8") as f:
        f.write("recipients:\n")
        for i in range(count):
            f.write(f"  - {{id: client-{i:06d}, name: 测试客户{i}, organisation: 示例资产管理公司, lang: {langs[i % 3]}}}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--briefs", type=int, default=10)
    parser.add_argument("--recipients", type=int, default=0)
    args = parser.parse_args()
    ids = generate(args.dest, args.briefs, args.recipients)
    print(f"{args.dest}: {len(ids)} brief(s), {args.recipients} recipient(s)")


if __name__ == "__main__":
    main()
