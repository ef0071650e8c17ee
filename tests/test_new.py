"""``briefs new project`` and ``briefs new brief``, and the placeholders rule that keeps what they
leave unwritten out of a release (``build --final``, ``distribute``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from briefs.authoring.approval import approve
from briefs.compliance.placeholders import MARKER, find
from briefs.load.project import SHARED_FILES, load_library, load_project
from briefs.project.config import load_config

from .conftest import edit, line_of


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about new projects and briefs, not about the
    examples."""
    return small_project


MARKER_RE = re.compile(r"〖FILL IN:[^〗\n]*〗")
KINDS = ("industry-comment", "industry-report", "company-report", "fund-marketing")
TODAY = dt.date.today().isoformat()


def _new_project(tmp_path: Path, run_cli) -> Path:  # type: ignore[no-untyped-def]
    result = run_cli(tmp_path, "new", "project", "house")
    assert result.exit_code == 0, result.output
    return tmp_path / "house"


def _markers(root: Path) -> dict[Path, list[tuple[int, int]]]:
    """Every placeholder under content/, found independently of briefs: (line, column)."""
    found = {}
    for path in sorted((root / "content").rglob("*")):
        if path.is_file():
            places = [(n, m.start() + 1) for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                      for m in re.finditer(MARKER, line)]
            if places:
                found[path] = places
    return found


def _fill_in(root: Path) -> None:
    """Replace every placeholder with real text, as a house would."""
    for path in (root / "content").rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".md"):
            path.write_text(MARKER_RE.sub("Example text", path.read_text("utf-8")), "utf-8")


def _approve(brief: Path) -> None:
    """Compliance signs the brief off as it is now (``briefs approve``)."""
    approve(load_config(brief.parent.parent), brief.name, "compliance-reviewer", dt.date.fromisoformat(TODAY))


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if "placeholder left to fill in" in line]


# ----------------------------------------------------------------------------- briefs new project


