"""Conflicts of interest from data (content/_shared/conflicts.yaml): printed for every security a
brief names, in both languages, as of the brief's date; negative statements; stale
confirmations; missing entries; hostile files; only the briefs naming a changed security rebuilt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from lxml import html as lxml_html

from briefs.compliance.conflicts import facts, investment_banking_clients, months_before
from briefs.model.conflicts import ELEMENTS, SecurityConflicts
from briefs.pipeline.run import build
from briefs.project.config import load_config

from .conftest import copy_project, edit, line_of

Run = Callable[..., Result]
LANGS = ("zh-CN", "en")


def shared(project: Path) -> Path:
    return project / "content" / "_shared" / "conflicts.yaml"


def html_build(project: Path, *briefs: str, langs: tuple[str, ...] = LANGS):  # type: ignore[no-untyped-def]
    config = load_config(project)
    paths = tuple(project / "content" / b for b in briefs)
    return build(config, paths, langs=langs, formats=("html",), out=project / "out")


def page(project: Path, brief: str, lang: str) -> lxml_html.HtmlElement:
    return lxml_html.parse(str(project / "out" / brief / f"{brief}.{lang}.html")).getroot()


def text_of(node: lxml_html.HtmlElement) -> str:
    return " ".join(node.text_content().split())


def named_tickers(project: Path, brief: str) -> list[str]:
    """The tickers a brief names, read from its brief.yaml directly."""
    data = yaml.safe_load((project / "content" / brief / "brief.yaml").read_text("utf-8"))
    found = [data["security"]["ticker"]] if "security" in data else []
    found += [c["ticker"] for g in data.get("companies", []) for c in g["companies"] if c.get("ticker")]
    return list(dict.fromkeys(found))


def wording() -> dict:  # type: ignore[type-arg]
    root = Path(__file__).resolve().parent.parent
    return yaml.safe_load((root / "content" / "_shared" / "conflicts.yaml").read_text("utf-8"))["statements"]


# ----------------------------------------------------------------------------- printed for every security


@pytest.mark.parametrize(
    "brief", ["wechat-r1-inference", "tencent-wechat-deepseek", "deepseek-efficiency-not-deflation"]
)
def test_every_named_security_appears_under_every_element_in_both_languages(project: Path, brief: str) -> None:
    result = html_build(project, brief)
    assert not result.diagnostics, result.diagnostics
    tickers = named_tickers(project, brief)
    assert tickers
    words = wording()
    for lang in LANGS:
        root = page(project, brief, lang)
        section = root.get_element_by_id("conflicts")
        assert text_of(section.find("h3")) == words["title"][lang]
        for element in ELEMENTS:
            block = root.get_element_by_id(f"conflict-{element}")
            assert text_of(block.find("h4")) == words[element]["title"][lang]
            statements = text_of(block)
            missing = [t for t in tickers if t not in statements]
            assert not missing, (lang, element, missing)
        # the section is among the important disclosures, before the rating definitions
        disclosures = root.get_element_by_id("disclosures")
        order = [e.get("id") for e in disclosures.iter() if e.get("id") in ("conflicts", "rating-definitions")]
        assert order == ["conflicts", "rating-definitions"]


def test_negative_statement_where_nothing_applies_and_positive_where_it_does(project: Path) -> None:
    html_build(project, "tencent-wechat-deepseek")
    en = page(project, "tencent-wechat-deepseek", "en")
    zh = page(project, "tencent-wechat-deepseek", "zh-CN")
    # 0700.HK: market making since 2023-06-01 and a mandate of 2024-09-12 (within 12 months of 2025-02-16)
    assert (
        "The Company and its affiliates have made a market in the securities of Tencent Holdings (0700.HK) "
        "since 1 June 2023." in text_of(en.get_element_by_id("conflict-market-making"))
    )
    assert "本公司及其关联机构自2023年6月1日起为腾讯控股（0700.HK）的证券做市。" in text_of(
        zh.get_element_by_id("conflict-market-making")
    )
    banking = text_of(en.get_element_by_id("conflict-investment-banking"))
    assert "joint bookrunner on a US-dollar senior notes issue (12 September 2024)" in banking
    # nothing else applies: the house's negative statements, naming the security
    holding = en.get_element_by_id("conflict-firm-holding")
    assert [text_of(p) for p in holding.findall("p")] == [
        "As at 16 February 2025, the Company and its affiliates did not hold 1% or more of the issued shares "
        "of Tencent Holdings (0700.HK)."
    ]
    assert "截至2025年2月16日，本公司及其关联机构未持有腾讯控股（0700.HK）已发行股份的1%或以上。" in text_of(
        zh.get_element_by_id("conflict-firm-holding")
    )
    officer = zh.get_element_by_id("conflict-officer-roles")
    assert [text_of(p) for p in officer.findall("p")] == [
        "本公司员工（包括署名分析师及其家庭成员）未担任腾讯控股（0700.HK）的高级管理人员或董事。"
    ]


def test_a_staff_interest_prints_only_on_the_briefs_its_analyst_signs(project: Path) -> None:
    # lin-qing's household holds 000063.SZ: deepseek-efficiency-not-deflation is signed by lin-qing
    html_build(project, "deepseek-efficiency-not-deflation")
    en = text_of(
        page(project, "deepseek-efficiency-not-deflation", "en").get_element_by_id("conflict-analyst-interests")
    )
    assert (
        "a member of the household of the analyst Lin Qing has held a financial interest in ZTE Corporation (000063.SZ)"
        in en
    )
    edit(shared(project), "person: lin-qing", "person: zhou-yian")  # not a signatory of that brief
    html_build(project, "deepseek-efficiency-not-deflation")
    en = text_of(
        page(project, "deepseek-efficiency-not-deflation", "en").get_element_by_id("conflict-analyst-interests")
    )
    assert "Zhou" not in en and "Lin Qing" not in en
    assert "ZTE Corporation (000063.SZ)" in en  # in the negative statement


def test_a_brief_naming_no_security_gets_the_negative_statements_for_any_company(project: Path) -> None:
    brief = project / "content" / "deepseek-cost-performance" / "brief.yaml"
    text = brief.read_text("utf-8")
    start = text.index("\ncompanies:")
    end = text.index("\n", text.index("ticker:", text.rindex("ticker:") - 1))
    brief.write_text(text[:start] + text[end:], "utf-8")
    assert "ticker:" not in brief.read_text("utf-8")
    result = html_build(project, "deepseek-cost-performance")
    assert not result.diagnostics
    words = wording()
    for lang in LANGS:
        holding = text_of(page(project, "deepseek-cost-performance", lang).get_element_by_id("conflict-firm-holding"))
        assert words["any_company"][lang] in holding


# ----------------------------------------------------------------------------- as of the brief's date


def test_a_holding_recorded_after_the_brief_does_not_apply_to_it(project: Path) -> None:
    # 600941.SH: 0.6 % on 2025-01-31, 1.1 % on 2025-02-28
    html_build(project, "china-mobile-operator-cloud", "deepseek-win-win-summary")
    later = text_of(page(project, "china-mobile-operator-cloud", "en").get_element_by_id("conflict-firm-holding"))
    assert (
        "As at 28 February 2025, the Company and its affiliates held 1.1% of the issued shares of "
        "China Mobile (600941.SH)." in later
    )
    earlier = text_of(page(project, "deepseek-win-win-summary", "en").get_element_by_id("conflict-firm-holding"))
    assert "1.1%" not in earlier and "0.6%" not in earlier
    assert "did not hold 1% or more of the issued shares of China Mobile (600941.SH)" in earlier


def entry(**kwargs: object) -> SecurityConflicts:
    return SecurityConflicts.model_validate({"ticker": "0700.HK", "confirmed": "2025-01-01", **kwargs})


def test_dates_decide_what_applies() -> None:
    day = dt.date(2025, 2, 16)
    record = entry(
        holdings=[
            {"as_of": "2024-12-31", "percent": 2},
            {"as_of": "2025-01-31", "percent": 0.5},
            {"as_of": "2025-03-31", "percent": 3},
        ],
        investment_banking=[
            {"date": "2024-02-16", "mandate": {"zh-CN": "甲", "en": "twelve months before to the day"}},
            {"date": "2024-02-17", "mandate": {"zh-CN": "乙", "en": "inside the 12 months"}},
            {"date": "2025-02-17", "mandate": {"zh-CN": "丙", "en": "the day after"}},
            {"date": "2024-02-17", "mandate": {"zh-CN": "丁", "en": "a second one that day"}},
        ],
        expected_investment_banking=[{"as_of": "2024-11-16"}, {"as_of": "2025-02-17"}],
        market_making=[{"from": "2023-01-01", "to": "2025-02-15"}],
        officer_roles=[{"from": "2025-02-16", "role": {"zh-CN": "董事", "en": "a director"}}],
        staff_interests=[{"person": "lin-qing", "holder": "self", "from": "2024-01-01", "to": "2025-02-16"}],
    )
    found = facts(record, day, ["lin-qing"])
    elements = sorted(f.element for f in found)
    # the latest holding on or before the day is 0.5 %: no holding; market making ended the day before
    assert elements == ["analyst-interests", "investment-banking", "officer-roles"]
    banking = next(f for f in found if f.element == "investment-banking")
    assert not banking.expected
    mandates: list[tuple[dt.date, dict[str, str]]] = dict(banking.values)["mandates"]  # type: ignore[assignment]
    assert [text["en"] for _, text in mandates] == ["inside the 12 months", "a second one that day"]
    assert facts(record, day, ["zhou-yian"]) == [f for f in found if f.element != "analyst-interests"]
    # expected within 3 months of being recorded
    assert not any(f.expected for f in facts(record, dt.date(2025, 2, 16), []))  # 3 months after 2024-11-16
    assert any(f.expected for f in facts(record, dt.date(2025, 2, 17), []))
    assert any(f.expected for f in facts(record, dt.date(2025, 5, 16), []))
    assert not any(f.expected for f in facts(record, dt.date(2025, 5, 17), []))
    assert months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)


def test_investment_banking_clients_of_the_past_12_months(project: Path) -> None:
    from briefs.load.project import load_library

    conflicts = load_library(load_config(project)).conflicts
    assert conflicts is not None
    assert investment_banking_clients(conflicts, dt.date(2025, 2, 16)) == {"0700.HK"}
    assert investment_banking_clients(conflicts.securities, dt.date(2025, 9, 11)) == {"0700.HK"}
    assert investment_banking_clients(conflicts, dt.date(2025, 9, 12)) == frozenset()  # 12 months on
    assert investment_banking_clients(conflicts, dt.date(2024, 9, 11)) == frozenset()  # before the mandate
    assert investment_banking_clients(None, dt.date(2025, 2, 16)) == frozenset()


# ----------------------------------------------------------------------------- warnings and errors


def test_a_stale_confirmation_is_a_located_warning_and_an_error_under_strict(project: Path, run_cli: Run) -> None:
    line = (
        edit(
            shared(project),
            "  - ticker: 0700.HK\n    confirmed: 2025-02-10",
            "  - ticker: 0700.HK\n    confirmed: 2024-10-01",
        )
        + 1
    )
    result = run_cli(project, "check", "content/tencent-wechat-deepseek")
    assert result.exit_code == 0, result.output
    where = f"content/_shared/conflicts.yaml:{line}:5"  # at the entry's 'confirmed'
    assert (
        f"{where}: warning: 0700.HK was last confirmed on 2024-10-01, 138 days before brief "
        "'tencent-wechat-deepseek' (2025-02-16); confirm it again (max_age_days: 90)"
    ) in result.output
    strict = run_cli(
        project, "build", "content/tencent-wechat-deepseek", "--format", "html", "--strict", "--out", "out"
    )
    assert strict.exit_code == 1 and where in strict.output
    # the limit is a setting: 150 days makes it current
    edit(shared(project), "max_age_days: 90", "max_age_days: 150")
    assert "was last confirmed" not in run_cli(project, "check", "content/tencent-wechat-deepseek").output


def test_a_named_security_without_an_entry_warns_and_prints_the_negative(project: Path, run_cli: Run) -> None:
    edit(
        shared(project),
        "  - ticker: 600050.SH\n    confirmed: 2025-02-20\n    expected_investment_banking: [{as_of: 2025-02-20}]\n",
        "",
    )
    brief = project / "content" / "deepseek-efficiency-not-deflation" / "brief.yaml"
    line = line_of(brief, 'ticker: "600050.SH"')
    result = run_cli(project, "build", "content/deepseek-efficiency-not-deflation", "--format", "html", "--out", "out")
    assert result.exit_code == 0, result.output
    assert (
        f"content/deepseek-efficiency-not-deflation/brief.yaml:{line}:9: warning: 600050.SH has no entry in "
        "conflicts.yaml: the negative statements print for it, unconfirmed; add it, confirmed by compliance"
    ) in result.output
    banking = text_of(
        page(project, "deepseek-efficiency-not-deflation", "en").get_element_by_id("conflict-investment-banking")
    )
    assert "The Company and its affiliates expect to receive" not in banking  # its expected mandate went with it
    assert "China Unicom (600050.SH)" in banking  # named in the negative statements
    strict = run_cli(project, "check", "--strict", "content/deepseek-efficiency-not-deflation")
    assert strict.exit_code == 1


def test_a_company_notes_own_security_without_an_entry_is_an_error(project: Path, run_cli: Run) -> None:
    text = shared(project).read_text("utf-8")
    start = text.index("  - ticker: 0700.HK")
    shared(project).write_text(text[:start] + text[text.index("  - {ticker: 1357.HK", start) :], "utf-8")
    result = run_cli(project, "build", "content/tencent-wechat-deepseek", "--format", "html", "--out", "out")
    assert result.exit_code == 1
    line = line_of(project / "content" / "tencent-wechat-deepseek" / "brief.yaml", "security: {ticker: 0700.HK")
    assert (
        f"content/tencent-wechat-deepseek/brief.yaml:{line}:12: 0700.HK has no entry in conflicts.yaml: compliance "
        "must confirm the firm's interests in the security a company note rates before it is published"
    ) in result.output
    assert "Traceback" not in result.output


def test_a_project_without_conflicts_yaml_prints_no_section(project: Path, run_cli: Run) -> None:
    shared(project).unlink()
    result = html_build(project, "tencent-wechat-deepseek")
    assert not result.diagnostics
    assert not page(project, "tencent-wechat-deepseek", "en").xpath("//*[@id='conflicts']")


# ----------------------------------------------------------------------------- hostile conflicts.yaml


HOSTILE = [
    (
        "  - ticker: 0700.HK\n    confirmed: 2025-02-10\n    market_making:",
        "  - ticker: 0700.HK\n    confirmed: 2025-02-10\n    market_makng:",
        "market_makng:",
        "unknown key 'market_makng'; did you mean 'market_making'?",
    ),
    (
        "{ticker: 1357.HK, confirmed: 2025-01-31}",
        "{ticker: 1357.HK, confirmed: 2025-01-31, Holdings: []}",
        "Holdings: []",
        "unknown key 'Holdings'; did you mean 'holdings'? (keys are case-sensitive)",
    ),
    (
        "{ticker: 1357.HK, confirmed: 2025-01-31}",
        "{ticker: 1357.HK, confirmed: 31/01/2025}",
        "31/01/2025",
        "'confirmed' must be a date written YYYY-MM-DD, not '31/01/2025'",
    ),
    (
        "{ticker: 1357.HK, confirmed: 2025-01-31}",
        "{ticker: 1357.HK}",
        "{ticker: 1357.HK}",
        "missing required key 'confirmed'",
    ),
    (
        "{ticker: 1357.HK, confirmed: 2025-01-31}",
        "{ticker: 1357 HK, confirmed: 2025-01-31}",
        "1357 HK",
        "malformed ticker '1357 HK'",
    ),
    ("{as_of: 2025-02-28, percent: 1.1}", "{as_of: 2025-02-28, percent: 110}", "110", "'percent'"),
    (
        "market_making: [{from: 2023-06-01}]",
        "market_making: [{from: 2023-06-01, to: 2023-01-01}]",
        "{from: 2023-06-01, to",
        "'to' (2023-01-01) is before 'from' (2023-06-01)",
    ),
    (
        "{ticker: 1357.HK, confirmed: 2025-01-31}",
        "{ticker: 0700.HK, confirmed: 2025-01-31}",
        "0700.HK, confirmed: 2025-01-31}",
        "duplicate ticker '0700.HK' (first on line",
    ),
    (
        "person: lin-qing",
        "person: lin-qin",
        "lin-qin,",
        "unknown person 'lin-qin'; did you mean 'lin-qing'? (people are in analysts.yaml)",
    ),
    (
        "为{company}的证券做市",
        "为{compnay}的证券做市",
        "本公司及其关联机构自",
        "unknown placeholder '{compnay}'; did you mean 'company'?",
    ),
    (
        "held {percent} of the issued",
        "held {percent:.1f} of the issued",
        "As at {date}, the Company and its affiliates held",
        "unknown placeholder '{percent:.1f}'",
    ),
    ("max_age_days: 90", "max_age_days: -3", "max_age_days: -3", "'max_age_days'"),
    (
        "  any_company: {zh-CN: 本报告提及的任何公司, en: any company named in this report}",
        "  any_company: {zh-CN: 本报告提及的任何公司}",
        "{zh-CN: 本报告提及的任何公司}",
        "missing the 'en' text",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "message"), HOSTILE, ids=[h[3][:40] for h in HOSTILE])
def test_a_broken_conflicts_yaml_is_a_located_error(
    project: Path, run_cli: Run, old: str, new: str, at: str, message: str
) -> None:
    edit(shared(project), old, new)
    text = shared(project).read_text("utf-8")
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("content/_shared/conflicts.yaml:")]
    assert lines, result.output
    found = [line for line in lines if message in line]
    assert found, result.output
    _, line, column = found[0].split(":", 3)[:3]
    # at the broken entry's own line (a missing key: the line of its mapping)
    assert int(line) == text[: text.index(at)].count("\n") + 1, found[0]
    assert int(column) >= 1


def test_conflicts_yaml_that_is_not_a_mapping_is_located(project: Path, run_cli: Run) -> None:
    shared(project).write_text("- just\n- a list\n", "utf-8")
    result = run_cli(project, "check")
    assert result.exit_code == 1 and "content/_shared/conflicts.yaml:1:1:" in result.output
    assert "Traceback" not in result.output


# ----------------------------------------------------------------------------- rebuilding


def test_a_conflicts_change_rebuilds_only_the_briefs_naming_that_security(project: Path) -> None:
    config = load_config(project)
    first = build(config, formats=("html",), out=project / "out")
    assert not first.diagnostics
    naming = {
        b.name
        for b in (project / "content").iterdir()
        if (b / "brief.yaml").is_file() and "0700.HK" in named_tickers(project, b.name)
    }
    assert naming == {"tencent-wechat-deepseek", "deepseek-cost-performance"}
    edit(shared(project), "market_making: [{from: 2023-06-01}]", "market_making: [{from: 2023-07-03}]")
    again = build(load_config(project), formats=("html",), out=project / "out")
    assert {p.parent.name for p in again.written} == naming
    assert len(again.written) == 2 * len(naming)
    assert all("2023" in p.read_text("utf-8") for p in again.written)
    # a confirmation date is not printed: no page changes
    edit(shared(project), "{ticker: 002130.SZ, confirmed: 2025-01-31}", "{ticker: 002130.SZ, confirmed: 2025-02-01}")
    assert not build(load_config(project), formats=("html",), out=project / "out").written


def test_a_briefs_snapshot_holds_the_entries_of_the_securities_it_names_only(project: Path) -> None:
    from briefs.load.project import load_project
    from briefs.pipeline.dependencies import used_shared

    loaded = load_project(load_config(project))
    for brief in loaded.briefs:
        used = used_shared(loaded, brief, "en")
        tickers = {e["ticker"] for e in used["conflicts"]["securities"]}
        assert tickers == set(named_tickers(project, brief.brief.id)), brief.brief.id


def test_the_hong_kong_pack_wants_the_para_16_statements_filled_from_the_data(
    project: Path, tmp_path: Path, run_cli: Run
) -> None:
    brief = "content/tencent-wechat-deepseek"
    # a template that keeps the headings but drops the statements fails the pack
    broken = copy_project(tmp_path / "broken")
    statements = "{% for s in e.statements %}<p>{{ s|typeset }}</p>{% endfor %}"
    edit(broken / "templates" / "partials" / "conflicts.html", statements, "")
    result = run_cli(broken, "build", brief, "--lang", "zh-HK", "--format", "html", "--out", "out")
    assert result.exit_code == 1
    for element in ELEMENTS:
        line = next(x for x in result.output.splitlines() if f"(rule hong-kong/{element}," in x)
        assert f"{brief}/brief.yaml:1:1: zh-HK output lacks the para 16 disclosure" in line
        assert "0700.HK" in line
    # as shipped: the jurisdiction's headings print over the statements
    ok = run_cli(project, "build", brief, "--lang", "zh-HK", "--format", "html", "--out", "out")
    assert ok.exit_code == 0, ok.output
    hk = page(project, "tencent-wechat-deepseek", "zh-HK")
    places = yaml.safe_load((project / "content" / "_shared" / "jurisdictions.yaml").read_text("utf-8"))
    headings = next(p for p in places["jurisdictions"] if p["id"] == "hong-kong")["headings"]
    for element in ELEMENTS:
        block = hk.get_element_by_id(f"conflict-{element}")
        assert text_of(block.find("h4")) == headings[element]["zh-HK"]
        assert "0700.HK" in text_of(block)
