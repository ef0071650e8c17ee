"""Company notes (issue 17, points 1-3): the subject security, rating with its previous value,
target and reference price, estimates and prices from data files, the first page's rating box,
estimates table and price chart, and the checks (upside in the rating's band, located data errors).

Everything through the real CLI on a copy of the example project: hostile model input, broken
data files (each error at its file:line), the built HTML parsed, and page 1 of the PDF extracted.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import Result
from pypdf import PdfReader

from briefs.compliance.ratings import rating_action
from briefs.load.project import load_library
from briefs.project.config import load_config

from .conftest import ROOT, copy_project, edit, failed, has

RunCli = Callable[..., Result]
NOTE = Path("content/tencent-wechat-deepseek")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """In this module ``project`` holds the company notes (this one and the company report), the
    two industry briefs the tests compare them with, and every shared file."""
    briefs = (NOTE.name, "china-mobile-operator-cloud", "deepseek-cost-performance", "wechat-r1-inference")
    return copy_project(tmp_path / "project", briefs=briefs)


BRIEF = NOTE / "brief.yaml"




def check(project: Path, run_cli: RunCli, *args: str) -> Result:
    return run_cli(project, "check", *args, str(NOTE))


def html(project: Path, run_cli: RunCli, lang: str, *args: str) -> BeautifulSoup:
    out = project / "out"
    result = run_cli(project, "build", "--format", "html", "--lang", lang, "--out", str(out), *args, str(NOTE))
    assert result.exit_code == 0, result.output
    page = out / NOTE.name / f"{NOTE.name}.{lang}.html"
    return BeautifulSoup(page.read_text("utf-8"), "html.parser")


def figures(page: BeautifulSoup) -> dict[str, str]:
    """The rating box's figures, by the class of their row."""
    box = page.select_one(".sidebar .company-box")
    assert box is not None
    return {div["class"][0]: div.dd.get_text(strip=True) for div in box.select(".rating-figures > div")}


# ============================================================================ the model (hostile input)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("ticker: 0700.HK", "ticker: 0700-HK", ("malformed ticker '0700-HK'",)),
        ("ticker: 0700.HK", "ticker: tencent", ("malformed ticker 'tencent'",)),
        ("currency: HKD, reporting", "currency: HKX, reporting", ("unknown currency 'HKX'", "ISO 4217")),
        ("currency: HKD, reporting", "currency: hkd, reporting", ("unknown currency 'hkd'",)),
        ("price: {close: 450,", "price: {close: -450,", ("greater than 0",)),
        ("target_price: {value: 530,", "target_price: {value: 0,", ("greater than 0",)),
        ("target_price: {value: 530,", "target_price: {value: lots,", ("number",)),
        ("date: 2025-02-14}", "date: 14/02/2025}", ("YYYY-MM-DD",)),
        ("currency: HKD, reporting", "currency: HKD, isin: KYG875721634, reporting", ("isin",)),
        ("target_price: {value: 530,", "target_price: {value: 530, upside: 18,", ("upside",)),
    ],
)
def test_hostile_security_and_prices_are_located(
    project: Path, run_cli: RunCli, old: str, new: str, words: tuple[str, ...]
) -> None:
    line = edit(project / BRIEF, old, new)
    found = failed(check(project, run_cli))
    assert has(found, BRIEF, line, *words), found


def test_an_unknown_previous_rating_is_located_with_a_suggestion(project: Path, run_cli: RunCli) -> None:
    line = edit(project / BRIEF, "previous: overweight}", "previous: overwieght}")
    found = failed(check(project, run_cli))
    assert has(found, BRIEF, line, "previous rating 'overwieght'", "did you mean 'overweight'"), found


def test_previous_and_change_together_are_refused(project: Path, run_cli: RunCli) -> None:
    line = edit(project / BRIEF, "previous: overweight}", "previous: overweight, change: upgraded}")
    found = failed(check(project, run_cli))
    assert has(found, BRIEF, line, "'previous' rating or the 'change', not both"), found


