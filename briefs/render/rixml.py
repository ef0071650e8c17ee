"""The RIXML sidecar: research metadata (RIXML Research Standard 2.5) for one brief in one
language, written beside its HTML and PDF as ``<id>.<lang>.rixml.xml`` (the ``rixml`` format,
registered in :mod:`briefs.builtins`).

What it says: the house (``Source/Organization``) and the signing analysts (name, e-mail, licence
number as a publisher-defined id), the publication date and status, the title and the key
points (``Content/Abstract``), the HTML and PDF files, the kind as a publisher-defined product
category and, for a company note, the security (ticker with its exchange's ISO 10383 code), the
rating as a publisher-defined value with its scale and definition, and the target price with
its currency (current, and prior when there is one). A brief with no security writes none of
those.

Element names, order and attributes follow the RIXML 2.5 skeleton in
``publishing-anchors.md``; the official XSD is not redistributable, so ``briefs check
--rixml-schema PATH`` validates against a user's copy (:mod:`briefs.checks.rixml_schema`).
The bytes depend only on the brief (timestamps from its date): two builds give the same file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree, html

from briefs.errors import BriefsError, Diagnostics
from briefs.exhibits.cells import has_han
from briefs.model import brief as m
from briefs.pipeline.outputs import document_file, label
from briefs.project.languages import LANGUAGES
from briefs.source.yamlsource import cached_yaml

if TYPE_CHECKING:
    from briefs.localize.brief import LocalizedBrief
    from briefs.plugins import RenderedDocument

NAMESPACE = "http://www.rixml.org/2017/9/RIXML"
# ISO 10383 market identifier codes of the ticker suffixes briefs knows (briefs.model.company).
EXCHANGE_MICS = {
    "SH": "XSHG",
    "SZ": "XSHE",
    "BJ": "BJSE",
    "HK": "XHKG",
    "O": "XNAS",
    "N": "XNYS",
    "A": "XASE",
}
FILES = (("pdf", "application/pdf"), ("html", "text/html"))  # the documents a sidecar describes
LICENCE_ID = "SAC licence"  # the publisher-defined id type of an analyst's licence number


def language_code(tag: str) -> str:
    """The ISO 639-2/T code of a language tag (``zh-CN`` → ``zho``); ``und`` if unknown."""
    return LANGUAGES[tag].iso639_2 if tag in LANGUAGES else "und"


def sidecar(document: RenderedDocument) -> bytes:
    """The RIXML sidecar of a rendered document (the brief re-read from its brief.yaml)."""
    from briefs.model.validation import validate

    diags = Diagnostics()
    brief = validate(cached_yaml(document.source), m.Brief, document.config.languages, diags)
    if brief is None:
        raise BriefsError(diags.errors)
    return sidecar_xml(brief, document.brief, document.created)


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _amount(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _sub(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def sidecar_xml(brief: m.Brief, view: LocalizedBrief, created: dt.datetime) -> bytes:
    """The sidecar's bytes: UTF-8 XML with a declaration, the RIXML namespace as the default."""
    when = _timestamp(created)
    lang = language_code(view.lang)
    ident = label(brief.id, view.lang)
    research = etree.Element(
        f"{{{NAMESPACE}}}Research",
        {"researchID": ident, "createDateTime": when, "language": lang},
        nsmap={None: NAMESPACE},
    )
    product = _sub(research, "Product", productID=ident)
    status = "Draft" if brief.approval is None else "Published"
    status_time = when if brief.approval is None else f"{brief.approval.date.isoformat()}T00:00:00Z"
    _sub(product, "StatusInfo", statusType=status, statusDateTime=status_time, currentStatusIndicator="Yes")
    _source(_sub(product, "Source"), view)
    content = _sub(product, "Content")
    _sub(content, "Title", view.title)
    if view.subtitle:
        _sub(content, "SubTitle", view.subtitle)
    abstract = "\n".join(" ".join(html.fromstring(str(point)).text_content().split()) for point in view.key_points)
    _sub(content, "Abstract", abstract)
    for suffix, mime in FILES:
        resource = _sub(content, "Resource", language=lang, primaryIndicator="Yes" if suffix == "pdf" else "No")
        _sub(resource, "MIMEType", mime)
        _sub(resource, "Name", document_file(brief.id, view.lang, suffix))
    context = _sub(product, "Context", external="Yes")
    rated = rated_securities(brief, view)
    if rated:
        details = _sub(context, "IssuerDetails")
        for security in rated:
            _issuer(details, security)
    product_details = _sub(context, "ProductDetails", publicationDateTime=when)
    _sub(product_details, "ProductCategory", productCategory="PublisherDefined", publisherDefinedValue=brief.kind)
    data: bytes = etree.tostring(research, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def _source(source: etree._Element, view: LocalizedBrief) -> None:
    organization = _sub(source, "Organization", type="SellSideFirm", primaryIndicator="Yes")
    host = urlsplit(view.house.website).hostname or view.house.website
    _sub(organization, "OrganizationID", host, idType="PublisherDefined")
    _sub(organization, "OrganizationName", view.house.name, nameType="Legal")
    _sub(organization, "OrganizationName", view.house.short_name, nameType="Display")
    if not view.analysts:
        return
    group = _sub(organization, "PersonGroup")
    for i, person in enumerate(view.analysts):
        member = _sub(group, "PersonGroupMember", primaryIndicator="Yes" if i == 0 else "No", sequence=str(i + 1))
        entry = _sub(member, "Person", personID=person.id)
        # The house writes the Latin form of a name family name first (Lin Qing).
        latin = person.alt_name if has_han(person.name) else person.name
        family, _, given = (latin or person.name).partition(" ")
        _sub(entry, "FamilyName", family)
        if given:
            _sub(entry, "GivenName", given)
        _sub(entry, "DisplayName", person.name)
        if person.licence:
            _sub(entry, "PersonID", idType="PublisherDefined", publisherDefinedValue=LICENCE_ID, idValue=person.licence)
        _sub(_sub(entry, "ContactInfo", nature="Business"), "Email", person.email)


@dataclass(frozen=True)
class Rated:
    """A security the brief rates, as the sidecar states it: ticker, name, rating label (with the
    scale's name and the value's definition), target price and the prior rating and target."""

    ticker: str
    name: str
    primary: bool
    scale: str
    rating: str | None = None
    definition: str | None = None
    prior_rating: str | None = None
    target: float | None = None
    prior_target: float | None = None
    currency: str | None = None


def rated_securities(brief: m.Brief, view: LocalizedBrief) -> list[Rated]:
    """The brief's subject security (a company note), then its rated picks (other securities)."""
    found = []
    security, rating = brief.security, view.rating
    if security is not None:
        target = brief.target_price
        found.append(
            Rated(
                security.ticker,
                view.company.name if view.company is not None else security.ticker,
                True,
                rating.scale_name if rating is not None else "",
                rating.label if rating is not None else None,
                rating.definition if rating is not None else None,
                rating.previous if rating is not None else None,
                target.value if target is not None else None,
                target.previous if target is not None else None,
                security.currency,
            )
        )
    if view.picks is not None:
        subject = security.ticker if security is not None else None
        for group in view.picks.groups:
            for row in group.rows:
                if row.ticker != subject:
                    found.append(
                        Rated(
                            row.ticker,
                            row.name,
                            False,
                            view.picks.scale_name,
                            row.rating,
                            target=row.target_value,
                            currency=view.picks.currency,
                        )
                    )
    return found


def _issuer(details: etree._Element, rated: Rated) -> None:
    yes_no = "Yes" if rated.primary else "No"
    issuer = _sub(details, "Issuer", issuerType="Corporate", primaryIndicator=yes_no)
    attributes = {"primaryIndicator": yes_no}
    if rated.target is not None and rated.prior_target is not None:
        attributes["targetPriceAction"] = (
            "Increase"
            if rated.target > rated.prior_target
            else "Decrease"
            if rated.target < rated.prior_target
            else "Reiterate"
        )
    entry = _sub(_sub(issuer, "SecurityDetails"), "Security", **attributes)
    code, _, exchange = rated.ticker.rpartition(".")
    ticker = _sub(entry, "SecurityID", idType="Ticker", idValue=code)
    if exchange in EXCHANGE_MICS:
        _sub(ticker, "TradingExchange", EXCHANGE_MICS[exchange])
    _sub(entry, "SecurityID", idType="PublisherDefined", publisherDefinedValue="Ticker.Exchange", idValue=rated.ticker)
    _sub(entry, "AssetClass", assetClass="Equity")
    for when, shown, definition in (("Current", rated.rating, rated.definition), ("Prior", rated.prior_rating, None)):
        if shown is None:
            continue
        rating = _sub(entry, "Rating", rating="PublisherDefined", priorCurrent=when)
        _sub(rating, "PublisherDefinedValue", shown)
        _sub(_sub(rating, "RatingEntity", ratingEntity="Publisher"), "PublisherDefinedValue", rated.scale)
        if definition:
            _sub(rating, "Description", definition)
    for when, value in (("Current", rated.target), ("Prior", rated.prior_target)):
        if value is None or rated.currency is None:
            continue
        financials = _sub(entry, "SecurityFinancials", securityFinancialsType="TargetPrice", priorCurrent=when)
        _sub(financials, "FinancialValue", _amount(value))
        _sub(financials, "Currency", rated.currency)
    _sub(_sub(issuer, "IssuerName", nameType="Legal"), "NameValue", rated.name)
