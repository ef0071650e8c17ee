"""Stage 2 (localize, compliance part): rating definitions generated from the scale data, and the
mandatory texts a brief of each kind must carry.

Sentence patterns are gettext messages (English msgids, translated in the catalogs); the numbers
come from ``ratings.yaml`` and are formatted by Babel, so changing a threshold there changes every
brief in every language.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass

from briefs.localize.i18n import Edition, format_percentage
from briefs.model import library_records as lib


@dataclass(frozen=True)
class RatingDefinition:
    """One rating value and the sentence that defines it."""

    value_id: str
    label: str
    sentence: str


@dataclass(frozen=True)
class ScaleDefinitions:
    """A scale's name and the definition of each of its values."""

    scale_id: str
    name: str
    horizon: str
    definitions: tuple[RatingDefinition, ...]


def horizon_text(months: tuple[int, int], tr: gettext.NullTranslations) -> str:
    """ "6 months" / "6–12 months" in the translation's language."""
    low, high = months
    span = str(low) if low == high else f"{low}–{high}"
    return tr.gettext("%(months)s months") % {"months": span}


def define(value: lib.RatingValue, scale: lib.RatingScale, t: Edition, tr: gettext.NullTranslations) -> str:
    """The definition sentence of one rating value, built from its band."""
    if value.definition is not None:
        return t.text(value.definition)
    horizon = horizon_text(scale.horizon_months, tr)

    def pct(x: float) -> str:
        return format_percentage(x, t.lang)

    lo, hi = value.min, value.max
    if hi is None:
        assert lo is not None
        if lo >= 0:
            pattern = tr.gettext(
                "expected to outperform the benchmark index by more than %(a)s over the next %(horizon)s"
            )
            return pattern % {"a": pct(lo), "horizon": horizon}
        pattern = tr.gettext(
            "expected to return more than %(a)s relative to the benchmark index over the next %(horizon)s"
        )
        return pattern % {"a": pct(lo), "horizon": horizon}
    if lo is None:
        if hi <= 0:
            pattern = tr.gettext(
                "expected to underperform the benchmark index by more than %(a)s over the next %(horizon)s"
            )
            return pattern % {"a": pct(-hi), "horizon": horizon}
        pattern = tr.gettext(
            "expected to return less than %(a)s relative to the benchmark index over the next %(horizon)s"
        )
        return pattern % {"a": pct(hi), "horizon": horizon}
    if lo >= 0:
        pattern = tr.gettext("expected to outperform the benchmark index by %(a)s to %(b)s over the next %(horizon)s")
        return pattern % {"a": pct(lo), "b": pct(hi), "horizon": horizon}
    if hi <= 0:
        pattern = tr.gettext("expected to underperform the benchmark index by %(a)s to %(b)s over the next %(horizon)s")
        return pattern % {"a": pct(-hi), "b": pct(-lo), "horizon": horizon}
    pattern = tr.gettext(
        "expected to return between %(a)s and %(b)s relative to the benchmark index over the next %(horizon)s"
    )
    return pattern % {"a": pct(lo), "b": pct(hi), "horizon": horizon}


def scale_definitions(ratings: lib.Ratings, t: Edition, tr: gettext.NullTranslations) -> tuple[ScaleDefinitions, ...]:
    """Definitions of every value of every scale, in the order of ratings.yaml."""
    return tuple(
        ScaleDefinitions(
            scale_id=scale.id,
            name=t.text(scale.name),
            horizon=horizon_text(scale.horizon_months, tr),
            definitions=tuple(RatingDefinition(v.id, t.text(v.label), define(v, scale, t, tr)) for v in scale.values),
        )
        for scale in ratings.scales
    )


def basis_sentence(ratings: lib.Ratings, tr: gettext.NullTranslations) -> str:
    """How ratings are measured: relative return over the basis period against each market's index.

    The period is ``basis_months`` only when every scale measures over exactly that; scales with
    other or differing horizons (an industry scale over 6 months, a company scale over 6–12)
    would contradict one stated period, so the sentence then refers the reader to each scale's
    own horizon, which its definitions state."""
    horizons = {scale.horizon_months for scale in ratings.scales}
    if horizons <= {(ratings.basis_months, ratings.basis_months)}:
        return tr.gettext(
            "Ratings are based on the return of a security (or of an industry index) over the "
            "%(months)s months after the date of the report, relative to the representative index "
            "of its market over the same period. The benchmark indices are:"
        ) % {"months": ratings.basis_months}
    return tr.gettext(
        "Ratings are based on the return of a security (or of an industry index) from the date of "
        "the report over the horizon its rating scale below states, relative to the representative "
        "index of its market over the same period. The benchmark indices are:"
    )


def rating_action(scale: lib.RatingScale, value: str, previous: str | None) -> str | None:
    """What a company note does to its rating: ``initiated`` (no previous rating, or the previous
    one had no band, e.g. not rated), ``upgraded`` / ``downgraded`` (the scale lists values from
    best to worst), ``maintained``; None when the new value has no band (not rated)."""
    banded = [v.id for v in scale.values if v.min is not None or v.max is not None]
    if value not in banded:
        return None
    if previous is None or previous not in banded:
        return "initiated"
    if previous == value:
        return "maintained"
    return "upgraded" if banded.index(value) < banded.index(previous) else "downgraded"


def upside_band(value: lib.RatingValue, upside: float) -> bool:
    """Whether an implied upside (in percent) lies in a rating value's band (ends included, so a
    figure on a shared bound fits both values); a value without a band takes any upside."""
    return (value.min is None or upside >= value.min) and (value.max is None or upside <= value.max)
