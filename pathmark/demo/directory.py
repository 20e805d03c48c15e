"""The demo partnership's directory of services: synthetic services of the demo organisations
covering every theme, most taking referrals, one at a confidential address (a refuge). Every
one is marked synthetic; their ids derive from their short names, so loading the demo again
changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from pathmark.directory.services import put_service
from pathmark.directory.themes import NAMESPACE
from pathmark.organisations.models import Organisation

SYNTHETIC_NOTE = "Synthetic demo service: not a real service."

# slug, organisation, name, themes, facts, staff languages, place
DEMO_SERVICES: list[tuple[str, str, str, list[str], dict[str, Any], list[str], dict[str, Any]]] = [
    (
        "college-esol-entry",
        "northbridge-college",
        "ESOL Entry 1-3 classes",
        ["english-esol", "digital-skills"],
        {
            "description": "Part-time English classes from first words to Entry 3, with a "
            "computer session each week.",
            "minimum_age": 16,
            "places_per_month": 24,
            "usual_wait_days": 14,
            "response_days": 5,
            "eligible_postcode_areas": ["NB"],
        },
        ["en", "ar", "ti"],
        {
            "location_name": "Northbridge College, Station Road campus",
            "address_1": "1 Station Road",
            "city": "Northbridge",
            "postal_code": "NB1 1AA",
        },
    ),
    (
        "college-conversation-club",
        "northbridge-college",
        "English conversation club",
        ["english-esol", "trust-between-communities"],
        {
            "description": "Weekly conversation practice with volunteers from the city.",
            "places_per_month": 30,
            "usual_wait_days": 0,
            "response_days": 3,
        },
        ["en"],
        {
            "location_name": "Northbridge Central Library",
            "address_1": "10 Market Square",
            "city": "Northbridge",
            "postal_code": "NB1 3CD",
        },
    ),
    (
        "college-vocational",
        "northbridge-college",
        "Vocational courses and qualifications check",
        ["employment-and-training"],
        {
            "description": "Construction, care and catering courses; overseas qualifications "
            "compared with UK ones.",
            "minimum_age": 19,
            "places_per_month": 8,
            "usual_wait_days": 30,
            "eligible_immigration_statuses": [],
        },
        ["en", "ar"],
        {
            "location_name": "Northbridge College, Station Road campus",
            "address_1": "1 Station Road",
            "city": "Northbridge",
            "postal_code": "NB1 1AA",
        },
    ),
    (
        "council-housing-options",
        "northbridge-council",
        "Housing options and homelessness prevention",
        ["housing"],
        {
            "description": "Advice on finding and keeping a home, tenancy rights and help when "
            "at risk of losing a home.",
            "places_per_month": 40,
            "usual_wait_days": 7,
            "response_days": 2,
            "interpreting_offered": True,
            "interpretation_services": "Telephone interpreting in any language.",
        },
        ["en", "ur"],
        {
            "location_name": "Civic Centre",
            "address_1": "Civic Centre, King Street",
            "city": "Northbridge",
            "postal_code": "NB2 4EF",
        },
    ),
    (
        "council-welfare-rights",
        "northbridge-council",
        "Welfare rights and money advice",
        ["benefits-and-money"],
        {
            "description": "Benefit claims, budgeting, opening a bank account, debt advice.",
            "places_per_month": 25,
            "usual_wait_days": 10,
            "interpreting_offered": True,
        },
        ["en", "ps"],
        {
            "location_name": "Civic Centre",
            "address_1": "Civic Centre, King Street",
            "city": "Northbridge",
            "postal_code": "NB2 4EF",
        },
    ),
    (
        "council-youth-service",
        "northbridge-council",
        "Youth club and school places support",
        ["children-and-young-people"],
        {
            "description": "Help with school admissions and a weekly youth club.",
            "minimum_age": 11,
            "maximum_age": 19,
            "places_per_month": 15,
            "usual_wait_days": 5,
        },
        ["en"],
        {
            "location_name": "Eastside Youth Centre",
            "address_1": "4 Canal Street",
            "city": "Northbridge",
            "postal_code": "NB3 2GH",
        },
    ),
    (
        "nrs-orientation",
        "northbridge-refugee-support",
        "Welcome to Northbridge orientation",
        ["understanding-how-things-work", "health"],
        {
            "description": "Six sessions on how things work here: GP registration, transport, "
            "rights and responsibilities.",
            "places_per_month": 20,
            "usual_wait_days": 10,
            "interpreting_offered": True,
        },
        ["en", "ar", "fa", "ti"],
        {
            "location_name": "Northbridge Refugee Support drop-in",
            "address_1": "22 Mill Lane",
            "city": "Northbridge",
            "postal_code": "NB1 5JK",
        },
    ),
    (
        "nrs-legal-advice",
        "northbridge-refugee-support",
        "Immigration and family reunion advice",
        ["legal-advice"],
        {
            "description": "Accredited advice on asylum, status and family reunion.",
            "places_per_month": 6,
            "usual_wait_days": 28,
            "taking_referrals": False,
            "interpreting_offered": True,
        },
        ["en", "ar"],
        {
            "location_name": "Northbridge Refugee Support drop-in",
            "address_1": "22 Mill Lane",
            "city": "Northbridge",
            "postal_code": "NB1 5JK",
        },
    ),
    (
        "nrs-womens-refuge",
        "northbridge-refugee-support",
        "Women's refuge and safety support",
        ["women-and-girls", "housing"],
        {
            "description": "Safe accommodation and support for women escaping violence. The "
            "address is confidential; refer through Pathmark.",
            "eligible_genders": ["woman"],
            "minimum_age": 16,
            "places_per_month": 2,
            "usual_wait_days": 1,
            "response_days": 1,
            "interpreting_offered": True,
        },
        ["en", "ar", "ku"],
        {
            "location_name": "Refuge (confidential)",
            "address_1": "Confidential address",
            "city": "Northbridge",
            "postal_code": "NB4 7ZZ",
            "is_confidential": True,
        },
    ),
    (
        "nrs-volunteering",
        "northbridge-refugee-support",
        "Volunteering placements",
        ["volunteering", "employment-and-training"],
        {
            "description": "Placements with local charities that build experience and references.",
            "minimum_age": 18,
            "places_per_month": 10,
            "usual_wait_days": 21,
        },
        ["en"],
        None,
    ),
    (
        "sca-befriending",
        "syrian-community-association",
        "Arabic-speaking befriending",
        ["mentoring-and-befriending", "trust-between-communities"],
        {
            "description": "A befriender who speaks Arabic, for newcomers feeling isolated.",
            "eligible_languages": ["ar"],
            "places_per_month": 12,
            "usual_wait_days": 14,
        },
        ["ar", "en"],
        {
            "location_name": "Syrian Community Association hall",
            "address_1": "8 Hope Street",
            "city": "Northbridge",
            "postal_code": "NB2 8LM",
        },
    ),
    (
        "sca-wellbeing",
        "syrian-community-association",
        "Women's wellbeing group",
        ["health", "women-and-girls"],
        {
            "description": "A weekly group on wellbeing and mental health, in Arabic.",
            "eligible_genders": ["woman"],
            "eligible_languages": ["ar"],
            "places_per_month": 15,
            "usual_wait_days": 7,
        },
        ["ar"],
        {
            "location_name": "Syrian Community Association hall",
            "address_1": "8 Hope Street",
            "city": "Northbridge",
            "postal_code": "NB2 8LM",
        },
    ),
    (
        "sca-digital",
        "syrian-community-association",
        "Digital skills drop-in",
        ["digital-skills"],
        {
            "description": "Help with phones, e-mail and online forms.",
            "places_per_month": 20,
            "usual_wait_days": 0,
            "status": "temporarily closed",
        },
        ["ar", "en"],
        None,
    ),
]


def demo_service_id(slug: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"demo-service:{slug}"))


def load_demo_directory(organisations: dict[str, Organisation]) -> int:
    """Writes the demo services (inside the demo loader's system scope and transaction);
    returns how many were new."""
    created = 0
    for slug, organisation_slug, name, themes, facts, languages, place in DEMO_SERVICES:
        values = {"name": name, "alert": SYNTHETIC_NOTE, **facts}
        values["description"] = f"{values.get('description', '')} ({SYNTHETIC_NOTE})".strip()
        _service, new = put_service(
            by=None,
            organisation=organisations[organisation_slug],
            service_id=demo_service_id(slug),
            values=values,
            themes=themes,
            staff_languages=languages,
            place=place,
            is_synthetic=True,
        )
        created += new
    return created
