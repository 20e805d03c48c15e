"""Getting a link to the client: a QR code on the caseworker's screen, an e-mail through
Django's e-mail backend, or a text message through a pluggable SMS backend.

What is sent holds the link, the organisation's name and when the link stops working: no name,
no answers, nothing about anyone else.
"""

from __future__ import annotations

import io
import logging
import smtplib
import sys
from typing import Any, Protocol

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def qr_svg(url: str) -> str:
    """The link as an SVG QR code, drawn on the server (no script, no image request), to
    place in the page. Medium error correction still reads off a scratched screen."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    svg = out.getvalue().decode("utf-8")
    # Inline in the page: the XML declaration belongs to a file, not to HTML.
    return svg[svg.index("<svg") :]


def _message(link: Any, url: str) -> str:
    with translation.override(link.language):
        return render_to_string(
            "selfservice/message.txt",
            {"url": url, "organisation": link.organisation.name, "expires_at": link.expires_at},
        ).strip()


def send_by_email(*, link: Any, url: str, address: str) -> bool:
    """Whether the message was handed to the mail server (a failure is logged by id only)."""
    with translation.override(link.language):
        subject = translation.gettext("Your questions from %(organisation)s") % {
            "organisation": link.organisation.name
        }
    subject = " ".join(subject.split())
    try:
        send_mail(subject, _message(link, url), None, [address])
    except (OSError, smtplib.SMTPException):
        logger.warning("Could not e-mail client link %s", link.pk)
        return False
    return True


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str) -> bool: ...


class ConsoleSmsBackend:
    """Writes the message to standard output, as Django's console e-mail backend does: for
    development and the demo. A partnership configures its SMS provider's backend instead
    (PATHMARK_SMS_BACKEND, a class with `send(to=..., text=...) -> bool`)."""

    def send(self, *, to: str, text: str) -> bool:
        sys.stdout.write(f"SMS to {to}:\n{text}\n")
        return True


outbox: list[tuple[str, str]] = []


class LocmemSmsBackend:
    """Keeps messages in `delivery.outbox`, for tests."""

    def send(self, *, to: str, text: str) -> bool:
        outbox.append((to, text))
        return True


def send_by_sms(*, link: Any, url: str, number: str) -> bool:
    backend: SmsBackend = import_string(settings.PATHMARK_SMS_BACKEND)()
    try:
        return backend.send(to=number, text=_message(link, url))
    except OSError:
        logger.warning("Could not text client link %s", link.pk)
        return False
