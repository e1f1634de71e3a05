"""Fuzz target for the loader: any bytes in, a Loaded document or a LoadError out.

Never another exception (ValueError, KeyError, RecursionError, a raw YAMLError),
and never a hang. Bounded for the test suite; raise FUZZ_EXAMPLES for a long hunt:
    FUZZ_EXAMPLES=100000 python -m pytest tests/reliability/test_fuzz_loader.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policycheck.load import Limits, Loaded, LoadError, decode, parse
from policycheck.testing import starter

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# small limits so that the limit paths are reached by small inputs too
TIGHT = Limits(max_bytes=4096, max_depth=6, max_nodes=60)

# pieces of YAML syntax, so that generated text gets past the first character
TOKENS = [
    "a",
    "b",
    "id",
    "NO",
    "yes",
    "0755",
    "1e3",
    "2027-01-15",
    "0x1F",
    "0o17",
    ".inf",
    ".nan",
    "~",
    "-1",
    ": ",
    ":",
    "- ",
    "-",
    "? ",
    ",",
    "[",
    "]",
    "{",
    "}",
    "&x ",
    "*x",
    "&y ",
    "*y",
    "!!str ",
    "!!int ",
    "!!map ",
    "!!seq ",
    "!!float ",
    "!!python/object:os.system ",
    "!local ",
    "! ",
    "'",
    '"',
    "|",
    ">",
    "#",
    "%YAML 1.2\n",
    "%TAG ! tag:x,1:\n",
    "---\n",
    "...\n",
    "\n",
    "\n  ",
    "\n    ",
    "\t",
    " ",
    "\\",
    "\\x01",
    "\x01",
    "\ufeff",
    "\x85",
    "\u2028",
    "é",
    "漢",
    "😀",
    "<<",
    "=",
    "9" * 5000,
]
yamlish = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


def _load(raw: bytes, limits: Limits = Limits()):
    try:
        result = parse(decode(raw), limits)
    except LoadError as error:
        assert error.message and error.line >= 1 and error.column >= 1
        return error
    assert isinstance(result, Loaded)
    return result


@SETTINGS
@given(st.binary(max_size=2048))
def test_any_bytes(raw):
    _load(raw)


@SETTINGS
@given(yamlish)
def test_yaml_like_text(text):
    _load(text.encode("utf-8"))
    _load(text.encode("utf-8"), TIGHT)


@SETTINGS
@given(st.integers(0, len(starter())), yamlish)
def test_starter_with_text_spliced_in(at, text):
    document = starter()
    _load((document[:at] + text + document[at:]).encode("utf-8"), TIGHT)


@SETTINGS
@given(st.text(max_size=300))
def test_any_unicode_text(text):
    _load(text.encode("utf-8", "surrogatepass"))
