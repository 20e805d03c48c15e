"""Small-number suppression: no count under the minimum leaves the organisation that owns the
people, neither as a figure nor by subtraction from totals and the other figures shown.

A table of counts with its margins (row totals, column totals, the grand total) is a set of
linear equations: each row's cells add up to its total, each column's to its total. Seen as a
graph, rows and columns are nodes (the totals row and totals column are nodes too) and every
figure is an edge between its row and its column; each node's edges balance. A hidden figure
can be worked out exactly from the shown ones if and only if it is a *bridge* among the hidden
edges: cut it and its two ends fall apart, so the balance of either side names its value.
Hidden figures that lie on a cycle of hidden figures can move together (+t, -t, +t, -t around
the cycle) without changing anything shown, so none of them can be recovered.

So: hide every count from 1 to minimum - 1 (primary suppression), then, while a hidden figure
is a bridge, hide the cheapest shown figures that close a cycle through it (secondary
suppression). Cheapest means the smallest count above zero, so as little as possible is lost;
zeros are used last, because a hidden zero bounds its partners (it cannot go below zero).
Tables that print the same margin (several domains over the same groups) are suppressed
together until they agree, so a total hidden in one is hidden in all.

Pure Python, no Django.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

DEFAULT_MINIMUM = 5
TOTAL = "__total__"
"""The key of the totals row and of the totals column."""

Cell = tuple[str, str]
"""(row, column); either may be TOTAL."""

# A zero is used to close a cycle only when nothing else will (see the module docstring).
_ZERO_COST = 10**9


@dataclass(frozen=True)
class CountTable:
    """Counts by row and column; the margins are worked out, so they always add up."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: Mapping[Cell, int]

    @classmethod
    def of(
        cls, counts: Mapping[Cell, int], *, rows: Sequence[str], columns: Sequence[str]
    ) -> CountTable:
        for (row, column), value in counts.items():
            if row not in rows or column not in columns:
                raise ValueError(f"{(row, column)!r} is not a cell of the table.")
            if value < 0:
                raise ValueError(f"{(row, column)!r} is negative: counts are never below zero.")
        return cls(tuple(rows), tuple(columns), dict(counts))

    def value(self, cell: Cell) -> int:
        row, column = cell
        if row == TOTAL and column == TOTAL:
            return sum(self.counts.values())
        if column == TOTAL:
            return sum(self.counts.get((row, c), 0) for c in self.columns)
        if row == TOTAL:
            return sum(self.counts.get((r, column), 0) for r in self.rows)
        return self.counts.get(cell, 0)

    def cells(self) -> list[Cell]:
        """Every figure the table shows: inner cells, row totals, column totals, grand total."""
        return [(r, c) for r in (*self.rows, TOTAL) for c in (*self.columns, TOTAL)]


@dataclass(frozen=True)
class SuppressedTable:
    table: CountTable
    minimum: int
    hidden: frozenset[Cell]
    primary: frozenset[Cell] = field(default=frozenset())

    def shown(self, row: str, column: str) -> int | None:
        """The figure, or None where it is suppressed."""
        cell = (row, column)
        return None if cell in self.hidden else self.table.value(cell)

    def is_hidden(self, row: str, column: str) -> bool:
        return (row, column) in self.hidden


def is_small(value: int, minimum: int) -> bool:
    return 0 < value < minimum


def suppress(
    table: CountTable, *, minimum: int = DEFAULT_MINIMUM, also_hide: Iterable[Cell] = ()
) -> SuppressedTable:
    """The table with every count from 1 to `minimum - 1` hidden, and enough others that none
    of them can be worked out from what is shown. `also_hide` forces figures hidden (a margin
    another table hides)."""
    if minimum < 1:
        raise ValueError("The minimum must be at least 1 (1 hides nothing).")
    values = {cell: table.value(cell) for cell in table.cells()}
    primary = {cell for cell, value in values.items() if is_small(value, minimum)}
    hidden = primary | set(also_hide)
    _close_cycles(values, hidden)
    return SuppressedTable(table, minimum, frozenset(hidden), frozenset(primary))


def suppress_together(
    tables: Sequence[CountTable], *, minimum: int = DEFAULT_MINIMUM
) -> list[SuppressedTable]:
    """Tables that print the same row totals (the same groups, counted once) suppressed until
    each hides the same totals as the others and no hidden figure follows from all of them
    together. The row totals must agree."""
    shared_rows = {row for table in tables for row in (*table.rows, TOTAL)}
    for row in shared_rows:
        totals = {table.value((row, TOTAL)) for table in tables if row in (*table.rows, TOTAL)}
        if len(totals) > 1:
            raise ValueError(f"Row {row!r} has different totals in tables suppressed together.")
    forced: set[Cell] = set()
    while True:
        results = [suppress(table, minimum=minimum, also_hide=forced) for table in tables]
        margins = {cell for result in results for cell in result.hidden if cell[1] == TOTAL}
        if not margins <= forced:
            forced |= margins
            continue
        # Each table alone hides nothing that can be worked out; through the totals they share,
        # the tables together might. A group whose figure follows is hidden whole, everywhere.
        exposed = determined_together(results)
        if not exposed:
            return results
        for row, _column in exposed:
            forced |= {(row, column) for table in tables for column in (*table.columns, TOTAL)}


