"""The Pathmark taxonomy of integration themes, read from YAML and checked with line numbers.

A theme (English/ESOL, housing, legal advice...) is what a service in the directory helps
with, and names the instrument domains it works on, so a person's gaps can be matched to
services. Pure Python (no Django): the command line, the importer and the tests share it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pathmark.instruments.definition import DataFileError, Problem

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
DEFAULT_LANGUAGE = "en"
DEFAULT_FILE = Path(__file__).parent / "data" / "themes.yaml"

# Stable HSDS ids for Pathmark's own taxonomies and terms, derived from their slugs so that
# every installation (and every export) uses the same ids.
NAMESPACE = uuid.UUID("0b5a7f4e-2c1d-5e8a-9f3b-6d4c2a1e8b70")
THEMES_TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:themes"))


def theme_term_id(slug: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"theme:{slug}"))


class ThemesFileError(DataFileError):
    """A themes file that cannot be used; `problems` lists every fault found, by line."""

    default_source = "<themes>"


@dataclass(frozen=True)
class Theme:
    slug: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    # instrument slug -> domain ids of that instrument the theme works on
    domains: Mapping[str, tuple[str, ...]]

    @property
    def term_id(self) -> str:
        return theme_term_id(self.slug)

    def title_in(self, language: str) -> str:
        return _in(self.title, language) or self.slug

    def description_in(self, language: str) -> str:
        return _in(self.description, language)

    def works_on(self, instrument: str, domain: str) -> bool:
        return domain in self.domains.get(instrument, ())


@dataclass(frozen=True)
class Themes:
    version: int
    title: Mapping[str, str]
    themes: tuple[Theme, ...]
    by_slug: Mapping[str, Theme] = field(repr=False)

    def get(self, slug: str) -> Theme | None:
        return self.by_slug.get(slug)

    def slugs(self) -> tuple[str, ...]:
        return tuple(theme.slug for theme in self.themes)

    def domains_of(self, slugs: Collection[str]) -> dict[str, set[str]]:
        """Instrument slug -> domains that any of the given themes works on."""
        found: dict[str, set[str]] = {}
        for slug in slugs:
            theme = self.by_slug.get(slug)
            if theme is None:
                continue
            for instrument, domains in theme.domains.items():
                found.setdefault(instrument, set()).update(domains)
        return found

    def themes_for_domain(self, instrument: str, domain: str) -> tuple[Theme, ...]:
        return tuple(theme for theme in self.themes if theme.works_on(instrument, domain))


def _in(texts: Mapping[str, str], language: str) -> str:
    base = language.split("-")[0].lower()
    return texts.get(base) or texts.get(DEFAULT_LANGUAGE) or ""


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, node: yaml.Node | None, path: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(Problem(line, path, message))

    def mapping(
        self, node: yaml.Node, path: str, *, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.add(node, path, "must be a set of `key: value` lines")
            return None
        entries: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.add(key_node, path, "a key must be a plain word")
                continue
            key_path = f"{path}.{key}" if path else key
            if key in entries:
                self.add(key_node, key_path, "is given twice; keep one")
            elif key not in required and key not in optional and not key.startswith("x-"):
                allowed = ", ".join((*required, *optional))
                self.add(key_node, key_path, f"unknown key (allowed here: {allowed})")
            else:
                entries[key] = value_node
        for key in required:
            if key not in entries:
                self.add(node, f"{path}.{key}" if path else key, "is required")
        return entries

    def string(self, node: yaml.Node, path: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            self.add(node, path, "must be text")
            return None
        value: str = node.value.strip()
        if not value:
            self.add(node, path, "must not be empty")
            return None
        return value

    def text(self, node: yaml.Node, path: str) -> dict[str, str]:
        """A text in several languages: `{en: ..., ar: ...}`; English is required."""
        if not isinstance(node, yaml.MappingNode):
            self.add(node, path, "must give the text per language, e.g. `en: ...`")
            return {}
        texts: dict[str, str] = {}
        for key_node, value_node in node.value:
            language = str(key_node.value)
            if not LANGUAGE.match(language):
                self.add(key_node, f"{path}.{language}", "must be a language code such as en or ar")
                continue
            value = self.string(value_node, f"{path}.{language}")
            if value is not None:
                texts[language] = value
        if DEFAULT_LANGUAGE not in texts:
            self.add(node, path, "needs an English text (`en: ...`)")
        return texts


def parse_themes(
    text: str, *, source: str, known_domains: Mapping[str, Collection[str]] | None = None
) -> Themes:
    """Reads a themes file; raises ThemesFileError listing every problem by line.
    `known_domains` maps each instrument slug to its domain ids, to catch misspellings."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = ", ".join(part for part in (error.context, error.problem) if part)
        problem = Problem(line, "(syntax)", f"YAML syntax error: {reason}")
        raise ThemesFileError([problem], source=source) from None
    if root is None:
        raise ThemesFileError([Problem(1, "(file)", "the file is empty")], source=source)
    reader = _Reader()
    top = reader.mapping(root, "", required=("version", "title", "themes"), optional=())
    if top is None:
        raise ThemesFileError(reader.problems, source=source)
    version = 0
    if "version" in top:
        node = top["version"]
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            version = int(node.value)
        if version < 1:
            reader.add(node, "version", "must be a whole number from 1")
    title = reader.text(top["title"], "title") if "title" in top else {}
    themes: list[Theme] = []
    seen: dict[str, int] = {}
    themes_node = top.get("themes")
    if themes_node is not None and not isinstance(themes_node, yaml.SequenceNode):
        reader.add(themes_node, "themes", "must be a list of themes (lines starting with `- `)")
    elif themes_node is not None:
        if not themes_node.value:
            reader.add(themes_node, "themes", "must list at least one theme")
        for index, child in enumerate(themes_node.value):
            theme = _theme(reader, child, f"themes[{index}]", known_domains, seen)
            if theme is not None:
                themes.append(theme)
    if reader.problems:
        raise ThemesFileError(reader.problems, source=source)
    return Themes(
        version=version,
        title=title,
        themes=tuple(themes),
        by_slug={theme.slug: theme for theme in themes},
    )


