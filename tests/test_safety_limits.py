"""Check and planning are bounded (issue 14 item 7): input that made them run for minutes or
exhaust memory now finishes at once with a located error, or builds when it is merely large.

Every command runs as a real subprocess with a ``timeout`` and an address-space limit, so a
regression fails the test instead of hanging it or eating the machine.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefs.exhibits.numbering import Ref
from briefs.render.markdown import HeadingIds, render_block

from .conftest import copy_project
from .forkcli import run_briefs


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about limits, not about the
    examples."""
    return small_project


BRIEF = Path("content") / "compute-etf-note"
TIMEOUT = 120            # seconds: every case here takes a few; the unbounded code took minutes
ADDRESS_SPACE = 4 << 30  # bytes: a check needs ~0.4 GB; '*a ' x 40,000 used to need ~5 GB


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def briefs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``briefs ARGS`` in ``project``, in a process of its own bounded in time and memory."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}  # (a math library's per-core buffers)
    return run_briefs(project, *args, env=env, timeout=TIMEOUT, address_space=ADDRESS_SPACE)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


def write_bodies(project: Path, text: str) -> None:
    """The same Markdown as both languages' text of the brief's 'etfs' section."""
    for lang in ("en", "zh-CN"):
        (project / BRIEF / f"etfs.{lang}.md").write_text(text, "utf-8")


# ----------------------------------------------------------------------------- Markdown


@pytest.mark.parametrize("text, line, column, words", [
    # the inputs
    ("*a " * 40_000, 1, 6001, "paragraph has 40,000 emphasis markers (* or _); the limit is 2,000"),
    ("[a](" * 70_000, 1, 4001, "paragraph has 140,000 link or image brackets ([ or ]); the limit is 2,000"),
    # the same classes, not in the issue
    ("intro\n\n" + "[" * 100_000, 3, 2001, "paragraph has 100,000 link or image brackets"),
    ("`a " * 5_000, 1, 6001, "paragraph has 5,000 backticks (`); the limit is 2,000"),
    ("_a_b " * 20_000, 1, 5001, "paragraph has 40,000 emphasis markers (* or _)"),
    ("[a]: https://example.com\n" * 300, 51, 1, "paragraph has 300 reference definitions ([name]: …); the limit is 50"),
    ("|a|b|\n|-|-|\n" + "|1|2|\n" * 5_000, 1001, 1, "paragraph has 5,002 lines; the limit is 1,000"),
    ("a" * 900_000, 1, 50_001, "paragraph is 900,000 characters long; the limit is 50,000"),
    (("a" * 40_000 + "\n\n") * 3, 1, 1, "this Markdown text is 120,006 characters long; the limit is 100,000"),
])
def test_markdown_over_its_budget_is_refused_at_its_line(project: Path, text: str, line: int,
                                                         column: int, words: str) -> None:
    write_bodies(project, text)
    stderr = refused(briefs(project, "check", str(BRIEF)))
    for lang in ("en", "zh-CN"):
        assert f"{BRIEF}/etfs.{lang}.md:{line}:{column}: {words}" in stderr, stderr


def test_a_budget_is_located_in_brief_yaml_too(project: Path) -> None:
    """A Markdown text written in brief.yaml is refused at its own line there."""
    brief = project / BRIEF / "brief.yaml"
    text = brief.read_text("utf-8")
    old = "        我们认为，DeepSeek的出现并未改变一个基本事实：高端算力资源仍然不可或缺。\n"
    assert old in text
    line = text[:text.index(old)].count("\n") + 1
    brief.write_text(text.replace(old, old + "\n        " + "*a " * 3_000 + "\n"), "utf-8")
    stderr = refused(briefs(project, "check", str(BRIEF)))
    assert f"{BRIEF}/brief.yaml:{line + 2}:" in stderr and "3,000 emphasis markers" in stderr, stderr


def test_a_100_mb_single_line_is_refused_without_being_read(project: Path) -> None:
    with open(project / BRIEF / "etfs.en.md", "wb") as body:
        for _ in range(100):
            body.write(b"a" * 2**20)  # 100 MiB, no line break
    stderr = refused(briefs(project, "check", str(BRIEF)))
    assert f"{BRIEF}/etfs.en.md:" in stderr and "the limit is" in stderr, stderr


