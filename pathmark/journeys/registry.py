"""The host-norm files this installation knows: the built-in illustrative ones plus any in the
folders of `PATHMARK_NORM_DIRS` (a partnership's own survey data, which wins over the built-in
file for the same instrument).

Files are read on every call (they are small) but parsed only when their content changes, so an
administrator's edit shows on the next page view without a restart.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from pathmark.instruments.registry import list_instruments

from .norms import HostNorms, parse_norms

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
