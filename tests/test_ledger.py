"""The recommendation ledger (issue 17, point 4): approved company notes and
content/_shared/recommendations.yaml in one ordered value; ``previous`` checked against it; the
history table, the chart's markers and the ratings distribution it feeds; ``briefs ledger``;
and the incremental build that follows a change of another note's recommendation.

On a copy of the example project: a second, earlier approved note on Tencent (0700.HK) is made
from the example note, and the later note's pages are read (parsed HTML, its chart's SVG text,
extracted PDF text).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import Result

from briefs.errors import ContentError
from briefs.ledger.build import previous_problems
from briefs.ledger.distribution import ratings_distribution
from briefs.load.project import load_project
from briefs.pipeline.run import build
from briefs.project.config import load_config

from .conftest import approve_again, edit, failed, line_of

RunCli = Callable[..., Result]
NOTE = Path("content/tencent-wechat-deepseek")
EARLIER = Path("content/tencent-earlier")
SHARED = Path("content/_shared/recommendations.yaml")



def earlier_note(project: Path, *, approved: bool = True, target: int = 475) -> Path:
    """A second note on 0700.HK, dated 2024-12-02: Overweight maintained, target ``target``
    (from the 470 of the shared file's entry of 2024-11-05), close HK$416.58 of 2024-11-29."""
    folder = project / EARLIER
    shutil.copytree(project / NOTE, folder)
    (folder / "translations.lock").unlink()
    (folder / "approval.yaml").unlink()  # the example's record: approved below, for this note
    brief = folder / "brief.yaml"
    edit(brief, "id: tencent-wechat-deepseek", "id: tencent-earlier")
    edit(brief, "date: 2025-02-16", "date: 2024-12-02")
    edit(
        brief,
        "approval: {by: gu-wenjing, date: 2025-02-15}",
        "approval: {by: gu-wenjing, date: 2024-12-02}" if approved else "",
    )
    edit(
        brief,
        "rating: {scale: company, value: buy, previous: overweight}",
        "rating: {scale: company, value: overweight, previous: overweight}",
    )
    edit(brief, "target_price: {value: 530, previous: 470}", f"target_price: {{value: {target}, previous: 470}}")
    edit(brief, "price: {close: 450, date: 2025-02-14}", "price: {close: 416.58, date: 2024-11-29}")
    if approved:
        approve_again(project, EARLIER.name)
    return folder


def later_follows(project: Path, target: int = 475) -> None:
    """The example note's previous target made the earlier note's."""
    edit(
        project / NOTE / "brief.yaml",
        "target_price: {value: 530, previous: 470}",
        f"target_price: {{value: 530, previous: {target}}}",
    )
    approve_again(project, NOTE.name)


def html(project: Path, run_cli: RunCli, lang: str) -> BeautifulSoup:
    out = project / "out"
    result = run_cli(project, "build", "--format", "html", "--lang", lang, "--out", str(out), str(NOTE))
    assert result.exit_code == 0, result.output
    return BeautifulSoup((out / NOTE.name / f"{NOTE.name}.{lang}.html").read_text("utf-8"), "html.parser")


def history(page: BeautifulSoup) -> list[list[str]]:
    table = page.select_one("#rating-history table")
    assert table is not None
    return [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] for row in table.select("tbody tr")]


def chart_texts(page: BeautifulSoup) -> list[str]:
    svg = page.select_one("#fig-price svg")
    assert svg is not None
    return [t.get_text() for t in svg.find_all("text")]


# ============================================================================ two notes on one security


