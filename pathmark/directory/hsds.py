"""Reading and checking an Open Referral HSDS 3.0 package against the official schemas.

Pure Python (no Django): the command line, the web upload and the tests share it. A package
is either the tabular form (a folder of CSV files described by `datapackage.json`) or the
JSON form (service documents, one per file, a list of them, or an API page with
`contents`). Both become the same tables of rows keyed by id; every row is checked with the
`jsonschema` library against the schema of its table as published by Open Referral (kept in
`data/hsds/`, see SOURCE.md there), every cell against the type the official package
descriptor gives it, every id for uniqueness and every foreign key for a row it points at.
Each problem names the file, the row (or, in JSON, where in the document) and the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DATA = Path(__file__).parent / "data" / "hsds"
DESCRIPTOR = "datapackage.json"
MAX_PROBLEMS = 200
"""Problems listed per package; the rest are counted."""

# Tables Pathmark checks but does not keep: HSDS's change history is Pathmark's audit log.
NOT_KEPT = frozenset({"metadata", "meta_table_description"})

# stored(table, ids) -> the ids among `ids` that the directory already holds
StoredIds = Callable[[str, set[str]], set[str]]

# Nested objects of the JSON form: (table, property) -> (child table, how it links).
# "child:<field>" puts the parent's id in the child's field; "parent:<field>" puts the
# child's id in the parent's field; "attribute" links an attribute to its parent.
NESTED: dict[tuple[str, str], tuple[str, str]] = {}


def _nest(table: str, links: Mapping[str, tuple[str, str]]) -> None:
    for prop, target in links.items():
        NESTED[(table, prop)] = target


_nest(
    "service",
    {
        "phones": ("phone", "child:service_id"),
        "schedules": ("schedule", "child:service_id"),
        "service_areas": ("service_area", "child:service_id"),
        "service_at_locations": ("service_at_location", "child:service_id"),
        "languages": ("language", "child:service_id"),
        "organization": ("organization", "parent:organization_id"),
        "funding": ("funding", "child:service_id"),
        "cost_options": ("cost_option", "child:service_id"),
        "program": ("program", "parent:program_id"),
        "required_documents": ("required_document", "child:service_id"),
        "contacts": ("contact", "child:service_id"),
    },
)
_nest(
    "organization",
    {
        "funding": ("funding", "child:organization_id"),
        "contacts": ("contact", "child:organization_id"),
        "phones": ("phone", "child:organization_id"),
        "locations": ("location", "child:organization_id"),
        "programs": ("program", "child:organization_id"),
        "organization_identifiers": ("organization_identifier", "child:organization_id"),
    },
)
_nest(
    "location",
    {
        "languages": ("language", "child:location_id"),
        "addresses": ("address", "child:location_id"),
        "contacts": ("contact", "child:location_id"),
        "accessibility": ("accessibility", "child:location_id"),
        "phones": ("phone", "child:location_id"),
        "schedules": ("schedule", "child:location_id"),
    },
)
_nest(
    "service_at_location",
    {
        "contacts": ("contact", "child:service_at_location_id"),
        "phones": ("phone", "child:service_at_location_id"),
        "schedules": ("schedule", "child:service_at_location_id"),
        "location": ("location", "parent:location_id"),
    },
)
_nest("contact", {"phones": ("phone", "child:contact_id")})
_nest("phone", {"languages": ("language", "child:phone_id")})
_nest("attribute", {"taxonomy_term": ("taxonomy_term", "parent:taxonomy_term_id")})
_nest("taxonomy_term", {"taxonomy_detail": ("taxonomy", "parent:taxonomy_id")})


@dataclass(frozen=True)
class Problem:
    """One thing to fix: the file, the row (numbered as in a spreadsheet, the header being
    row 1; in JSON, where in the document), the field, and what is wrong."""

    file: str
    row: int | str | None
    field: str
    message: str

    def format(self) -> str:
        parts = [self.file]
        if isinstance(self.row, int):
            parts.append(f"row {self.row}")
        elif self.row:
            parts.append(self.row)
        if self.field:
            parts.append(self.field)
        return ", ".join(parts) + f": {self.message}"

    def stored(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "field": self.field, "message": self.message}


class PackageError(ValueError):
    """A package that cannot be imported; `problems` lists what to fix (at most
    MAX_PROBLEMS), `total` counts them all."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        self.total = total if total is not None else len(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(problem.format() for problem in self.problems)


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # the descriptor's: string, number, date, datetime, time
    required: bool


