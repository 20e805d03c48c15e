"""Problem messages are translated into the language active when a file is checked (on the web,
the uploader's), with their values in the places a translator puts them.

Each test installs a small Arabic catalogue of its own, written here, ahead of Pathmark's: the
shipped catalogue is a draft the lead fills in, and a test of it could not tell a message
that is not marked for translation from one nobody has translated yet. Here a message that
does not go through gettext, or is filled in before it is translated, comes out in English
and fails.
"""

from __future__ import annotations

import ast
import struct
from pathlib import Path

import pytest
from django.utils import translation

from pathmark.transfer import formats, importing, tabular
from pathmark.transfer.importing import ImportRefused
from pathmark.transfer.tabular import CellError, Problem, parse_date

from .conftest import people_csv, person_row, run, write

ARABIC_PLURALS = (
    "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 ? 4 : 5;"
)
AMBIGUOUS = "ambiguous: the day and the month could be either way round; write it as YYYY-MM-DD."
AMBIGUOUS_AR = "ملتبس: قد يكون اليوم والشهر بأي ترتيب؛ اكتب التاريخ بالصيغة YYYY-MM-DD."
SAME_ID = "the same external_id is already on row %(row)s; give each person one row."
SAME_ID_AR = "في الصف %(row)s المعرّف external_id نفسه؛ اجعل لكل شخص صفًا واحدًا."
WHERE = "%(source)s, row %(row)s, column %(column)s: %(message)s"
WHERE_AR = "%(source)s، العمود %(column)s في الصف %(row)s: %(message)s"
PROBLEMS = ("%(count)s problem", "%(count)s problems")
PROBLEMS_AR = (
    "لا مشكلات",
    "مشكلة واحدة",
    "مشكلتان",
    "%(count)s مشكلات",
    "%(count)s مشكلة",
    "%(count)s مشكلة",
)


def write_catalogue(directory: Path, messages: dict[str, str | tuple[str, ...]]) -> None:
    """A compiled gettext catalogue (GNU .mo) for Arabic, so the test needs no msgfmt."""
    catalogue = {
        "": f"Content-Type: text/plain; charset=UTF-8\nPlural-Forms: {ARABIC_PLURALS}\n",
    }
    for msgid, msgstr in messages.items():
        if isinstance(msgstr, tuple):
            catalogue[msgid] = "\0".join(msgstr)
        else:
            catalogue[msgid] = msgstr
    keys = sorted(key.encode() for key in catalogue)
    values = [catalogue[key.decode()].encode() for key in keys]
    ids = b"".join(key + b"\0" for key in keys)
    strs = b"".join(value + b"\0" for value in values)
    count = len(keys)
    ids_start = 28 + 16 * count
    strs_start = ids_start + len(ids)
    id_table, str_table = [], []
    id_offset = str_offset = 0
    for key, value in zip(keys, values, strict=True):
        id_table += [len(key), ids_start + id_offset]
        str_table += [len(value), strs_start + str_offset]
        id_offset += len(key) + 1
        str_offset += len(value) + 1
    header = struct.pack("<7I", 0x950412DE, 0, count, 28, 28 + 8 * count, 0, 0)
    table = struct.pack(f"<{4 * count}I", *id_table, *str_table)
    folder = directory / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.mo").write_bytes(header + table + ids + strs)