@pytest.mark.parametrize(
    ("lang", "earlier_row", "marker"),
    [
        ("en", ["2 December 2024", "Overweight", "HK$475.00", "HK$416.58"], "O 475"),
        ("zh-CN", ["2024年12月2日", "增持", "HK$475.00", "HK$416.58"], "增持 475"),
    ],
)
def test_the_later_note_prints_the_earlier_in_its_history_and_marks_it_on_its_chart(
    project: Path, run_cli: RunCli, lang: str, earlier_row: list[str], marker: str
) -> None:
    earlier_note(project)
    later_follows(project)
    page = html(project, run_cli, lang)
    rows = history(page)
    # the shared file's two entries (May and November 2024), then the earlier brief, in date order
    assert [r[2] for r in rows] == ["HK$360.00", "HK$470.00", "HK$475.00"]
    assert rows[-1] == earlier_row
    texts = chart_texts(page)
    assert marker in texts  # the target changed from 470 to 475: a marker
    # one marker per change: the initiation (360) and each target change (470, 475), no more
    assert len([t for t in texts if re.fullmatch(r"(O|增持) \d+", t)]) == 3


def test_a_maintained_recommendation_is_in_the_history_but_not_marked(project: Path, run_cli: RunCli) -> None:
    earlier_note(project, target=470)  # overweight and 470 again: no change
    page = html(project, run_cli, "en")
    assert [r[0] for r in history(page)] == ["20 May 2024", "5 November 2024", "2 December 2024"]
    assert [t for t in chart_texts(page) if re.fullmatch(r"O \d+", t)] == ["O 360", "O 470"]


def test_the_chart_is_the_same_bytes_on_every_build(project: Path, run_cli: RunCli) -> None:
    earlier_note(project)
    later_follows(project)
    first = str(html(project, run_cli, "en").select_one("#fig-price svg"))
    shutil.rmtree(project / "out")
    assert str(html(project, run_cli, "en").select_one("#fig-price svg")) == first


@pytest.mark.pdf
def test_the_history_and_the_marker_are_in_the_pdf_text(project: Path, run_cli: RunCli) -> None:
    earlier_note(project)
    later_follows(project)
    out = project / "out"
    result = run_cli(project, "build", "--lang", "en", "--out", str(out), str(NOTE))
    assert result.exit_code == 0, result.output
    pdf = out / NOTE.name / f"{NOTE.name}.en.pdf"
    pages = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    assert "O 475" in pages[0]  # the chart's marker is text on page 1
    at = next(i for i, p in enumerate(pages) if "Rating and target price history" in p)
    text = "\n".join(pages[at : at + 2])
    rows = [line.split() for line in text.splitlines() if "HK$" in line and ("2024" in line)]
    assert ["2", "December", "2024", "Overweight", "HK$475.00", "HK$416.58"] in rows, text
    assert "Ratings distribution" in text and "Buy equivalents" in text


# ============================================================================ drafts and the gate


