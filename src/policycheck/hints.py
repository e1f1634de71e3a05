"""How messages name things: close matches ("did you mean"), places in a document, kinds of value.

Public, so that plugin rules word their hints as the built-in ones do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["TYPE_NAMES", "close_matches", "did_you_mean", "rule_id_hint", "setting", "type_name", "where"]


def close_matches(word: str, candidates: Iterable[str], n: int = 1, fold_case: bool = False) -> list[str]:
    """The `n` candidates most like `word` (difflib's ratio of 0.6 or more), best first.

    With `fold_case`, 'thr-1' finds 'THR-1': words are compared case-folded.
    """
    import difflib  # 1.7 ms, and only a message that names a mistake needs it

    candidates = list(candidates)
    if not fold_case:
        return difflib.get_close_matches(word, candidates, n=n, cutoff=0.6)
    folded = {candidate.casefold(): candidate for candidate in candidates}
    return [folded[match] for match in difflib.get_close_matches(word.casefold(), list(folded), n=n, cutoff=0.6)]


# Cyrillic and Greek letters drawn like Latin ones: text pasted from a Cyrillic or Greek
# document turns 'ALB' into 'АLB', which no reader can tell apart
_LOOKALIKES = dict(
    zip(
        "АВЕКМНОРСТХУІЈЅаеорсухіјѕΑΒΕΖΗΙΚΜΝΟΡΤΥΧον",
        "ABEKMHOPCTXYIJSaeopcyxijsABEZHIKMNOPTYXov",
    )
)


def lookalikes(word: str) -> tuple[str, str] | None:
    """For a word with Cyrillic or Greek look-alikes of Latin letters: what to say, and the word in Latin letters.

    `'АLB' contains the Cyrillic letter 'А' (U+0410) where the Latin 'A' was probably meant`, and 'ALB'.
    """
    found = [character for character in dict.fromkeys(word) if character in _LOOKALIKES]
    if not found:
        return None
    import unicodedata  # 0.6 ms, and only this message needs it

    first = found[0]
    script = unicodedata.name(first, "non-Latin").split()[0].title()
    more = f" (and {len(found) - 1} more such letters)" if len(found) > 1 else ""
    note = (
        f"'{word}' contains the {script} letter '{first}' (U+{ord(first):04X}) where the Latin "
        f"'{_LOOKALIKES[first]}' was probably meant{more}"
    )
    return note, "".join(_LOOKALIKES.get(character, character) for character in word)


def did_you_mean(word: Any, candidates: Iterable[str]) -> str | None:
    """`did you mean 'X'?` for the closest candidate (or one that differs only in case), else None.

    A word spelled with a Cyrillic or Greek look-alike letter says so first (`lookalikes`).
    """
    if not isinstance(word, str):
        return None
    candidates = list(candidates)
    latin = lookalikes(word)
    if latin is not None:
        note, word = latin
        if word in candidates:
            return f"{note}: did you mean '{word}'?"
        suggestion = did_you_mean(word, candidates)
        return f"{note}; {suggestion}" if suggestion else note
    close = close_matches(word, candidates)
    if not close:
        folded = {candidate.lower(): candidate for candidate in candidates}
        close = [folded[word.lower()]] if word.lower() in folded else []
    return f"did you mean '{close[0]}'?" if close else None


def rule_id_hint(word: str, known: Iterable[str]) -> str:
    """For a rule id or prefix that matches nothing: the closest id or family prefix ("RLE" -> "REL")."""
    known = list(known)
    prefixes = sorted({rule_id.rstrip("0123456789") for rule_id in known})
    close = close_matches(word, [*known, *prefixes])
    return f"; did you mean '{close[0]}'?" if close else "; see `policycheck rules` for every rule id"


def where(path: Iterable[Any], whole: str = "the document") -> str:
    """A place as a reader writes it: `objectives[0].indicators`, or `whole` for the root."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or whole


def setting(path: tuple) -> str:
    """A configuration setting as written: `rules.REL002.level`, `select[0]`, `per_file_ignores['legacy/*']`."""
    text = str(path[0])
    for part in path[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if re.fullmatch(r"[\w-]+", part) else f"[{part!r}]"
    return text


# JSON Schema's type names in a reader's words
TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
}


def type_name(value: Any) -> str:
    """What kind of value a document holds, in a reader's words: `text`, `a list`, `nothing (null)`."""
    if value is None:
        return "nothing (null)"
    for python, name in (
        (bool, "true/false"),
        (int, "a number"),
        (float, "a number"),
        (str, "text"),
        (tuple, "a list"),
        (list, "a list"),
        (dict, "a mapping"),
    ):
        if isinstance(value, python):
            return name
    return type(value).__name__
