"""The instrument files this installation knows: the built-in ones plus a partnership's own.

Files are read on every call (they are small) but parsed only when their content changes, so a
new or edited file is picked up without a restart.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .definition import PERSON, Instrument, InstrumentFileError, parse_instrument

BUILTIN_DIR = Path(__file__).resolve().parent / "data"


class RegistryError(Exception):
    """The instrument files cannot be used together (for example two files claim one version)."""


class UnknownInstrument(RegistryError, LookupError):
    pass


@dataclass(frozen=True)
class InstrumentFile:
    path: Path
    instrument: Instrument
    sha256: str
    """Fingerprint of the parsed definition: comments and layout may change, meaning may not."""


_parsed: dict[tuple[str, str], tuple[Instrument, str]] = {}
# Which parse a file's path, modification time and size last gave.
_by_stat: dict[tuple[str, int, int], tuple[str, str]] = {}


def definition_sha256(definition: dict[str, object]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def instrument_dirs() -> list[Path]:
    extra = getattr(settings, "PATHMARK_INSTRUMENT_DIRS", None) or []
    dirs = [BUILTIN_DIR]
    for entry in extra:
        path = Path(entry).expanduser()
        if not path.is_dir():
            raise ImproperlyConfigured(
                _("PATHMARK_INSTRUMENT_DIRS lists %(path)s, which is not a folder.")
                % {"path": path}
            )
        dirs.append(path.resolve())
    return dirs


def read_instrument_file(path: Path) -> InstrumentFile:
    """Parse one file, reusing the last parse while its content is unchanged: while its size
    and modification time are (one `stat`, not a read and a hash, for the pages that list
    instruments several times a view), and otherwise while its text hashes the same."""
    stat = path.stat()
    seen = (str(path), stat.st_mtime_ns, stat.st_size)
    key = _by_stat.get(seen)
    if key is None:
        text = path.read_text(encoding="utf-8")
        key = (str(path), hashlib.sha256(text.encode()).hexdigest())
        if key not in _parsed:
            instrument = parse_instrument(text, source=str(path))
            _parsed[key] = (instrument, definition_sha256(instrument.raw))
        _by_stat[seen] = key
    instrument, sha256 = _parsed[key]
    return InstrumentFile(path, instrument, sha256)


def instrument_files() -> list[InstrumentFile]:
    """Every instrument file, sorted by slug and version; raise if any is invalid or clashes."""
    found: dict[tuple[str, int], InstrumentFile] = {}
    for directory in instrument_dirs():
        for path in sorted(directory.glob("*.yaml")):
            entry = read_instrument_file(path)
            instrument = entry.instrument
            key = (instrument.slug, instrument.version)
            other = found.get(key)
            if other is not None and other.sha256 != entry.sha256:
                raise RegistryError(
                    _(
                        "%(first)s and %(second)s both define %(slug)s version %(version)s "
                        "with different content; give one of them a new version number."
                    )
                    % {
                        "first": other.path,
                        "second": path,
                        "slug": instrument.slug,
                        "version": instrument.version,
                    }
                )
            found.setdefault(key, entry)
    return [found[key] for key in sorted(found)]


def list_instruments(*, subject: str | None = PERSON) -> list[Instrument]:
    """The latest version of each instrument that assesses `subject`, by slug: people's by
    default, because every page that offers instruments to choose from (starting an
    assessment, imports, reports, the directory's domains) is about people; an organisation's
    capacity instruments are asked for by name. `subject=None` lists every instrument."""
    latest: dict[str, Instrument] = {}
    for entry in instrument_files():
        latest[entry.instrument.slug] = entry.instrument
    return [
        latest[slug]
        for slug in sorted(latest)
        if subject is None or latest[slug].subject == subject
    ]


def get_instrument(slug: str, version: int | None = None) -> Instrument:
    """One instrument by slug, the latest version unless `version` is given."""
    versions = [entry.instrument for entry in instrument_files() if entry.instrument.slug == slug]
    if not versions:
        known = ", ".join(sorted({i.slug for i in list_instruments(subject=None)})) or _("none")
        raise UnknownInstrument(
            _("There is no instrument %(slug)r. Known instruments: %(known)s.")
            % {"slug": slug, "known": known}
        )
    if version is None:
        return versions[-1]
    for instrument in versions:
        if instrument.version == version:
            return instrument
    raise UnknownInstrument(
        _("Instrument %(slug)r has no version %(version)s (it has %(versions)s).")
        % {
            "slug": slug,
            "version": version,
            "versions": ", ".join(str(i.version) for i in versions),
        }
    )


__all__ = [
    "BUILTIN_DIR",
    "InstrumentFile",
    "InstrumentFileError",
    "RegistryError",
    "UnknownInstrument",
    "definition_sha256",
    "get_instrument",
    "instrument_dirs",
    "instrument_files",
    "list_instruments",
    "read_instrument_file",
]