def test_a_company_note_needs_its_security_and_prices(project: Path, run_cli: RunCli) -> None:
    brief = project / BRIEF
    brief.write_text(re.sub(r"^(security|target_price|price): .*\n", "", brief.read_text("utf-8"), flags=re.M))
    brief.write_text(re.sub(r"^(estimates|price_history): .*\n", "", brief.read_text("utf-8"), flags=re.M))
    found = failed(check(project, run_cli))
    for key in ("security", "target_price", "price"):
        assert has(found, BRIEF, 1, f"a brief of kind 'company-comment' needs '{key}'"), found


def test_company_keys_are_refused_on_an_industry_brief(project: Path, run_cli: RunCli) -> None:
    other = Path("content/wechat-r1-inference/brief.yaml")
    line = edit(
        project / other,
        "analysts: [lin-qing]",
        "security: {ticker: 0700.HK, name: {zh-CN: 腾讯控股, en: Tencent}, currency: HKD}\nanalysts: [lin-qing]",
    )
    found = failed(run_cli(project, "check", str(other.parent)))
    assert has(found, other, line, "'security' belongs to a company note", "company-comment"), found


def test_an_exchange_without_a_benchmark_is_refused(project: Path, run_cli: RunCli) -> None:
    line = edit(project / BRIEF, "ticker: 0700.HK", "ticker: 7203.T")
    found = failed(check(project, run_cli))
    assert has(found, BRIEF, line, "no benchmark index for 7203.T"), found


def test_a_reference_price_after_the_report_is_refused(project: Path, run_cli: RunCli) -> None:
    line = edit(project / BRIEF, "price: {close: 450, date: 2025-02-14}", "price: {close: 450, date: 2025-02-17}")
    found = failed(check(project, run_cli))
    assert has(found, BRIEF, line, "reference price is of 2025-02-17, after the report date 2025-02-16"), found


def test_the_action_follows_from_the_order_of_the_scale() -> None:
    scale = load_library(load_config(ROOT)).ratings.scale("company")
    assert scale is not None
    assert rating_action(scale, "buy", "overweight") == "upgraded"
    assert rating_action(scale, "neutral", "overweight") == "downgraded"
    assert rating_action(scale, "sell", "sell") == "maintained"
    assert rating_action(scale, "buy", None) == "initiated"
    assert rating_action(scale, "buy", "not-rated") == "initiated"
    assert rating_action(scale, "not-rated", "buy") is None


# ============================================================================ the upside check


def test_upside_outside_the_band_warns_and_fails_under_strict(project: Path, run_cli: RunCli) -> None:
    line = edit(project / BRIEF, "target_price: {value: 530,", "target_price: {value: 470,")  # +4.4 % for a Buy
    result = check(project, run_cli)
    assert result.exit_code == 0, result.output
    warning = f"{BRIEF}:{line}:"
    assert warning in result.output and "implied upside +4.4%" in result.output, result.output
    assert "outside the band of 'buy'" in result.output and "at least 15%" in result.output
    strict = check(project, run_cli, "--strict")
    assert strict.exit_code == 1 and "warning(s) with --strict" in strict.output, strict.output
    built = run_cli(project, "build", "--format", "html", "--strict", "--out", str(project / "out"), str(NOTE))
    assert built.exit_code == 1 and "implied upside +4.4%" in built.output, built.output


def test_upside_inside_the_band_passes_strict(project: Path, run_cli: RunCli) -> None:
    result = check(project, run_cli, "--strict")
    assert result.exit_code == 0, result.output
    assert "upside" not in result.output


def test_a_downgrade_to_sell_needs_a_downside_beyond_the_band(project: Path, run_cli: RunCli) -> None:
    edit(project / BRIEF, "value: buy, previous: overweight", "value: sell, previous: overweight")
    edit(project / BRIEF, "target_price: {value: 530,", "target_price: {value: 400,")  # -11.1 %
    result = check(project, run_cli)
    assert "implied upside -11.1%" in result.output and "at most -15%" in result.output, result.output


