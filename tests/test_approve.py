"""Approval bound to content: ``briefs approve`` records what compliance approved as hashes; any
later change to what the brief's output depends on makes it a draft again until it is re-approved."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from briefs.compliance.approvals import RECORD_NAME
from briefs.load.project import load_project
from briefs.pipeline.dependencies import used_shared
from briefs.project.config import load_config

from .conftest import EXAMPLES, ROOT, copy_project, edit, line_of

BRIEF = "compute-etf-note"  # approved; inline sections, a CSV exhibit, fund disclaimers
DATE = "2025-02-24"  # its approval date, as brief.yaml says
LISTING = "recipients:\n  - {id: client-a, name: Jane Doe, organisation: Fund A, lang: en}\n"


def drafts(root: Path) -> dict[str, bool]:
    """Brief id → whether briefs now treats it as a draft."""
    return {b.brief.id: b.brief.draft for b in load_project(load_config(root)).briefs}


def yaml_approved(root: Path) -> set[str]:
    """The briefs whose brief.yaml carries an approval (read with PyYAML, not briefs)."""
    found = set()
    for brief_id in EXAMPLES:
        data = yaml.safe_load((root / "content" / brief_id / "brief.yaml").read_text("utf-8"))
        if data.get("approval"):
            found.add(brief_id)
    return found


def has_banner(project: Path, run_cli, brief_id: str = BRIEF) -> bool:  # type: ignore[no-untyped-def]
    result = run_cli(project, "build", "--format", "html", "--lang", "en", f"content/{brief_id}")
    assert result.exit_code == 0, result.output
    html = (project / "output" / brief_id / f"{brief_id}.en.html").read_text("utf-8")
    return BeautifulSoup(html, "html.parser").select_one(".draft-banner") is not None


def shared_disclaimer(root: Path, used: bool) -> str:
    """A disclaimer id of content/_shared that BRIEF prints in some edition (or in none)."""
    project = load_project(load_config(root), [root / "content" / BRIEF])
    loaded = project.briefs[0]
    printed = {d["id"] for lang in project.config.editions for d in used_shared(project, loaded, lang)["disclaimers"]}
    every = [d.id for d in project.library.disclaimers.disclaimers]
    return next(i for i in every if (i in printed) == used)


def edit_disclaimer(root: Path, disclaimer_id: str) -> None:
    """Change one word of a disclaimer's English text, found from its id."""
    path = root / "content" / "_shared" / "disclaimers.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {disclaimer_id}")
    english = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("en: |"))
    lines[english + 1] = lines[english + 1].rstrip("\n") + " Changed after approval.\n"
    path.write_text("".join(lines), "utf-8")


# ----------------------------------------------------------------------------- the examples


def test_every_approved_example_is_bound_to_its_content() -> None:
    approved = yaml_approved(ROOT)
    assert BRIEF in approved and len(approved) < len(EXAMPLES)  # a draft example too
    for brief_id in approved:
        assert (ROOT / "content" / brief_id / RECORD_NAME).is_file(), brief_id
    assert {i for i, draft in drafts(ROOT).items() if not draft} == approved


def test_a_copy_elsewhere_with_crlf_files_and_litter_keeps_its_approvals(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "somewhere" / "else" / "project", theme=False)
    folder = root / "content" / BRIEF
    for name in ("brief.yaml", "etfs.en.md", "compute-share.csv"):  # a checkout that writes CRLF
        path = folder / name
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    for path in (root / "content").rglob("*"):  # checked out at another time
        os.utime(path, (1_000_000_000, 1_000_000_000))
    # not inputs: editor backups, a VCS folder, the translation review record
    (folder / "etfs.en.md~").write_text("old", "utf-8")
    (folder / ".etfs.en.md.swp").write_bytes(b"\0swap")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    (folder / "translations.lock").write_text("# reviewed again\n", "utf-8")
    assert {i for i, draft in drafts(root).items() if not draft} == yaml_approved(ROOT)


# ----------------------------------------------------------------------------- a change makes a draft


