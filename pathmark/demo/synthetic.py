"""Made-up people for the demo partnership. Every name is assembled at random from common
given names and family names; none describes a real person."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# (country code, languages, given names (women), given names (men), family names)
ORIGINS = [
    (
        "SY",
        ["ar", "en"],
        ["Amal", "Rania", "Huda", "Lina", "Salma", "Nour"],
        ["Omar", "Khaled", "Samir", "Yousef", "Tarek"],
        ["Haddad", "Khalil", "Nasser", "Darwish", "Sabbagh"],
    ),
    (
        "AF",
        ["fa", "ps"],
        ["Farida", "Maryam", "Zahra", "Parwana", "Shabnam"],
        ["Ahmad", "Jawad", "Farid", "Naveed", "Hamid"],
        ["Rahimi", "Karimi", "Noori", "Hashimi", "Sadat"],
    ),
    (
        "UA",
        ["uk", "ru"],
        ["Olena", "Iryna", "Kateryna", "Oksana", "Natalia"],
        ["Andrii", "Dmytro", "Oleksandr", "Serhii", "Taras"],
        ["Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk"],
    ),
    (
        "ER",
        ["ti", "ar"],
        ["Selam", "Helen", "Saba", "Yodit", "Rahwa"],
        ["Yonas", "Dawit", "Samuel", "Filmon", "Robel"],
        ["Tesfay", "Gebre", "Haile", "Kidane", "Berhane"],
    ),
    (
        "SD",
        ["ar", "en"],
        ["Fatima", "Hawa", "Amna", "Sara", "Mona"],
        ["Mohamed", "Osman", "Ibrahim", "Adam", "Abdelrahman"],
        ["Abdalla", "Elamin", "Hassan", "Osman", "Yousif"],
    ),
    (
        "IR",
        ["fa", "en"],
        ["Shirin", "Leila", "Mina", "Nasrin", "Parisa"],
        ["Reza", "Ali", "Hossein", "Babak", "Kian"],
        ["Ahmadi", "Hosseini", "Moradi", "Jafari", "Rezaei"],
    ),
    (
        "HK",
        ["zh", "en"],
        ["Wing", "Mei", "Ka Yan", "Hoi Ying", "Suet"],
        ["Chun", "Ka Ho", "Wai", "Man Kit", "Tsz"],
        ["Chan", "Wong", "Lee", "Cheung", "Lau"],
    ),
    (
        "IQ",
        ["ku", "ar"],
        ["Shilan", "Avin", "Dilan", "Roza", "Hana"],
        ["Aram", "Karwan", "Dara", "Rebin", "Saman"],
        ["Ahmed", "Aziz", "Qadir", "Rashid", "Karim"],
    ),
]


@dataclass(frozen=True)
class SyntheticPerson:
    external_id: str
    name: str
    gender: str
    date_of_birth: date | None
    age_band: str
    country_of_origin: str
    languages: list[str]
    preferred_language: str
    date_of_arrival: date
    immigration_status: str
    phone: str
    household_role: str


STATUS_WEIGHTS = [
    ("asylum-seeker", 18),
    ("refugee-status", 30),
    ("humanitarian-protection", 6),
    ("resettlement", 12),
    ("ukraine-scheme", 14),
    ("bno", 8),
    ("family-reunion", 6),
    ("not-known", 6),
]


def synthetic_person(rng: random.Random, number: int, *, today: date) -> SyntheticPerson:
    country, languages, women, men, families = rng.choice(ORIGINS)
    gender = rng.choices(["woman", "man", "non_binary", "not_said"], weights=[50, 46, 2, 2])[0]
    given = rng.choice(women if gender == "woman" else men if gender == "man" else women + men)
    age = rng.choices(
        [
            rng.randint(16, 17),
            rng.randint(18, 30),
            rng.randint(31, 45),
            rng.randint(46, 64),
            rng.randint(65, 80),
        ],
        weights=[6, 38, 32, 18, 6],
    )[0]
    born = today - timedelta(days=age * 365 + rng.randint(0, 364))
    knows_birthday = rng.random() > 0.12
    band = (
        "0-17"
        if age < 18
        else "18-30"
        if age <= 30
        else "31-45"
        if age <= 45
        else "46-64"
        if age <= 64
        else "65+"
    )
    arrived = today - timedelta(days=rng.randint(120, 365 * 4))
    status = (
        "ukraine-scheme"
        if country == "UA"
        else "bno"
        if country == "HK"
        else rng.choices(
            [s for s, _ in STATUS_WEIGHTS[:4]] + ["family-reunion", "not-known"],
            weights=[18, 30, 6, 12, 6, 6],
        )[0]
    )
    spoken = list(languages) if rng.random() > 0.4 else [languages[0]]
    return SyntheticPerson(
        external_id=f"demo-{number:04d}",
        name=f"{given} {rng.choice(families)}",
        gender=gender,
        date_of_birth=born if knows_birthday else None,
        age_band=band,
        country_of_origin=country,
        languages=spoken + (["en"] if "en" not in spoken and rng.random() > 0.5 else []),
        preferred_language=languages[0],
        date_of_arrival=arrived,
        immigration_status=status,
        # Ofcom's range reserved for drama (07700 900000-900999): never a real number.
        phone=f"07700 900{rng.randint(0, 999):03d}",
        household_role=rng.choice(["", "", "Parent", "Single adult", "Partner", "Young person"]),
    )


@dataclass(frozen=True)
class Trajectory:
    """A person's latent level per domain at the start and how it moves per year."""

    start: dict[str, float]
    per_year: dict[str, float]
    noise: float

    def level(self, domain_id: str, years: float, rng: random.Random) -> float:
        value = self.start[domain_id] + self.per_year[domain_id] * years + rng.gauss(0, self.noise)
        return max(0.0, min(100.0, value))


