"""Uploads are limited while they arrive, not after: the first handler of every upload counts
the bytes of each file and stops keeping a file at `PATHMARK_UPLOAD_MAX_BYTES`, so a large
upload never fills the disk or holds a worker while it is written out. The page then says
the limit (`upload_cut_off`), rather than "this field is required"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CUT_OFF = "_pathmark_uploads_cut_off"


def upload_limit() -> int:
    return int(getattr(settings, "PATHMARK_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def describe_size(size: int) -> str:
    """A size as the pages say it ("20.0 MB"), in the reader's language."""
    return str(filesizeformat(size))


class SizeLimitedUploadHandler(FileUploadHandler):
    """Passes each chunk on to the handlers after it (memory, then a temporary file) until a
    file passes the limit; that file is then dropped and its field noted on the request."""

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > upload_limit():
            cut: set[str] = getattr(self.request, CUT_OFF, set())
            cut.add(self.field_name)
            setattr(self.request, CUT_OFF, cut)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_cut_off(request: HttpRequest, field_name: str) -> bool:
    """Whether the file of `field_name` was dropped for passing the limit while it arrived."""
    return field_name in getattr(request, CUT_OFF, set())


def too_large_message() -> str:
    return _(
        "The file is larger than %(limit)s, the most Pathmark accepts. Split it into smaller "
        "files and import each."
    ) % {"limit": describe_size(upload_limit())}
