"""Numbers in claims and sources: digits, decimals, thousands separators, percentages,
scientific forms ("4×10⁶", "4 x 10^6"), spelled-out numbers and fractions ("nine out of
ten", "a third", "seven in ten"), with their unit, so "61%" and "61.3 percent" can be compared;
and the words that make a claim's figure a range ("about", "more than", "fewer than")."""

from __future__ import annotations

import re
from dataclasses import dataclass

WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
}
FRACTIONS = {
    "half": 50.0,
    "a third": 33.3,
    "one third": 33.3,
    "two thirds": 66.7,
    "two-thirds": 66.7,
    "a quarter": 25.0,
    "one quarter": 25.0,
    "three quarters": 75.0,
    "three-quarters": 75.0,
    "a fifth": 20.0,
    "one in five": 20.0,
    "one in four": 25.0,
    "one in three": 33.3,
    "one in ten": 10.0,
}
SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "k": 1e3, "m": 1e6, "bn": 1e9}
SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
UNIT = (
    r"%|percent|per cent|percentage points?|mg/dl|mmol/l|mmhg|mg|mcg|µg|μg|g|kg|lb|ml|l|"
    r"iu|cm|mm|km|miles?|hours?|hrs?|h|minutes?|mins?|seconds?|s|ms|days?|weeks?|months?|"
    r"years?|cycles?|mah|wh/kg|wh|kwh|kw|w|v|°c|bpm|points?|patients?|participants?|"
    r"people|adults|children|women|men|mice|subjects|users|times|fold|x"
)

_SCI = re.compile(r"(\d+(?:\.\d+)?)\s*[x×*]\s*10\s*(?:\^|\*\*)?\s*([⁰¹²³⁴⁵⁶⁷⁸⁹⁻\-]*\d*)")
_NUM = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|bn|k)\b)?"
    rf"\s*(?P<unit>{UNIT})?(?![\w])",
    re.IGNORECASE,
)
_OUT_OF = re.compile(r"\b(\w+)\s+(?:(?:out\s+)?of|in)\s+(?:every\s+)?(\w+)\b", re.IGNORECASE)
_WORD_NUM = re.compile(r"\b(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")\b", re.I)
_YEAR = re.compile(r"^(?:19|20)\d{2}$")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    text: str


def _to_number(token: str) -> float | None:
    token = token.lower()
    if token in WORDS:
        return float(WORDS[token])
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None


def _unit(raw: str | None) -> str:
    if not raw:
        return ""
    u = raw.lower()
    if u in ("percent", "per cent"):
        return "%"
    if u.startswith("percentage point"):
        return "pp"
    return u.rstrip("s") if len(u) > 3 and u not in ("mmhg",) else u


def quantities(text: str) -> list[Quantity]:
    """Every number in ``text`` with its unit; years and citation digits are left out."""
    found: list[Quantity] = []
    spans: list[tuple[int, int]] = []
    for m in _SCI.finditer(text):
        exponent = m.group(2).translate(SUPERSCRIPT) or "0"
        try:
            found.append(Quantity(float(m.group(1)) * 10 ** int(exponent), "", m.group(0)))
            spans.append(m.span())
        except ValueError:
            continue
    lowered = text.lower()
    for phrase, value in FRACTIONS.items():
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", lowered):
            found.append(Quantity(value, "%", phrase))
            spans.append(m.span())
    for m in _OUT_OF.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        a, b = _to_number(m.group(1)), _to_number(m.group(2))
        if a is not None and b and a <= b and (m.group(1).isalpha() or m.group(2).isalpha()):
            found.append(Quantity(round(100 * a / b, 1), "%", m.group(0)))
            spans.append(m.span())
    for m in _NUM.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        raw = m.group(1)
        value = _to_number(raw)
        if value is None:
            continue
        unit = _unit(m.group("unit"))
        if _YEAR.match(raw) and not unit:
            continue
        if m.group(2):
            value *= SCALE[m.group(2).lower()]
        found.append(Quantity(value, unit, m.group(0).strip()))
    for m in _WORD_NUM.finditer(text):
        if any(a <= m.start() < b for a, b in spans) or m.group(1).lower() in ("one",):
            continue
        found.append(Quantity(float(WORDS[m.group(1).lower()]), "", m.group(0)))
    return found


def same_value(a: float, b: float) -> bool:
    """Equal, or equal after rounding one to the other's precision (61.3 ~ 61, 0.5 ~ 0.48)."""
    if a == b:
        return True
    if abs(a - b) <= 0.015 * max(abs(a), abs(b)):
        return True
    for digits in (0, 1, 2):
        if round(a, digits) == round(b, digits) and (a == round(a, digits) or b == round(b, digits)):
            return True
    return False


def units_compatible(a: str, b: str) -> bool:
    return not a or not b or a == b


def relative_gap(a: float, b: float) -> float:
    """|a - b| as a share of the larger: 0 for equal figures, near 1 for far-apart ones."""
    return abs(a - b) / max(abs(a), abs(b), 1e-9)


_APPROX = r"about|around|roughly|approximately|nearly|almost|close to|some|just under|just over"
_ABOVE = r"more than|over|above|at least|upwards of|in excess of|exceeding"
_BELOW = r"fewer than|less than|under|below|at most|up to|no more than"


def qualifier(text: str, figure: Quantity) -> str:
    """How ``text`` qualifies ``figure``: "approx", "above", "below" or "" (exact)."""
    for name, words in (("approx", _APPROX), ("above", _ABOVE), ("below", _BELOW)):
        if re.search(rf"\b(?:{words})\s+{re.escape(figure.text)}", text, re.I):
            return name
    return ""


def matches(figure: Quantity, how: str, other: Quantity) -> bool:
    """Whether a source figure ``other`` bears out a claim ``figure`` qualified as ``how``: "about
    a third" fits 30-37%, "more than half" 50-75%, "fewer than one in ten" 5-10%. A range needs
    the same unit on both sides; an exact figure may be unitless on one ("61" and "61%")."""
    if same_value(figure.value, other.value) and units_compatible(figure.unit, other.unit):
        return True
    if not how or figure.unit != other.unit:
        return False
    a, b = abs(figure.value), abs(other.value)
    if how == "approx":
        return relative_gap(a, b) <= 0.10
    if how == "above":
        return a <= b <= 1.5 * a
    return 0.5 * a <= b <= a  # below
