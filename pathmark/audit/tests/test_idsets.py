"""The compact list of people a page showed reads back exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pathmark.audit.idsets import compact, expand, holds

ids = st.sets(st.integers(min_value=1, max_value=10**12), max_size=60)


@given(ids)
def test_compact_ids_expand_to_the_same_ids(found):
    assert expand(compact(found)) == found


@given(ids, st.integers(min_value=1, max_value=10**12))
def test_holds_agrees_with_expanding(found, person_id):
    assert holds(compact(found), person_id) == (person_id in found)


def test_runs_are_written_as_ranges():
    assert compact([12, 3, 4, 5, 7, 6, 40]) == "3-7,12,40"


def test_a_page_of_consecutive_ids_is_short():
    assert len(compact(range(1000, 1026))) == len("1000-1025")
