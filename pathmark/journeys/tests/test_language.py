"""The interface language is the reader's alone; a person's printout is in theirs; numbers
follow the page's language, negatives included."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import translation

from pathmark.core.numbers import LEFT_TO_RIGHT_ISOLATE, POP_DIRECTIONAL_ISOLATE
from pathmark.journeys.presentation import points_text, signed_text
from pathmark.testing import PersonFactory, client_for

from .conftest import completed

PEOPLE_AR = "الأشخاص"


@pytest.fixture(autouse=True)
def _back_to_english():  # type: ignore[no-untyped-def]
    """A request in Arabic leaves Arabic active in this thread; later tests expect English."""
    yield
    translation.deactivate()


def _falling_journey(world):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a, preferred_language="ar", name="هالة")
    completed(person, date(2024, 1, 10), 62.5)
    completed(person, date(2024, 7, 10), 50.4)
    completed(person, date(2025, 1, 10), 36.9)
    return person


def _article(page: str) -> str:
    return page[page.index("<article") : page.index("</article>")]


def test_an_arabic_printout_leaves_the_caseworkers_pages_in_english(world):
    person = _falling_journey(world)
    caseworker = client_for(world.a_caseworker)
    page = caseworker.get(f"/journeys/person/{person.pk}/summary/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert ">People<" in page and PEOPLE_AR not in page.replace(_article(page), "")
    article = _article(page)
    assert 'lang="ar" dir="rtl"' in article and "رحلة الاندماج" in article
    assert "My integration journey" not in article
    # The next page is the caseworker's own again, in their language.
    after = caseworker.get(f"/journeys/person/{person.pk}/").content.decode()
    assert '<html lang="en" dir="ltr">' in after and PEOPLE_AR not in after


def test_an_english_printout_leaves_an_arabic_reader_in_arabic(world):
    person = _falling_journey(world)
    caseworker = client_for(world.a_caseworker)
    caseworker.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    page = caseworker.get(f"/journeys/person/{person.pk}/summary/?language=en").content.decode()
    assert '<html lang="ar" dir="rtl">' in page and PEOPLE_AR in page
    assert 'lang="en" dir="ltr"' in _article(page)


def test_the_name_in_a_printout_is_set_in_its_own_direction(world):
    person = _falling_journey(world)
    page = client_for(world.a_caseworker).get(f"/journeys/person/{person.pk}/summary/?language=en")
    assert "For <bdi>هالة</bdi>" in page.content.decode()


def test_arabic_journey_page_writes_every_decimal_with_the_arabic_separator(world):
    person = _falling_journey(world)
    caseworker = client_for(world.a_caseworker)
    caseworker.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    page = caseworker.get(f"/journeys/person/{person.pk}/").content.decode()
    text = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    assert re.findall(r"\d+,\d", text), "no decimals on the page"
    assert not re.findall(r"\b\d+\.\d+\b", text), "a decimal with a point on an Arabic page"


def test_a_negative_number_keeps_its_sign_before_its_digits_in_arabic(world):
    person = _falling_journey(world)
    caseworker = client_for(world.a_caseworker)
    caseworker.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    page = caseworker.get(f"/journeys/person/{person.pk}/").content.decode()
    # Distance travelled: 36.9 - 62.5 = -25.6, isolated left to right.
    assert f"{LEFT_TO_RIGHT_ISOLATE}-25,6{POP_DIRECTIONAL_ISOLATE}" in page


def test_points_in_sentences_follow_the_language():
    with translation.override("ar"):
        assert points_text(2.46) == "2,5" and points_text(-12.4) == "12"
        assert signed_text(-2.5) == f"{LEFT_TO_RIGHT_ISOLATE}\u22122,5{POP_DIRECTIONAL_ISOLATE}"
    with translation.override("en"):
        assert points_text(2.46) == "2.5" and points_text(0.04) == "0"
        assert signed_text(1.5) == f"{LEFT_TO_RIGHT_ISOLATE}+1.5{POP_DIRECTIONAL_ISOLATE}"