@pytest.mark.parametrize("text, line", [
    ("intro\n\n" + "> " * 20_000 + "deep quote\n", 3),
    ("".join("  " * depth + "- item\n" for depth in range(200)), 10),
])
def test_nesting_markdown_it_would_drop_is_refused(project: Path, text: str, line: int) -> None:
    """Quotes or lists nested 20 levels deep: markdown-it stops there and leaves out everything
    inside, so the brief would print less than was checked. Refused at the line, not dropped."""
    write_bodies(project, text)
    stderr = refused(briefs(project, "check", str(BRIEF)))
    assert (f"{BRIEF}/etfs.en.md:{line}:1: quotes and lists nested 20 levels deep (a quote counts "
            "one level, a list two): the text inside them would not be printed") in stderr, stderr


def test_nesting_within_the_limit_is_printed(project: Path) -> None:
    write_bodies(project, "> " * 19 + "deep quote\n\n" + "".join("  " * d + f"- item {d}\n" for d in range(9)))
    result = briefs(project, "build", str(BRIEF), "--format", "html", "--lang", "en")
    assert result.returncode == 0, result.stderr
    page = (project / "output" / "compute-etf-note" / "compute-etf-note.en.html").read_text("utf-8")
    text = BeautifulSoup(page, "html.parser").get_text()
    assert "deep quote" in text and "item 8" in text


def test_16000_repeated_headings_build_with_unique_ids(project: Path) -> None:
    """Heading ids are claimed in linear time, so the issue's 16,000 repeated headings (80,000
    characters, within the budgets) simply build: md-a, md-a-2, … md-a-16000 in each edition."""
    write_bodies(project, "# a\n\n" * 16_000)
    result = briefs(project, "build", str(BRIEF), "--format", "html", "--lang", "en")
    assert result.returncode == 0, result.stderr
    page = (project / "output" / "compute-etf-note" / "compute-etf-note.en.html").read_text("utf-8")
    ids = re.findall(r'<h\d id="(md-a(?:-\d+)?)"', page)
    assert len(ids) == 16_000 and len(set(ids)) == 16_000
    assert ids[:3] == ["md-a", "md-a-2", "md-a-3"] and ids[-1] == "md-a-16000"


def test_heading_ids_skip_ids_another_heading_took() -> None:
    """The linear claim gives the ids the one-by-one search gave, collisions included."""
    ids = HeadingIds()
    claimed = [ids.claim(t) for t in ["a", "a", "a 3", "a", "a", "a 2", "a"]]
    assert claimed == ["md-a", "md-a-2", "md-a-3", "md-a-4", "md-a-5", "md-a-2-2", "md-a-6"]


def test_every_empty_reference_gets_its_label() -> None:
    """Two empty links to the same exhibit in one paragraph: both read 'Figure 1' (the in-place
    insertion, besides being quadratic, found the first equal token and left the second empty)."""
    html = render_block("See [](#x) and again [](#x).", refs={"x": Ref("fig-x", "Figure 1")})
    assert html.count('<a href="#fig-x" class="xref">Figure 1</a>') == 2, html


# ----------------------------------------------------------------------------- fidelity


@pytest.mark.parametrize("title", ["January 1 " * 90_000, "](x" * 100_000])
def test_a_long_plain_text_is_checked_in_linear_time(project: Path, title: str) -> None:
    """A plain text (no Markdown budget applies) once made the figure check quadratic: dates were
    masked one match at a time, and every '](' rescanned the rest of the text."""
    brief = project / BRIEF / "brief.yaml"
    text = brief.read_text("utf-8")
    old = "  en: A map of the compute supply chain and the related ETFs\n"
    assert old in text
    brief.write_text(text.replace(old, f'  en: "{title}"\n'), "utf-8")
    result = briefs(project, "check", str(BRIEF))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- data


def write_rows(path: Path, count: int) -> None:
    rows = ["workload,share", *(f"{'inference' if i % 2 else 'training'},{i % 97}" for i in range(count))]
    path.write_text("\n".join(rows) + "\n", "utf-8")


def test_a_50000_row_chart_is_refused_at_the_data_file(project: Path) -> None:
    write_rows(project / BRIEF / "compute-share.csv", 50_000)
    stderr = refused(briefs(project, "check", str(BRIEF)))
    assert (f"{BRIEF}/compute-share.csv:2002:1: data file has 50,000 data rows; the limit is "
            "2,000") in stderr, stderr


def data_line(project: Path, name: str) -> int:
    text = (project / BRIEF / "brief.yaml").read_text("utf-8")
    return text[:text.index(f"data: {name}")].count("\n") + 1


def test_a_bar_chart_of_600_bars_is_refused_at_its_exhibit(project: Path) -> None:
    write_rows(project / BRIEF / "compute-share.csv", 600)
    stderr = refused(briefs(project, "check", str(BRIEF)))
    line = data_line(project, "compute-share.csv")
    assert (f"{BRIEF}/brief.yaml:{line}:5: chart 'compute-share' would draw 600 bars (600 rows of "
            "compute-share.csv × 1 series); the limit is 500") in stderr, stderr


