"""The skills columns and the postcode district of the people format (issue 17: wasted skills
and reports by area): stored as given, checked with row and column, never a full postcode."""

from __future__ import annotations

from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person

from .conftest import people_csv, person_row, run, write
from .test_import_people import nothing_written, refused


def test_skills_and_the_district_are_stored(world, tmp_path):
    row = person_row("X1", postcode_district="nb1 4aa", work_status="Full_Time")
    run(world.a_manager, world.org_a, write(tmp_path, "people.csv", people_csv(row)))
    with system_scope("test"):
        person = Person.objects.get(external_id="X1")
    assert person.postcode_district == "NB1"  # a whole postcode is cut to its district
    assert person.postcode == ""
    assert (person.qualification_level, person.qualification_subject) == ("degree", "Nursing")
    assert (person.profession_sector, person.profession_recognition) == ("health", "in_progress")
    assert (person.work_status, person.work_sector) == ("full_time", "care")


def test_bad_skills_and_districts_are_refused_with_row_and_column(world, tmp_path):
    rows = [
        person_row("X1", profession_sector="surgery"),
        person_row("X2", postcode_district="Northbridge"),
        person_row("X3", profession_recognition="maybe", work_status="retired"),
    ]
    found = refused(world.a_manager, world.org_a, write(tmp_path, "people.csv", people_csv(*rows)))
    text = "\n".join(found)
    assert "row 2, column profession_sector" in text and "health, education" in text
    assert "row 3, column postcode_district" in text and "such as NB1" in text
    assert "row 4, column profession_recognition" in text and "row 4, column work_status" in text
    nothing_written()
