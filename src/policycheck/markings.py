"""CAPCO marking logic: the banner line and the order of a REL TO list, in valid form only.

The rules (REL001, REL005) report what is wrong with a document's marking; this
module says what the valid marking is, for the reports that print a banner and
for anyone else who needs the order (the HTML report imports `rel_to_order`).
Source: the ODNI CAPCO Register and Manual, whose dissemination-control list
gives the order ORCON, NOFORN, PROPIN, REL TO.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

USA = "USA"
CLASSIFICATIONS = ("UNCLASSIFIED", "CUI", "CONFIDENTIAL", "SECRET", "TOP SECRET")
NOFORN, REL_TO = "NOFORN", "REL TO"
# the CAPCO Register's order for the controls the activity format allows
DISSEMINATION_ORDER = ("ORCON", NOFORN, "PROPIN", REL_TO)
# a country trigraph or a tetragraph, as the activity schema's releaseCode allows
_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _is_code(text: str) -> bool:
    """^[A-Z]{3,4}$ as re.match judged it (its $ took a final line break too), without compiling a regex
    each start (0.4 M instructions)."""
    core = text[:-1] if text[-1:] == "\n" else text
    return 3 <= len(core) <= 4 and not core.strip(_CAPITALS)


def is_tetragraph(code: str, tetragraphs: Collection[str] = ()) -> bool:
    """A coalition code (FVEY, NATO, ...): a known tetragraph, or any code longer than a trigraph."""
    return code in tetragraphs or len(code) > 3


def rel_to_order(codes: Iterable[str], tetragraphs: Collection[str] = ()) -> list[str]:
    """`codes` in CAPCO marking order: USA first, then trigraphs, then tetragraphs, each alphabetically.

    USA is put first whether or not `codes` names it: a REL TO list always begins
    with USA. Repeated codes appear once.
    """
    others = {code for code in codes if code != USA}
    return [USA, *sorted(others, key=lambda code: (is_tetragraph(code, tetragraphs), code))]


def rel_to_problem(codes: list[str], tetragraphs: Collection[str] = ()) -> str | None:
    """Why a REL TO list is not in valid order (USA missing, not first, or codes out of order), or None."""
    if USA not in codes:
        return "USA is missing; a REL TO list always begins with USA"
    expected = rel_to_order(codes, tetragraphs)
    for code, want in zip(codes, expected):
        if code == want:
            continue
        if want == USA:
            return "USA comes first"
        if is_tetragraph(code, tetragraphs) and not is_tetragraph(want, tetragraphs):
            return f"trigraph {want} comes before tetragraph {code}"
        kind = "tetragraphs" if is_tetragraph(want, tetragraphs) else "trigraphs"
        return f"{kind} go in alphabetical order: {want} before {code}"
    return None


def banner(data: Any, reference: Any = None) -> str | None:
    """The classification banner in valid CAPCO form (`CUI//REL TO USA, ALB`, `SECRET//NOFORN`), or None.

    The controls are put in register order and the REL TO list in marking order
    (with USA first). NOFORN together with REL TO gives the NOFORN banner, the
    more restrictive marking, which is what a banner carries when they conflict.
    There is no banner when it cannot be written validly: no known classification,
    an unknown control, or REL TO without a list of well-formed codes (or, given
    `reference`, codes it does not know).
    """
    releasability = data.get("releasability") if isinstance(data, Mapping) else None
    if not isinstance(releasability, Mapping) or releasability.get("classification") not in CLASSIFICATIONS:
        return None
    dissemination = releasability.get("dissemination")
    controls = list(dissemination) if isinstance(dissemination, (list, tuple)) else []
    if any(control not in DISSEMINATION_ORDER for control in controls):
        return None
    if NOFORN in controls:
        controls = [control for control in controls if control != REL_TO]
    parts = []
    for control in sorted(set(controls), key=DISSEMINATION_ORDER.index):
        if control == REL_TO:
            codes = _release_codes(releasability.get("rel_to"), reference)
            if codes is None:
                return None
            control = "REL TO " + ", ".join(codes)
        parts.append(control)
    return "//".join([releasability["classification"], "/".join(parts)] if parts else [releasability["classification"]])


def _release_codes(value: Any, reference: Any) -> list[str] | None:
    """A REL TO list in marking order, or None when it names nobody or a code that is not one."""
    if not isinstance(value, (list, tuple)) or not value:
        return None
    if not all(isinstance(code, str) and _is_code(code) for code in value):
        return None
    tetragraphs = getattr(reference, "tetragraphs", {})
    countries = getattr(reference, "countries", None)
    if countries is not None and any(code not in countries and code not in tetragraphs for code in value):
        return None
    return rel_to_order(value, tetragraphs)