def test_a_line_chart_of_2000_points_is_drawn(project: Path) -> None:
    """At the limit, a chart is drawn (and its check stays quick)."""
    brief = project / BRIEF / "brief.yaml"
    text = brief.read_text("utf-8")
    brief.write_text(text.replace("    chart:\n      type: bar\n", "    chart:\n      type: line\n", 1), "utf-8")
    write_rows(project / BRIEF / "compute-share.csv", 2_000)
    result = briefs(project, "build", str(BRIEF), "--format", "html", "--lang", "en")
    assert result.returncode == 0, result.stderr
    page = (project / "output" / "compute-etf-note" / "compute-etf-note.en.html").read_text("utf-8")
    assert page.count('id="fig-compute-share"') == 1


def test_a_table_of_600_rows_is_refused_at_its_exhibit(project: Path) -> None:
    csv = project / BRIEF / "etfs.csv"
    header, first, *_ = csv.read_text("utf-8").splitlines()
    csv.write_text("\n".join([header, *[first] * 600]) + "\n", "utf-8")
    stderr = refused(briefs(project, "check", str(BRIEF)))
    line = data_line(project, "etfs.csv")
    assert (f"{BRIEF}/brief.yaml:{line}:5: table 'etf-list' would print the 600 rows of etfs.csv; "
            "the limit is 500") in stderr, stderr


def test_a_yaml_data_file_of_3000_rows_is_refused_at_the_first_row_over(project: Path) -> None:
    brief = project / BRIEF / "brief.yaml"
    brief.write_text(brief.read_text("utf-8").replace("data: compute-share.csv", "data: share.yaml"), "utf-8")
    rows = "".join(f"  - {{workload: training, share: {i}}}\n" for i in range(3_000))
    (project / BRIEF / "share.yaml").write_text("rows:\n" + rows, "utf-8")
    stderr = refused(briefs(project, "check", str(BRIEF)))
    assert f"{BRIEF}/share.yaml:2002:5: data file has 3,000 data rows; the limit is 2,000" in stderr, stderr


def test_a_data_file_of_100000_columns_is_refused_at_its_header(project: Path) -> None:
    csv = project / BRIEF / "compute-share.csv"
    names = ",".join(f"c{i}" for i in range(100_000))
    csv.write_text(f"workload,share,{names}\ninference,95\n", "utf-8")
    stderr = refused(briefs(project, "check", str(BRIEF)))
    assert f"{BRIEF}/compute-share.csv:1:1: data file has 100,002 columns; the limit is 100" in stderr, stderr


# ----------------------------------------------------------------------------- time and memory


def check_with_budget(project: Path, budget: str) -> subprocess.CompletedProcess[str]:
    """``planning.check`` of the brief with a budget much smaller than the default, in a fresh
    process (its first CSV and chart import pandas and matplotlib, which takes time and memory)."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from briefs.project.config import load_config\n"
        "from briefs.errors import BriefsError\n"
        "from briefs.pipeline.limits import Budget\n"
        "from briefs.pipeline.planning import check\n"
        "try:\n"
        f"    check(load_config(Path('.')), [Path('{BRIEF}')], budget={budget})\n"
        "except BriefsError as exc:\n"
        "    print(exc, file=sys.stderr)\n"
        "    sys.exit(1)\n")
    return subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True,
                          text=True, timeout=TIMEOUT, preexec_fn=_limited)


def test_a_brief_over_its_time_budget_is_stopped_at_its_brief_yaml(project: Path) -> None:
    stderr = refused(check_with_budget(project, "Budget(seconds=0.01, memory=None)"))
    assert re.search(rf"{BRIEF}/brief.yaml:1:1: (checking this brief|preparing the zh-CN edition "
                     r"of this brief) took longer than 0.01 s and was stopped", stderr), stderr


def test_a_brief_over_its_memory_budget_is_stopped_at_its_brief_yaml(project: Path) -> None:
    stderr = refused(check_with_budget(project, "Budget(seconds=None, memory=1 << 20)"))
    assert re.search(rf"{BRIEF}/brief.yaml:1:1: (checking this brief|preparing the zh-CN edition "
                     r"of this brief) needed more than 1 MiB of memory and was stopped", stderr), stderr


def test_the_default_budget_leaves_the_examples_alone(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")  # every example brief, not the small project
    result = check_with_budget(project, "Budget()")
    assert result.returncode == 0, result.stderr