@dataclass(frozen=True)
class Table:
    """One HSDS table as the official descriptor and schema define it."""

    name: str
    path: str
    fields: tuple[Field, ...]
    # field -> the table it points at
    foreign_keys: Mapping[str, str]
    schema: Mapping[str, Any] = field(repr=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Specification:
    version: str
    descriptor: Mapping[str, Any] = field(repr=False)
    tables: Mapping[str, Table] = field(repr=False)
    registry: Registry[Any] = field(repr=False)

    def by_path(self, path: str) -> Table | None:
        return next((t for t in self.tables.values() if t.path == path), None)

    def validator(self, table: str, *, tabular: bool) -> Any:
        return _validator(self, table, tabular)


@cache
def specification() -> Specification:
    """The HSDS tables, from the official descriptor and JSON schemas kept in data/hsds/."""
    descriptor = json.loads((DATA / DESCRIPTOR).read_text(encoding="utf-8"))
    resources = []
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted((DATA / "schema").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        schemas[schema["name"]] = schema
        resources.append((path.name, Resource.from_contents(schema, DRAFT202012)))
    registry: Registry[Any] = Registry().with_resources(resources)
    tables: dict[str, Table] = {}
    for resource in descriptor["resources"]:
        table_schema = resource["schema"]
        tables[resource["name"]] = Table(
            name=resource["name"],
            path=resource["path"],
            fields=tuple(
                Field(
                    name=f["name"],
                    type=f.get("type", "string"),
                    required=bool(f.get("constraints", {}).get("required")),
                )
                for f in table_schema["fields"]
            ),
            foreign_keys={
                fk["fields"]: fk["reference"]["resource"]
                for fk in table_schema.get("foreignKeys", [])
            },
            schema=schemas[resource["name"]],
        )
    return Specification(
        version=str(descriptor.get("version", "3.0")),
        descriptor=descriptor,
        tables=tables,
        registry=registry,
    )


_VALIDATORS: dict[tuple[str, bool], Any] = {}


def _validator(spec: Specification, table: str, tabular: bool) -> Any:
    key = (table, tabular)
    if key not in _VALIDATORS:
        schema = dict(spec.tables[table].schema)
        if tabular:
            # The tabular form also needs the links a nested document gives by nesting.
            schema["required"] = sorted(
                {*schema.get("required", []), *schema.get("tabular_required", [])}
            )
            schema["properties"] = {
                name: prop
                for name, prop in schema["properties"].items()
                if prop.get("type") not in ("array", None) and "$ref" not in prop
            }
        _VALIDATORS[key] = Draft202012Validator(
            schema, registry=spec.registry, format_checker=FormatChecker()
        )
    return _VALIDATORS[key]


@dataclass
class Row:
    where: int | str  # row number in a CSV file, or a path in a JSON document
    file: str
    values: dict[str, Any]


@dataclass
class Package:
    """The rows of a package, table by table, each table's rows keyed by id in file order."""

    source: str
    form: str  # "csv" or "json"
    tables: dict[str, dict[str, Row]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def rows(self, table: str) -> dict[str, Row]:
        return self.tables.get(table, {})

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items() if rows}

    @property
    def total_rows(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


class Problems:
    """Problems found so far: the first MAX_PROBLEMS listed, all counted."""

    def __init__(self) -> None:
        self.listed: list[Problem] = []
        self.total = 0

    def add(self, file: str, row: int | str | None, field_name: str, message: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_PROBLEMS:
            self.listed.append(Problem(file, row, field_name, message))

    def add_for(self, row: Row, field_name: str, message: str) -> None:
        self.add(row.file, row.where, field_name, message)

    def raise_if_any(self) -> None:
        if self.total:
            raise PackageError(self.listed, self.total)


# --- Cells ----------------------------------------------------------------------------------

NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def number(text: str) -> int | float:
    if not NUMBER.match(text.strip()):
        raise ValueError("must be a number")
    value = float(text)
    if re.match(r"^[-+]?\d+$", text.strip()):
        return int(text)
    return value


def check_type(value: Any, kind: str) -> str | None:
    """What is wrong with a value of a descriptor type, or None."""
    if kind in ("string", "number"):
        return None  # checked by the JSON schema
    if not isinstance(value, str):
        return f"must be a {kind} written as text"
    try:
        if kind == "date":
            dt.date.fromisoformat(value)
        elif kind == "datetime":
            dt.datetime.fromisoformat(value)
        elif kind == "time":
            dt.time.fromisoformat(value)
    except ValueError:
        example = {
            "date": "2026-01-31",
            "datetime": "2026-01-31T09:30:00Z",
            "time": "09:30:00",
        }.get(kind, "")
        return f"{value!r} is not a {kind} (write it as {example})"
    return None


def _schema_message(error: ValidationError) -> tuple[str, str]:
    """(field, what to fix) for a jsonschema error, in words for the person fixing the file."""
    path = [str(part) for part in error.absolute_path]
    field_name = ".".join(path)
    if error.validator == "required":
        missing = re.match(r"'([^']+)'", error.message)
        name = missing.group(1) if missing else ""
        return (f"{field_name}.{name}" if field_name else name), "is required"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return field_name, f"{error.instance!r} is not allowed (one of: {allowed})"
    if error.validator == "type":
        return field_name, f"must be a {error.validator_value}"
    if error.validator == "format":
        return field_name, f"{error.instance!r} is not a valid {error.validator_value}"
    return field_name, error.message


# --- The tabular form -----------------------------------------------------------------------


def read_package(path: Path, *, stored: StoredIds | None = None) -> Package:
    """Reads and checks a package at `path`: a folder with datapackage.json (CSV), a folder
    of JSON service documents, or one JSON file. Raises PackageError listing every problem.
    `stored(table, ids)` says which of `ids` are already in the directory, so a package may
    point at records imported before."""
    if path.is_dir() and (path / DESCRIPTOR).exists():
        package = _read_tabular(path)
    elif path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise PackageError(
                [
                    Problem(
                        path.name,
                        None,
                        "",
                        "has neither a datapackage.json (the CSV form) nor .json service documents",
                    )
                ]
            )
        package = _read_json(files, source=str(path))
    elif path.is_file() and path.suffix.lower() == ".json":
        package = _read_json([path], source=str(path))
    else:
        raise PackageError(
            [Problem(path.name, None, "", "is not a folder with datapackage.json or a .json file")]
        )
    check_references(package, stored)
    return package


def _read_tabular(folder: Path) -> Package:
    spec = specification()
    problems = Problems()
    package = Package(source=str(folder), form="csv")
    try:
        descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageError([Problem(DESCRIPTOR, None, "", f"is not valid JSON: {error}")]) from None
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        raise PackageError(
            [Problem(DESCRIPTOR, None, "resources", "must list the package's files")]
        )
    for index, resource in enumerate(resources):
        where = f"resources[{index}]"
        if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
            problems.add(DESCRIPTOR, where, "path", "each resource needs a path")
            continue
        name = resource.get("name")
        table = spec.tables.get(name) if isinstance(name, str) else spec.by_path(resource["path"])
        if table is None:
            package.notes.append(f"{resource['path']}: not an HSDS 3 table ({name!r}); left out")
            continue
        file_path = folder / resource["path"]
        if not file_path.resolve().is_relative_to(folder.resolve()):
            problems.add(DESCRIPTOR, where, "path", "must name a file inside the package")
            continue
        if not file_path.is_file():
            problems.add(
                resource["path"],
                None,
                "",
                "is listed in datapackage.json but is not in the package",
            )
            continue
        package.tables[table.name] = _read_csv(file_path, resource["path"], table, problems)
    problems.raise_if_any()
    return package


def _read_csv(path: Path, name: str, table: Table, problems: Problems) -> dict[str, Row]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.add(
            name,
            None,
            "",
            f"is not UTF-8 text (line {line}, byte {error.start}); save it as CSV UTF-8",
        )
        return {}
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = next(reader)
    except StopIteration:
        problems.add(name, 1, "", "is empty; it needs at least the header row")
        return {}
    header = [column.strip() for column in header]
    bad_header = False
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.add(name, 1, column, "is given twice")
            bad_header = True
        elif table.field(column) is None:
            columns = ", ".join(table.columns)
            problems.add(
                name, 1, column, f"is not a column of {table.name} (its columns: {columns})"
            )
            bad_header = True
        seen.add(column)
    required = set(table.schema.get("required", [])) | set(table.schema.get("tabular_required", []))
    for column in table.columns:
        if column in required and column not in seen:
            problems.add(name, 1, column, "is a required column and is missing")
            bad_header = True
    if bad_header:
        return {}
    validator = _validator(specification(), table.name, True)
    rows: dict[str, Row] = {}
    number_row = 1
    try:
        for cells in reader:
            number_row += 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.add(
                    name,
                    number_row,
                    "",
                    f"has {len(cells)} cells where the header has {len(header)}",
                )
                continue
            values = _typed(
                name, number_row, table, dict(zip(header, cells, strict=True)), problems
            )
            if values is None:
                continue
            if _check_row(name, number_row, table, values, validator, problems):
                _keep(rows, Row(number_row, name, values), table, problems)
    except csv.Error as error:
        problems.add(name, number_row, "", f"cannot be read as CSV: {error}")
    return rows


def _typed(
    file: str, row: int, table: Table, cells: dict[str, str], problems: Problems
) -> dict[str, Any] | None:
    """The row's non-empty cells, numbers as numbers (an empty cell is an absent value)."""
    values: dict[str, Any] = {}
    ok = True
    for column, cell in cells.items():
        if cell == "":
            continue
        spec_field = table.field(column)
        if spec_field is not None and spec_field.type == "number":
            try:
                values[column] = number(cell)
            except ValueError:
                problems.add(file, row, column, f"{cell!r} is not a number")
                ok = False
            continue
        values[column] = cell
    return values if ok else None


def _check_row(
    file: str,
    where: int | str,
    table: Table,
    values: Mapping[str, Any],
    validator: Any,
    problems: Problems,
) -> bool:
    ok = True
    for error in validator.iter_errors(values):
        field_name, message = _schema_message(error)
        problems.add(file, where, field_name, message)
        ok = False
    for spec_field in table.fields:
        if spec_field.name in values:
            wrong = check_type(values[spec_field.name], spec_field.type)
            if wrong:
                problems.add(file, where, spec_field.name, wrong)
                ok = False
    return ok


def _keep(rows: dict[str, Row], row: Row, table: Table, problems: Problems) -> None:
    row_id = row.values["id"]
    if row_id in rows:
        first = rows[row_id]
        problems.add(
            row.file,
            row.where,
            "id",
            f"{row_id} is used already ({_where(first)}); ids must be unique",
        )
        return
    rows[row_id] = row


def _where(row: Row) -> str:
    return f"row {row.where}" if isinstance(row.where, int) else f"at {row.where}"


def check_references(package: Package, stored: StoredIds | None = None) -> None:
    """Every foreign key must point at a row of the package or one already stored."""
    spec = specification()
    missing: dict[str, set[str]] = {}
    for table_name, rows in package.tables.items():
        for row in rows.values():
            for field_name, target in spec.tables[table_name].foreign_keys.items():
                value = row.values.get(field_name)
                if value is not None and value not in package.rows(target):
                    missing.setdefault(target, set()).add(value)
    found = {
        target: stored(target, ids) if stored is not None else set()
        for target, ids in missing.items()
    }
    problems = Problems()
    for table_name, rows in package.tables.items():
        for row in rows.values():
            for field_name, target in spec.tables[table_name].foreign_keys.items():
                value = row.values.get(field_name)
                if value in missing.get(target, ()) and value not in found[target]:
                    problems.add(
                        row.file,
                        row.where,
                        field_name,
                        f"{value} is not the id of any {target} in the package or the directory",
                    )
    problems.raise_if_any()


# --- The JSON form --------------------------------------------------------------------------


def _documents(data: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield f"[{index}]", item
    elif isinstance(data, dict) and isinstance(data.get("contents"), list):
        for index, item in enumerate(data["contents"]):
            yield f"contents[{index}]", item
    else:
        yield "", data


def _read_json(files: list[Path], *, source: str) -> Package:
    spec = specification()
    problems = Problems()
    package = Package(source=source, form="json")
    service_validator = _validator(spec, "service", False)
    for path in files:
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            problems.add(path.name, None, "", f"is not UTF-8 text (byte {error.start})")
            continue
        except json.JSONDecodeError as error:
            problems.add(path.name, f"line {error.lineno}", "", f"is not valid JSON: {error.msg}")
            continue
        for prefix, document in _documents(data):
            errors = list(service_validator.iter_errors(document))
            for schema_error in errors:
                field_name, message = _schema_message(schema_error)
                where, _dot, last = field_name.rpartition(".")
                location = ".".join(p for p in (prefix, where) if p) or "(service)"
                problems.add(path.name, location, last, message)
            if not errors:
                _flatten(package, path.name, prefix or "(service)", "service", document, problems)
    problems.raise_if_any()
    for table_name, rows in package.tables.items():
        table = spec.tables[table_name]
        for row in rows.values():
            for spec_field in table.fields:
                if spec_field.name in row.values:
                    wrong = check_type(row.values[spec_field.name], spec_field.type)
                    if wrong:
                        problems.add(row.file, row.where, spec_field.name, wrong)
    problems.raise_if_any()
    return package


def _flatten(
    package: Package,
    file: str,
    where: str,
    table_name: str,
    document: Mapping[str, Any],
    problems: Problems,
) -> str:
    """Adds a nested document and everything under it as rows; returns its id. The same
    record may appear in several places (a phone under its service and its location): the
    places are merged, and a field given two different values is a problem."""
    table = specification().tables[table_name]
    values: dict[str, Any] = {}
    children: list[tuple[str, str, str, Any]] = []
    for key, value in document.items():
        if (table_name, key) in NESTED:
            child_table, link = NESTED[(table_name, key)]
            children.append((key, child_table, link, value))
        elif key == "attributes" and isinstance(value, list):
            children.append((key, "attribute", "attribute", value))
        elif key == "metadata" and isinstance(value, list):
            children.append((key, "metadata", "metadata", value))
        elif table.field(key) is not None and value is not None:
            values[key] = value
    row_id = str(values.get("id", ""))
    for key, child_table, link, value in children:
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            path = f"{where}.{key}[{index}]" if isinstance(value, list) else f"{where}.{key}"
            kind, _colon, link_field = link.partition(":")
            item = dict(item)
            if kind == "child":
                item[link_field] = row_id
            elif kind == "attribute":
                item.setdefault("link_id", row_id)
                item.setdefault("link_entity", table_name)
            elif kind == "metadata":
                item.setdefault("resource_id", row_id)
                item.setdefault("resource_type", table_name)
            child_id = _flatten(package, file, path, child_table, item, problems)
            if kind == "parent":
                values[link_field] = child_id
    rows = package.tables.setdefault(table_name, {})
    existing = rows.get(row_id)
    if existing is None:
        rows[row_id] = Row(where, file, values)
        return row_id
    for key, value in values.items():
        if key not in existing.values:
            existing.values[key] = value
        elif existing.values[key] != value:
            problems.add(
                file,
                where,
                key,
                f"{value!r} differs from {existing.values[key]!r} given for the same "
                f"{table_name} ({_where(existing)})",
            )
    return row_id


# --- Writing the tabular form ---------------------------------------------------------------


def write_package(
    folder: Path, tables: Mapping[str, list[dict[str, str]]], *, title: str
) -> list[tuple[str, int]]:
    """Writes a CSV package: one file per table given (in the official order, with the
    official columns) and a datapackage.json describing exactly those files, the official
    table schemas unchanged. Returns (file, rows) for each file written."""
    spec = specification()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, int]] = []
    resources = []
    for resource in spec.descriptor["resources"]:
        name = resource["name"]
        if name not in tables:
            continue
        table = spec.tables[name]
        with (folder / table.path).open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(table.columns)
            for row in tables[name]:
                writer.writerow([row.get(column, "") for column in table.columns])
        written.append((table.path, len(tables[name])))
        resource = dict(resource)
        schema = dict(resource["schema"])
        # Only the keys into tables the package holds, so a validator finds each target.
        keys = [fk for fk in schema.get("foreignKeys", []) if fk["reference"]["resource"] in tables]
        if keys:
            schema["foreignKeys"] = keys
        else:
            schema.pop("foreignKeys", None)
        resource["schema"] = schema
        resources.append(resource)
    # The specification's own licence and description are about HSDS, not this data.
    descriptor = {
        key: value
        for key, value in spec.descriptor.items()
        if key in ("profile", "version", "homepage")
    } | {"name": "pathmark_directory", "title": title, "resources": resources}
    (folder / DESCRIPTOR).write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return written