def determined_together(results: Sequence[SuppressedTable]) -> set[Cell]:
    """Hidden figures that the shown ones determine exactly, reading every table's row and
    column sums at once (a hidden row total shared by the tables is one unknown): those whose
    coordinate is zero in every solution of the homogeneous system."""
    unknowns: dict[tuple[int, Cell], int] = {}
    for number, result in enumerate(results):
        for cell in sorted(result.hidden):
            key = (0, cell) if cell[1] == TOTAL else (number, cell)
            unknowns.setdefault(key, len(unknowns))
    if not unknowns:
        return set()
    lines: list[list[float]] = []
    for number, result in enumerate(results):
        table = result.table

        def position(
            cell: Cell, number: int = number, result: SuppressedTable = result
        ) -> int | None:
            if cell not in result.hidden:
                return None
            return unknowns[(0, cell) if cell[1] == TOTAL else (number, cell)]

        sums = [[(row, c) for c in table.columns] + [(row, TOTAL)] for row in (*table.rows, TOTAL)]
        sums += [
            [(r, column) for r in table.rows] + [(TOTAL, column)]
            for column in (*table.columns, TOTAL)
        ]
        for cells in sums:
            line = [0.0] * len(unknowns)
            for index, cell in enumerate(cells):
                found = position(cell)
                if found is not None:
                    line[found] += -1.0 if index == len(cells) - 1 else 1.0
            if any(line):
                lines.append(line)
    if not lines:
        return {cell for (_number, cell) in unknowns}
    matrix = np.array(lines)
    _u, singular, vh = np.linalg.svd(matrix)
    rank = int((singular > 1e-9 * max(matrix.shape)).sum())
    free = vh[rank:]
    return {
        cell
        for (_number, cell), index in unknowns.items()
        if free.shape[0] == 0 or np.abs(free[:, index]).max() < 1e-9
    }


def _close_cycles(values: Mapping[Cell, int], hidden: set[Cell]) -> None:
    while True:
        bridge = _first_bridge(hidden)
        if bridge is None:
            return
        path = _cheapest_detour(values, hidden, bridge)
        if not path:
            # Nothing can protect it (a table of one figure): hide what it would show.
            hidden.update(values)
            return
        hidden.update(path)


Node = tuple[str, str]
"""("row", key) or ("column", key): the two ends of a figure in the graph of the table."""


def _nodes(cell: Cell) -> tuple[Node, Node]:
    row, column = cell
    return ("row", row), ("column", column)


def _first_bridge(hidden: set[Cell]) -> Cell | None:
    """A hidden figure that is the only hidden link between its row and its column."""
    for cell in sorted(hidden):
        rest = hidden - {cell}
        start, goal = _nodes(cell)
        if not _connected(rest, start, goal):
            return cell
    return None


def _connected(edges: Iterable[Cell], start: Node, goal: Node) -> bool:
    graph: dict[Node, set[Node]] = defaultdict(set)
    for edge in edges:
        a, b = _nodes(edge)
        graph[a].add(b)
        graph[b].add(a)
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for other in graph[node] - seen:
            seen.add(other)
            stack.append(other)
    return False


def _cheapest_detour(values: Mapping[Cell, int], hidden: set[Cell], bridge: Cell) -> list[Cell]:
    """The shown figures to hide so that another path joins the bridge's row and column:
    Dijkstra over every figure but the bridge, hidden ones free, shown ones at their count."""
    graph: dict[Node, list[tuple[Node, Cell]]] = defaultdict(list)
    for cell in values:
        if cell == bridge:
            continue
        a, b = _nodes(cell)
        graph[a].append((b, cell))
        graph[b].append((a, cell))
    start, goal = _nodes(bridge)
    best: dict[Node, int] = {start: 0}
    came: dict[Node, tuple[Node, Cell]] = {}
    queue: list[tuple[int, int, Node]] = [(0, 0, start)]
    tie = 0
    while queue:
        cost, _, node = heapq.heappop(queue)
        if node == goal:
            break
        if cost > best.get(node, cost):
            continue
        for other, cell in graph[node]:
            step = 0 if cell in hidden else (values[cell] or _ZERO_COST)
            if cost + step < best.get(other, cost + step + 1):
                best[other] = cost + step
                came[other] = (node, cell)
                tie += 1
                heapq.heappush(queue, (cost + step, tie, other))
    if goal not in came:
        return []
    path: list[Cell] = []
    node = goal
    while node != start:
        node, cell = came[node]
        if cell not in hidden:
            path.append(cell)
    return path


def suppress_counts(
    counts: Mapping[str, int], *, minimum: int = DEFAULT_MINIMUM
) -> tuple[dict[str, int | None], int | None]:
    """A single column of counts by group with its total: each group's count (None where
    hidden) and the total (None where hidden)."""
    table = CountTable.of(
        {(group, "count"): value for group, value in counts.items()},
        rows=list(counts),
        columns=["count"],
    )
    result = suppress(table, minimum=minimum)
    shown = {group: result.shown(group, "count") for group in counts}
    return shown, result.shown(TOTAL, "count")
