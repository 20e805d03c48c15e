"""Every audit code Pathmark records is declared, with words for people."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from pathmark.audit import actions
from pathmark.audit.actions import UndeclaredAction
from pathmark.audit.services import record, record_many

ROOT = Path(__file__).resolve().parents[2]
# Calls whose `action` argument is not an audit code (argparse, permissions).
NOT_AUDIT = {"add_argument", "requires", "role_may"}


def _strings(node: ast.AST):  # type: ignore[no-untyped-def]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def codes_in_source() -> dict[str, set[str]]:
    """Every literal given as `action=...`, as the default of a parameter named `action`, or
    as a dotted string passed to a function whose name says it records."""
    found: dict[str, set[str]] = {}

    def add(code: str, path: Path) -> None:
        found.setdefault(code, set()).add(str(path.relative_to(ROOT.parent)))

    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in NOT_AUDIT:
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        for code in _strings(keyword.value):
                            add(code, path)
                if "record" in name:
                    for argument in node.args:
                        for code in _strings(argument):
                            if "." in code and " " not in code:
                                add(code, path)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = node.args
                positional = arguments.posonlyargs + arguments.args
                pairs = list(
                    zip(
                        positional[len(positional) - len(arguments.defaults) :],
                        arguments.defaults,
                        strict=True,
                    )
                )
                pairs += [
                    (a, d)
                    for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
                    if d
                ]
                for argument, default in pairs:
                    if argument.arg == "action":
                        for code in _strings(default):
                            add(code, path)
    found.pop("", None)  # "no filter" in the audit selectors
    return found


def test_the_walk_finds_the_codes_it_should():
    found = codes_in_source()
    # Keyword, parameter default, positional to a recording helper, and several files.
    assert {"person.viewed", "assessment.viewed", "account.code_refused"} <= found.keys()
    assert len(found["person.exported"]) == 2
    assert len(found) >= 60


def test_every_code_in_the_source_is_declared():
    undeclared = {
        code: sorted(paths)
        for code, paths in codes_in_source().items()
        if actions.get(code) is None
    }
    assert undeclared == {}


def test_every_declared_code_reads_as_a_sentence_naming_the_actor():
    for code, action in actions.declared().items():
        for language in ("en", "ar"):
            with translation.override(language):
                sentence = action.describe("Amira", {"files": {"people.csv": 3}, "rows": 3})
            assert "%" not in sentence and code not in sentence, code
            assert "Amira" in sentence or not action.by_member, code


def test_counted_actions_read_with_their_number():
    exported = actions.get("transfer.exported")
    assert exported is not None
    assert exported.describe("Amira", {"files": {"people.csv": 148, "assessments.csv": 9}}) == (
        "Amira exported 148 people"
    )
    assert exported.describe("Amira", {"files": {"people.csv": 1}}) == "Amira exported 1 person"


def test_record_refuses_an_undeclared_code(world):
    with pytest.raises(UndeclaredAction, match="person.peeked"):
        record(actor=world.a_caseworker, organisation=world.org_a, action="person.peeked")
    with pytest.raises(UndeclaredAction):
        record_many(actor=None, action="person.peeked", object_type="people.person", entries=[])
