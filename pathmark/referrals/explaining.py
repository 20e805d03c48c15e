"""The ranking's reasons in words, in the reader's language ("speaks Tigrinya · English
(ESOL) · 9 of 12 similar people improved in Language and communication within 6 months")."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from pathmark.directory.catalogue import themes
from pathmark.people.reference import language_name

from . import ranking


def _rule(code: str) -> str:
    return {
        "age": _("age"),
        "gender": _("gender"),
        "immigration_status": _("immigration status"),
        "language": _("language"),
        "area": _("where they live"),
    }.get(code, code)


def say(reason: ranking.Reason, *, domain_title: Callable[[str], str] = str) -> str:
    """One reason as a short phrase."""
    value = reason.get
    code = reason.code
    if code == ranking.SPEAKS:
        return _("speaks %(language)s") % {"language": language_name(str(value("language")))}
    if code == ranking.INTERPRETING:
        return _("interpreting offered")
    if code == ranking.THEME:
        theme = themes().get(str(value("theme")))
        return theme.title_in(get_language() or "en") if theme else str(value("theme"))
    if code == ranking.WORKS_ON_GAP:
        return _("works on %(domain)s, %(gap)s points below the host norm") % {
            "domain": domain_title(str(value("domain"))),
            "gap": value("gap"),
        }
    if code == ranking.EVIDENCE:
        attended = int(value("attended") or 0)
        return ngettext(
            "%(improved)s of %(attended)s similar person improved in %(domain)s within "
            "%(months)s months",
            "%(improved)s of %(attended)s similar people improved in %(domain)s within "
            "%(months)s months",
            attended,
        ) % {
            "improved": value("improved"),
            "attended": attended,
            "domain": domain_title(str(value("domain"))),
            "months": value("months"),
        }
    if code == ranking.NO_EVIDENCE:
        return _("no similar people referred yet")
    if code == ranking.NEAR:
        return _("near them (%(place)s)") % {"place": value("place")}
    if code == ranking.ONLINE:
        return _("online or by phone")
    if code == ranking.WAIT:
        days = int(value("days") or 0)
        return ngettext("usual wait %(days)s day", "usual wait %(days)s days", days) % {
            "days": days
        }
    if code == ranking.PLACES:
        places = int(value("places") or 0)
        return ngettext("%(places)s place a month", "%(places)s places a month", places) % {
            "places": places
        }
    if code == ranking.CHECK:
        return _("check their %(rule)s: not recorded") % {"rule": _rule(str(value("rule")))}
    if code == ranking.EXCLUDED_NOT_TAKING_REFERRALS:
        return _("not taking referrals now")
    if code == ranking.EXCLUDED_ELIGIBILITY:
        return _("not eligible: %(rule)s") % {"rule": _rule(str(value("rule")))}
    if code == ranking.EXCLUDED_LANGUAGE:
        return _("no shared language and no interpreting")
    if code == ranking.EXCLUDED_NOT_FOR_GOAL:
        return _("does not work on this goal")
    return code


def sentence(reasons: Iterable[ranking.Reason], **kwargs: Callable[[str], str]) -> str:
    return " · ".join(say(reason, **kwargs) for reason in reasons)
