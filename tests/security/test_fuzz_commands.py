"""Every Pathmark command fed hostile arguments and files: it finishes, or stops with a
one-line reason (CommandError), never an unhandled exception; and when it stops, nothing of
the personal data has been written."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, get_commands
from hypothesis import given
from hypothesis import strategies as st

from pathmark.instruments.registry import BUILTIN_DIR

from .conftest import FUZZ
from .fuzzing import HOSTILE, ODD_NUMBERS
from .probing import TALLY, Target, personal_rows, rolled_back

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=20,
)
JOURNEY_TEXT = (BUILTIN_DIR / "integration-journey.yaml").read_text(encoding="utf-8")


def _mutated_instrument() -> st.SearchStrategy[str]:
    """The built-in instrument with a slice replaced: mostly valid YAML, wrong in one place."""
    size = len(JOURNEY_TEXT)
    return st.tuples(st.integers(0, size), st.integers(0, 200), HOSTILE).map(
        lambda p: (
            JOURNEY_TEXT[: p[0]]
            + (p[2] if isinstance(p[2], str) else p[2].decode("latin-1"))
            + JOURNEY_TEXT[p[0] + p[1] :]
        )
    )


def run(*argv: str) -> str:
    """Runs a command; returns how it ended. Any exception but CommandError fails the test."""
    out = io.StringIO()
    try:
        call_command(*argv, stdout=out, stderr=out)
    except CommandError:
        return "refused"
    except SystemExit:  # argparse's --help / --version
        return "exited"
    return "done"


def write(directory: Path, content: bytes | str, suffix: str) -> str:
    handle, name = tempfile.mkstemp(dir=directory, suffix=suffix)
    with os.fdopen(handle, "wb") as file:
        file.write(
            content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        )
    return name


@FUZZ
@given(content=st.one_of(_mutated_instrument(), HOSTILE, st.binary(max_size=4000)))
def test_instruments_validate_survives_any_file(content, tmp_path):  # type: ignore[no-untyped-def]
    TALLY["fuzz_command_cases"] += 1
    run("instruments", "validate", write(tmp_path, content, ".yaml"))


def test_instruments_validate_refuses_a_billion_laughs_quickly(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    assert run("instruments", "validate", write(tmp_path, "\n".join(lines), ".yaml")) == "refused"


@FUZZ
@given(
    answers=st.one_of(JSON_VALUES.map(lambda v: __import__("json").dumps(v)), HOSTILE),
    slug=st.one_of(st.just("integration-journey"), st.text(max_size=30)),
    version=st.one_of(st.none(), ODD_NUMBERS),
)
def test_score_survives_any_answers(answers, slug, version, tmp_path):  # type: ignore[no-untyped-def]
    TALLY["fuzz_command_cases"] += 1
    argv = ["score", "--instrument", slug, write(tmp_path, answers, ".json")]
    if version is not None:
        argv[1:1] = ["--version", version]
    run(*argv)


@FUZZ
@given(people=st.one_of(st.integers(-1000, 0).map(str), ODD_NUMBERS, HOSTILE))
def test_demo_survives_odd_numbers_of_people(people, db):  # type: ignore[no-untyped-def]
    TALLY["fuzz_command_cases"] += 1
    if str(people).lstrip("-").isdigit() and int(people) > 3:
        return  # a real run of that size: slow, not hostile
    with rolled_back():
        run("demo", "--people", people if isinstance(people, str) else people.decode("latin-1"))


def test_demo_refuses_a_negative_number_of_people(db):
    with rolled_back():
        assert run("demo", "--people", "-5") == "refused"


# Commands fuzzed above in depth; every other Pathmark command gets the generic treatment.
FUZZED_IN_DEPTH = {"instruments", "score", "demo"}
OTHER_COMMANDS = sorted(
    name
    for name, app in get_commands().items()
    if app.startswith("pathmark") and name not in FUZZED_IN_DEPTH
)
WORDS = st.sampled_from(
    ["export", "people", "assessments", "--json", "--dry-run", "--organisation", "--external-id"]
)


@pytest.mark.parametrize("command", OTHER_COMMANDS)
@FUZZ
@given(data=st.data())
def test_command_survives_hostile_arguments(command, target: Target, tmp_path, data):  # type: ignore[no-untyped-def]
    TALLY["fuzz_command_cases"] += 1
    file_path = write(tmp_path, data.draw(st.one_of(HOSTILE, st.binary()), label="file"), ".csv")
    token = st.one_of(
        WORDS,
        st.sampled_from(
            [str(target.person.pk), target.org_b.slug, file_path, str(tmp_path / "out")]
        ),
        ODD_NUMBERS,
        HOSTILE.filter(lambda v: isinstance(v, str) and not v.startswith("-")),
    )
    argv = data.draw(st.lists(token, max_size=5), label="argv")
    argv = [a.replace("\x00", "") for a in argv]  # no real argv can hold a NUL
    with rolled_back():
        before = personal_rows()
        cwd = os.getcwd()
        os.chdir(tmp_path)  # anything a command writes lands here
        try:
            outcome = run(command, *argv)
        finally:
            os.chdir(cwd)
        if outcome == "refused":
            assert personal_rows() == before, "refused, but personal data was written"
