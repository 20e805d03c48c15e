"""Host-society reference norms: parse and validate the dated YAML files an administrator keeps.

A norms file gives, for one instrument, the local population's typical score per domain (and
overall) from a "valid from" date; a later version lists only what changed from its date, the
rest carries over. It is read with the instrument files' checker, so every mistake names its
line and field. Pure Python (no Django).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import yaml

from pathmark.instruments.definition import (
    _LOADER,
    SCORE_MAX,
    SCORE_MIN,
    SLUG_PATTERN,
    DataFileError,
    Problem,
    Text,
    _Checker,
    _languages,
    _Node,
)

from .trajectory import OVERALL, HostNorm, norm_in_force

_TOP_REQUIRED = ("instrument", "source", "versions")
_TOP_OPTIONAL = ("languages", "description")
_VERSION_REQUIRED = ("valid_from", "norms")
_VERSION_OPTIONAL = ("label",)


# The order in which a person's groups are tried for a norm of their own.
GROUP_ORDER = ("age_band", "gender", "area")


class NormsFileError(DataFileError):
    """A norms file that cannot be used."""

    default_source = "<norms>"


@dataclass(frozen=True)
class NormVersion:
    valid_from: date
    label: Text
    changed: tuple[str, ...]
    """The keys (domain ids or `overall`) this version sets."""


@dataclass(frozen=True)
class HostNorms:
    """Every dated norm of one instrument, ready for `trajectory.journey_of`."""

    instrument: str
    source: str
    description: Text | None
    versions: tuple[NormVersion, ...]
    by_key: Mapping[str, tuple[HostNorm, ...]]
    groups: Mapping[tuple[str, str], Mapping[str, tuple[HostNorm, ...]]] = field(
        default_factory=dict
    )
    """Norms of groups of the host population (("gender", "woman") → key → dated norms),
    from surveys with enough respondents in the group; a member of a group is compared with
    their group's norm where it has one for that key and date, else with `by_key`."""

    def for_groups(self, groups: Mapping[str, str]) -> dict[str, tuple[HostNorm, ...]]:
        """The dated norms per key a person in these groups (kind → value) is compared with:
        for each key and date, the first of their groups (in `GROUP_ORDER`) with a norm in
        force then, else the whole population's."""
        chosen: dict[str, tuple[HostNorm, ...]] = {}
        for key, whole in self.by_key.items():
            candidates = [
                self.groups.get((kind, groups[kind]), {}).get(key, ())
                for kind in GROUP_ORDER
                if groups.get(kind)
            ]
            if not any(candidates):
                chosen[key] = whole
                continue
            dates = sorted(
                {norm.valid_from for norm in whole}
                | {norm.valid_from for found in candidates for norm in found}
            )
            merged: list[HostNorm] = []
            for day in dates:
                norm = norm_in_force(whole, day)
                for found in candidates:
                    own = norm_in_force(found, day)
                    if own is not None and (norm is None or own.valid_from >= norm.valid_from):
                        norm = own
                        break
                if norm is not None and (not merged or merged[-1] != norm):
                    merged.append(norm if norm.valid_from == day else replace(norm, valid_from=day))
            chosen[key] = tuple(merged)
        return chosen

    def in_force(self, on: date) -> dict[str, HostNorm]:
        """The norm of each key in force on a date (keys without one yet are left out)."""
        found: dict[str, HostNorm] = {}
        for key, norms in self.by_key.items():
            current = [norm for norm in norms if norm.valid_from <= on]
            if current:
                found[key] = current[-1]
        return found