# ============================================================================ data files (located errors)


def test_estimate_years_out_of_order_are_located(project: Path, run_cli: RunCli) -> None:
    data = project / NOTE / "estimates.csv"
    line = edit(data, "2025E,", "2023E,")
    found = failed(check(project, run_cli))
    assert has(found, NOTE / "estimates.csv", line, "2023E follows 2024E", "rising order"), found


def test_an_actual_after_an_estimate_is_located(project: Path, run_cli: RunCli) -> None:
    data = project / NOTE / "estimates.csv"
    line = edit(data, "2025E,", "2025A,")
    found = failed(check(project, run_cli))
    assert has(found, NOTE / "estimates.csv", line, "actual year 2025A follows estimate 2024E"), found


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("2026E,", "2026F,", ("'2026F' is not a fiscal year",)),
        ("2026E,785000,", "2026E,785k,", ("'785k' in column 'revenue' is not a number",)),
    ],
)
def test_bad_estimate_cells_are_located(
    project: Path, run_cli: RunCli, old: str, new: str, words: tuple[str, ...]
) -> None:
    data = project / NOTE / "estimates.csv"
    line = edit(data, old, new)
    found = failed(check(project, run_cli))
    assert has(found, NOTE / "estimates.csv", line, *words), found


def test_estimate_columns_are_checked_at_the_header(project: Path, run_cli: RunCli) -> None:
    data = project / NOTE / "estimates.csv"
    edit(data, ",eps,", ",epss,")
    found = failed(check(project, run_cli))
    assert has(found, NOTE / "estimates.csv", 1, "lacks the column 'eps'"), found
    assert has(found, NOTE / "estimates.csv", 1, "unknown column 'epss'", "did you mean 'eps'"), found


def test_estimates_in_a_currency_the_security_does_not_use_are_refused(project: Path, run_cli: RunCli) -> None:
    line = edit(project / BRIEF, "currency: CNY, unit", "currency: USD, unit")
    found = failed(check(project, run_cli))
    assert has(found, BRIEF, line, "estimates are in USD", "trades in HKD", "reporting currency CNY"), found


def test_a_price_file_in_another_currency_is_refused(project: Path, run_cli: RunCli) -> None:
    line = edit(project / BRIEF, "prices.csv, currency: HKD}", "prices.csv, currency: CNY}")
    found = failed(check(project, run_cli))
    assert has(found, BRIEF, line, "price file is in CNY", "trades in HKD"), found


def test_a_price_file_that_stops_before_the_reference_date_is_located(project: Path, run_cli: RunCli) -> None:
    data = project / NOTE / "prices.csv"
    lines = data.read_text("utf-8").splitlines(keepends=True)
    data.write_text("".join(lines[:-1]), "utf-8")  # drop 2025-02-14
    found = failed(check(project, run_cli))
    stop = lines[-2].split(",")[0]
    assert has(found, NOTE / "prices.csv", len(lines) - 1, f"prices end on {stop}", "2025-02-14", "brief.yaml line"), (
        found
    )


def test_a_close_that_disagrees_with_the_reference_price_is_located(project: Path, run_cli: RunCli) -> None:
    data = project / NOTE / "prices.csv"
    line = edit(data, "2025-02-14,450.00,", "2025-02-14,451.20,")
    found = failed(check(project, run_cli))
    assert has(found, NOTE / "prices.csv", line, "close on 2025-02-14 is 451.20", "price.close 450"), found


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("2024-06-03,-1,18000", ("close '-1' is not a positive price",)),
        ("2024-06-03,300,0", ("benchmark '0' is not a positive price",)),
        ("2024-01-03,300,18000", ("date 2024-01-03 follows", "rising order")),
        ("2024-06-31,300,18000", ("'2024-06-31' in column 'date' is not a date",)),
    ],
)
def test_bad_price_rows_are_located(project: Path, run_cli: RunCli, row: str, words: tuple[str, ...]) -> None:
    data = project / NOTE / "prices.csv"
    lines = data.read_text("utf-8").splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if text.startswith("2024-06-04"))
    data.write_text("".join([*lines[:at], row + "\n", *lines[at:]]), "utf-8")
    found = failed(check(project, run_cli))
    assert has(found, NOTE / "prices.csv", at + 1, *words), found


