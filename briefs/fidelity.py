"""Bilingual fidelity checks run by ``briefs check``: the English must say what the Chinese says.

Four checks over every Text of the selected briefs and of ``content/_shared`` (issue 3, item 5):

- **figure parity** (warning): every figure of a zh-CN text (13亿, 79.8%, 2月23日, 1月底 …) must
  appear in each translation, units normalised (13亿 = 1.3 billion = 1,300 million); and every
  figure of the English must appear in the Chinese;
- **translation drift** (warning): ``translations.lock`` beside the YAML records, per text and
  language, a short sha256 of the zh-CN source the translation was reviewed against; a changed
  source flags the translation as stale until ``briefs translations --reviewed`` records it again;
- **glossary** (warning): a zh-CN text using a term of ``content/_shared/glossary.yaml`` needs one
  of the term's English forms in its English;
- **no Han in English** (error): Han characters in an en text, except inside Markdown spans
  marked as original-language names, ``[中国移动]{lang=zh-CN}``.

``briefs check --strict`` turns the warnings into a failing exit status. Every finding is located
at ``path:line:col`` of the translation (the YAML value, or the line of a ``body_file``).

The figure extraction (:func:`extract_figures`, :func:`figure_pool`, :func:`missing_figures`) is
pure and independent of the rest, so it is unit-tested on its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
)
from pydantic_core import PydanticCustomError

from .config import KNOWN_LANGUAGES, ProjectConfig
from .errors import BriefsError, Diagnostic, Diagnostics, SourceLocation, by_place, display_path
from .limits import Budget
from .load import (
    SHARED_FILES,
    LoadedBrief,
    Project,
    discover,
    load_library,
    load_project,
    validate,
)
from .texts import SOURCE, Entry, Unit, checked_units
from .write import write_atomic
from .safefiles import Unsafe, read_bytes
from .yamlsource import MAX_BYTES, load_yaml

LOCK_NAME = "translations.lock"
GLOSSARY_FILE = "glossary.yaml"
HASH_LENGTH = 12
REVIEW_HINT = "run `briefs translations --reviewed {path}`"

# ============================================================================ figures (pure)

FigureKind = Literal["number", "date", "month"]


@dataclass(frozen=True)
class Figure:
    """A figure found in a text: a number (units applied), a month-and-day date or a month.

    ``value`` is a :class:`~decimal.Decimal` for numbers (sign dropped, 13亿 → 1300000000), a
    ``(month, day)`` pair for dates and the month number for months. ``start``/``end`` index
    the text the figure was read from; ``text`` is that slice (``13亿``, ``23 February``).
    """

    kind: FigureKind
    value: Any
    text: str
    start: int
    end: int

    @property
    def key(self) -> tuple[str, Any]:
        """What two figures must share to be the same figure."""
        return (self.kind, self.value)

    def describe(self) -> str:
        """The normalised value, for messages (1.3 billion, 23 February, January)."""
        if self.kind == "date":
            month, day = self.value
            return f"{day} {MONTHS[month - 1]}"
        if self.kind == "month":
            return MONTHS[self.value - 1]
        return describe_number(self.value)


@dataclass(frozen=True)
class FigurePool:
    """Every value a text can be said to contain, read leniently (for the other side of a check).

    Besides its figures it holds the digits of identifiers (so ``50ETF`` and ``Qwen2.5`` still
    count) and small numbers written as words (五, 两, five, twelve), so wording never causes a
    finding. The digits of a figure are not offered on their own: 13亿 does not offer 13.
    """

    numbers: frozenset[Decimal]
    dates: frozenset[tuple[int, int]]
    months: frozenset[int]

    def has(self, figure: Figure) -> bool:
        """Whether the figure appears in this pool."""
        if figure.kind == "number":
            return figure.value in self.numbers
        if figure.kind == "date":
            return figure.value in self.dates
        return figure.value in self.months


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
_MONTH_NUMBER = {name.lower(): i for i, name in enumerate(MONTHS, 1)}
_MONTH_NUMBER.update({name[:3].lower(): i for i, name in enumerate(MONTHS, 1)})
_MONTH_NUMBER["sept"] = 9
_MONTH_FULL = "|".join(m for m in MONTHS if m != "May")   # "May" alone is too often the verb
_MONTH_ANY = "|".join([*MONTHS, "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep",
                       "Oct", "Nov", "Dec"])

# Same-length normalisation (positions stay valid): full-width digits and signs → ASCII.
_FULLWIDTH = str.maketrans("０１２３４５６７８９％．，＋－～", "0123456789%.,+-~")

_MULTIPLIERS: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12, "萬億": Decimal(10) ** 12, "千亿": Decimal(10) ** 11,
    "千億": Decimal(10) ** 11, "百亿": Decimal(10) ** 10, "百億": Decimal(10) ** 10,
    "十亿": Decimal(10) ** 9, "十億": Decimal(10) ** 9, "亿": Decimal(10) ** 8, "億": Decimal(10) ** 8,
    "千万": Decimal(10) ** 7, "千萬": Decimal(10) ** 7, "百万": Decimal(10) ** 6,
    "百萬": Decimal(10) ** 6, "十万": Decimal(10) ** 5, "十萬": Decimal(10) ** 5,
    "万": Decimal(10) ** 4, "萬": Decimal(10) ** 4, "千": Decimal(10) ** 3, "百": Decimal(100),
    "trillion": Decimal(10) ** 12, "tn": Decimal(10) ** 12, "T": Decimal(10) ** 12,
    "billion": Decimal(10) ** 9, "bn": Decimal(10) ** 9, "B": Decimal(10) ** 9,
    "million": Decimal(10) ** 6, "mn": Decimal(10) ** 6, "M": Decimal(10) ** 6,
    "thousand": Decimal(10) ** 3, "K": Decimal(10) ** 3, "k": Decimal(10) ** 3,
}

# Text that is not prose: URLs, Markdown link targets, citation markers [3], tickers 600941.SH.
_NOT_PROSE = re.compile(
    r"https?://\S+"
    r"|\]\((?:[^)\s\]]|\](?!\())*\)"  # (a try stops at the next "](": linear in ](x](x…)
    r"|\[\d{1,3}\]"
    r"|(?<![0-9A-Za-z])\d{1,6}\.[A-Z]{1,2}(?![A-Za-z])"
)
# Enumerators: Markdown list items "1. ", "2) " at a line start; inline "1) ", "(2)", "（3）".
_ENUMERATOR = re.compile(
    r"(?m)^[ \t]{0,3}\d{1,3}[.)](?=[ \t])"
    r"|[(（]\d{1,2}[)）]"
    r"|(?<![0-9A-Za-z.(（])\d{1,2}[)）]"
)
_ISO_DATE = re.compile(r"(?<![0-9])(\d{4})-(\d{1,2})-(\d{1,2})(?![0-9])")
_ZH_DATE = re.compile(r"(?<![0-9.])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]")
_ZH_MONTH = re.compile(r"(?<![0-9.])(\d{1,2})\s*月(?!\s*\d)")
_EN_DAY_MONTH = re.compile(
    rf"(?<![0-9.])(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_ANY})\b\.?")
_EN_MONTH_DAY = re.compile(rf"\b({_MONTH_ANY})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![0-9])")
_EN_MONTH = re.compile(   # "May" only where it cannot be the verb: May 2025, in May, end of May
    rf"\b(?P<month>{_MONTH_FULL}|May(?=\s+\d{{4}}))\b"
    r"|\b(?:in|of|since|until|from|by|before|after|early|late|mid|end|beginning)[\s-]+(?P<may>May)\b"
)
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.,])(?<![A-Za-z]-)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![0-9])")
_UNIT = re.compile(
    r"\s*(万亿|萬億|千亿|千億|百亿|百億|十亿|十億|亿|億|千万|千萬|百万|百萬|十万|十萬|万|萬"
    r"|千(?![瓦克米卡字])|百(?![分])"
    r"|(?:trillion|billion|million|thousand|tn|bn|mn)(?![A-Za-z]))"
    r"|(T|B|M|K|k)(?![A-Za-z])"
)
_PERCENT = re.compile(r"\s*(?:%|per\s*cent\b|percent\b)")
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th|x)(?![A-Za-z])")
_RANGE = re.compile(r"\s*(?:[-–—~至到]|to)\s*")
_DIGIT_RUN = re.compile(r"\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_CN_NUMERAL = re.compile(r"[零〇一二两兩三四五六七八九十百千万萬亿億]+")
_EN_WORDS = {
    w: i for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])
}
_EN_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                  "ninety": 90, "hundred": 100, "dozen": 12, "twice": 2, "double": 2, "half": 2,
                  "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                  "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "twentieth": 20})
_EN_WORD = re.compile(r"[A-Za-z]+")


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _prepare(text: str) -> str:
    text = text.translate(_FULLWIDTH)
    text = _mask(text, (m.span() for m in _NOT_PROSE.finditer(text)))
    return _mask(text, (m.span() for m in _ENUMERATOR.finditer(text)))


def _valid_date(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def extract_figures(text: str) -> list[Figure]:
    """Every figure of a text (either language), in order of appearance.

    Numbers carry their units (万, 亿, billion, bn, M, %, per cent); dates and months are read
    from 2月23日, 1月, 23 February, February 23 and ISO dates, and their digits are not numbers.
    Identifiers (DeepSeek-R1, H800, 5G, Qwen2.5), tickers (600941.SH), URLs, citation markers and
    list enumerators (1. 2) ①) are not figures. A range (6-12亿, 6 to 12 billion) applies its unit
    to both ends. Signs are dropped: wording (下降 / a fall of) carries them.
    """
    work = _prepare(text)
    found: list[Figure] = []

    def take(match: re.Match[str], kind: FigureKind, value: Any) -> None:
        found.append(Figure(kind, value, text[match.start():match.end()], match.start(), match.end()))

    # Each pattern reads the text with the matches of the ones before it masked; the spans of
    # one pattern are masked together after it (once per match was quadratic in dates).
    spans: list[tuple[int, int]] = []
    for m in _ISO_DATE.finditer(work):
        year, month, day = (int(g) for g in m.groups())
        if _valid_date(month, day):
            found.append(Figure("number", Decimal(year), m.group(1), m.start(1), m.end(1)))
            found.append(Figure("date", (month, day), text[m.start():m.end()], m.start(), m.end()))
            spans.append(m.span())
    work = _mask(work, spans)
    for pattern, order in ((_ZH_DATE, "md"), (_EN_DAY_MONTH, "dm"), (_EN_MONTH_DAY, "md")):
        spans = []
        for m in pattern.finditer(work):
            first, second = m.group(1), m.group(2)
            month_text, day_text = (first, second) if order == "md" else (second, first)
            month = int(month_text) if month_text.isdigit() else _MONTH_NUMBER[month_text.lower()]
            day = int(day_text)
            if _valid_date(month, day):
                take(m, "date", (month, day))
                spans.append(m.span())
        work = _mask(work, spans)
    spans = []
    for m in _ZH_MONTH.finditer(work):
        month = int(m.group(1))
        if 1 <= month <= 12:
            take(m, "month", month)
            spans.append(m.span())
    work = _mask(work, spans)
    spans = []
    for m in _EN_MONTH.finditer(work):
        group = "month" if m.group("month") else "may"
        start, end = m.span(group)
        found.append(Figure("month", _MONTH_NUMBER[m.group(group).lower()], text[start:end], start, end))
        spans.append((start, end))
    work = _mask(work, spans)

    numbers: list[tuple[Figure, Decimal | None, bool]] = []   # (figure, its multiplier, is a percentage)
    for m in _NUMBER.finditer(work):
        end = m.end()
        value = Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
        unit = _UNIT.match(work, end)
        multiplier = None
        if unit:
            multiplier = _MULTIPLIERS[(unit.group(1) or unit.group(2)).strip()]
            value *= multiplier
            end = unit.end()
        percent = _PERCENT.match(work, end)
        if percent:
            end = percent.end()
        elif multiplier is None:
            suffix = _ORDINAL_SUFFIX.match(work, end)
            if suffix:
                end = suffix.end()
            elif end < len(work) and work[end].isascii() and work[end].isalpha():
                continue   # an identifier such as 5G or 50ETF
        figure = Figure("number", value, text[m.start():end], m.start(), end)
        numbers.append((figure, multiplier, percent is not None))

    # A range shares its unit: 6-12亿 is 6亿 to 12亿; 6 to 12 billion is 6 billion to 12 billion.
    for i in range(len(numbers) - 1):
        low, low_multiplier, low_percent = numbers[i]
        high, high_multiplier, _ = numbers[i + 1]
        if (low_multiplier is None and not low_percent and high_multiplier is not None
                and _RANGE.fullmatch(work[low.end:high.start])):
            scaled = Figure("number", low.value * high_multiplier, low.text, low.start, low.end)
            numbers[i] = (scaled, high_multiplier, False)
    found.extend(figure for figure, _, _ in numbers)
    return sorted(found, key=lambda f: (f.start, f.kind))


def _cn_numeral(text: str) -> Decimal | None:
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
    small = {"十": 10, "百": 100, "千": 1000}
    large = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
    total = section = number = 0
    for ch in text:
        if ch in digits:
            number = digits[ch]
        elif ch in small:
            section += (number or 1) * small[ch]
            number = 0
        else:
            section += number
            total = (total + section) * large[ch]
            section = number = 0
    value = total + section + number
    return Decimal(value) if value else None


def figure_pool(text: str) -> FigurePool:
    """The lenient set of values in a text, against which the other language's figures are sought."""
    figures = extract_figures(text)
    numbers = {f.value for f in figures if f.kind == "number"}
    normalised = text.translate(_FULLWIDTH)
    # Digits that are not part of a figure (identifiers, tickers): 13亿 does not also offer 13.
    for m in _DIGIT_RUN.finditer(_mask(normalised, ((f.start, f.end) for f in figures))):
        try:
            numbers.add(Decimal(m.group(0).replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the pattern only matches digits
            continue
    for m in _CN_NUMERAL.finditer(normalised):
        value = _cn_numeral(m.group(0))
        if value is not None:
            numbers.add(value)
    for m in _EN_WORD.finditer(normalised):
        word = m.group(0).lower()
        if word in _EN_WORDS:
            numbers.add(Decimal(_EN_WORDS[word]))
    dates = {f.value for f in figures if f.kind == "date"}
    months = {f.value for f in figures if f.kind == "month"} | {month for month, _ in dates}
    return FigurePool(frozenset(numbers), frozenset(dates), frozenset(months))


def missing_figures(source: str, target: str) -> list[Figure]:
    """Figures of ``source`` (first occurrence of each) that ``target`` does not contain."""
    pool = figure_pool(target)
    seen: set[tuple[str, Any]] = set()
    missing: list[Figure] = []
    for figure in extract_figures(source):
        if figure.key in seen:
            continue
        seen.add(figure.key)
        if not pool.has(figure):
            missing.append(figure)
    return missing


def describe_number(value: Decimal) -> str:
    """A readable form of a normalised number: 1300000000 → '1.3 billion', 1814 → '1,814'."""
    for size, word in ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"),
                       (Decimal(10) ** 6, "million")):
        if value >= size:
            return f"{_plain(value / size)} {word}"
    return _plain(value)


def _short(text: str, limit: int = 40) -> str:
    """A figure as quoted in a message: whole, unless it is a run of digits no one would read."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _plain(value: Decimal) -> str:
    if abs(value.adjusted()) > 30:  # a run of digits no text means as a figure: say it briefly
        return format(value, ".6e")
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


# ============================================================================ aligning the two texts


def _line_starts(text: str) -> list[int]:
    starts, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            starts.append(offset)
        offset += len(line) + 1
    return starts


def _block_starts(text: str) -> list[int]:
    starts, offset, previous_blank = [], 0, True
    for line in text.split("\n"):
        blank = not line.strip()
        if previous_blank and not blank:
            starts.append(offset)
        previous_blank = blank
        offset += len(line) + 1
    return starts


def aligned(source: str, pos: int, target: str) -> int:
    """The position in ``target`` matching ``source[pos]``: same line, else same paragraph, else 0."""
    for split in (_line_starts, _block_starts):
        ours, theirs = split(source), split(target)
        if len(ours) == len(theirs) and len(ours) > 1:
            index = max((i for i, start in enumerate(ours) if start <= pos), default=0)
            return theirs[index]
    return 0


# ============================================================================ glossary


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _check_forms(forms: list[str]) -> list[str]:
    if any(not form.strip() for form in forms):
        raise PydanticCustomError("briefs_glossary_blank", "a glossary term's 'en' form is blank", {})
    return forms


class GlossaryTerm(BaseModel):
    """One term: its zh-CN form and the English forms that render it (any one will do)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    zh: str = Field(alias="zh-CN", min_length=1)
    en: Annotated[list[str], BeforeValidator(_as_list), AfterValidator(_check_forms)] = Field(min_length=1)
    note: str | None = None


class Glossary(BaseModel):
    """content/_shared/glossary.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: list[GlossaryTerm] = Field(min_length=1)


def load_glossary(config: ProjectConfig, diags: Diagnostics) -> Glossary | None:
    """The project's glossary, if it has one; problems go to ``diags`` as located errors."""
    path = config.shared / GLOSSARY_FILE
    if not path.is_file():
        return None
    try:
        doc = load_yaml(path)
    except BriefsError as exc:
        diags.extend(exc.diagnostics)
        return None
    glossary = validate(doc, Glossary, config.languages, diags)
    if glossary is None:
        return None
    first: dict[str, int] = {}
    for i, term in enumerate(glossary.terms):
        where = doc.location(("terms", i, "zh-CN"))
        if term.zh.strip() in first:
            diags.error(where, f"duplicate glossary term '{term.zh}' (first defined on line {first[term.zh.strip()]})")
        first.setdefault(term.zh.strip(), where.line)
    return glossary


def glossary_uses(glossary: Glossary, text: str) -> list[tuple[GlossaryTerm, int]]:
    """Terms a zh-CN text uses, each with its first position; the longest term wins, so 推理算力
    is one use of 推理算力 and not also of 算力 (算力 elsewhere in the text still counts)."""
    work = text
    uses: list[tuple[GlossaryTerm, int]] = []
    for term in sorted(glossary.terms, key=lambda t: -len(t.zh)):
        first = work.find(term.zh)
        if first < 0:
            continue
        uses.append((term, first))
        work = work.replace(term.zh, "\0" * len(term.zh))
    return sorted(uses, key=lambda use: use[1])


def _normalise_en(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[-‐‑–—_*]", " ", text)
    return re.sub(r"\s+", " ", text)


def _has_form(en: str, form: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(_normalise_en(form).strip()), en) is not None


# ============================================================================ translation drift


def text_hash(text: str) -> str:
    """Short sha256 of a source text; line endings and trailing blanks do not count."""
    lines = text.replace("\r\n", "\n").split("\n")
    canonical = "\n".join(line.rstrip() for line in lines).strip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:HASH_LENGTH]


_HASH_RE = re.compile(rf"^[0-9a-f]{{{HASH_LENGTH}}}$")


def _check_hash(value: str) -> str:
    if not _HASH_RE.match(value):
        raise PydanticCustomError(
            "briefs_lock_hash", "malformed hash '{value}': expected {n} lower-case hex digits "
            "(rewrite the file with `briefs translations --reviewed`)", {"value": value, "n": HASH_LENGTH})
    return value


def _check_lock_languages(value: dict[str, str]) -> dict[str, str]:
    for lang in value:
        if lang not in KNOWN_LANGUAGES or lang == SOURCE:
            raise PydanticCustomError(
                "briefs_lock_language", "'{lang}' is not a translation language", {"lang": lang})
    return value


LockHashes = Annotated[dict[str, Annotated[str, AfterValidator(_check_hash)]],
                       AfterValidator(_check_lock_languages)]


class LockFile(RootModel[dict[str, dict[str, LockHashes]]]):
    """translations.lock: YAML file name → text key → language → hash of the reviewed zh-CN source."""

    model_config = ConfigDict(frozen=True)


@dataclass
class Lock:
    """The lock of one content folder (``None`` groups: there is no lock file yet)."""

    path: Path
    groups: dict[str, dict[str, dict[str, str]]] | None


def read_lock(folder: Path, languages: Sequence[str], diags: Diagnostics) -> Lock:
    """Read ``folder/translations.lock``; a malformed one is a located error (and reads as empty)."""
    path = folder / LOCK_NAME
    if not path.is_file():
        return Lock(path, None)
    try:
        doc = load_yaml(path)
    except BriefsError as exc:
        diags.extend(exc.diagnostics)
        return Lock(path, {})
    lock = validate(doc, LockFile, languages, diags)
    if lock is None:
        return Lock(path, {})
    return Lock(path, {f: {k: dict(h) for k, h in g.items()} for f, g in lock.root.items()})


_PLAIN_KEY = re.compile(r"^[a-z][a-z0-9_./-]*$")


def format_lock(groups: dict[str, dict[str, dict[str, str]]]) -> str:
    """The lock file's text: sorted, one line per text, so diffs show exactly what was reviewed."""
    out = [
        "# Translation review record, written by `briefs translations --reviewed`; do not edit by hand.",
        "# For each text: the short sha256 of the zh-CN source each translation was last reviewed",
        "# against. `briefs check` flags a translation whose zh-CN source has changed since.",
    ]
    for name in sorted(groups):
        if not groups[name]:
            continue
        out.append(f"{_lock_key(name)}:")
        for key in sorted(groups[name], key=_natural):
            hashes = ", ".join(f'{lang}: "{h}"' for lang, h in sorted(groups[name][key].items()))
            out.append(f"  {_lock_key(key)}: {{{hashes}}}")
    return "\n".join(out) + "\n"


def _natural(key: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key_points/2 before key_points/10."""
    return tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part)
                 for part in key.split("/"))


def _lock_key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) and key not in ("true", "false", "null") else _quoted(key)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _review_target(doc_path: Path, loaded: LoadedBrief | None) -> str:
    return display_path(loaded.folder if loaded is not None else doc_path)


# ============================================================================ the checks


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_MARKED_SPAN = re.compile(r"\[([^\[\]\n]*)\]\{([^{}\n]*)\}")
_SPAN_LANG = re.compile(r"(?:^|\s)lang=(\"?)([A-Za-z-]+)\1(?=\s|$)")


def unmarked_han(text: str, lang: str, markdown: bool) -> list[tuple[int, str]]:
    """Runs of Han characters in a ``lang`` text outside ``[…]{lang=zh-…}`` spans (Markdown only)."""
    work = text
    if markdown:
        spans = []
        for m in _MARKED_SPAN.finditer(text):
            tag = _SPAN_LANG.search(m.group(2))
            if tag and tag.group(2) in KNOWN_LANGUAGES and tag.group(2) != lang:
                spans.append(m.span(1))
        work = _mask(text, spans)
    return [(m.start(), m.group(0)) for m in _HAN.finditer(work)]


@dataclass
class _Run:
    config: ProjectConfig
    targets: tuple[str, ...]
    glossary: Glossary | None
    diags: Diagnostics = field(default_factory=Diagnostics)
    locks: dict[Path, Lock] = field(default_factory=dict)

    def lock(self, folder: Path) -> Lock:
        if folder not in self.locks:
            self.locks[folder] = read_lock(folder, self.config.languages, self.diags)
        return self.locks[folder]


def check_fidelity(config: ProjectConfig, paths: Sequence[Path] = (),
                   langs: Sequence[str] | None = None, project: Project | None = None) -> list[Diagnostic]:
    """All fidelity findings for the selected briefs and the shared files, sorted by place.

    The content must load (call after the ordinary checks; pass its ``project`` if it is loaded).
    Malformed glossary or lock files and Han in English are errors; everything else is a warning.
    """
    if SOURCE not in config.languages:
        return []
    project = project or load_project(config, paths)
    targets = tuple(lang for lang in (langs or config.languages) if lang != SOURCE and lang in config.languages)
    run = _Run(config, targets, None)
    run.glossary = load_glossary(config, run.diags)
    for unit in checked_units(config, project.library.docs.values(), project.briefs):
        with Budget().spent_on(unit.doc.path, "checking the translations of this file"):
            _check_unit(run, unit, drift_only=False)
    return sorted(set(run.diags.items), key=by_place)


def _check_unit(run: _Run, unit: Unit, drift_only: bool) -> None:
    found = unit.entries()
    lock = run.lock(unit.doc.path.parent)
    hint = REVIEW_HINT.format(path=_review_target(unit.doc.path, unit.loaded))
    if lock.groups is None:
        count = sum(1 for e in found for lang in run.targets if lang in e.texts)
        if count:
            run.diags.warning(SourceLocation(unit.doc.path, 1, 1),
                              f"no {LOCK_NAME} beside this file: its {count} translation(s) are not "
                              f"yet marked as reviewed ({hint})")
    group = (lock.groups or {}).get(unit.doc.path.name, {})
    for entry in found:
        source = entry.texts[SOURCE]
        current = text_hash(source)
        for lang in run.targets:
            if lang not in entry.texts:
                continue
            site = entry.sites[lang]
            if lock.groups is not None:
                recorded = group.get(entry.key, {}).get(lang)
                if recorded is None:
                    run.diags.warning(site.at(0), f"{lang} text not yet marked as reviewed against its "
                                      f"zh-CN source ({hint})")
                elif recorded != current:
                    run.diags.warning(site.at(0), f"{lang} text may be stale: its zh-CN source changed "
                                      f"since review ({hint})")
            if not drift_only:
                _check_text(run, entry, lang)


def _check_text(run: _Run, entry: Entry, lang: str) -> None:
    source, target, site = entry.texts[SOURCE], entry.texts[lang], entry.sites[lang]
    for figure in missing_figures(source, target):
        shown = figure.describe()
        extra = "" if shown in figure.text else f" ({shown})"
        run.diags.warning(site.at(aligned(source, figure.start, target)),
                          f"figure '{_short(figure.text)}'{extra} of the zh-CN text is missing from the {lang} text")
    for figure in missing_figures(target, source):
        run.diags.warning(site.at(figure.start),
                          f"figure '{_short(figure.text)}' of the {lang} text is not in the zh-CN text")
    if lang != "en":
        return
    if run.glossary is not None:
        english = _normalise_en(target)
        for term, at in glossary_uses(run.glossary, source):
            if not any(_has_form(english, form) for form in term.en):
                forms = " or ".join(f"'{form}'" for form in term.en)
                run.diags.warning(site.at(aligned(source, at, target)),
                                  f"glossary: the zh-CN text uses '{term.zh}' but the en text has no {forms}")
    for pos, run_text in unmarked_han(target, lang, entry.markdown):
        if entry.markdown:
            advice = f"mark an original-language name as [{run_text}]{{lang=zh-CN}}"
        else:
            advice = "plain-text fields allow none"
        run.diags.error(site.at(pos), f"Han characters '{run_text}' in the en text ({advice})")


# ============================================================================ briefs translations


@dataclass(frozen=True)
class Selection:
    """The YAML files a ``briefs translations`` run is about."""

    briefs: tuple[Path, ...]
    shared: tuple[str, ...]


def select(config: ProjectConfig, paths: Sequence[Path]) -> Selection:
    """Briefs and shared files named by ``paths``: brief folders or files, folders of briefs,
    ``content/_shared`` or one of its YAML files; nothing given means everything."""
    if not paths:
        return Selection(tuple(discover(config)), tuple(SHARED_FILES))
    briefs: list[Path] = []
    shared: list[str] = []
    shared_dir = config.shared.resolve()
    by_file = {filename: name for name, (filename, _) in SHARED_FILES.items()}
    for given in paths:
        path = given.resolve()
        if path == shared_dir:
            shared.extend(SHARED_FILES)
        elif path.parent == shared_dir and path.suffix in (".yaml", ".yml"):
            if path.name not in by_file:
                raise BriefsError.at(given, 0, 0, f"no translations to review in {path.name} (shared files "
                                     f"with texts: {', '.join(sorted(by_file))})")
            shared.append(by_file[path.name])
        else:
            if path == config.content.resolve():
                shared.extend(SHARED_FILES)
            briefs.extend(discover(config, [given]))
    return Selection(tuple(dict.fromkeys(briefs)), tuple(dict.fromkeys(shared)))


def _units(config: ProjectConfig, selection: Selection) -> list[Unit]:
    library = load_library(config)   # the shared files must be valid before anything is recorded
    briefs = load_project(config, selection.briefs).briefs if selection.briefs else ()
    return checked_units(config, (library.docs[name] for name in selection.shared), briefs)


def review_status(config: ProjectConfig, paths: Sequence[Path] = ()) -> list[Diagnostic]:
    """Translations not yet reviewed, or stale since review, in the selected files."""
    run = _Run(config, tuple(lang for lang in config.languages if lang != SOURCE), None)
    for unit in _units(config, select(config, paths)):
        _check_unit(run, unit, drift_only=True)
    return sorted(set(run.diags.items), key=by_place)


@dataclass(frozen=True)
class Reviewed:
    """One lock file written (or found up to date) by :func:`mark_reviewed`."""

    path: Path
    texts: int
    changed: bool


def mark_reviewed(config: ProjectConfig, paths: Sequence[Path] = ()) -> list[Reviewed]:
    """Record the current zh-CN source of every translation in the selected files as reviewed."""
    units = _units(config, select(config, paths))
    diags = Diagnostics()
    folders: dict[Path, Lock] = {}
    counts: dict[Path, int] = {}
    for unit in units:
        folder = unit.doc.path.parent
        if folder not in folders:
            folders[folder] = read_lock(folder, config.languages, diags)
        group: dict[str, dict[str, str]] = {}
        for entry in unit.entries():
            hashes = {lang: text_hash(entry.texts[SOURCE]) for lang in entry.texts if lang != SOURCE}
            if hashes:
                group[entry.key] = hashes
        lock = folders[folder]
        lock.groups = {**(lock.groups or {}), unit.doc.path.name: group}
        counts[folder] = counts.get(folder, 0) + len(group)
    diags.raise_if_errors()
    written: list[Reviewed] = []
    for folder, lock in folders.items():
        text = format_lock(lock.groups or {})
        try:
            old: str | None = read_bytes(lock.path, MAX_BYTES).decode("utf-8", "replace")
        except Unsafe:  # none yet (or not a file we would read): it is written anew
            old = None
        if old != text:
            write_atomic(lock.path, text.encode("utf-8"))
        written.append(Reviewed(lock.path, counts[folder], old != text))
    return written
