"""The RIXML sidecar (issue 17, point 8): ``briefs build --format rixml`` writes
``<id>.<lang>.rixml.xml`` beside each document, and ``briefs check --rixml-schema PATH`` validates
every sidecar against an XSD the user has.

The structure is checked by parsing the built sidecars (XPath in the RIXML namespace), with the
expected values taken from the inputs (brief.yaml, analysts.yaml, house.yaml); validation with
tests/rixml/test-rixml.xsd, a small schema written for these tests (the official one may not be
redistributed): a passing project, a brief whose title breaks it (an error at the title's line),
and missing, non-XML and non-schema XSD files (located errors, exit 1, no traceback).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from lxml import etree

from briefs.render.typography import smart_quotes

from .conftest import ROOT, edit, line_of

RunCli = Callable[..., Result]
NS = {"r": "http://www.rixml.org/2017/9/RIXML"}
NOTE = Path("content/tencent-wechat-deepseek")
INDUSTRY = Path("content/deepseek-cost-performance")
SCHEMA = ROOT / "tests" / "rixml" / "test-rixml.xsd"
LANGUAGES = {"en": "eng", "zh-CN": "zho"}


def sidecars(project: Path, run_cli: RunCli, *briefs: Path, out: str = "out") -> dict[tuple[str, str], bytes]:
    result = run_cli(project, "build", "--format", "rixml", "--lang", "zh-CN,en", "--out", out, *map(str, briefs))
    assert result.exit_code == 0, result.output
    found = {}
    for brief in briefs:
        for lang in LANGUAGES:
            found[(brief.name, lang)] = (project / out / brief.name / f"{brief.name}.{lang}.rixml.xml").read_bytes()
    return found


def one(tree: etree._Element, path: str) -> etree._Element:
    hits = tree.xpath(path, namespaces=NS)
    assert len(hits) == 1, (path, hits)
    return hits[0]


def text(tree: etree._Element, path: str) -> str:
    return one(tree, path).text or ""


def source(project: Path, path: str) -> dict:
    return yaml.safe_load((project / path).read_text("utf-8"))


# ============================================================================ structure


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_company_note_sidecar(project: Path, run_cli: RunCli, lang: str) -> None:
    tree = etree.fromstring(sidecars(project, run_cli, NOTE)[(NOTE.name, lang)])
    brief = source(project, f"{NOTE}/brief.yaml")
    house = source(project, "content/_shared/house.yaml")
    analyst = next(a for a in source(project, "content/_shared/analysts.yaml")["analysts"] if a["id"] == "lin-qing")
    assert tree.tag == "{http://www.rixml.org/2017/9/RIXML}Research"
    assert tree.get("language") == LANGUAGES[lang] and tree.get("researchID") == f"{NOTE.name}.{lang}"
    assert tree.get("createDateTime") == f"{brief['date']}T00:00:00Z"
    status = one(tree, "/r:Research/r:Product/r:StatusInfo")
    assert status.get("statusType") == "Published" and status.get("currentStatusIndicator") == "Yes"
    assert status.get("statusDateTime") == f"{brief['approval']['date']}T00:00:00Z"
    org = one(tree, "/r:Research/r:Product/r:Source/r:Organization[@type='SellSideFirm']")
    assert text(org, "r:OrganizationName[@nameType='Legal']") == house["name"][lang]
    person = one(org, "r:PersonGroup/r:PersonGroupMember[@sequence='1']/r:Person")
    assert person.get("personID") == "lin-qing"
    assert text(person, "r:DisplayName") == analyst["name"][lang]
    assert text(person, "r:FamilyName") == analyst["name"]["en"].split()[0]
    assert text(person, "r:ContactInfo/r:Email") == analyst["email"]
    assert one(person, "r:PersonID[@idType='PublisherDefined']").get("idValue") == analyst["licence"]
    content = one(tree, "/r:Research/r:Product/r:Content")
    assert text(content, "r:Title") == brief["title"][lang]
    assert text(content, "r:Abstract").count("\n") == len(brief["key_points"]) - 1
    files = {text(r, "r:Name"): text(r, "r:MIMEType") for r in content.xpath("r:Resource", namespaces=NS)}
    assert files == {f"{NOTE.name}.{lang}.pdf": "application/pdf", f"{NOTE.name}.{lang}.html": "text/html"}
    context = one(tree, "/r:Research/r:Product/r:Context[@external='Yes']")
    security = one(context, "r:IssuerDetails/r:Issuer[@primaryIndicator='Yes']/r:SecurityDetails/r:Security")
    assert security.get("targetPriceAction") == "Increase"  # 470 → 530
    ticker = one(security, "r:SecurityID[@idType='Ticker']")
    assert ticker.get("idValue") == "0700" and text(ticker, "r:TradingExchange") == "XHKG"
    assert one(security, "r:SecurityID[@idType='PublisherDefined']").get("idValue") == brief["security"]["ticker"]
    labels = {"en": ("Buy", "Overweight", "Company rating scale"), "zh-CN": ("买入", "增持", "公司评级体系")}[lang]
    current = one(security, "r:Rating[@rating='PublisherDefined'][@priorCurrent='Current']")
    assert text(current, "r:PublisherDefinedValue") == labels[0]
    assert text(current, "r:RatingEntity[@ratingEntity='Publisher']/r:PublisherDefinedValue") == labels[2]
    prior = one(security, "r:Rating[@priorCurrent='Prior']")
    assert text(prior, "r:PublisherDefinedValue") == labels[1]
    for when, value in (("Current", brief["target_price"]["value"]), ("Prior", brief["target_price"]["previous"])):
        target = one(security, f"r:SecurityFinancials[@securityFinancialsType='TargetPrice'][@priorCurrent='{when}']")
        assert float(text(target, "r:FinancialValue")) == value
        assert text(target, "r:Currency") == brief["security"]["currency"]
    assert text(context, "r:IssuerDetails/r:Issuer/r:IssuerName/r:NameValue") == brief["security"]["name"][lang]
    details = one(context, "r:ProductDetails")
    assert details.get("publicationDateTime") == f"{brief['date']}T00:00:00Z"
    assert one(details, "r:ProductCategory").get("publisherDefinedValue") == brief["kind"]


def test_industry_brief_has_no_security(project: Path, run_cli: RunCli) -> None:
    built = sidecars(project, run_cli, INDUSTRY)
    brief = source(project, f"{INDUSTRY}/brief.yaml")
    for lang in LANGUAGES:
        tree = etree.fromstring(built[(INDUSTRY.name, lang)])
        title = brief["title"][lang]  # as printed: English with typographic quotes (render/typography.py)
        assert text(tree, "//r:Content/r:Title") == (smart_quotes(title) if lang == "en" else title)
        assert tree.xpath("//r:IssuerDetails | //r:Security | //r:Rating | //r:SecurityFinancials", namespaces=NS) == []
        assert one(tree, "//r:ProductCategory").get("publisherDefinedValue") == "industry-report"


def test_rated_picks_are_secondary_issuers(project: Path, run_cli: RunCli) -> None:
    rated = Path("content/china-mobile-operator-cloud")
    tree = etree.fromstring(sidecars(project, run_cli, rated)[(rated.name, "en")])
    rows = [line.split(",") for line in (project / rated / "picks.csv").read_text("utf-8").splitlines()[1:]]
    labels = {"overweight": "Overweight", "buy": "Buy"}
    issuers = tree.xpath("//r:IssuerDetails/r:Issuer", namespaces=NS)
    assert [i.get("primaryIndicator") for i in issuers] == ["Yes", "No", "No"]
    for issuer, (ticker, _close, target, rating, *_rest) in zip(issuers, rows, strict=True):
        security = one(issuer, "r:SecurityDetails/r:Security")
        assert one(security, "r:SecurityID[@idType='PublisherDefined']").get("idValue") == ticker
        assert text(security, "r:Rating[@priorCurrent='Current']/r:PublisherDefinedValue") == labels[rating]
        assert float(text(security, "r:SecurityFinancials/r:FinancialValue")) == float(target)
        assert text(security, "r:SecurityFinancials/r:Currency") == "CNY"
    result = run_cli(project, "check", "--rixml-schema", str(SCHEMA), str(rated))
    assert result.exit_code == 0, result.output


def test_draft_says_so(project: Path, run_cli: RunCli) -> None:
    edit(project / NOTE / "brief.yaml", "approval: {by: gu-wenjing, date: 2025-02-15}\n", "")
    tree = etree.fromstring(sidecars(project, run_cli, NOTE)[(NOTE.name, "en")])
    assert one(tree, "//r:StatusInfo").get("statusType") == "Draft"


def test_same_bytes_on_every_build(project: Path, run_cli: RunCli) -> None:
    first = sidecars(project, run_cli, NOTE, out="one")
    second = sidecars(project, run_cli, NOTE, out="two")
    assert first == second
    assert first[(NOTE.name, "en")] != first[(NOTE.name, "zh-CN")]


# ============================================================================ --rixml-schema


def test_schema_passes(project: Path, run_cli: RunCli) -> None:
    result = run_cli(project, "check", "--rixml-schema", str(SCHEMA), str(NOTE), str(INDUSTRY))
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_violation_is_located_at_its_key(project: Path, run_cli: RunCli) -> None:
    brief = project / NOTE / "brief.yaml"
    long_title = "WeChat search adds DeepSeek-R1" + ", and more" * 20  # the test schema allows 160 characters
    edit(
        brief, "en: WeChat search adds DeepSeek-R1, opening a path to AI revenue for the super-app", f"en: {long_title}"
    )
    result = run_cli(project, "check", "--rixml-schema", str(SCHEMA), str(NOTE))
    assert result.exit_code == 1 and "Traceback" not in result.output
    line = line_of(brief, "en: WeChat search adds DeepSeek-R1, and more")
    wanted = f"{NOTE}/brief.yaml:{line}:"
    errors = [e for e in result.stderr.splitlines() if e.startswith(wanted) and "RIXML" in e]
    assert len(errors) == 1, result.stderr
    assert f"RIXML sidecar {NOTE.name}.en.rixml.xml" in errors[0] and "'Title'" in errors[0]
    assert "maxLength" in errors[0] or "length" in errors[0]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, ("cannot read the RIXML schema",)),
        (b"<xs:schema", ("the RIXML schema is not XML",)),
        (b"<?xml version='1.0'?>\n<notaschema/>\n", ("not a usable XML schema",)),
        (
            b"<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>\n<xs:element name='A' type='xs:nosuch'/>\n"
            b"</xs:schema>\n",
            ("not a usable XML schema", "nosuch"),
        ),
    ],
)
def test_broken_schema_is_a_located_user_error(
    project: Path, run_cli: RunCli, content: bytes | None, words: tuple[str, ...]
) -> None:
    xsd = project / "mine.xsd"
    if content is not None:
        xsd.write_bytes(content)
    result = run_cli(project, "check", "--rixml-schema", "mine.xsd", str(NOTE))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert any(e.startswith("mine.xsd") and all(w in e for w in words) for e in result.stderr.splitlines()), (
        result.stderr
    )
