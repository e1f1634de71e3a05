"""Small checks rules keep needing, public so that plugin rules use them too.

Each takes a value as a rule finds it in an `Activity` (any type, since a document
that fails the schema still reaches the rules) and never raises.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from datetime import date
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "as_date",
    "as_number",
    "format_version",
    "is_blank",
    "is_placeholder",
    "item_id",
    "join_and",
    "repeated",
    "years_after",
]

# one surrounding pair a writer may put around a placeholder: "(TBD)", "[n/a]", "<unknown>"
_BRACKETS = ("()", "[]", "<>", "{}", '""', "''")


def is_placeholder(value: Any, context: Any = None) -> bool:
    """Text that only stands in for content: `TBD`, `N/A`, `unknown`, `-`, ... (reference data `placeholders`).

    The whole value is compared, ignoring case, spacing, one surrounding pair of
    brackets or quotes and a final full stop, so "TBD" and "(tbd.)" are
    placeholders but "TBD by the Ministry in March" is not. Pass the rule's
    `ctx` (or a `Reference`) so that placeholders added by configuration and
    plugins count too; without it the shipped list (rules/data/placeholders.yaml) is used.
    """
    if not isinstance(value, str):
        return False
    reference = getattr(context, "reference", context)
    known = _known.get(id(reference))
    if known is None or known[0] is not reference:
        known = (reference, _placeholders_of(reference))
        if type(reference) is not dict:  # a Reference is read-only: its list is worked out once, not per call
            if len(_known) >= 8:
                _known.clear()
            _known[id(reference)] = known
    text = _normal(value)
    return text in known[1] or (text.endswith(".") and text[:-1] in known[1])


# id(reference) -> (reference, its normalized placeholders); the reference is kept so that its id stays its own
_known: dict[int, tuple[Any, frozenset[str]]] = {}


def _placeholders_of(reference: Any) -> frozenset[str]:
    entries = reference.get("placeholders", ()) if isinstance(reference, Mapping) else _shipped_placeholders()
    return _normalized(tuple(entry for entry in entries if isinstance(entry, str)))


def is_blank(value: Any, context: Any = None) -> bool:
    """Missing, null, text with nothing but spaces, or a placeholder (see `is_placeholder`, which takes `context`)."""
    return value is None or (isinstance(value, str) and (not value.strip() or is_placeholder(value, context)))


@lru_cache(maxsize=4096)  # rules ask of the same values (a target, a unit, a statement) again and again
def _normal(text: str) -> str:
    text = " ".join(text.casefold().split())
    if len(text) > 2 and text[0] + text[-1] in _BRACKETS:
        text = " ".join(text[1:-1].split())
    return text


@lru_cache(maxsize=8)
def _normalized(entries: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_normal(entry) for entry in entries)


@lru_cache(maxsize=1)
def _shipped_placeholders() -> tuple[str, ...]:
    from .reference import Reference  # lazily: most callers pass the rule's context

    return tuple(Reference().get("placeholders", ()))


def format_version(value: Any) -> int | None:
    """The format version a document's `schema` value names: 2 for "activity/v2", 1 for v1, else None.

    Rules that read an activity/v2 field use it to leave v1 documents, which cannot have the field, alone.
    """
    return {"activity/v1": 1, "activity/v2": 2}.get(value) if isinstance(value, str) else None


def as_date(value: Any) -> date | None:
    """An ISO 8601 date written as text (`"2027-01-15"`), else None."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def as_number(value: Any) -> float | None:
    """The value as a finite number: ints and floats (not booleans) and numeric text such as "12.5"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def years_after(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a year that has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def item_id(item: Mapping[str, Any], index: int, key: str = "id") -> str:
    """How a message names a list item: its `key` (`OBJ-1`), else its position (`#2`)."""
    value = item.get(key)
    return value if isinstance(value, str) else f"#{index + 1}"


def join_and(words: Iterable[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    words = list(words)
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


# `repeated` sorts this many values at a time in memory (~0.25 MB of digests); past it, each sorted run goes to a
# scratch file (16,384 at a time, each of the three portfolio rules that use it peaked ~2.5 MB above the rest)
SORTED_RUN = 4_096
# values a spilled run is written and read back in, per piece: the merge holds one piece of every run
_PIECE = 128


def repeated(values: Iterable[Hashable]) -> set:
    """The values that occur more than once, for a portfolio rule's duplicates at any size.

    Held in a set or a dict, every value of a 100,000-file portfolio (an id, a digest of a
    statement) is megabytes; here they are sorted SORTED_RUN at a time (`ordered.Ordered`), each
    sorted run kept in a scratch file, and the runs merged: memory holds one run, and the repeats.
    Values must be orderable among themselves (all text, all bytes, tuples of them) and pickle.
    """
    from .ordered import Ordered

    ordered = Ordered(run=SORTED_RUN, piece=_PIECE)
    for value in values:
        ordered.append(value)
    found: set = set()
    previous = object()  # equal to no value
    for value in ordered.once():
        if value == previous:
            found.add(value)
        previous = value
    return found