def test_a_missing_price_file_is_located_in_brief_yaml(project: Path, run_cli: RunCli) -> None:
    line = edit(project / BRIEF, "data: prices.csv", "data: ../wechat-r1-inference/compute-share.csv")
    found = failed(check(project, run_cli))
    assert has(found, BRIEF, line, "outside the brief's folder"), found


# ============================================================================ the first page (HTML)


def test_the_rating_box_in_english(project: Path, run_cli: RunCli) -> None:
    page = html(project, run_cli, "en")
    box = page.select_one(".sidebar .company-box")
    assert box is not None
    assert box.select_one(".security").get_text(" ", strip=True) == "Tencent Holdings 0700.HK"
    assert box.select_one(".rating-value").get_text(strip=True) == "Buy"
    assert box.select_one(".rating-line").get_text() == "Company rating: Buy (upgraded)"
    assert box.select_one(".rating-change").get_text(strip=True) == "(upgraded)"
    assert figures(page) == {
        "previous-rating": "Overweight",
        "target-price": "HK$530.00",
        "previous-target": "HK$470.00",
        "reference-price": "HK$450.00",
        "upside": "+17.8%",
        "benchmark": "Hang Seng Index",
    }
    assert "14 February 2025" in box.select_one(".reference-price dt").get_text()
    chart = page.select_one(".sidebar #fig-price svg")
    assert chart is not None and chart.title.get_text() == "Share price over 12 months against the Hang Seng Index"
    assert {"Tencent Holdings", "Hang Seng Index"} <= {t.get_text() for t in chart.find_all("text")}


def test_the_rating_box_in_chinese(project: Path, run_cli: RunCli) -> None:
    page = html(project, run_cli, "zh-CN")
    box = page.select_one(".sidebar .company-box")
    assert box is not None
    assert box.select_one(".rating-value").get_text(strip=True) == "买入"
    assert box.select_one(".rating-line").get_text() == "公司评级：买入（上调）"
    assert box.select_one(".rating-change").get_text(strip=True) == "（上调）"
    assert figures(page) == {
        "previous-rating": "增持",
        "target-price": "HK$530.00",
        "previous-target": "HK$470.00",
        "reference-price": "HK$450.00",
        "upside": "+17.8%",
        "benchmark": "恒生指数",
    }
    assert box.select_one(".upside dt").get_text(strip=True) == "潜在涨幅"


@pytest.mark.parametrize(
    ("lang", "header", "revenue", "eps"),
    [
        ("en", ["Fiscal year", "2022A", "2023A", "2024E", "2025E", "2026E"], "Revenue (CNY m)", "EPS (CNY)"),
        (
            "zh-CN",
            ["会计年度", "2022A", "2023A", "2024E", "2025E", "2026E"],
            "营业收入（百万人民币）",
            "每股收益（人民币）",
        ),
    ],
)
def test_the_key_estimates_follow_the_key_points(
    project: Path, run_cli: RunCli, lang: str, header: list[str], revenue: str, eps: str
) -> None:
    page = html(project, run_cli, lang)
    front = page.select_one(".front")
    assert front is not None
    table = front.select_one("#tab-estimates table")
    assert table is not None
    assert front.select_one("section.key-points").find_next_sibling("section")["id"] == "tab-estimates"
    assert [th.get_text(strip=True) for th in table.thead.find_all("th")] == header
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    }
    assert rows[revenue] == ["554,552", "609,015", "662,500", "722,000", "785,000"]
    assert rows[eps] == ["12.13", "16.66", "23.60", "26.90", "30.20"]
    assert [th["class"] for th in table.thead.find_all("th")[1:]] == [["actual"]] * 2 + [["estimate"]] * 3


