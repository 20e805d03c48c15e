"""Who a service is for, as rules a machine can check. Pure Python (no Django), so the
ranking of "where best to refer" can apply the same rules as the directory pages.

Every rule is optional: an empty rule admits everyone. A fact about the person that is not
known (no age, no postcode) never excludes them; it is reported as `unknown`, so a caseworker
can check by hand rather than the person silently missing a service.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

AGE = "age"
GENDER = "gender"
IMMIGRATION_STATUS = "immigration_status"
LANGUAGE = "language"
AREA = "area"


def normalise_postcode(postcode: str) -> str:
    return "".join(postcode.split()).upper()


@dataclass(frozen=True)
class Eligibility:
    minimum_age: int | None = None
    maximum_age: int | None = None
    genders: frozenset[str] = frozenset()
    immigration_statuses: frozenset[str] = frozenset()
    # The person must speak one of these (codes as in people's records: ISO 639-1 or -3).
    languages: frozenset[str] = frozenset()
    # Postcode areas or districts ("NB", "NB1"); the person's postcode starts with one.
    postcode_areas: frozenset[str] = frozenset()

    @property
    def admits_everyone(self) -> bool:
        return (
            self.minimum_age is None
            and self.maximum_age is None
            and not (self.genders or self.immigration_statuses or self.languages)
            and not self.postcode_areas
        )

    def check(
        self,
        *,
        age: int | None = None,
        gender: str = "",
        immigration_status: str = "",
        languages: Collection[str] = (),
        postcode: str = "",
    ) -> tuple[frozenset[str], frozenset[str]]:
        """(rules the person fails, rules that could not be checked for want of a fact)."""
        unmet: set[str] = set()
        unknown: set[str] = set()
        if self.minimum_age is not None or self.maximum_age is not None:
            if age is None:
                unknown.add(AGE)
            elif (self.minimum_age is not None and age < self.minimum_age) or (
                self.maximum_age is not None and age > self.maximum_age
            ):
                unmet.add(AGE)
        if self.genders:
            if not gender:
                unknown.add(GENDER)
            elif gender not in self.genders:
                unmet.add(GENDER)
        if self.immigration_statuses:
            if not immigration_status:
                unknown.add(IMMIGRATION_STATUS)
            elif immigration_status not in self.immigration_statuses:
                unmet.add(IMMIGRATION_STATUS)
        if self.languages:
            if not languages:
                unknown.add(LANGUAGE)
            elif not self.languages.intersection(languages):
                unmet.add(LANGUAGE)
        if self.postcode_areas:
            code = normalise_postcode(postcode)
            if not code:
                unknown.add(AREA)
            elif not any(_in_area(code, area) for area in self.postcode_areas):
                unmet.add(AREA)
        return frozenset(unmet), frozenset(unknown)


def _in_area(postcode: str, area: str) -> bool:
    """NB1 4AA is in area NB and district NB1, not in NB14 (a district is followed by the
    inward code, so a district only matches up to the space that was removed)."""
    area = normalise_postcode(area)
    if not postcode.startswith(area):
        return False
    rest = postcode[len(area) :]
    if not rest:
        return True
    if area.isalpha():
        return rest[0].isdigit()
    # After a district come the three characters of the inward code.
    return len(rest) == 3
