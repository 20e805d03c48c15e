"""Instrument files: parse and validate the versioned YAML that defines a questionnaire.

Pure Python (no Django) so the command line, the scoring maths and the tests share one reader;
every problem it reports names the line, the field and what to change.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeAlias

import yaml

Text: TypeAlias = dict[str, str]
"""A piece of text in several languages: language code → string."""

DEFAULT_LANGUAGE = "en"
RESPONSE_TYPES = ("likert", "single_choice", "multiple_choice", "number", "yes_no", "free_text")
CHOICE_TYPES = ("likert", "single_choice", "multiple_choice", "yes_no")
RULES = ("weighted_mean", "minimum")
# Who an instrument assesses: a person (a client, the default) or an organisation (its own
# capacity). Person pages never offer an organisation's instrument, nor the other way round.
PERSON = "person"
ORGANISATION = "organisation"
SUBJECTS = (PERSON, ORGANISATION)
SCORE_MIN = 0.0
SCORE_MAX = 100.0

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")

# Labels used when a yes_no item leaves out its options; a file in any other language must
# spell its options out, because we cannot guess a translation.
DEFAULT_YES_NO_LABELS: dict[str, tuple[str, str]] = {
    "en": ("Yes", "No"),
    "ar": ("نعم", "لا"),
}

# libyaml's C reader is about ten times faster and gives the same nodes and line marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# A guard against "billion laughs" files whose aliases expand to millions of nodes.
MAX_NODES = 200_000


# --- The parsed instrument ------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    score: float | None
    """As written in the file, before `reverse`; None means "not counted" (never zero)."""


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    text: Text
    help: Text | None
    weight: float
    options: tuple[Option, ...]
    reverse: bool
    number_min: float | None = None
    number_max: float | None = None

    # Cached: scoring asks these once per item per assessment, and an import scores
    # hundreds of thousands. The dataclass is frozen, so the cached values cannot go stale.
    @cached_property
    def is_scored(self) -> bool:
        """Whether an answer to this item can count towards its domain's score."""
        if self.type == "free_text":
            return False
        if self.type == "number":
            return True
        return any(option.score is not None for option in self.options)

    def option(self, value: str) -> Option | None:
        return self._options_by_value.get(value)

    @cached_property
    def _options_by_value(self) -> dict[str, Option]:
        # The first option with a value wins, as the loop this replaced returned.
        return {option.value: option for option in reversed(self.options)}

    def option_score(self, option: Option) -> float | None:
        """The score an option counts for, after `reverse`; None when it is not counted."""
        if option.score is None:
            return None
        return SCORE_MAX - option.score if self.reverse else float(option.score)

    def number_score(self, number: float) -> float:
        """Map a number answer linearly from [min, max] onto 0-100 (then `reverse`)."""
        low = self.number_min if self.number_min is not None else SCORE_MIN
        high = self.number_max if self.number_max is not None else SCORE_MAX
        clamped = min(max(number, low), high)
        score = (clamped - low) / (high - low) * SCORE_MAX
        return SCORE_MAX - score if self.reverse else score


@dataclass(frozen=True)
class Domain:
    id: str
    title: Text
    weight: float
    minimum_answers: int
    items: tuple[Item, ...]
    group: str | None = None
    description: Text | None = None

    @cached_property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.is_scored)


@dataclass(frozen=True)
class Stage:
    id: str
    label: Text
    description: Text
    min_score: float
    max_score: float

    def contains(self, score: float) -> bool:
        """Stages are [min, max); the last stage also holds its max (100)."""
        if self.max_score >= SCORE_MAX:
            return self.min_score <= score <= self.max_score
        return self.min_score <= score < self.max_score


@dataclass(frozen=True)
class Group:
    id: str
    title: Text


@dataclass(frozen=True)
class OverallStageRule:
    capped_by: tuple[str, ...] = ()
    """Domain ids whose own stage the overall stage may not exceed (see
    `Instrument.overall_stage_for`, the one place the rule is applied)."""