def test_the_derived_edition_converts_the_rating_box(project: Path, run_cli: RunCli) -> None:
    page = html(project, run_cli, "zh-HK")
    assert figures(page)["benchmark"] == "恒生指數"
    assert page.select_one(".company-box .rating-value").get_text(strip=True) == "買入"
    assert "人民幣" in page.select_one("#tab-estimates thead").parent.get_text()


def test_previous_equal_to_the_rating_is_maintained(project: Path, run_cli: RunCli) -> None:
    edit(project / BRIEF, "value: buy, previous: overweight", "value: buy, previous: buy")
    ledger = project / "content/_shared/recommendations.yaml"  # the ledger's last rating agrees (tests/test_ledger.py)
    edit(ledger, "value: overweight}\n    target_price: 470", "value: buy}\n    target_price: 470")
    page = html(project, run_cli, "en")
    assert page.select_one(".company-box .rating-change").get_text(strip=True) == "(maintained)"


def test_an_initiation_has_no_previous_rating_or_target(project: Path, run_cli: RunCli) -> None:
    edit(project / BRIEF, "value: buy, previous: overweight}", "value: buy}")
    edit(project / BRIEF, "target_price: {value: 530, previous: 470}", "target_price: {value: 530}")
    (project / "content/_shared/recommendations.yaml").unlink()  # no earlier recommendation on 0700.HK
    page = html(project, run_cli, "en")
    assert page.select_one(".company-box .rating-change").get_text(strip=True) == "(initiated)"
    assert set(figures(page)) == {"target-price", "reference-price", "upside", "benchmark"}


def test_other_briefs_carry_no_company_furniture(project: Path, run_cli: RunCli) -> None:
    out = project / "out"
    result = run_cli(
        project, "build", "--format", "html", "--lang", "en", "--out", str(out), "content/deepseek-cost-performance"
    )
    assert result.exit_code == 0, result.output
    page = BeautifulSoup(
        (out / "deepseek-cost-performance" / "deepseek-cost-performance.en.html").read_text("utf-8"), "html.parser"
    )
    assert page.select_one(".rating-box") is not None
    assert not page.select(".company-box, #tab-estimates, #fig-price")
    assert ".estimates-table" not in str(page.head)


# ============================================================================ page 1 of the PDF


@pytest.mark.pdf
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            (
                "Buy",
                "Upgraded",
                "Overweight",
                "HK$530.00",
                "HK$470.00",
                "+17.8%",
                "Key estimates and valuation",
                "2026E",
            ),
        ),
        ("zh-CN", ("买入", "上调", "增持", "HK$530.00", "+17.8%", "盈利预测与估值", "会计年度", "2026E")),
    ],
)
def test_page_one_of_the_pdf_holds_the_rating_target_upside_and_estimates(
    project: Path, run_cli: RunCli, lang: str, words: tuple[str, ...]
) -> None:
    out = project / "out"
    result = run_cli(project, "build", "--lang", lang, "--out", str(out), str(NOTE))
    assert result.exit_code == 0, result.output
    pdf = out / NOTE.name / f"{NOTE.name}.{lang}.pdf"
    first = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for word in words:
        assert word in first, f"{word!r} not on page 1:\n{first}"
    attached = PdfReader(pdf).attachments  # the data files are inputs, embedded like exhibit data
    for name in ("estimates.csv", "prices.csv"):
        assert attached[name] == [(project / NOTE / name).read_bytes()]
    estimates = next(line for line in first.splitlines() if "2022A" in line)
    assert re.search(r"2022A\s+2023A\s+2024E\s+2025E\s+2026E", estimates), estimates  # one header row
