"""Rated picks (issue 17, point 6): a companies table that carries each pick's rating, target price
and key estimates (the genre's 盈利预测与估值 table), read from a data file and checked cell by cell.

Through the real CLI on a copy of the example project: the A-share example's rated table parsed
from the built HTML in both languages (and the fixed "not a recommendation" note only on unrated
lists), hostile data files each refused at file:line, and :func:`rated_picks` for the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import Result

from briefs.exhibits.picks import RatedPick, rated_picks
from briefs.load.project import load_project
from briefs.project.config import load_config

from .conftest import edit, failed, has, line_of

RunCli = Callable[..., Result]
NOTE = Path("content/china-mobile-operator-cloud")
BRIEF = NOTE / "brief.yaml"
PICKS = NOTE / "picks.csv"
UNRATED = Path("content/deepseek-algorithm-thematic")
FIXED_NOTE = {
    "en": "not a recommendation of any individual security",
    "zh-CN": "不构成",
}
# The example's data, as written in picks.csv (ticker → close, target, rating, EPS, P/E).
DATA = {
    "600941.SH": ("108.50", "122.00", ("6.47", "6.77", "7.08"), ("16.8", "16.0", "15.3")),
    "600050.SH": ("5.62", "6.40", ("0.29", "0.31", "0.33"), ("19.4", "18.1", "17.0")),
    "000063.SZ": ("38.90", "46.00", ("2.06", "2.30", "2.55"), ("18.9", "16.9", "15.3")),
}
RATINGS = {
    "en": {"600941.SH": "Overweight", "600050.SH": "Overweight", "000063.SZ": "Buy"},
    "zh-CN": {"600941.SH": "增持", "600050.SH": "增持", "000063.SZ": "买入"},
}




def page(project: Path, run_cli: RunCli, brief: Path, lang: str) -> BeautifulSoup:
    out = project / "out"
    result = run_cli(project, "build", "--format", "html", "--lang", lang, "--out", str(out), str(brief))
    assert result.exit_code == 0, result.output
    return BeautifulSoup((out / brief.name / f"{brief.name}.{lang}.html").read_text("utf-8"), "html.parser")


# ============================================================================ the rated table


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_rated_table_prints_each_pick(project: Path, run_cli: RunCli, lang: str) -> None:
    html = page(project, run_cli, NOTE, lang)
    section = html.select_one("section#companies")
    assert section is not None
    table = section.select_one("table.picks-table")
    assert table is not None and section.select_one("table.company-table") is None
    years = [th.get_text(strip=True) for th in table.select("thead tr:nth-of-type(2) th")]
    assert years == ["2024E", "2025E", "2026E"] * 2
    rows = {}
    for tr in table.select("tbody tr"):
        if "picks-group" in (tr.get("class") or []):
            continue
        cells = [c.get_text(strip=True) for c in tr.find_all(["td", "th"])]
        rows[cells[0]] = cells
    assert list(rows) == list(DATA)
    for ticker, (close, target, eps, pe) in DATA.items():
        row = rows[ticker]
        assert row[2] == close and tuple(row[3:6]) == eps and tuple(row[6:9]) == pe
        assert row[9] == RATINGS[lang][ticker] and row[10] == target
    group = table.select_one("tr.picks-group th")
    assert group is not None and group.get_text(strip=True) == (
        "Operator cloud and the domestic compute chain" if lang == "en" else "运营商云与国产算力链"
    )
    note = section.select_one(".exhibit-note")
    assert note is not None and FIXED_NOTE[lang] not in note.get_text()
    link = note.select_one('a[href="#rating-definitions"]')
    assert link is not None and html.select_one("#rating-definitions") is not None
    caption = section.select_one("figcaption").get_text()
    assert ("Estimates and valuation" if lang == "en" else "盈利预测与估值") in caption


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_unrated_list_keeps_the_fixed_note(project: Path, run_cli: RunCli, lang: str) -> None:
    html = page(project, run_cli, UNRATED, lang)
    section = html.select_one("section#companies")
    assert section is not None and section.select_one("table.picks-table") is None
    note = section.select_one(".exhibit-note")
    assert note is not None and FIXED_NOTE[lang] in note.get_text()
    assert note.select_one('a[href="#rating-definitions"]') is None


def test_rated_picks_for_the_ledger() -> None:
    from .conftest import ROOT

    project = load_project(load_config(ROOT), [ROOT / NOTE / "brief.yaml", ROOT / UNRATED / "brief.yaml"])
    by_id = {b.brief.id: b for b in project.briefs}
    picks = rated_picks(by_id[NOTE.name])
    assert [(p.ticker, p.rating, p.target) for p in picks] == [
        ("600941.SH", "overweight", 122.0),
        ("600050.SH", "overweight", 6.4),
        ("000063.SZ", "buy", 46.0),
    ]
    assert all(isinstance(p, RatedPick) and p.scale == "company" and p.currency == "CNY" for p in picks)
    assert {str(p.close_date) for p in picks} == {"2025-03-04"}
    assert rated_picks(by_id[UNRATED.name]) == ()


# ============================================================================ hostile data


HEADER = "ticker,close,target,rating,eps_2024E,eps_2025E,eps_2026E,pe_2024E,pe_2025E,pe_2026E"


@pytest.mark.parametrize(
    ("old", "new", "row", "words"),
    [
        ("46,buy", "46,strong-buy", 4, ("rating 'strong-buy' is not on the 'company' scale",)),
        ("46,buy", "46,bye", 4, ("did you mean 'buy'",)),
        ("5.62,6.4", "five,6.4", 3, ("'five' in column 'close' is not a number",)),
        ("5.62,6.4", "-5.62,6.4", 3, ("close '-5.62' is not positive",)),
        ("0.29,0.31", "n/a,0.31", 3, ("'n/a' in column 'eps_2024E' is not a number",)),
        ("19.4,18.1", "0,18.1", 3, ("pe_2024E '0' is not positive",)),
        ("38.9,46,buy", "38.9,46,", 4, ("000063.SZ has no rating",)),
        ("000063.SZ,", "000938.SZ,", 4, ("'000938.SZ' is not a company of the brief's companies table",)),
        ("000063.SZ,", "600050.SH,", 4, ("600050.SH has two rows",)),
        ("600941.SH,108.5,122,overweight", "600941.SH,108.5,122,buy", 2, ("rated 'buy' here but 'overweight'",)),
        ("600941.SH,108.5,122,", "600941.SH,108.5,130,", 2, ("target is '130' here but 122",)),
        ("600941.SH,108.5,", "600941.SH,109.5,", 2, ("closed at 108.5 on 2025-03-04", "not 109.5")),
    ],
)
def test_bad_cell_is_located(
    project: Path, run_cli: RunCli, old: str, new: str, row: int, words: tuple[str, ...]
) -> None:
    edit(project / PICKS, old, new)
    found = failed(run_cli(project, "check", str(NOTE)))
    assert has(found, PICKS, row, *words), found


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (HEADER.replace("rating", "grade"), ("lacks the column 'rating'",)),
        (HEADER + ",peg_2025E", ("unknown column 'peg_2025E'",)),
        (HEADER.replace("pe_2026E", "pe_2027E"), ("eps_ and pe_ columns for the same fiscal years",)),
        (
            HEADER.replace("eps_2024E,eps_2025E", "eps_2025E,eps_2024E").replace(
                "pe_2024E,pe_2025E", "pe_2025E,pe_2024E"
            ),
            ("must rise",),
        ),
        (HEADER.replace("eps_2025E", "eps_2025A").replace("pe_2025E", "pe_2025A"), ("actuals (A) before",)),
    ],
)
def test_bad_columns_are_located(project: Path, run_cli: RunCli, header: str, words: tuple[str, ...]) -> None:
    edit(project / PICKS, HEADER, header)
    found = failed(run_cli(project, "check", str(NOTE)))
    assert has(found, PICKS, 1, *words), found


def test_every_listed_company_needs_a_row(project: Path, run_cli: RunCli) -> None:
    text = (project / PICKS).read_text("utf-8")
    (project / PICKS).write_text("\n".join(line for line in text.splitlines() if "600050" not in line) + "\n")
    found = failed(run_cli(project, "check", str(NOTE)))
    line = line_of(project / BRIEF, "ticker: 600050.SH}")
    assert has(found, BRIEF, line, "rates every company", "600050.SH has no row in picks.csv"), found


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("data: picks.csv", "data: missing.csv", "data: missing.csv", ("missing.csv",)),
        ("CNY, date: 2025-03-04}", "CNY, date: 2025-03-06}", "picks: {", ("after the report date 2025-03-05",)),
        ("currency: CNY, date: 2025-03-04", "currency: RMB, date: 2025-03-04", "picks: {", ("unknown currency 'RMB'",)),
        (
            "CNY, date: 2025-03-04}",
            "CNY, date: 2025-03-04, scale: stars}",
            "picks: {",
            ("unknown rating scale 'stars'",),
        ),
        ("CNY, date: 2025-03-04}", "CNY, date: 2025-03-04, upside: 12}", "picks: {", ("upside",)),
    ],
)
def test_bad_declaration_is_located(
    project: Path, run_cli: RunCli, old: str, new: str, key: str, words: tuple[str, ...]
) -> None:
    edit(project / BRIEF, old, new)
    found = failed(run_cli(project, "check", str(NOTE)))
    assert has(found, BRIEF, line_of(project / BRIEF, key), *words), found


def test_empty_and_binary_files_are_refused(project: Path, run_cli: RunCli) -> None:
    (project / PICKS).write_text(HEADER + "\n", "utf-8")
    assert has(failed(run_cli(project, "check", str(NOTE))), PICKS, 1, "no data rows")
    (project / PICKS).write_bytes(b"\xff\xfe\x00garbage\x00")
    found = failed(run_cli(project, "check", str(NOTE)))
    assert any(p == str(PICKS) for p, _, _ in found), found


def test_a_kind_without_rating_definitions_cannot_rate(project: Path, run_cli: RunCli) -> None:
    fund = Path("content/compute-etf-note")
    (project / fund / "picks.csv").write_text(HEADER + "\n", "utf-8")
    edit(
        project / fund / "brief.yaml",
        "\ncompanies:\n",
        "\npicks: {data: picks.csv, currency: CNY, date: 2025-01-01}\ncompanies:\n",
    )
    found = failed(run_cli(project, "check", str(fund)))
    line = line_of(project / fund / "brief.yaml", "picks: {")
    assert has(found, fund / "brief.yaml", line, "may not rate companies"), found


def test_upside_outside_the_band_is_a_warning(project: Path, run_cli: RunCli) -> None:
    edit(project / PICKS, "38.9,46,buy", "38.9,40,buy")  # +2.8 %: not a Buy (above +15 %)
    result = run_cli(project, "check", str(NOTE))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith(f"{PICKS}:4:")]
    assert len(warnings) == 1 and "warning" in warnings[0], result.stderr
    assert "000063.SZ: implied upside +2.8%" in warnings[0] and "'buy' (at least 15%)" in warnings[0]
    strict = run_cli(project, "check", "--strict", str(NOTE))
    assert strict.exit_code == 1 and "Traceback" not in strict.output
