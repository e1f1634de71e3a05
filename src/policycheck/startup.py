"""The cycle collector is paused while a run is built (issue 8: -20 M instructions, 1.09x).

Modules, rules, schemas and reference data are tens of thousands of objects that
live to the end; collecting among them while they are created was ~5 ms of a
cold start, and walking them again at every later collection slows a large
portfolio. `main` pauses collection; once the engine is built, `gc.freeze`
sets those objects aside and collection resumes for the per-file work.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collection() -> None:
    global _paused
    gc.disable()
    _paused = True


def resume_collection() -> None:
    """Collect cycles again, leaving out what was built so far (a no-op unless paused)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