@dataclass(frozen=True)
class Instrument:
    slug: str
    version: int
    title: Text
    description: Text | None
    source: str
    licence: str
    languages: list[str]
    draft_languages: list[str]
    domains: tuple[Domain, ...]
    stages: tuple[Stage, ...]
    domain_rule: str
    overall_rule: str
    measurement_error: float | None
    raw: dict[str, object]
    groups: tuple[Group, ...] = ()
    overall_stage_rule: OverallStageRule | None = None
    overall_minimum_domains: int = 1
    """Domains that need a score before an overall score is given: an "overall" built from
    one or two domains would speak for the whole person on a sliver of evidence."""
    subject: str = PERSON
    """Who answers for whom: `person` (a client's assessment) or `organisation` (an
    organisation's assessment of its own capacity)."""

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for domain in self.domains for item in domain.items)

    def item(self, item_id: str) -> Item | None:
        for item in self.items:
            if item.id == item_id:
                return item
        return None

    def domain(self, domain_id: str) -> Domain | None:
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        return None

    def stage_for(self, score: float | None) -> Stage | None:
        if score is None:
            return None
        for stage in self.stages:
            if stage.contains(score):
                return stage
        return None

    def overall_stage_for(
        self, overall: float | None, domain_scores: Mapping[str, float | None]
    ) -> Stage | None:
        """The stage of the overall score, no higher than the stage of any domain named in
        `overall_stage_rule.capped_by` that has a score (no one thrives without a safe place
        to live). Scoring stores this stage and journeys draw it, so they cannot disagree."""
        stage = self.stage_for(overall)
        if stage is None or self.overall_stage_rule is None:
            return stage
        for domain_id in self.overall_stage_rule.capped_by:
            cap = self.stage_for(domain_scores.get(domain_id))
            # Stages tile 0-100 in order, so a lower start is a lower stage.
            if cap is not None and cap.min_score < stage.min_score:
                stage = cap
        return stage


# --- Problems -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def format(self, source: str) -> str:
        return f"{source}:{self.line}: {self.field}: {self.message}"


class DataFileError(ValueError):
    """A YAML data file that cannot be used; `problems` lists every fault found, by line.
    Each kind of file (instruments, host norms) has its own subclass, so callers can tell
    them apart; the message is the same shape for all."""

    default_source = "<file>"

    def __init__(self, problems: list[Problem], *, source: str | None = None) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.line)
        self.source = source if source is not None else self.default_source
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(problem.format(self.source) for problem in self.problems)


class InstrumentFileError(DataFileError):
    """An instrument file that cannot be used."""

    default_source = "<instrument>"


# --- Reading YAML nodes with their lines ----------------------------------------------------


@dataclass
class _Node:
    """A YAML value with the line it starts on, so every later check can name it."""

    line: int
    kind: str  # "scalar", "mapping" or "sequence"
    value: object = None
    text: str = ""
    keys: dict[str, int] = field(default_factory=dict)
    entries: dict[str, _Node] = field(default_factory=dict)
    children: list[_Node] = field(default_factory=list)

    def plain(self) -> object:
        if self.kind == "mapping":
            return {key: node.plain() for key, node in self.entries.items()}
        if self.kind == "sequence":
            return [node.plain() for node in self.children]
        return self.value