def _theme(
    reader: _Reader,
    node: yaml.Node,
    path: str,
    known_domains: Mapping[str, Collection[str]] | None,
    seen: dict[str, int],
) -> Theme | None:
    entries = reader.mapping(
        node, path, required=("slug", "title", "domains"), optional=("description",)
    )
    if entries is None:
        return None
    slug = reader.string(entries["slug"], f"{path}.slug") if "slug" in entries else None
    if slug is not None:
        line = entries["slug"].start_mark.line + 1
        if not SLUG.match(slug):
            reader.add(entries["slug"], f"{path}.slug", "use lower-case letters, digits and -")
        elif slug in seen:
            reader.add(
                entries["slug"], f"{path}.slug", f"{slug!r} is used already on line {seen[slug]}"
            )
        else:
            seen[slug] = line
    title = reader.text(entries["title"], f"{path}.title") if "title" in entries else {}
    description = (
        reader.text(entries["description"], f"{path}.description")
        if "description" in entries
        else {}
    )
    domains: dict[str, tuple[str, ...]] = {}
    domains_node = entries.get("domains")
    if domains_node is not None:
        if not isinstance(domains_node, yaml.MappingNode) or not domains_node.value:
            reader.add(domains_node, f"{path}.domains", "must map instrument slugs to domain lists")
        else:
            for key_node, value_node in domains_node.value:
                instrument = str(key_node.value)
                key_path = f"{path}.domains.{instrument}"
                if known_domains is not None and instrument not in known_domains:
                    known = ", ".join(sorted(known_domains))
                    reader.add(
                        key_node,
                        key_path,
                        f"there is no instrument {instrument!r} (known: {known})",
                    )
                    continue
                if not isinstance(value_node, yaml.SequenceNode):
                    reader.add(value_node, key_path, "must be a list such as [housing, stability]")
                    continue
                listed: list[str] = []
                for item in value_node.value:
                    domain = reader.string(item, key_path)
                    if domain is None:
                        continue
                    if known_domains is not None and domain not in known_domains[instrument]:
                        reader.add(
                            item,
                            key_path,
                            f"{instrument} has no domain {domain!r} "
                            f"(its domains: {', '.join(known_domains[instrument])})",
                        )
                    elif domain in listed:
                        reader.add(item, key_path, f"{domain!r} is listed twice")
                    else:
                        listed.append(domain)
                domains[instrument] = tuple(listed)
    if slug is None or not title:
        return None
    return Theme(slug=slug, title=title, description=description, domains=domains)


def load_themes(
    path: Path = DEFAULT_FILE, *, known_domains: Mapping[str, Collection[str]] | None = None
) -> Themes:
    return parse_themes(
        path.read_text(encoding="utf-8"), source=str(path), known_domains=known_domains
    )
