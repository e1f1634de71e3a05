"""Small checks rules keep needing, public so that plugin rules use them too.

Each takes a value as a rule finds it in an `Activity` (any type, since a document
that fails the schema still reaches the rules) and never raises.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

__all__ = ["as_date", "as_number", "is_blank", "item_id", "join_and", "years_after"]


def is_blank(value: Any) -> bool:
    """Missing, null, or text with nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


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