def synthetic_trajectory(rng: random.Random, domain_ids: list[str]) -> Trajectory:
    # Some people improve fast, most slowly, some stall and a few decline (illness, a
    # refused claim, losing housing): a demo where everyone improves would teach nothing.
    kind = rng.choices(["fast", "steady", "flat", "declining"], weights=[20, 45, 20, 15])[0]
    centre = {"fast": 18, "steady": 8, "flat": 0, "declining": -10}[kind]
    base = rng.uniform(15, 60)
    return Trajectory(
        start={d: max(0.0, min(100.0, base + rng.gauss(0, 12))) for d in domain_ids},
        per_year={d: centre + rng.gauss(0, 6) for d in domain_ids},
        noise=rng.uniform(3, 8),
    )


# Districts of the fictional Northbridge (the "NB" postcode area does not exist in the UK).
DEMO_DISTRICTS = [("NB1", 30), ("NB2", 22), ("NB3", 18), ("NB4", 14), ("NB5", 10), ("NB7", 6)]
# (profession brought, its subject, qualification level, weight)
PROFESSIONS = [
    ("health", "Nursing", "degree", 10),
    ("health", "Medicine", "postgraduate", 5),
    ("health", "Pharmacy", "degree", 3),
    ("education", "Primary teaching", "degree", 8),
    ("engineering", "Civil engineering", "degree", 6),
    ("it", "Software development", "degree", 5),
    ("business", "Accountancy", "degree", 5),
    ("legal", "Law", "degree", 2),
    ("trades", "Electrical installation", "vocational", 8),
    ("agriculture", "", "school", 6),
    ("hospitality", "", "school", 8),
    ("transport", "", "school", 4),
    ("", "", "none", 12),
    ("", "", "", 18),  # not recorded
]


def synthetic_skills(external_id: str) -> dict[str, str]:
    """The skills a synthetic person brings and the work they do now, and their postcode
    district: drawn from their id alone, so the demo's other draws (and its people and
    assessments) stay as they were. Many professionals work below their skills, most of
    them in care, hospitality or delivery: what the wasted-skills report is for."""
    rng = random.Random(f"skills-{external_id}")
    district = rng.choices([d for d, _ in DEMO_DISTRICTS], weights=[w for _, w in DEMO_DISTRICTS])[
        0
    ]
    sector, subject, level, _weight = rng.choices(PROFESSIONS, weights=[p[3] for p in PROFESSIONS])[
        0
    ]
    skills = {
        "postcode_district": district,
        "qualification_level": level,
        "qualification_subject": subject,
        "profession_sector": "",
        "profession_recognition": "",
        "work_status": "",
        "work_sector": "",
    }
    if not level:
        return skills
    skills["profession_sector"] = sector
    if sector:
        skills["profession_recognition"] = rng.choices(
            ["not_started", "in_progress", "recognised", "not_recognised", "not_needed"],
            weights=[35, 25, 15, 10, 15],
        )[0]
    status = rng.choices(
        ["not_working", "part_time", "full_time", "studying"], weights=[45, 25, 20, 10]
    )[0]
    skills["work_status"] = status
    if status in ("part_time", "full_time"):
        if sector and skills.get("profession_recognition") == "recognised" and rng.random() < 0.7:
            skills["work_sector"] = sector
        else:
            skills["work_sector"] = rng.choices(
                ["care", "hospitality", "transport", "trades", "other"],
                weights=[30, 30, 20, 10, 10],
            )[0]
    return skills
