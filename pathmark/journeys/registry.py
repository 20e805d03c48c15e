"""The host-norm files this installation knows: the built-in illustrative ones plus any in the
folders of `PATHMARK_NORM_DIRS` (a partnership's own survey data, which wins over the built-in
file for the same instrument).

Files are read on every call (they are small) but parsed only when their content changes, so an
administrator's edit shows on the next page view without a restart.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pathmark.instruments.registry import list_instruments

from .norms import HostNorms, NormVersion, parse_norms
from .trajectory import HostNorm

BUILTIN_DIR = Path(__file__).resolve().parent / "data"
SUFFIX = ".norms.yaml"

_parsed: dict[tuple[str, str], HostNorms] = {}


def norm_dirs() -> list[Path]:
    dirs = [BUILTIN_DIR]
    for entry in getattr(settings, "PATHMARK_NORM_DIRS", None) or []:
        path = Path(entry).expanduser()
        if not path.is_dir():
            raise ImproperlyConfigured(
                _("PATHMARK_NORM_DIRS lists %(path)s, which is not a folder.") % {"path": path}
            )
        dirs.append(path.resolve())
    return dirs


def known_domains() -> dict[str, set[str]]:
    return {
        instrument.slug: {domain.id for domain in instrument.domains}
        for instrument in list_instruments()
    }


def read_norms_file(path: Path) -> HostNorms:
    """Parse one file, reusing the last parse while its content is unchanged."""
    text = path.read_text(encoding="utf-8")
    key = (str(path), hashlib.sha256(text.encode()).hexdigest())
    if key not in _parsed:
        _parsed[key] = parse_norms(text, source=str(path), known=known_domains())
    return _parsed[key]


def all_host_norms() -> dict[str, tuple[Path, HostNorms]]:
    """Instrument slug → (file, norms). A later folder's file replaces an earlier one's."""
    found: dict[str, tuple[Path, HostNorms]] = {}
    for directory in norm_dirs():
        for path in sorted(directory.glob(f"*{SUFFIX}")):
            norms = read_norms_file(path)
            found[norms.instrument] = (path, norms)
    return found


def host_norms_for(slug: str) -> HostNorms | None:
    entry = all_host_norms().get(slug)
    return entry[1] if entry else None


# --- Norms from surveys of the host population ------------------------------------------------


def _survey_rows() -> list[tuple[Any, ...]]:
    from .models import SurveyNorm

    return list(
        SurveyNorm.objects.order_by("survey__valid_from", "key").values_list(
            "survey__instrument",
            "survey__valid_from",
            "survey__label",
            "survey__source",
            "key",
            "group_kind",
            "group_value",
            "n",
            "value",
            "ci_low",
            "ci_high",
            "low",
            "high",
        )
    )


def merge_surveys(
    files: dict[str, tuple[str, HostNorms]], rows: list[tuple[Any, ...]]
) -> dict[str, tuple[str, HostNorms]]:
    """The norms in force per instrument: the uploaded surveys' dated versions (with their
    group norms) where the partnership has surveyed the host population, else the file's."""
    by_instrument: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_instrument.setdefault(row[0], []).append(row)
    merged = dict(files)
    for slug, found in by_instrument.items():
        # A partnership's own surveys replace the built-in (illustrative) file altogether:
        # its norms are its own measurements, not a mix with invented numbers.
        origin, base = "", None
        by_key: dict[str, dict[date, HostNorm]] = {
            key: {norm.valid_from: norm for norm in norms}
            for key, norms in (base.by_key.items() if base else [])
        }
        groups: dict[tuple[str, str], dict[str, dict[date, HostNorm]]] = {}
        versions = {version.valid_from: version for version in (base.versions if base else ())}
        changed: dict[date, list[str]] = {}
        labels: dict[date, str] = {}
        sources: list[str] = []
        for (
            _slug,
            valid_from,
            label,
            source,
            key,
            kind,
            group_value,
            n,
            mean,
            ci_low,
            ci_high,
            low,
            high,
        ) in found:
            norm = HostNorm(
                valid_from,
                mean,
                low,
                high,
                {"en": label} if label else None,
                n=n,
                ci_low=ci_low,
                ci_high=ci_high,
                group=(kind, group_value),
            )
            if kind:
                groups.setdefault((kind, group_value), {}).setdefault(key, {})[valid_from] = norm
            else:
                by_key.setdefault(key, {})[valid_from] = norm
                changed.setdefault(valid_from, []).append(key)
            labels[valid_from] = label
            if source not in sources:
                sources.append(source)
        for valid_from, keys in changed.items():
            versions[valid_from] = NormVersion(
                valid_from, {"en": labels[valid_from]} if labels[valid_from] else {}, tuple(keys)
            )
        norms = HostNorms(
            instrument=slug,
            source="; ".join(sources) + (f"; {base.source}" if base else ""),
            description=base.description if base else None,
            versions=tuple(versions[day] for day in sorted(versions)),
            by_key={
                key: tuple(dated[day] for day in sorted(dated)) for key, dated in by_key.items()
            },
            groups={
                group: {
                    key: tuple(dated[day] for day in sorted(dated)) for key, dated in keys.items()
                }
                for group, keys in groups.items()
            },
        )
        surveys = len({row[1] for row in found})
        merged[slug] = (
            (f"{origin} + " if origin else "")
            + ngettext("%(count)s survey", "%(count)s surveys", surveys) % {"count": surveys},
            norms,
        )
    return merged


def norms_in_force() -> dict[str, tuple[str, HostNorms]]:
    """Instrument slug → (where the norms come from, norms): the uploaded surveys' versions
    where there are any, else the norm files'. Worked out once and kept in this process while
    neither the files nor the surveys change (surveys are only ever added): one aggregate
    query a call, where merging every survey's rows cost each journey page about 10 ms."""
    global _kept
    files = {slug: (path.name, norms) for slug, (path, norms) in all_host_norms().items()}
    key = (_surveys_fingerprint(), tuple((slug, name, id(n)) for slug, (name, n) in files.items()))
    kept = _kept
    if kept is not None and kept[0] == key:
        return kept[1]
    merged = merge_surveys(files, _survey_rows())
    _kept = (key, merged)
    return merged


_kept: tuple[tuple[Any, ...], dict[str, tuple[str, HostNorms]]] | None = None


def _surveys_fingerprint() -> tuple[Any, ...]:
    """What changes whenever a survey is added or removed (the upload time too, so a
    rolled-back survey followed by another cannot look the same). A survey's norms are
    written with it in one transaction and never changed (`services.publish_host_survey`), so
    the surveys alone say when the norms changed: a few rows, where counting every survey's
    norms cost each journey page half a millisecond on PostgreSQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(connection.vendor))
        count, last, uploaded = cursor.fetchone()
    return count, last, uploaded


@lru_cache(maxsize=4)
def _fingerprint_sql(vendor: str) -> str:
    """The fingerprint's query (every journey page asks it), written once rather than by the
    ORM each time: the number of surveys, the newest one and the newest upload."""
    from django.db import connection

    from .models import HostSurvey

    quote = connection.ops.quote_name
    survey = HostSurvey._meta
    survey_id = quote(survey.pk.column)
    # Names from the model's own metadata, quoted; no value from outside.
    sql = "SELECT COUNT({0}), MAX({0}), MAX({1}) FROM {2}"
    return sql.format(survey_id, quote("uploaded_at"), quote(survey.db_table))


def norms_in_force_for(slug: str) -> HostNorms | None:
    entry = norms_in_force().get(slug)
    return entry[1] if entry else None