_TAG = "tag:yaml.org,2002:"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar_value(node: yaml.ScalarNode) -> object:
    """Read a scalar the YAML 1.2 way: `yes`, `no`, `on` and `off` stay words, not booleans."""
    tag = node.tag
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        lowered = node.value.lower()
        return lowered == "true" if lowered in ("true", "false") else node.value
    if tag == _TAG + "int":
        return _CONSTRUCTOR.construct_yaml_int(node)
    if tag == _TAG + "float":
        return _CONSTRUCTOR.construct_yaml_float(node)
    return node.value


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.languages: list[str] = [DEFAULT_LANGUAGE]
        self._nodes = 0

    def add(self, line: int, path: str, message: str) -> None:
        self.problems.append(Problem(line, path, message))

    # Building the node tree.

    def wrap(self, node: yaml.Node, path: str, active: frozenset[int] = frozenset()) -> _Node:
        self._nodes += 1
        line = node.start_mark.line + 1
        if self._nodes > MAX_NODES or id(node) in active:
            if self._nodes <= MAX_NODES + 1:
                self.add(line, path or "(file)", "the file expands to too many values")
            return _Node(line, "scalar")
        if isinstance(node, yaml.ScalarNode):
            value = _scalar_value(node)
            if isinstance(value, float) and not math.isfinite(value):
                self.add(line, path, f"{node.value!r} is not a finite number")
                value = None
            return _Node(line, "scalar", value=value, text=node.value)
        inner = active | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            children = [
                self.wrap(child, f"{path}[{index}]", inner)
                for index, child in enumerate(node.value)
            ]
            return _Node(line, "sequence", children=children)
        assert isinstance(node, yaml.MappingNode)
        wrapped = _Node(line, "mapping")
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.add(key_line, path or "(file)", "a key must be a plain word, not a list")
                continue
            key = key_node.value
            child_path = f"{path}.{key}" if path else key
            if key in wrapped.entries:
                self.add(
                    key_line,
                    child_path,
                    f"`{key}` is given twice (first on line {wrapped.keys[key]}); keep one",
                )
                continue
            wrapped.keys[key] = key_line
            wrapped.entries[key] = self.wrap(value_node, child_path, inner)
        return wrapped

    # Shapes.

    def mapping(
        self,
        node: _Node,
        path: str,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        what: str = "a mapping",
        misplaced: dict[str, str] | None = None,
    ) -> dict[str, _Node] | None:
        if node.kind != "mapping":
            self.add(node.line, path, f"must be {what} of `key: value` lines")
            return None
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key, key_line in node.keys.items():
            if key in allowed or key.startswith("x-"):
                continue
            key_path = f"{path}.{key}" if path else key
            if misplaced and key in misplaced:
                self.add(key_line, key_path, misplaced[key])
                continue
            suggestion = _closest(key, allowed)
            hint = f"; did you mean `{suggestion}`?" if suggestion else ""
            self.add(
                key_line,
                key_path,
                f"unknown key `{key}`{hint} (allowed: {', '.join(sorted(allowed))}; "
                "prefix your own extensions with `x-`)",
            )
        for key in required:
            if key not in node.entries:
                key_path = f"{path}.{key}" if path else key
                self.add(node.line, key_path, f"`{key}` is missing; add it")
        return node.entries

    def sequence(self, node: _Node, path: str, *, non_empty: bool = True) -> list[_Node]:
        if node.kind != "sequence":
            self.add(node.line, path, "must be a list (lines starting with `- `)")
            return []
        if non_empty and not node.children:
            self.add(node.line, path, "must not be empty")
        return node.children

    def string(self, node: _Node, path: str, *, pattern: re.Pattern[str] | None = None) -> str:
        if node.kind != "scalar" or not isinstance(node.value, str) or not node.value.strip():
            self.add(node.line, path, "must be a non-empty piece of text")
            return ""
        if pattern is not None and not pattern.match(node.value):
            self.add(
                node.line,
                path,
                f"{node.value!r} may only use lower-case letters, digits, `-` and `_`, "
                "and must start with a letter or digit",
            )
        return node.value

    def number(
        self, node: _Node, path: str, *, low: float, high: float, above_low: bool = False
    ) -> float | None:
        value = node.value
        if node.kind != "scalar" or isinstance(value, bool) or not isinstance(value, int | float):
            self.add(node.line, path, f"must be a number, not {node.text or node.kind!r}")
            return None
        if (above_low and value <= low) or value < low or value > high:
            lower = f"more than {low:g}" if above_low else f"at least {low:g}"
            limit = "" if math.isinf(high) else f" and at most {high:g}"
            self.add(node.line, path, f"must be {lower}{limit}, not {value:g}")
            return None
        return float(value)

    def integer(self, node: _Node, path: str, *, low: int) -> int | None:
        value = node.value
        if node.kind != "scalar" or isinstance(value, bool) or not isinstance(value, int):
            self.add(node.line, path, f"must be a whole number, not {node.text or node.kind!r}")
            return None
        if value < low:
            self.add(node.line, path, f"must be {low} or more, not {value}")
            return None
        return value

    def boolean(self, node: _Node, path: str) -> bool:
        if node.kind != "scalar" or not isinstance(node.value, bool):
            self.add(node.line, path, f"must be true or false, not {node.text or node.kind!r}")
            return False
        return node.value

    def text(self, node: _Node, path: str) -> Text:
        """A language → string mapping with English and every listed language present."""
        entries = self.mapping(
            node,
            path,
            optional=node.keys,
            what="a mapping of language codes to text (`en: ...`)",
        )
        if entries is None:
            return {}
        result: Text = {}
        for language, value_node in entries.items():
            if language.startswith("x-"):
                continue
            language_path = f"{path}.{language}"
            if language not in self.languages:
                self.add(
                    node.keys[language],
                    language_path,
                    f"language `{language}` is not listed in `languages` "
                    f"({', '.join(self.languages)}); add it there or fix the code",
                )
                continue
            result[language] = self.string(value_node, language_path)
        if DEFAULT_LANGUAGE not in entries:
            self.add(
                node.line,
                f"{path}.{DEFAULT_LANGUAGE}",
                "the English text is missing; every text needs an `en:` line",
            )
        for language in self.languages:
            if language != DEFAULT_LANGUAGE and language not in entries:
                self.add(
                    node.line,
                    f"{path}.{language}",
                    f"the `{language}` translation is missing; add it, or remove `{language}` "
                    "from `languages`",
                )
        return result