@pytest.fixture
def arabic(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Our catalogue first, so it wins over any entry the shipped one has for these ids."""
    locale = tmp_path / "locale"
    write_catalogue(
        locale,
        {
            AMBIGUOUS: AMBIGUOUS_AR,
            SAME_ID: SAME_ID_AR,
            WHERE: WHERE_AR,
            f"{PROBLEMS[0]}\0{PROBLEMS[1]}": PROBLEMS_AR,
        },
    )
    settings.LOCALE_PATHS = [locale, *settings.LOCALE_PATHS]


def problems_of(user, organisation, path) -> list[Problem]:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused) as caught:
        run(user, organisation, path)
    return caught.value.result.problems.listed


def test_a_cell_problem_is_reported_in_the_language_active_when_checked(arabic, world, tmp_path):
    path = write(tmp_path, "p.csv", people_csv(person_row("X1", date_of_birth="03/04/1990")))
    with translation.override("ar"):
        (problem,) = problems_of(world.a_manager, world.org_a, path)
        line = problem.format("p.csv")
    assert problem.message == AMBIGUOUS_AR
    assert line == f"p.csv، العمود date_of_birth في الصف 2: {AMBIGUOUS_AR}"


def test_the_same_file_checked_in_english_reports_in_english(arabic, world, tmp_path):
    path = write(tmp_path, "p.csv", people_csv(person_row("X1", date_of_birth="03/04/1990")))
    with translation.override("en"):
        (problem,) = problems_of(world.a_manager, world.org_a, path)
    assert problem.message == AMBIGUOUS


def test_a_translation_puts_the_values_where_the_translator_wants_them(arabic, world, tmp_path):
    path = write(tmp_path, "p.csv", people_csv(person_row("X1"), person_row("X1", "Bea")))
    with translation.override("ar"):
        (problem,) = problems_of(world.a_manager, world.org_a, path)
    assert problem.message == SAME_ID_AR % {"row": 2}


@pytest.mark.parametrize(("count", "expected"), [(1, "مشكلة واحدة"), (3, "3 مشكلات")])
def test_a_count_of_problems_takes_the_plural_form_of_the_language(arabic, count, expected):
    result = importing.ImportResult(kind="people", source="p.csv")
    for row in range(count):
        result.problems.add(row + 2, "name", "x")
    with translation.override("ar"):
        assert str(ImportRefused(result)) == expected


def test_cell_messages_are_translated_when_raised_not_when_imported(arabic):
    with translation.override("ar"), pytest.raises(CellError) as caught:
        parse_date("03/04/2021")
    assert str(caught.value) == AMBIGUOUS_AR


# Calls that carry a message for a person: the exceptions' first argument and the third
# argument of `Problems.add` (row, column, message).
MESSAGE_ARGUMENT = {"CellError": 0, "TableError": 0, "add": 2}


def untranslated_messages(source: str) -> list[int]:
    """The lines where a message is written as a plain or f-string literal, which would
    never be translated."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        position = MESSAGE_ARGUMENT.get(name or "")
        if position is None or len(node.args) <= position:
            continue
        message = node.args[position]
        if isinstance(message, ast.BinOp):
            message = message.left  # "..." % values: the template is what matters
        if isinstance(message, ast.JoinedStr) or (
            isinstance(message, ast.Constant) and isinstance(message.value, str)
        ):
            lines.append(node.lineno)
    return sorted(lines)


@pytest.mark.parametrize("module", [importing, tabular, formats], ids=lambda m: m.__name__)
def test_no_problem_message_is_written_without_gettext(module):
    assert untranslated_messages(Path(module.__file__).read_text(encoding="utf-8")) == []


def test_the_message_check_finds_literal_messages():
    source = (
        'problems.add(2, "name", "plain English")\n'
        'raise CellError(f"{text} is wrong")\n'
        'raise TableError("%(file)s: empty" % {"file": name})\n'
        'problems.add(2, "name", _("translated"))\n'
        'raise CellError(_("%(text)s is wrong") % {"text": text})\n'
    )
    assert untranslated_messages(source) == [1, 2, 3]


def test_a_web_import_is_checked_in_the_uploaders_language(
    arabic, world, tmp_path, django_capture_on_commit_callbacks, private_media
):
    """The check runs later, in a worker with no request and so no language: the uploader's
    language travels with the task."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from pathmark.organisations.scoping import system_scope
    from pathmark.testing import client_for
    from pathmark.transfer.models import ImportJob

    client = client_for(world.a_manager)
    client.cookies["django_language"] = "ar"
    text = people_csv(person_row("X1", date_of_birth="03/04/1990"))
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            reverse("transfer:index"),
            {"what": "people", "file": SimpleUploadedFile("p.csv", text.encode(), "text/csv")},
        )
    translation.activate("en")
    try:
        for callback in callbacks:
            callback()
    finally:
        translation.deactivate()
    with system_scope("test"):
        job = ImportJob.objects.get()
    assert job.problems[0]["message"] == AMBIGUOUS_AR
