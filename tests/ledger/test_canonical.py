"""`ledger.entries.canonical` writes exactly what the `rfc8785` package writes (RFC 8785).

The fast path (`orjson`) must never give other bytes: a single
difference would change a payload's digest, and so the log's hashes.
"""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ramstein.ledger.entries import canonical, canonical_plain

strings = st.text() | st.sampled_from(
    ["\u2028", "\x7f", "\x00\x1f", "é😀", "\ud800", '"\\/', "\t\n\r\b\f"]
)


def _trees(leaves: st.SearchStrategy[Any], keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """JSON values: lists and objects of `leaves`, with keys drawn from `keys`."""
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=30,
    )


values = _trees(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | strings,
    st.text(max_size=6) | st.sampled_from(["a", "Z", "é", "😀", "\ue000"]),
)
payloads = _trees(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.sampled_from([2**53 - 1, 2**53, -(2**53 - 1), -(2**53)])
    | strings,
    st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
)
"""What event payloads and entry headers hold: no float, ASCII keys, integers of any size."""


def _either(encode: Any, value: Any) -> tuple[str, bytes | str]:
    try:
        return "ok", encode(value)
    except Exception as error:  # noqa: BLE001 - both must refuse alike
        return "refused", type(error).__name__


@settings(max_examples=500)
@given(values)
def test_canonical_is_rfc8785(value: Any) -> None:
    mine, theirs = _either(canonical, value), _either(rfc8785.dumps, value)
    assert mine[0] == theirs[0]
    if mine[0] == "ok":
        assert mine == theirs


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [True, None, "x"], "é": 2},
        {"seq": 2**53 - 1, "n": -(2**53 - 1)},
        {"big": 2**53},
        {"text": "line\u2028break \x01 \u00e9 \U0001f600"},
    ],
)
def test_known_values(value: Any) -> None:
    assert _either(canonical, value) == _either(rfc8785.dumps, value)


@settings(max_examples=500)
@given(payloads)
def test_canonical_plain_is_rfc8785(value: Any) -> None:
    assert _either(canonical_plain, value) == _either(rfc8785.dumps, value)
