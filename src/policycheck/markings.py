"""Classification markings: the banner a proposal carries, as CAPCO writes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .quoting import MAX_MESSAGE, shorten


def banner(data: Any) -> str | None:
    """The classification banner, e.g. `CUI//REL TO USA, ALB` or `SECRET//NOFORN`."""
    releasability = data.get("releasability") if isinstance(data, Mapping) else None
    if not isinstance(releasability, Mapping) or not isinstance(releasability.get("classification"), str):
        return None
    controls = []
    dissemination = releasability.get("dissemination")
    for control in dissemination if isinstance(dissemination, (list, tuple)) else ():
        if control == "REL TO" and isinstance(releasability.get("rel_to"), (list, tuple)):
            control = "REL TO " + ", ".join(str(code) for code in releasability["rel_to"])
        controls.append(str(control))
    text = "//".join(
        [releasability["classification"], "/".join(controls)] if controls else [releasability["classification"]]
    )
    return shorten(text, MAX_MESSAGE)