def test_a_new_project_checks_and_builds_its_example_as_a_draft(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    assert "[tool.briefs]" in (root / "pyproject.toml").read_text("utf-8")
    for filename, _ in SHARED_FILES.values():
        assert (root / "content" / "_shared" / filename).is_file(), filename
    example = root / "content" / "example-brief"
    assert {p.name for p in example.iterdir()} == {"brief.yaml", "thesis.zh-CN.md", "thesis.en.md"}
    assert (root / ".gitignore").read_text("utf-8").strip().endswith("/output/")

    checked = run_cli(root, "check")
    assert checked.exit_code == 0, checked.output
    warnings = [line for line in checked.output.splitlines() if ": warning: " in line]
    # the only warnings: placeholders (one per file holding them) and translations not yet reviewed
    assert warnings and all("placeholder to fill in" in w or "no translations.lock" in w for w in warnings), warnings
    assert any(w.startswith("content/_shared/house.yaml:5:11: warning: placeholder to fill in (11 in this file)")
               for w in warnings), warnings

    built = run_cli(root, "build", "--format", "html")
    assert built.exit_code == 0, built.output
    for lang in ("zh-CN", "en"):
        page = (root / "output" / "example-brief" / f"example-brief.{lang}.html").read_text("utf-8")
        assert "〖FILL IN: " in page and "class=\"draft-banner\"" in page, lang


def test_final_refuses_every_placeholder_at_its_line_and_column(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    _approve(root / "content" / "example-brief")
    result = run_cli(root, "build", "--format", "html", "--final")
    assert result.exit_code == 1
    assert not (root / "output" / "example-brief").exists()
    reported = {line.split(": placeholder")[0] for line in _errors(result.output)}
    expected = {f"{path.relative_to(root)}:{line}:{column}" for path, places in _markers(root).items()
                for line, column in places}
    assert reported == expected and len(expected) > 50
    assert "not approved" not in result.output
    house = root / "content" / "_shared" / "house.yaml"
    line = line_of(house, "the firm's full legal name in English")
    assert (f"content/_shared/house.yaml:{line}:8: placeholder left to fill in: the firm's full legal name in "
            "English, e.g. Something Securities Co., Ltd.; replace the whole") in result.output
    licence = line_of(root / "content" / "_shared" / "analysts.yaml", "licence:")
    assert f"content/_shared/analysts.yaml:{licence}:" in result.output  # a placeholder in a comment counts


def test_a_filled_in_project_passes_final(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    _fill_in(root)
    _approve(root / "content" / "example-brief")
    assert not _markers(root)
    checked = run_cli(root, "check")
    assert checked.exit_code == 0 and "placeholder" not in checked.output, checked.output
    result = run_cli(root, "build", "--format", "html", "--final")
    assert result.exit_code == 0, result.output
    page = (root / "output" / "example-brief" / "example-brief.en.html").read_text("utf-8")
    assert "Example text" in page and "〖" not in page and "class=\"draft-banner\"" not in page


def test_an_unclosed_placeholder_still_counts(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    _fill_in(root)
    _approve(root / "content" / "example-brief")
    body = root / "content" / "example-brief" / "thesis.en.md"
    body.write_text("First paragraph.\n\nThe margin is 〖FILL IN the figure\n", "utf-8")
    result = run_cli(root, "build", "--format", "html", "--final")
    assert result.exit_code == 1
    assert _errors(result.output) == [
        "content/example-brief/thesis.en.md:3:15: placeholder left to fill in: the figure (its closing 〗 is "
        "missing); replace the whole 〖FILL IN: …〗 with the real text (rule placeholders: a release, "
        "build --final or distribute, refuses it)"
    ]


@pytest.mark.pdf
def test_a_new_project_builds_its_pdfs(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    result = run_cli(root, "build", "--lang", "zh-CN,en", "--format", "html,pdf", "-j", "1")
    assert result.exit_code == 0, result.output
    for lang in ("zh-CN", "en"):
        pdf = root / "output" / "example-brief" / f"example-brief.{lang}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF-"), lang


# ----------------------------------------------------------------------------- hostile DIRs


def test_a_non_empty_dir_is_refused_and_left_alone(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "notes.txt").write_text("mine", "utf-8")
    result = run_cli(tmp_path, "new", "project", "house")
    assert result.exit_code == 1
    assert "house: is not empty" in result.output and "Traceback" not in result.output
    assert [p.name for p in (tmp_path / "house").iterdir()] == ["notes.txt"]


def test_an_existing_project_is_not_overwritten(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    (root / "content" / "_shared" / "house.yaml").write_text("name: mine\n", "utf-8")
    assert run_cli(tmp_path, "new", "project", "house").exit_code == 1
    assert (root / "content" / "_shared" / "house.yaml").read_text("utf-8") == "name: mine\n"


def test_an_empty_dir_is_used(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "house").mkdir()
    assert run_cli(tmp_path, "new", "project", "house").exit_code == 0
    assert (tmp_path / "house" / "content" / "example-brief" / "brief.yaml").is_file()


def test_a_file_or_a_link_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "house.txt").write_text("not a folder", "utf-8")
    result = run_cli(tmp_path, "new", "project", "house.txt")
    assert result.exit_code == 1 and "house.txt: is a file, not a folder" in result.output
    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "empty")
    result = run_cli(tmp_path, "new", "project", "link")
    assert result.exit_code == 1 and "link: is a symbolic link" in result.output
    assert not any((tmp_path / "empty").iterdir())
    result = run_cli(tmp_path, "new", "project", "house.txt/inside")
    assert result.exit_code == 1 and "house.txt/inside: cannot write the new project: Not a directory" in result.output
    assert (tmp_path / "house.txt").read_text("utf-8") == "not a folder"


def test_a_name_no_folder_can_have_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(tmp_path, "new", "project", "h" * 300)
    assert result.exit_code == 1
    assert result.output.startswith("h" * 300 + ": cannot be used: File name too long"), result.output
    assert not any(tmp_path.iterdir())


# ----------------------------------------------------------------------------- briefs new brief


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_brief_of_each_shipped_kind_checks_and_builds(tmp_path: Path, run_cli, kind: str) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    result = run_cli(root, "new", "brief", "first-look", "--kind", kind)
    assert result.exit_code == 0, result.output
    folder = root / "content" / "first-look"
    assert {p.name for p in folder.iterdir()} == {"brief.yaml", "thesis.zh-CN.md", "thesis.en.md"}
    config = load_config(root)
    library = load_library(config)
    (loaded,) = load_project(config, [folder]).briefs
    brief, spec = loaded.brief, library.kind(kind)
    assert spec is not None and brief.kind == kind and brief.draft
    assert (brief.rating is not None) == (spec.rating == "required")
    if brief.rating is not None:
        assert brief.rating.scale == spec.rating_scale
    assert brief.analysts == (["first-analyst"] if spec.analysts_required else [])
    for text in (brief.title, brief.sections[0].heading, brief.key_points[0]):
        assert set(text) == {"zh-CN", "en"} and all(MARKER in v for v in text.values())
    checked = run_cli(root, "check", "content/first-look")
    assert checked.exit_code == 0, checked.output
    built = run_cli(root, "build", "--format", "html", "content/first-look")
    assert built.exit_code == 0, built.output
    assert (root / "output" / "first-look" / "first-look.zh-CN.html").is_file()
    assert (root / "output" / "first-look" / "first-look.en.html").is_file()


def test_a_new_brief_with_analysts_from_another_folder(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    edit(root / "content" / "_shared" / "analysts.yaml", "  - id: compliance-reviewer",
         "  - id: second-analyst\n    name: {zh-CN: 乙, en: B}\n    role: analyst\n    licence: S0000000000001\n"
         "    email: b@research.example.com\n  - id: compliance-reviewer")
    result = run_cli(tmp_path, "new", "brief", "two-hands", "--analyst", "second-analyst",
                     "--analyst", "first-analyst", "--project", "house")
    assert result.exit_code == 0, result.output
    text = (root / "content" / "two-hands" / "brief.yaml").read_text("utf-8")
    assert "analysts: [second-analyst, first-analyst]\n" in text and f"date: {TODAY}\n" in text
    assert run_cli(root, "build", "--format", "html", "content/two-hands").exit_code == 0


@pytest.mark.parametrize("bad", ["../x", "A B", "", "a" * 65, "x/y", "-x", "a--b", "Example-Brief", "1st"])
def test_a_bad_id_is_refused_before_anything_is_written(tmp_path: Path, run_cli, bad: str) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = run_cli(root / "content", "new", "brief", "--", bad)  # "--": "-x" is an id, not an option
    assert result.exit_code == 1
    assert result.output.startswith("ID: invalid brief id '"), result.output
    assert "lower-case letters, digits and single '-'" in result.output and "Traceback" not in result.output
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_very_long_id_is_shortened_in_the_message(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    result = run_cli(root, "new", "brief", "a" * 5000)
    assert result.exit_code == 1 and "… (5000 characters)" in result.output and len(result.output) < 400


@pytest.mark.parametrize(("args", "message"), [
    (("--kind", "industry-reprot"), "content/_shared/kinds.yaml: unknown kind 'industry-reprot'; did you mean "
                                    "'industry-report'?"),
    (("--kind", "zzz"), "content/_shared/kinds.yaml: unknown kind 'zzz' (known: company-report, fund-marketing, "
                        "industry-comment, industry-report)"),
    (("--analyst", "first-analist"), "content/_shared/analysts.yaml: unknown analyst 'first-analist'; did you mean "
                                     "'first-analyst'?"),
    (("--analyst", "compliance-reviewer"), "content/_shared/analysts.yaml: 'compliance-reviewer' has role "
                                           "'compliance': only a signing analyst can be given"),
])
def test_an_unknown_kind_or_analyst_is_refused(tmp_path: Path, run_cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    result = run_cli(root, "new", "brief", "next-one", *args)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == message
    assert not (root / "content" / "next-one").exists()


def test_an_existing_brief_or_a_dangling_link_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _new_project(tmp_path, run_cli)
    before = (root / "content" / "example-brief" / "brief.yaml").read_text("utf-8")
    result = run_cli(root, "new", "brief", "example-brief")
    assert result.exit_code == 1
    assert result.output.startswith("content/example-brief/brief.yaml: brief 'example-brief' exists already")
    assert (root / "content" / "example-brief" / "brief.yaml").read_text("utf-8") == before
    (root / "content" / "gone").symlink_to(tmp_path / "nowhere")
    result = run_cli(root, "new", "brief", "gone")
    assert result.exit_code == 1 and "content/gone: brief 'gone' exists already" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_a_new_brief_outside_a_project_is_a_located_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty").mkdir()
    result = run_cli(tmp_path, "new", "brief", "lost", "--project", "empty")
    assert result.exit_code == 1
    assert result.output.startswith("empty/content: no content folder"), result.output
    assert not any((tmp_path / "empty").iterdir())


# ----------------------------------------------------------------------------- the rule elsewhere


def test_final_refuses_a_placeholder_in_an_approved_example_brief(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    body = project / "content" / "wechat-r1-inference" / "thesis.en.md"
    text = body.read_text("utf-8").splitlines()
    text[2] = "Revenue grew 〖FILL IN: the growth rate, per cent〗 last year."
    body.write_text("\n".join(text) + "\n", "utf-8")
    result = run_cli(project, "build", "--format", "html", "--final", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert _errors(result.output) == [
        "content/wechat-r1-inference/thesis.en.md:3:14: placeholder left to fill in: the growth rate, per cent; "
        "replace the whole 〖FILL IN: …〗 with the real text (rule placeholders: a release, build --final or "
        "distribute, refuses it)"
    ]
    draft = run_cli(project, "build", "--format", "html", "content/wechat-r1-inference")
    assert draft.exit_code == 0, draft.output
    assert ("content/wechat-r1-inference/thesis.en.md:3:14: warning: placeholder to fill in: the growth rate, "
            "per cent") in draft.output


def test_distribute_refuses_a_placeholder_in_a_shared_file(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    house = project / "content" / "_shared" / "house.yaml"
    line = edit(house, "website: https://research.example.com",
                "website: https://research.example.com  # 〖FILL IN: the house's website〗")
    result = run_cli(project, "distribute", "content/compute-etf-note")
    assert result.exit_code == 1
    assert (f"content/_shared/house.yaml:{line}:42: placeholder left to fill in: the house's website; replace the "
            "whole") in result.output
    assert not (project / "output" / "compute-etf-note" / "distribution").exists()


def test_finding_placeholders() -> None:
    text = "a 〖FILL IN: one〗 b 〖FILL IN: two〗\n〖行业〗 is real Chinese text, so is 〖 alone\nend 〖FILL IN: open"
    assert [(f.line, f.column, f.what, f.closed) for f in find(text)] == [
        (1, 3, "one", True), (1, 20, "two", True), (3, 5, "open", False)]