def test_a_draft_never_enters_the_ledger(project: Path, run_cli: RunCli) -> None:
    earlier_note(project, approved=False)
    config = load_config(project)
    whole = load_project(config)  # the draft loaded with the others
    assert "tencent-earlier" in [b.brief.id for b in whole.briefs]
    assert "tencent-earlier" not in [e.brief_id for e in whole.ledger.entries]
    one = load_project(config, [project / NOTE])  # the draft not selected: read for the ledger alone
    assert one.ledger == whole.ledger
    listed = run_cli(project, "ledger", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert "tencent-earlier" not in [r["brief"] for r in json.loads(listed.stdout)["recommendations"]]
    rows = history(html(project, run_cli, "en"))
    assert [r[0] for r in rows] == ["20 May 2024", "5 November 2024"]


def test_a_build_of_one_note_reads_the_others_for_its_ledger(project: Path) -> None:
    earlier_note(project)
    later_follows(project)
    config = load_config(project)
    one = load_project(config, [project / NOTE])
    assert [b.brief.id for b in one.briefs] == ["tencent-wechat-deepseek"]
    assert one.ledger == load_project(config).ledger
    assert "tencent-earlier" in [e.brief_id for e in one.ledger.entries]


# ============================================================================ previous against the ledger


def test_previous_not_matching_the_ledger_is_an_error_naming_the_earlier_brief(project: Path, run_cli: RunCli) -> None:
    earlier_note(project)  # target 475, but the later note still says it replaces 470
    found = failed(run_cli(project, "ledger"))
    brief = NOTE / "brief.yaml"
    line = line_of(project / brief, "target_price:")
    messages = [m for p, n, m in found if p == str(brief) and n == line]
    assert messages, found
    assert "previous target price 470 does not match the ledger" in messages[0]
    assert "brief 'tencent-earlier' of 2024-12-02" in messages[0]
    assert "rating overweight, target 475 HKD" in messages[0]


def test_a_previous_rating_not_in_the_ledger_names_the_shared_entry(project: Path, run_cli: RunCli) -> None:
    brief = project / NOTE / "brief.yaml"
    line = edit(brief, "value: buy, previous: overweight", "value: buy, previous: neutral")
    found = failed(run_cli(project, "ledger"))
    assert any(
        p == str(NOTE / "brief.yaml")
        and n == line
        and "previous rating 'neutral' does not match the ledger" in m
        and "recommendations.yaml:16" in m
        and "rating overweight, target 470 HKD" in m
        for p, n, m in found
    ), found


def test_omitting_previous_after_an_earlier_recommendation_is_an_error(project: Path, run_cli: RunCli) -> None:
    brief = project / NOTE / "brief.yaml"
    line = edit(brief, "value: buy, previous: overweight", "value: buy")
    found = failed(run_cli(project, "ledger"))
    assert any(n == line and "reads as an initiation" in m and "give previous: overweight" in m for _, n, m in found)


def test_previous_with_no_history_is_a_warning(project: Path) -> None:
    (project / SHARED).unlink()  # no earlier recommendation on 0700.HK anywhere
    loaded = load_project(load_config(project))
    found = previous_problems(loaded.ledger, loaded.briefs)
    assert {d.severity for d in found} == {"warning"}
    assert {d.location.line for d in found} == {
        line_of(project / NOTE / "brief.yaml", "rating:"),
        line_of(project / NOTE / "brief.yaml", "target_price:"),
    }
    assert all("has no recommendation on 0700.HK before 2025-02-16" in d.message for d in found)


# ============================================================================ the ratings distribution


SMALL = """\
recommendations:
  - {date: 2024-01-10, ticker: 1111.HK, currency: HKD, rating: {scale: company, value: buy}, target_price: 10, price: 8}
  - {date: 2024-02-10, ticker: 2222.HK, currency: HKD, rating: {scale: company, value: overweight}, price: 5}
  - {date: 2024-03-10, ticker: 3333.HK, currency: HKD, rating: {scale: company, value: neutral}, price: 7}
  - {date: 2024-09-10, ticker: 3333.HK, currency: HKD, rating: {scale: company, value: underweight}, price: 7}
  - {date: 2024-04-10, ticker: 4444.HK, currency: HKD, rating: {scale: company, value: sell}, price: 3}
  - {date: 2024-05-10, ticker: 5555.HK, currency: HKD, rating: {scale: company, value: not-rated}, price: 3}
  - {date: 2024-05-11, ticker: 6666.HK, currency: HKD, target_price: 12, price: 9}
"""


def test_the_distribution_counts_each_securitys_latest_rating_by_category(project: Path) -> None:
    (project / SHARED).write_text(SMALL, "utf-8")
    for note in ("tencent-wechat-deepseek", "china-mobile-operator-cloud"):
        shutil.rmtree(project / "content" / note)
    loaded = load_project(load_config(project))
    ratings = loaded.library.ratings
    june = ratings_distribution(loaded.ledger, ratings, dt.date(2024, 6, 30), frozenset({"1111.HK", "4444.HK"}))
    # 5555.HK is not rated and 6666.HK has only a target: four securities count
    assert june.covered == 4
    by = {c.name: c for c in june.categories}
    assert (by["buy"].count, by["buy"].share, by["buy"].ib_count, by["buy"].ib_share) == (2, 50.0, 1, 50.0)
    assert (by["hold"].count, by["hold"].share, by["hold"].ib_count, by["hold"].ib_share) == (1, 25.0, 0, 0.0)
    assert (by["sell"].count, by["sell"].share, by["sell"].ib_count, by["sell"].ib_share) == (1, 25.0, 1, 100.0)
    assert by["buy"].values == {"buy", "overweight"} and by["sell"].values == {"underweight", "sell"}
    # in October 3333.HK's latest rating is underweight: a sell
    october = ratings_distribution(loaded.ledger, ratings, dt.date(2024, 10, 1), frozenset())
    assert [(c.name, c.count, c.ib_share) for c in october.categories] == [
        ("buy", 2, 0.0),
        ("hold", 0, None),
        ("sell", 2, 0.0),
    ]
    before = ratings_distribution(loaded.ledger, ratings, dt.date(2023, 12, 31), frozenset())
    assert before.covered == 0 and all(c.share == 0 for c in before.categories)


def test_the_note_prints_the_distribution_as_of_its_date(project: Path, run_cli: RunCli) -> None:
    earlier_note(project)
    later_follows(project)
    rows = {
        r.th.get_text(strip=True): [td.get_text(strip=True) for td in r.find_all("td")]
        for r in html(project, run_cli, "en").select("#ratings-distribution tbody tr")
    }
    # on 2025-02-16 only 0700.HK is rated (China Mobile's note is of March): its own Buy, and
    # conflicts.yaml records an investment-banking mandate for it on 2024-09-12 (within 12 months)
    assert rows["Buy equivalents"] == ["Buy, Overweight", "1", "100.0%", "1", "100.0%"]
    assert rows["Hold equivalents"] == ["Neutral", "0", "0.0%", "0", "–"]
    assert rows["Sell equivalents"] == ["Underweight, Sell", "0", "0.0%", "0", "–"]


def test_the_distribution_counts_only_mandates_of_the_past_12_months(project: Path, run_cli: RunCli) -> None:
    """A mandate dated more than 12 months before the note is no longer counted."""
    edit(project / "content/_shared/conflicts.yaml", "{date: 2024-09-12,", "{date: 2023-09-12,")
    rows = {
        r.th.get_text(strip=True): [td.get_text(strip=True) for td in r.find_all("td")]
        for r in html(project, run_cli, "en").select("#ratings-distribution tbody tr")
    }
    assert rows["Buy equivalents"] == ["Buy, Overweight", "1", "100.0%", "0", "0.0%"]


# ============================================================================ briefs ledger


def test_briefs_ledger_lists_every_recommendation_as_csv_and_json(project: Path, run_cli: RunCli) -> None:
    earlier_note(project)
    later_follows(project)
    as_csv = run_cli(project, "ledger")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(rows[0]) == [
        "date",
        "ticker",
        "scale",
        "rating",
        "target_price",
        "currency",
        "price",
        "analysts",
        "brief",
        "source",
    ]
    assert [(r["date"], r["ticker"], r["rating"], r["target_price"], r["brief"]) for r in rows] == [
        ("2024-05-20", "0700.HK", "overweight", "360", ""),
        ("2024-11-05", "0700.HK", "overweight", "470", ""),
        ("2024-12-02", "0700.HK", "overweight", "475", "tencent-earlier"),
        ("2025-02-16", "0700.HK", "buy", "530", "tencent-wechat-deepseek"),
        ("2025-03-05", "600941.SH", "overweight", "122", "china-mobile-operator-cloud"),
    ]
    assert rows[0]["source"] == "recommendations.yaml:9" and rows[0]["analysts"] == "lin-qing"
    assert rows[2]["price"] == "416.58" and rows[2]["currency"] == "HKD"
    as_json = run_cli(project, "ledger", "--format", "json", "--security", "600941.SH")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["columns"] == list(rows[0])
    assert data["recommendations"] == [
        {
            "date": "2025-03-05",
            "ticker": "600941.SH",
            "scale": "company",
            "rating": "overweight",
            "target_price": 122.0,
            "currency": "CNY",
            "price": 108.5,
            "analysts": ["lin-qing"],
            "brief": "china-mobile-operator-cloud",
            "source": "",
        }
    ]
    unknown = run_cli(project, "ledger", "--security", "0001.HK")
    assert unknown.exit_code == 1 and not unknown.stdout
    assert "content: no recommendation on '0001.HK' in the ledger; it has 0700.HK, 600941.SH" in unknown.stderr


# ============================================================================ hostile recommendations.yaml


ENTRY = (
    "  - {date: 2024-05-20, ticker: 0700.HK, currency: HKD, "
    "rating: {scale: company, value: overweight}, target_price: 360, price: 323.65}\n"
)


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (ENTRY.replace("0700.HK", "0700-HK"), "malformed ticker '0700-HK'"),
        (ENTRY.replace("0700.HK", "0700.XX"), "unknown exchange in ticker '0700.XX'"),
        (ENTRY.replace("value: overweight", "value: strong-buy"), "rating 'strong-buy' is not on the 'company' scale"),
        (ENTRY.replace("scale: company", "scale: compnay"), "unknown rating scale 'compnay'; did you mean 'company'?"),
        (ENTRY.replace("target_price: 360", "target_price: -360"), "'target_price'"),
        (ENTRY.replace("target_price: 360", "target_price: 0"), "'target_price'"),
        (ENTRY.replace("price: 323.65", "price: nan"), "'price'"),
        (ENTRY.replace("2024-05-20", "2024-13-20"), "'date' must be a date"),
        (ENTRY.replace("2024-05-20", "20 May 2024"), "'date' must be a date"),
        (ENTRY.replace("currency: HKD", "currency: HKG"), "unknown currency 'HKG'"),
        (
            ENTRY.replace(", rating: {scale: company, value: overweight}, target_price: 360", ""),
            "gives a 'rating', a 'target_price' or both",
        ),
        (
            ENTRY.replace("price: 323.65}", "price: 323.65, analysts: [lin-qin]}"),
            "unknown analyst 'lin-qin'; did you mean 'lin-qing'?",
        ),
        (ENTRY.replace("price: 323.65}", "price: 323.65, analysts: [gu-wenjing]}"), "has role 'compliance'"),
        (ENTRY.replace("price: 323.65}", "price: 323.65, note: x}"), "unknown key 'note'"),
        (
            ENTRY + ENTRY.replace("360", "400"),
            "duplicate recommendation on 0700.HK dated 2024-05-20 (first given on line 2)",
        ),
    ],
)
def test_a_broken_entry_is_an_error_at_its_line(project: Path, run_cli: RunCli, entry: str, words: str) -> None:
    (project / SHARED).write_text("recommendations:\n" + entry, "utf-8")
    found = failed(run_cli(project, "ledger"))
    line = 3 if "duplicate" in words else 2
    assert any(p == str(SHARED) and n == line and words in m for p, n, m in found), found


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("recommendations: {date: 2024-05-20}\n", "'recommendations' must be a list"),
        ("- 1\n- 2\n", "must be a mapping"),
        ("recommendations:\n  - !!python/object {}\n", "tag"),
        ("recommendations:\n  - &a {date: 2024-05-20}\n  - *a\n", "anchor"),
        ("recommendations: [\n", "YAML syntax error"),
        ("recommendations:\n  - {date: 2024-05-20, date: 2024-05-21}\n", "duplicate key 'date'"),
        ("recommendations:\n\t- x\n", "tab"),
    ],
)
def test_a_broken_file_is_a_located_error_not_a_traceback(
    project: Path, run_cli: RunCli, text: str, words: str
) -> None:
    (project / SHARED).write_text(text, "utf-8")
    found = failed(run_cli(project, "ledger"))
    assert any(p == str(SHARED) and words.lower() in m.lower() for p, _, m in found), found


