"""The language of a printout: asked for, else the client's, else the site's default."""

from pathmark.core.languages import site_language


def test_the_first_language_the_site_has_wins():
    assert site_language("ar", "en") == "ar"
    assert site_language("", "ar") == "ar"


def test_a_regional_code_falls_back_to_its_base_language():
    assert site_language("ar-SY") == "ar"


def test_a_language_the_site_lacks_gives_the_default():
    assert site_language("ti", "prs") == "en"
    assert site_language() == "en"