@pytest.mark.parametrize(("change", "part"), [
    ("text", "sections/event/body"),
    ("figure", "compute-share.csv"),
    ("disclaimer", "_shared/disclaimers.yaml#"),
])
def test_a_change_since_approval_makes_a_draft_until_approved_again(  # type: ignore[no-untyped-def]
        project: Path, run_cli, change: str, part: str) -> None:
    brief = project / "content" / BRIEF / "brief.yaml"
    assert not has_banner(project, run_cli)
    if change == "text":
        edit(brief, "推理过程依然是计算密集型任务", "推理过程不再是计算密集型任务")
    elif change == "figure":
        edit(project / "content" / BRIEF / "compute-share.csv", "inference,95", "inference,85")
    else:
        disclaimer = shared_disclaimer(project, used=True)
        edit_disclaimer(project, disclaimer)
        part += disclaimer
    assert has_banner(project, run_cli)  # the DRAFT mark is back

    final = run_cli(project, "build", "--final", "--format", "html", f"content/{BRIEF}")
    assert final.exit_code == 1 and "Traceback" not in final.output
    where = f"content/{BRIEF}/brief.yaml:{line_of(brief, 'approval:')}:1: "
    assert (f"{where}brief '{BRIEF}' is a draft again: approved on {DATE} by 顾文静 (compliance); "
            f"changed since: {part};") in final.output, final.output

    (project / "clients.yaml").write_text(LISTING, "utf-8")
    sent = run_cli(project, "distribute", f"content/{BRIEF}", "--recipients", "clients.yaml")
    assert sent.exit_code == 1 and f"{where}brief '{BRIEF}' is a draft again" in sent.output, sent.output
    assert not (project / "output" / "distribution.jsonl").exists()

    signed = run_cli(project, "approve", BRIEF, "--by", "gu-wenjing", "--date", DATE)
    assert signed.exit_code == 0, signed.output
    assert not has_banner(project, run_cli)
    assert run_cli(project, "build", "--final", "--format", "html", f"content/{BRIEF}").exit_code == 0


def test_changes_the_brief_does_not_depend_on_leave_it_approved(project: Path) -> None:
    edit_disclaimer(project, shared_disclaimer(project, used=False))
    analysts = project / "content" / "_shared" / "analysts.yaml"
    named = yaml.safe_load((project / "content" / BRIEF / "brief.yaml").read_text("utf-8"))
    people = yaml.safe_load(analysts.read_text("utf-8"))["analysts"]
    other = next(p for p in people if p["id"] not in (*named["analysts"], *named["contacts"]))
    edit(analysts, other["email"], "someone.else@example.com")
    (project / "content" / BRIEF / "brief.yaml.bak").write_text("backup", "utf-8")
    other_brief = next(b for b in EXAMPLES if b != BRIEF)
    edit(project / "content" / other_brief / "brief.yaml", "date:", "# a comment\ndate:")
    assert not drafts(project)[BRIEF]