def test_a_binary_file_is_refused_and_a_linked_one_read_like_any_shared_file(
    project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    (project / SHARED).write_bytes(b"recommendations:\n  - \xff\xfe\n")
    assert any(p == str(SHARED) for p, _, _ in failed(run_cli(project, "ledger")))
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("recommendations: []\n", "utf-8")
    (project / SHARED).unlink()
    (project / SHARED).symlink_to(outside)
    for note in (NOTE.name, "china-mobile-operator-cloud"):  # their history changed: approved again
        approve_again(project, note)
    result = run_cli(project, "ledger")  # read through the link, as every shared file is
    assert result.exit_code == 0, result.output
    assert [r["source"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["", ""]


def test_an_empty_file_or_list_is_an_empty_history(project: Path, run_cli: RunCli) -> None:
    brief = project / NOTE / "brief.yaml"
    edit(brief, "value: buy, previous: overweight", "value: buy")
    edit(brief, "{value: 530, previous: 470}", "{value: 530}")
    for text in ("recommendations: []\n", "{}\n"):
        (project / SHARED).write_text(text, "utf-8")
        # the history and the distribution they print changed: compliance approves them again
        for note in (NOTE.name, "china-mobile-operator-cloud"):
            approve_again(project, note)
        result = run_cli(project, "ledger")
        assert result.exit_code == 0, result.output
        assert [r["brief"] for r in csv.DictReader(io.StringIO(result.stdout))] == [
            "tencent-wechat-deepseek",
            "china-mobile-operator-cloud",
        ]


# ============================================================================ incremental builds


def test_an_earlier_approved_note_rebuilds_the_later_one(project: Path) -> None:
    config = load_config(project)
    out = project / "out"
    later = out / NOTE.name / f"{NOTE.name}.en.html"
    first = build(config, [project / NOTE], langs=("en",), formats=("html",), out=out)
    assert later in first.written
    again = build(config, [project / NOTE], langs=("en",), formats=("html",), out=out)
    assert again.up_to_date and not again.written
    earlier_note(project, target=470)  # no edit of the later note's own folder
    after = build(config, [project / NOTE], langs=("en",), formats=("html",), out=out)
    assert later in after.written
    page = BeautifulSoup(later.read_text("utf-8"), "html.parser")
    assert [r[0] for r in history(page)][-1] == "2 December 2024"
    # the earlier note's own rating edited (a later target): the later note follows again
    edit(project / EARLIER / "brief.yaml", "{value: 470, previous: 470}", "{value: 480, previous: 470}")
    approve_again(project, EARLIER.name)  # edited, it was a draft again, out of the ledger, until approved
    with pytest.raises(ContentError, match="previous target price 470 does not match the ledger"):
        build(config, [project / NOTE], langs=("en",), formats=("html",), out=out)


def test_an_edit_of_recommendations_yaml_rebuilds_the_company_notes_only(project: Path) -> None:
    config = load_config(project)
    out = project / "out"
    paths = [project / NOTE, project / "content" / "compute-etf-note"]
    build(config, paths, langs=("en",), formats=("html",), out=out)
    edit(project / SHARED, "target_price: 360", "target_price: 365")
    after = build(config, paths, langs=("en",), formats=("html",), out=out)
    assert [p.name for p in after.written if p.suffix == ".html"] == [f"{NOTE.name}.en.html"]


# ============================================================================ briefs not selected


def test_a_broken_or_hostile_brief_not_selected_is_left_out_of_the_ledger(
    project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    earlier_note(project)
    later_follows(project)
    other = project / "content" / "china-mobile-operator-cloud" / "brief.yaml"
    other.write_text(other.read_text("utf-8").replace("kind: company-report", "kind: [company-report"), "utf-8")
    fifo = project / "content" / "a-fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "brief.yaml")  # never opened for reading: it would block
    outside = tmp_path / "outside-note"
    shutil.copytree(project / EARLIER, outside)
    edit(outside / "brief.yaml", "id: tencent-earlier", "id: linked-note")
    edit(outside / "brief.yaml", "date: 2024-12-02", "date: 2025-01-10")
    (project / "content" / "linked-note").symlink_to(outside)  # loading refuses a linked brief folder
    one = load_project(load_config(project), [project / NOTE])
    assert [e.brief_id for e in one.ledger.entries] == [None, None, "tencent-earlier", "tencent-wechat-deepseek"]
    assert [r[0] for r in history(html(project, run_cli, "en"))][-1] == "2 December 2024"
