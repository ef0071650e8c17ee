"""The CI workflow: its steps are the README's two commands, and it publishes what a build writes."""

from __future__ import annotations

import re

import yaml

from briefs.load.markdown_checks import IMAGE_SUFFIXES

from .conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "briefs.yml"


def _steps() -> list[dict]:  # type: ignore[type-arg]
    return yaml.safe_load(WORKFLOW.read_text("utf-8"))["jobs"]["build"]["steps"]


def test_the_workflow_runs_the_readme_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = re.search(r"```sh\n(scripts/build)\s.*\n(scripts/test)\s", readme)
    assert commands, "the README's two commands"
    runs = [step.get("run", "") for step in _steps()]
    assert any(run.split()[:1] == [commands[2]] for run in runs)
    assert any(run.split()[:1] == [commands[1]] for run in runs)
    assert any("SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)" in run for run in runs)


def test_the_workflow_publishes_pages_pdfs_and_every_image_a_page_may_show() -> None:
    """Images are published beside the HTML; an artifact without them has broken pages."""
    upload = next(s for s in _steps() if "upload-artifact" in s.get("uses", "") and "briefs-" in s["with"]["name"])
    patterns = upload["with"]["path"].split()
    wanted = {f"output/*/*{suffix}" for suffix in (".pdf", ".html", *IMAGE_SUFFIXES)}
    assert wanted <= set(patterns), wanted - set(patterns)
    cache = next(s for s in _steps() if "actions/cache" in s.get("uses", ""))
    assert cache["with"]["path"] == "output"  # the manifest travels with the files it describes
