"""Hypothesis strategies for hostile input: malformed Unicode, very long strings, right-to-left
and invisible marks, null bytes, raw bytes that are not UTF-8, dates and numbers out of range."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from hypothesis import strategies as st

ODD_DATES = st.sampled_from(
    [
        "0000-00-00",
        "0001-01-01",
        "1899-12-31",
        "9999-12-31",
        "10000-01-01",
        "-0001-01-01",
        "2025-02-30",
        "2025-13-01",
        "2100-01-01",
        "1970-01-01T00:00:00",
        "99999999999999999999-01-01",
        "31/12/2024",
        "today",
    ]
)
ODD_NUMBERS = st.sampled_from(
    ["nan", "inf", "-inf", "1e309", "-1", "0", "99999999999999999999999", "0x10", "٣", "1_000"]
)
MARKS = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\u202eevil\u202c",
        "\u200f\u200e",
        "\u061c",
        "\ufeff",
        "\u200b" * 10,
        "\ud800",  # a lone surrogate: becomes malformed UTF-8 on the wire
        "\U0001d54f\u0301\u0301\u0301",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "{{ 7|add:7 }}",
        "%00%ff",
    ]
)
LONG = st.tuples(
    st.sampled_from(["x", "\u202e", "é", "\U0001f600", "\u0640"]), st.integers(201, 20_000)
).map(lambda pair: pair[0] * pair[1])
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8", categories=["C", "Z", "M"]), max_size=20),
    MARKS,
    LONG,
    st.binary(max_size=40),
    ODD_DATES,
    ODD_NUMBERS,
)


def hostile_form(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The valid form with any of its fields replaced by hostile values, and perhaps a few
    hostile extra fields: deep enough to reach the services, hostile enough to break them."""
    fields = {
        name: st.one_of(st.just(value), HOSTILE, st.lists(HOSTILE, min_size=2, max_size=3))
        for name, value in valid.items()
    }
    extra = st.dictionaries(st.text(min_size=1, max_size=12), HOSTILE, max_size=2)
    return st.tuples(st.fixed_dictionaries(fields), extra).map(lambda p: {**p[1], **p[0]})


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    # surrogatepass lets a lone surrogate through as the malformed bytes a client could send.
    return str(value).encode("utf-8", "surrogatepass")


def form_body(data: dict[str, Any]) -> bytes:
    """`application/x-www-form-urlencoded`, byte for byte, including invalid UTF-8."""
    pairs = []
    for name, value in data.items():
        for each in value if isinstance(value, list) else [value]:
            pairs.append(f"{quote_plus(_as_bytes(name))}={quote_plus(_as_bytes(each))}")
    return "&".join(pairs).encode("ascii")