def parse_norms(
    text: str, *, source: str, known: Mapping[str, Collection[str]] | None = None
) -> HostNorms:
    """Read one norms file; raise NormsFileError listing every problem. `known` maps each
    instrument slug to its domain ids, to catch a misspelt instrument or domain."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = min(mark.line + 1, text.count("\n") + 1) if mark is not None else 1
        reason = ", ".join(part for part in (error.context, error.problem) if part)
        message = f"YAML syntax error: {reason}; check indentation, colons and quotes"
        raise NormsFileError([Problem(line, "(syntax)", message)], source=source) from None
    if root is None:
        raise NormsFileError([Problem(1, "(file)", "the file is empty")], source=source)
    checker = _Checker()
    document = checker.wrap(root, "")
    norms = _norms(checker, document, known)
    if checker.problems or norms is None:
        raise NormsFileError(checker.problems, source=source)
    return norms


def _norms(
    checker: _Checker, document: _Node, known: Mapping[str, Collection[str]] | None
) -> HostNorms | None:
    top = checker.mapping(document, "", required=_TOP_REQUIRED, optional=_TOP_OPTIONAL)
    if top is None:
        return None
    checker.languages, _ = _languages(checker, top)
    slug = checker.string(top["instrument"], "instrument") if "instrument" in top else ""
    allowed: Collection[str] | None = None
    if slug and not SLUG_PATTERN.match(slug):
        checker.add(top["instrument"].line, "instrument", f"{slug!r} is not an instrument slug")
    elif slug and known is not None:
        if slug not in known:
            checker.add(
                top["instrument"].line,
                "instrument",
                f"there is no instrument `{slug}` (known: {', '.join(sorted(known))})",
            )
        else:
            allowed = set(known[slug]) | {OVERALL}
    source = checker.string(top["source"], "source") if "source" in top else ""
    description = checker.text(top["description"], "description") if "description" in top else None

    versions: list[NormVersion] = []
    by_key: dict[str, list[HostNorm]] = {}
    previous: tuple[date, int] | None = None
    for index, child in enumerate(
        checker.sequence(top["versions"], "versions") if "versions" in top else []
    ):
        path = f"versions[{index}]"
        entries = checker.mapping(
            child, path, required=_VERSION_REQUIRED, optional=_VERSION_OPTIONAL
        )
        if entries is None or "valid_from" not in entries:
            continue
        valid_from = _date(checker, entries["valid_from"], f"{path}.valid_from")
        label = checker.text(entries["label"], f"{path}.label") if "label" in entries else {}
        if valid_from is None:
            continue
        if previous is not None and valid_from <= previous[0]:
            checker.add(
                entries["valid_from"].line,
                f"{path}.valid_from",
                f"{valid_from} must be after the previous version's date ({previous[0]}, line "
                f"{previous[1]}); list versions from oldest to newest",
            )
            continue
        previous = (valid_from, entries["valid_from"].line)
        changed = []
        norm_entries = (
            checker.mapping(
                entries["norms"],
                f"{path}.norms",
                optional=entries["norms"].keys,
                what="a mapping of domain ids (or `overall`) to norms",
            )
            if "norms" in entries
            else None
        )
        for key, node in (norm_entries or {}).items():
            if key.startswith("x-"):
                continue
            key_path = f"{path}.norms.{key}"
            if allowed is not None and key not in allowed:
                checker.add(
                    entries["norms"].keys[key],
                    key_path,
                    f"`{key}` is not a domain of {slug}; use one of: {', '.join(sorted(allowed))}",
                )
                continue
            norm = _norm(checker, node, key_path, valid_from, label)
            if norm is not None:
                by_key.setdefault(key, []).append(norm)
                changed.append(key)
        versions.append(NormVersion(valid_from, label, tuple(changed)))
    if "versions" in top and not versions and not checker.problems:
        checker.add(top["versions"].line, "versions", "must list at least one dated version")
    return HostNorms(
        instrument=slug,
        source=source,
        description=description,
        versions=tuple(versions),
        by_key={key: tuple(norms) for key, norms in by_key.items()},
    )


def _date(checker: _Checker, node: _Node, path: str) -> date | None:
    text = node.text if node.kind == "scalar" else ""
    try:
        return date.fromisoformat(text)
    except ValueError:
        checker.add(
            node.line, path, f"must be a date written as YYYY-MM-DD, not {text or node.kind!r}"
        )
        return None


def _norm(
    checker: _Checker, node: _Node, path: str, valid_from: date, label: Text
) -> HostNorm | None:
    entries = checker.mapping(node, path, required=("value",), optional=("low", "high"))
    if entries is None or "value" not in entries:
        return None
    value = checker.number(entries["value"], f"{path}.value", low=SCORE_MIN, high=SCORE_MAX)
    low = high = None
    if "low" in entries:
        low = checker.number(entries["low"], f"{path}.low", low=SCORE_MIN, high=SCORE_MAX)
    if "high" in entries:
        high = checker.number(entries["high"], f"{path}.high", low=SCORE_MIN, high=SCORE_MAX)
    if ("low" in entries) != ("high" in entries):
        checker.add(node.line, path, "give both `low` and `high` (the usual range), or neither")
        return None
    if value is None:
        return None
    if low is not None and high is not None and not low <= value <= high:
        checker.add(
            entries["low"].line,
            path,
            f"the usual range {low:g}-{high:g} must contain the value {value:g}",
        )
        return None
    return HostNorm(valid_from, value, low, high, label or None)