def _closest(word: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None


# --- The schema -----------------------------------------------------------------------------

_TOP_REQUIRED = ("slug", "version", "title", "source", "licence", "domains", "stages")
_TOP_OPTIONAL = (
    "description",
    "languages",
    "draft_languages",
    "groups",
    "scales",
    "domain_rule",
    "overall_rule",
    "measurement_error",
    "overall_stage_rule",
    "overall_minimum_domains",
    "subject",
)
_DOMAIN_REQUIRED = ("id", "title", "items")
_DOMAIN_OPTIONAL = ("weight", "minimum_answers", "group", "description")
_ITEM_KEYS_BY_TYPE = {
    "likert": ("weight", "reverse", "options", "scale"),
    "single_choice": ("weight", "reverse", "options", "scale"),
    "multiple_choice": ("weight", "reverse", "options", "scale"),
    "yes_no": ("weight", "reverse", "options", "scale"),
    "number": ("weight", "reverse", "min", "max"),
    "free_text": (),
}
_ITEM_ALL_KEYS = ("weight", "reverse", "options", "scale", "min", "max")


def parse_instrument(text: str, *, source: str) -> Instrument:
    """Read one instrument file; raise InstrumentFileError listing every problem found."""
    checker = _Checker()
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        # libyaml may place an end-of-file mark one line past the last line.
        line = min(mark.line + 1, text.count("\n") + 1) if mark is not None else 1
        reason = ", ".join(part for part in (error.context, error.problem) if part)
        message = f"YAML syntax error: {reason}; check indentation, colons and quotes"
        raise InstrumentFileError([Problem(line, "(syntax)", message)], source=source) from None
    except yaml.YAMLError as error:
        position = getattr(error, "position", 0)
        line = text.count("\n", 0, position) + 1
        reason = str(error).splitlines()[0]
        problem = Problem(line, "(syntax)", f"the file cannot be read as YAML: {reason}")
        raise InstrumentFileError([problem], source=source) from None
    if root is None:
        raise InstrumentFileError(
            [Problem(1, "(file)", "the file is empty; see data/README.md for the format")],
            source=source,
        )
    document = checker.wrap(root, "")
    instrument = _instrument(checker, document)
    if checker.problems:
        raise InstrumentFileError(checker.problems, source=source)
    assert instrument is not None
    return instrument


def instrument_from_definition(definition: dict[str, object], *, source: str) -> Instrument:
    """Rebuild an Instrument from its stored `raw` mapping (as kept in the database)."""
    # safe_dump quotes strings such as "yes" and "1", so they read back as the same strings.
    text = yaml.dump(definition, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
    return parse_instrument(text, source=source)


def _instrument(checker: _Checker, document: _Node) -> Instrument | None:
    top = checker.mapping(
        document, "", required=_TOP_REQUIRED, optional=_TOP_OPTIONAL, what="a mapping"
    )
    if top is None:
        checker.problems[-1] = Problem(
            document.line, "(file)", "the file must be a mapping of `key: value` lines"
        )
        return None

    languages, draft_languages = _languages(checker, top)
    checker.languages = languages

    slug = checker.string(top["slug"], "slug") if "slug" in top else ""
    if slug and not SLUG_PATTERN.match(slug):
        checker.add(
            top["slug"].line,
            "slug",
            f"{slug!r} must be lower-case words joined by `-`, like `integration-journey`",
        )
    version = checker.integer(top["version"], "version", low=1) if "version" in top else None
    title = checker.text(top["title"], "title") if "title" in top else {}
    description = checker.text(top["description"], "description") if "description" in top else None
    source = checker.string(top["source"], "source") if "source" in top else ""
    licence = checker.string(top["licence"], "licence") if "licence" in top else ""
    subject = _subject(checker, top)
    domain_rule = _rule(checker, top, "domain_rule")
    overall_rule = _rule(checker, top, "overall_rule")
    measurement_error = None
    if "measurement_error" in top:
        measurement_error = checker.number(
            top["measurement_error"], "measurement_error", low=0, high=SCORE_MAX
        )

    groups = _groups(checker, top["groups"]) if "groups" in top else ()
    scales = _scales(checker, top["scales"]) if "scales" in top else {}
    domains = (
        _domains(checker, top["domains"], {group.id for group in groups}, scales)
        if "domains" in top
        else ()
    )
    stages = _stages(checker, top["stages"]) if "stages" in top else ()
    overall_stage_rule = (
        _overall_stage_rule(checker, top["overall_stage_rule"], {d.id for d in domains})
        if "overall_stage_rule" in top
        else None
    )

    overall_minimum_domains = 1
    if "overall_minimum_domains" in top:
        node = top["overall_minimum_domains"]
        overall_minimum_domains = (
            checker.integer(node, "overall_minimum_domains", low=1) or overall_minimum_domains
        )
        if domains and overall_minimum_domains > len(domains):
            checker.add(
                node.line,
                "overall_minimum_domains",
                f"is {overall_minimum_domains} but the instrument has only {len(domains)} domains",
            )

    return Instrument(
        slug=slug,
        version=version or 0,
        title=title,
        description=description,
        source=source,
        licence=licence,
        languages=languages,
        draft_languages=draft_languages,
        domains=domains,
        stages=stages,
        domain_rule=domain_rule,
        overall_rule=overall_rule,
        measurement_error=measurement_error,
        raw=_as_dict(document.plain()),
        groups=groups,
        overall_stage_rule=overall_stage_rule,
        overall_minimum_domains=overall_minimum_domains,
        subject=subject,
    )


def _as_dict(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return value


def _languages(checker: _Checker, top: dict[str, _Node]) -> tuple[list[str], list[str]]:
    languages = [DEFAULT_LANGUAGE]
    if "languages" in top:
        node = top["languages"]
        listed = _language_list(checker, node, "languages")
        if listed and DEFAULT_LANGUAGE not in listed:
            checker.add(node.line, "languages", "must include `en`, the default language")
        languages = [DEFAULT_LANGUAGE] + [code for code in listed if code != DEFAULT_LANGUAGE]
    draft: list[str] = []
    if "draft_languages" in top:
        node = top["draft_languages"]
        draft = _language_list(checker, node, "draft_languages")
        for index, code in enumerate(draft):
            if code == DEFAULT_LANGUAGE:
                checker.add(
                    node.children[index].line,
                    f"draft_languages[{index}]",
                    "English is the reference text and cannot be a draft",
                )
            elif code not in languages:
                checker.add(
                    node.children[index].line,
                    f"draft_languages[{index}]",
                    f"`{code}` is not listed in `languages`; add it there first",
                )
    return languages, draft


def _language_list(checker: _Checker, node: _Node, path: str) -> list[str]:
    codes: list[str] = []
    for index, child in enumerate(checker.sequence(node, path)):
        code = checker.string(child, f"{path}[{index}]")
        if not code:
            continue
        if not LANGUAGE_PATTERN.match(code):
            checker.add(
                child.line, f"{path}[{index}]", f"{code!r} is not a language code like `en`, `ar`"
            )
        elif code in codes:
            checker.add(child.line, f"{path}[{index}]", f"`{code}` is listed twice")
        else:
            codes.append(code)
    return codes


def _subject(checker: _Checker, top: dict[str, _Node]) -> str:
    if "subject" not in top:
        return PERSON
    node = top["subject"]
    subject = checker.string(node, "subject")
    if subject and subject not in SUBJECTS:
        suggestion = _closest(subject, SUBJECTS)
        hint = f"did you mean `{suggestion}`? " if suggestion else ""
        checker.add(
            node.line,
            "subject",
            f"{subject!r} is not who an instrument can assess; {hint}use `person` (a client, "
            "the default) or `organisation` (an organisation's own capacity)",
        )
        return PERSON
    return subject or PERSON


def _rule(checker: _Checker, top: dict[str, _Node], key: str) -> str:
    if key not in top:
        return "weighted_mean"
    rule = checker.string(top[key], key)
    if rule and rule not in RULES:
        checker.add(top[key].line, key, f"{rule!r} must be one of: {', '.join(RULES)}")
        return "weighted_mean"
    return rule or "weighted_mean"


def _groups(checker: _Checker, node: _Node) -> tuple[Group, ...]:
    groups: list[Group] = []
    seen: dict[str, int] = {}
    for index, child in enumerate(checker.sequence(node, "groups")):
        path = f"groups[{index}]"
        entries = checker.mapping(child, path, required=("id", "title"))
        if entries is None:
            continue
        group_id = _id(checker, entries, path, seen, "group")
        title = checker.text(entries["title"], f"{path}.title") if "title" in entries else {}
        groups.append(Group(group_id, title))
    return tuple(groups)


def _id(
    checker: _Checker, entries: dict[str, _Node], path: str, seen: dict[str, int], what: str
) -> str:
    if "id" not in entries:
        return ""
    node = entries["id"]
    value = checker.string(node, f"{path}.id", pattern=ID_PATTERN)
    if value in seen:
        checker.add(
            node.line,
            f"{path}.id",
            f"{what} id `{value}` is already used on line {seen[value]}; ids must be unique",
        )
    elif value:
        seen[value] = node.line
    return value


def _scales(checker: _Checker, node: _Node) -> dict[str, tuple[Option, ...]]:
    entries = checker.mapping(
        node, "scales", optional=node.keys, what="a mapping of scale names to option lists"
    )
    scales: dict[str, tuple[Option, ...]] = {}
    for name, scale_node in (entries or {}).items():
        if name.startswith("x-"):
            continue
        if not ID_PATTERN.match(name):
            checker.add(node.keys[name], f"scales.{name}", "a scale name must be like `agreement`")
        scales[name] = _options(checker, scale_node, f"scales.{name}", item_type=None)
    return scales


def _options(
    checker: _Checker, node: _Node, path: str, *, item_type: str | None
) -> tuple[Option, ...]:
    options: list[Option] = []
    seen: dict[str, int] = {}
    for index, child in enumerate(checker.sequence(node, path)):
        option_path = f"{path}[{index}]"
        score_required = item_type != "yes_no"
        entries = checker.mapping(
            child,
            option_path,
            required=("value", "label", "score") if score_required else ("value", "label"),
            optional=() if score_required else ("score",),
        )
        if entries is None:
            continue
        value = ""
        if "value" in entries:
            value_node = entries["value"]
            raw = value_node.value
            # Numbers are fine as option values (`value: 1`); they are compared as text.
            if value_node.kind == "scalar" and isinstance(raw, int) and not isinstance(raw, bool):
                value = str(raw)
            else:
                value = checker.string(value_node, f"{option_path}.value")
            if value in seen:
                checker.add(
                    value_node.line,
                    f"{option_path}.value",
                    f"value `{value}` is already used on line {seen[value]}; "
                    "values must differ within an item",
                )
            elif value:
                seen[value] = value_node.line
        label = checker.text(entries["label"], f"{option_path}.label") if "label" in entries else {}
        score: float | None = None
        if "score" in entries:
            score = _score(checker, entries["score"], f"{option_path}.score")
        elif item_type == "yes_no":
            score = {"yes": SCORE_MAX, "no": SCORE_MIN}.get(value)
        options.append(Option(value, label, score))
    return tuple(options)


def _score(checker: _Checker, node: _Node, path: str) -> float | None:
    if node.kind == "scalar" and node.value is None:
        if node.text == "":
            checker.add(
                node.line,
                path,
                "score is empty; write a number from 0 to 100, or `null` if this answer "
                "is not counted",
            )
        return None
    value = node.value
    if node.kind != "scalar" or isinstance(value, bool) or not isinstance(value, int | float):
        checker.add(
            node.line,
            path,
            f"must be a number from 0 to 100, or `null` if this answer is not counted "
            f"(not {node.text or node.kind!r})",
        )
        return None
    if not SCORE_MIN <= value <= SCORE_MAX:
        checker.add(
            node.line,
            path,
            f"{value:g} is outside 0-100; scores run from 0 (greatest need) to 100, "
            "or use `null` for an answer that is not counted",
        )
        return None
    return float(value)


def _domains(
    checker: _Checker,
    node: _Node,
    group_ids: set[str],
    scales: dict[str, tuple[Option, ...]],
) -> tuple[Domain, ...]:
    domains: list[Domain] = []
    domain_ids: dict[str, int] = {}
    item_ids: dict[str, int] = {}
    for index, child in enumerate(checker.sequence(node, "domains")):
        path = f"domains[{index}]"
        entries = checker.mapping(child, path, required=_DOMAIN_REQUIRED, optional=_DOMAIN_OPTIONAL)
        if entries is None:
            continue
        domain_id = _id(checker, entries, path, domain_ids, "domain")
        title = checker.text(entries["title"], f"{path}.title") if "title" in entries else {}
        description = (
            checker.text(entries["description"], f"{path}.description")
            if "description" in entries
            else None
        )
        weight = 1.0
        if "weight" in entries:
            weight = (
                checker.number(
                    entries["weight"], f"{path}.weight", low=0, high=math.inf, above_low=True
                )
                or 1.0
            )
        group = None
        if "group" in entries:
            group = checker.string(entries["group"], f"{path}.group")
            if group and group not in group_ids:
                known = ", ".join(sorted(group_ids)) or "none are declared"
                checker.add(
                    entries["group"].line,
                    f"{path}.group",
                    f"group `{group}` is not declared under `groups` ({known})",
                )
        items: tuple[Item, ...] = ()
        if "items" in entries:
            items = tuple(
                _item(checker, item_node, f"{path}.items[{item_index}]", item_ids, scales)
                for item_index, item_node in enumerate(
                    checker.sequence(entries["items"], f"{path}.items")
                )
            )
        scored = sum(1 for item in items if item.is_scored)
        if items and scored == 0:
            checker.add(
                entries["items"].line,
                f"{path}.items",
                "a domain needs at least one scored item (free_text items and items whose "
                "options are all `null` are never scored)",
            )
        minimum_answers = 1
        if "minimum_answers" in entries:
            minimum_node = entries["minimum_answers"]
            minimum = checker.integer(minimum_node, f"{path}.minimum_answers", low=1)
            if minimum is not None and scored and minimum > scored:
                checker.add(
                    minimum_node.line,
                    f"{path}.minimum_answers",
                    f"is {minimum} but the domain has only {scored} scored item(s); "
                    f"use a number from 1 to {scored}",
                )
            minimum_answers = minimum or 1
        domains.append(Domain(domain_id, title, weight, minimum_answers, items, group, description))
    return tuple(domains)


def _item(
    checker: _Checker,
    node: _Node,
    path: str,
    item_ids: dict[str, int],
    scales: dict[str, tuple[Option, ...]],
) -> Item:
    item_type = ""
    if node.kind == "mapping" and "type" in node.entries:
        item_type = checker.string(node.entries["type"], f"{path}.type")
        if item_type and item_type not in RESPONSE_TYPES:
            checker.add(
                node.entries["type"].line,
                f"{path}.type",
                f"{item_type!r} is not a response type; use one of: {', '.join(RESPONSE_TYPES)}",
            )
            item_type = ""
    optional = ("help",) + (_ITEM_KEYS_BY_TYPE[item_type] if item_type else _ITEM_ALL_KEYS)
    misplaced = {
        key: f"`{key}` does not apply to {item_type} items; remove it"
        + (" (free_text answers are never scored)" if item_type == "free_text" else "")
        for key in _ITEM_ALL_KEYS
        if item_type and key not in optional
    }
    entries = checker.mapping(
        node, path, required=("id", "type", "text"), optional=optional, misplaced=misplaced
    )
    if entries is None:
        return Item("", "", {}, None, 1.0, (), False)
    item_id = _id(checker, entries, path, item_ids, "item")
    text = checker.text(entries["text"], f"{path}.text") if "text" in entries else {}
    help_text = checker.text(entries["help"], f"{path}.help") if "help" in entries else None
    weight = 1.0
    if "weight" in entries:
        weight = (
            checker.number(
                entries["weight"], f"{path}.weight", low=0, high=math.inf, above_low=True
            )
            or 1.0
        )
    reverse = (
        checker.boolean(entries["reverse"], f"{path}.reverse") if "reverse" in entries else False
    )

    options: tuple[Option, ...] = ()
    number_min = number_max = None
    if item_type in CHOICE_TYPES:
        options = _item_options(checker, node, entries, path, item_type, scales)
    elif item_type == "number":
        for key in ("min", "max"):
            if key not in entries:
                checker.add(
                    node.line, f"{path}.{key}", f"number items need `{key}:` (the answer range)"
                )
        if "min" in entries:
            number_min = checker.number(entries["min"], f"{path}.min", low=-math.inf, high=math.inf)
        if "max" in entries:
            number_max = checker.number(entries["max"], f"{path}.max", low=-math.inf, high=math.inf)
        if number_min is not None and number_max is not None and number_max <= number_min:
            checker.add(
                entries["max"].line,
                f"{path}.max",
                f"must be greater than min ({number_min:g}), not {number_max:g}",
            )
    return Item(
        item_id, item_type, text, help_text, weight, options, reverse, number_min, number_max
    )


def _item_options(
    checker: _Checker,
    node: _Node,
    entries: dict[str, _Node],
    path: str,
    item_type: str,
    scales: dict[str, tuple[Option, ...]],
) -> tuple[Option, ...]:
    if "options" in entries and "scale" in entries:
        checker.add(
            entries["scale"].line, f"{path}.scale", "give either `options` or `scale`, not both"
        )
    if "options" in entries:
        options = _options(checker, entries["options"], f"{path}.options", item_type=item_type)
        where = f"{path}.options"
        line = entries["options"].line
    elif "scale" in entries:
        name = checker.string(entries["scale"], f"{path}.scale")
        line = entries["scale"].line
        where = f"{path}.scale"
        if name and name not in scales:
            known = ", ".join(sorted(scales)) or "none are declared"
            checker.add(line, where, f"scale `{name}` is not declared under `scales` ({known})")
        options = scales.get(name, ())
    elif item_type == "yes_no":
        return _default_yes_no(checker, node.line, path)
    else:
        checker.add(node.line, f"{path}.options", f"{item_type} items need `options` or `scale`")
        return ()

    scored = [option for option in options if option.score is not None]
    if item_type == "likert" and options and len(scored) < 2:
        checker.add(line, where, "a likert item needs at least two options with a score")
    if item_type == "yes_no" and options:
        values = {option.value for option in options}
        if not {"yes", "no"} <= values:
            checker.add(line, where, "yes_no options must include the values `yes` and `no`")
        for option in options:
            if option.value not in ("yes", "no") and option.score is not None:
                checker.add(
                    line,
                    where,
                    f"option `{option.value}` of a yes_no item must have `score: null`; "
                    "only yes and no are scored",
                )
    return options


def _default_yes_no(checker: _Checker, line: int, path: str) -> tuple[Option, ...]:
    missing = [code for code in checker.languages if code not in DEFAULT_YES_NO_LABELS]
    if missing:
        checker.add(
            line,
            f"{path}.options",
            f"there are no built-in yes/no labels in {', '.join(missing)}; "
            "write the two options out with their labels",
        )
    labels = {code: DEFAULT_YES_NO_LABELS.get(code, ("Yes", "No")) for code in checker.languages}
    return (
        Option("yes", {code: pair[0] for code, pair in labels.items()}, SCORE_MAX),
        Option("no", {code: pair[1] for code, pair in labels.items()}, SCORE_MIN),
    )


def _stages(checker: _Checker, node: _Node) -> tuple[Stage, ...]:
    # (index in the file, stage, lines of its min and max) so coverage problems point at the file.
    placed: list[tuple[int, Stage, int, int]] = []
    seen: dict[str, int] = {}
    children = checker.sequence(node, "stages")
    for index, child in enumerate(children):
        path = f"stages[{index}]"
        entries = checker.mapping(
            child, path, required=("id", "label", "min", "max"), optional=("description",)
        )
        if entries is None:
            continue
        stage_id = _id(checker, entries, path, seen, "stage")
        label = checker.text(entries["label"], f"{path}.label") if "label" in entries else {}
        description = (
            checker.text(entries["description"], f"{path}.description")
            if "description" in entries
            else {}
        )
        low = high = None
        if "min" in entries:
            low = checker.number(entries["min"], f"{path}.min", low=SCORE_MIN, high=SCORE_MAX)
        if "max" in entries:
            high = checker.number(entries["max"], f"{path}.max", low=SCORE_MIN, high=SCORE_MAX)
        if low is None or high is None:
            continue
        if high <= low:
            checker.add(
                entries["max"].line, f"{path}.max", f"must be above min ({low:g}), not {high:g}"
            )
            continue
        stage = Stage(stage_id, label, description, low, high)
        placed.append((index, stage, entries["min"].line, entries["max"].line))
    if placed and len(placed) == len(children):
        _check_stage_coverage(checker, placed)
    return tuple(entry[1] for entry in sorted(placed, key=lambda entry: entry[1].min_score))


def _check_stage_coverage(checker: _Checker, placed: list[tuple[int, Stage, int, int]]) -> None:
    """Stages must tile 0-100 exactly, so every score falls in exactly one stage."""
    ordered = sorted(placed, key=lambda entry: entry[1].min_score)
    first_index, first, first_line, _ = ordered[0]
    if first.min_score != SCORE_MIN:
        checker.add(
            first_line,
            f"stages[{first_index}].min",
            f"the lowest stage must start at 0, not {first.min_score:g}",
        )
    for (_, before, _, _), (index, after, line, _) in zip(ordered, ordered[1:], strict=False):
        if after.min_score > before.max_score:
            checker.add(
                line,
                f"stages[{index}].min",
                f"there is a gap between stage `{before.id}` (ends at {before.max_score:g}) and "
                f"`{after.id}` (starts at {after.min_score:g}); make min equal the previous max",
            )
        elif after.min_score < before.max_score:
            checker.add(
                line,
                f"stages[{index}].min",
                f"stage `{after.id}` (from {after.min_score:g}) overlaps `{before.id}` (up to "
                f"{before.max_score:g}); make min equal the previous max",
            )
    last_index, last, _, last_line = ordered[-1]
    if last.max_score != SCORE_MAX:
        checker.add(
            last_line,
            f"stages[{last_index}].max",
            f"the highest stage must end at 100, not {last.max_score:g}",
        )


def _overall_stage_rule(
    checker: _Checker, node: _Node, domain_ids: set[str]
) -> OverallStageRule | None:
    entries = checker.mapping(node, "overall_stage_rule", optional=("capped_by",))
    if entries is None:
        return None
    capped_by: list[str] = []
    if "capped_by" in entries:
        for index, child in enumerate(
            checker.sequence(entries["capped_by"], "overall_stage_rule.capped_by")
        ):
            path = f"overall_stage_rule.capped_by[{index}]"
            domain_id = checker.string(child, path)
            if domain_id and domain_id not in domain_ids:
                checker.add(child.line, path, f"there is no domain with id `{domain_id}`")
            capped_by.append(domain_id)
    return OverallStageRule(tuple(capped_by))