def test_an_approval_written_by_hand_is_not_enough(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    draft = next(i for i, d in drafts(ROOT).items() if d)
    brief = project / "content" / draft / "brief.yaml"
    date = next(line for line in brief.read_text("utf-8").splitlines() if line.startswith("date:"))
    line = edit(brief, date, f"{date}\napproval: {{by: gu-wenjing, date: {date.split()[1]}}}") + 1
    result = run_cli(project, "build", "--final", "--format", "html", f"content/{draft}")
    assert result.exit_code == 1
    assert (f"content/{draft}/brief.yaml:{line}:1: brief '{draft}' is a draft again: approval by gu-wenjing is "
            f"not bound to the brief's content (no {RECORD_NAME} beside it)") in result.output, result.output
    # and an approval in brief.yaml changed by hand is not the one recorded
    edit(project / "content" / BRIEF / "brief.yaml", f"date: {DATE}}}", "date: 2025-02-23}")
    result = run_cli(project, "build", "--final", "--format", "html", f"content/{BRIEF}")
    assert result.exit_code == 1 and "is not the one recorded in approval.yaml" in result.output


def test_approve_keeps_the_rest_of_brief_yaml(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    brief = project / "content" / BRIEF / "brief.yaml"
    before = brief.read_text("utf-8").splitlines()
    result = run_cli(project, "approve", BRIEF, "--by", "gu-wenjing", "--date", "2025-02-20")
    assert result.exit_code == 0, result.output
    after = brief.read_text("utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and "2025-02-20}" in changed[0][1] and changed[0][1].endswith(changed[0][0].split("}")[1])
    assert not drafts(project)[BRIEF]


# ----------------------------------------------------------------------------- approver rules


@pytest.mark.parametrize(("person", "date", "message"), [
    ("he-yu", DATE, "'he-yu' is an author of this brief and cannot approve it"),
    ("nobody", DATE, "unknown person 'nobody' (compliance people in analysts.yaml: gu-wenjing)"),
    ("gu-wenjing", "2025-03-01", "approved on 2025-03-01, after the report date 2025-02-25"),
])
def test_the_approver_rules_hold(project: Path, run_cli, person: str, date: str,  # type: ignore[no-untyped-def]
                                 message: str) -> None:
    record = project / "content" / BRIEF / RECORD_NAME
    kept = record.read_bytes()
    result = run_cli(project, "approve", BRIEF, "--by", person, "--date", date)
    assert result.exit_code == 1 and "Traceback" not in result.output
    where = line_of(project / "content" / BRIEF / "brief.yaml", "approval:")
    assert f"content/{BRIEF}/brief.yaml:{where}:1: cannot approve: " in result.output and message in result.output
    assert record.read_bytes() == kept


def test_an_unknown_brief_is_a_plain_error(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    for name in ("no-such-brief", "../content", "_shared"):
        result = run_cli(project, "approve", name, "--by", "gu-wenjing")
        assert result.exit_code == 1 and f"no brief '{name}'" in result.output and "Traceback" not in result.output


# ----------------------------------------------------------------------------- hostile records


@pytest.mark.parametrize(("old", "new", "key", "message"), [
    ("sections/event/body: ", "sections/event/body: 0", "digest",
     "this approval record was edited by hand: its digest is not the hash of the parts it lists"),
    ("digest: ", "digest: 0", "digest", "its digest is not the hash of the parts it lists"),
    (f"brief: {BRIEF}", "brief: wechat-r1-inference", "brief",
     "this approval record is for brief 'wechat-r1-inference'"),
    ("by: gu-wenjing", "by: gu-wenjing\nsigned: yes", "signed", "signed"),
    ("parts:", "parts: [", "parts", "YAML"),
])
def test_a_broken_record_is_a_located_error(project: Path, run_cli, old: str, new: str, key: str,  # type: ignore[no-untyped-def]
                                            message: str) -> None:
    record = project / "content" / BRIEF / RECORD_NAME
    edit(record, old, new)
    result = run_cli(project, "build", "--format", "html", "--lang", "en", f"content/{BRIEF}")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"content/{BRIEF}/{RECORD_NAME}:" in result.output and message in result.output, result.output
    if key != "parts":
        assert f"content/{BRIEF}/{RECORD_NAME}:{line_of(record, key + ':')}:" in result.output
    # briefs approve rewrites a broken record
    signed = run_cli(project, "approve", BRIEF, "--by", "gu-wenjing", "--date", DATE)
    assert signed.exit_code == 0, signed.output
    assert not drafts(project)[BRIEF]


def test_a_record_that_is_a_link_out_is_refused(project: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record = project / "content" / BRIEF / RECORD_NAME
    outside = tmp_path / "elsewhere.yaml"
    shutil.move(record, outside)
    record.symlink_to(outside)
    result = run_cli(project, "build", "--format", "html", "--lang", "en", f"content/{BRIEF}")
    assert result.exit_code == 1 and f"content/{BRIEF}/{RECORD_NAME}" in result.output, result.output
    assert "Traceback" not in result.output


def test_special_and_huge_files_in_the_folder_are_named_never_read(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    folder = project / "content" / BRIEF
    os.mkfifo(folder / "pipe")  # opening it would wait for a writer
    (folder / "zero").symlink_to("/dev/zero")  # reading it would never end
    with (folder / "huge.bin").open("wb") as handle:
        handle.truncate(100 * 2**20)  # sparse: 100 MiB on paper
    result = run_cli(project, "build", "--final", "--format", "html", f"content/{BRIEF}")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "changed since: huge.bin, pipe, zero;" in result.output, result.output
