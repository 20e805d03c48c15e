"""Small-number suppression, attacked: an adversary who sees every shown figure and knows how
the table adds up tries to work out each hidden one by linear programming (the best any
subtraction between cells and totals can do). No hidden figure may come out exactly."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from pathmark.reports.suppression import (
    TOTAL,
    CountTable,
    SuppressedTable,
    suppress,
    suppress_counts,
    suppress_together,
)


def recoverable(results: Sequence[SuppressedTable]) -> dict[tuple[int, tuple[str, str]], int]:
    """The hidden figures an attacker can pin down from the shown ones and the margins'
    equations (tables suppressed together share their row totals): {(table, cell): value}."""
    unknowns: list[tuple[int, tuple[str, str]]] = []
    for number, result in enumerate(results):
        for cell in sorted(result.hidden):
            if cell[1] == TOTAL and number > 0:
                continue  # a shared row total: one unknown, that of the first table
            unknowns.append((number, cell))
    index = {key: position for position, key in enumerate(unknowns)}

    def slot(number: int, cell: tuple[str, str]) -> tuple[int | None, int]:
        result = results[number]
        if cell in result.hidden:
            key = (0, cell) if cell[1] == TOTAL else (number, cell)
            return index[key], 0
        return None, result.table.value(cell)

    equations: list[tuple[dict[int, float], float]] = []
    for number, result in enumerate(results):
        table = result.table
        for row in (*table.rows, TOTAL):
            parts = [(c, 1.0) for c in table.columns] + [(TOTAL, -1.0)]
            equations.append(_equation(number, [((row, c), s) for c, s in parts], slot))
        for column in (*table.columns, TOTAL):
            parts = [(r, 1.0) for r in table.rows] + [(TOTAL, -1.0)]
            equations.append(_equation(number, [((r, column), s) for r, s in parts], slot))
    a_eq = np.zeros((len(equations), len(unknowns)))
    b_eq = np.zeros(len(equations))
    for line, (coefficients, constant) in enumerate(equations):
        for position, coefficient in coefficients.items():
            a_eq[line, position] += coefficient
        b_eq[line] = -constant
    pinned = {}
    for position, key in enumerate(unknowns):
        objective = np.zeros(len(unknowns))
        objective[position] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
        top = float("inf") if high.status == 3 else -high.fun
        if top - low < 0.5:
            pinned[key] = round(low)
    return pinned


def _equation(number, parts, slot):  # type: ignore[no-untyped-def]
    coefficients: dict[int, float] = {}
    constant = 0.0
    for cell, sign in parts:
        position, value = slot(number, cell)
        if position is None:
            constant += sign * value
        else:
            coefficients[position] = coefficients.get(position, 0.0) + sign
    return coefficients, constant


def table_of(grid: list[list[int]]) -> CountTable:
    rows = [f"r{i}" for i in range(len(grid))]
    columns = [f"c{j}" for j in range(len(grid[0]))]
    counts = {(rows[i], columns[j]): v for i, line in enumerate(grid) for j, v in enumerate(line)}
    return CountTable.of(counts, rows=rows, columns=columns)


def test_a_lone_small_cell_cannot_be_worked_out_from_its_row_and_column():
    table = table_of([[2, 30, 40], [25, 35, 45], [20, 50, 60]])
    result = suppress(table)
    assert result.shown("r0", "c0") is None
    # Subtraction the obvious way fails: the row's other figures are hidden too.
    assert len(result.hidden) >= 4
    assert recoverable([result]) == {}


def test_nothing_is_hidden_when_every_count_reaches_the_minimum():
    table = table_of([[5, 30], [25, 0]])
    assert suppress(table).hidden == frozenset()


def test_a_small_total_is_hidden_even_when_its_cells_are_zero_or_hidden():
    table = table_of([[1, 2], [40, 50]])
    result = suppress(table)
    assert result.shown("r0", TOTAL) is None
    assert recoverable([result]) == {}


def test_a_larger_minimum_hides_more():
    table = table_of([[7, 30], [25, 40]])
    assert suppress(table, minimum=5).hidden == frozenset()
    assert suppress(table, minimum=10).shown("r0", "c0") is None


def test_counts_by_group_hide_a_second_group_and_keep_the_total_honest():
    shown, total = suppress_counts({"women": 3, "men": 40, "not said": 12})
    assert shown["women"] is None
    # Hiding women alone would let total - men - not said give it back.
    assert shown["men"] is None or shown["not said"] is None or total is None


@settings(max_examples=120, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(0, 40), min_size=columns, max_size=columns),
            min_size=1,
            max_size=6,
        )
    ),
    st.integers(2, 10),
)
def test_no_hidden_count_can_be_recovered_and_no_shown_count_is_small(grid, minimum):
    result = suppress(table_of(grid), minimum=minimum)
    for cell in result.table.cells():
        shown = result.shown(*cell)
        assert shown is None or shown == 0 or shown >= minimum, cell
    assert only_zeros(recoverable([result]))


def only_zeros(recovered: dict) -> bool:  # type: ignore[type-arg]
    """Nothing but zeros comes out: a hidden zero beside a shown total of zero is no secret
    (counts of zero are shown anyway), every count above zero must stay unknown."""
    return all(value == 0 for value in recovered.values())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=2, max_size=6),
    st.integers(1, 3),
    st.randoms(use_true_random=False),
)
def test_tables_sharing_their_groups_cannot_be_played_off_against_each_other(
    totals, domains, random
):
    """Below the norm / not below, per domain, over the same groups: the groups' totals are
    printed in every table, so one table must not give away what another hides."""
    rows = [f"g{i}" for i in range(len(totals))]
    tables = []
    for _ in range(domains):
        counts = {}
        for row, total in zip(rows, totals, strict=True):
            below = random.randint(0, total)
            counts[(row, "below")] = below
            counts[(row, "not below")] = total - below
        tables.append(CountTable.of(counts, rows=rows, columns=["below", "not below"]))
    results = suppress_together(tables)
    hidden_totals = [{c for c in r.hidden if c[1] == TOTAL} for r in results]
    assert all(hidden == hidden_totals[0] for hidden in hidden_totals)
    for result in results:
        for cell in result.table.cells():
            shown = result.shown(*cell)
            assert shown is None or shown == 0 or shown >= 5
    assert only_zeros(recoverable(results))


def test_the_attack_does_find_a_cell_hidden_alone():
    """The attacker in these tests is real: hiding only the small cell gives it away."""
    table = table_of([[2, 30], [25, 35]])
    naive = SuppressedTable(table, 5, frozenset({("r0", "c0")}))
    assert recoverable([naive]) == {(0, ("r0", "c0")): 2}


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        CountTable.of({("a", "b"): -1}, rows=["a"], columns=["b"])
