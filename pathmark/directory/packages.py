"""HSDS packages in and out of the directory's tables.

`plan_import` turns a checked package (hsds.py) into the rows to create and update, with
the checks Pathmark adds to the official schemas (lengths, whole numbers, its own facts,
which partnership organisation an HSDS organization is); `write_import` writes them in one
transaction (services.import_package calls both). `export_tables` reads the directory back
into HSDS rows for the organisation asking, leaving out every confidential location of
another organisation and everything that would place it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models import Q

from pathmark.organisations.models import Organisation
from pathmark.people.models import Gender, ImmigrationStatus

from . import hsds, hsds_mapping
from .catalogue import themes
from .models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    DirectoryOrganisation,
    Funding,
    Language,
    Location,
    OrganizationIdentifier,
    Phone,
    Program,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

# In the order rows must be written, so every foreign key finds its row.
MODELS: dict[str, type[models.Model]] = {
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "organization": DirectoryOrganisation,
    "organization_identifier": OrganizationIdentifier,
    "program": Program,
    "service": Service,
    "location": Location,
    "service_at_location": ServiceAtLocation,
    "contact": Contact,
    "phone": Phone,
    "address": Address,
    "accessibility": Accessibility,
    "schedule": Schedule,
    "service_area": ServiceArea,
    "language": Language,
    "cost_option": CostOption,
    "funding": Funding,
    "required_document": RequiredDocument,
    "attribute": Attribute,
}
# HSDS column -> model field, where the names differ.
RENAMED = {("taxonomy_term", "taxonomy_id"): "taxonomy_detail"}
# The identifier that says which partnership organisation an HSDS organization is.
PATHMARK_IDENTIFIER_TYPE = "pathmark_organisation"
CHUNK = 500
# Fields HSDS requires that Pathmark may hold empty (a UK address has no state): on export
# they take the first of these fields that has a value, so every row exported is valid.
FALLBACKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("organization", "description"): ("name",),
    ("program", "description"): ("name",),
    ("taxonomy", "description"): ("name",),
    ("taxonomy_term", "description"): ("name",),
    ("address", "state_province"): ("region", "city"),
}


def _model_fields(table: str) -> dict[str, models.Field]:
    """HSDS column -> the model field holding it (a foreign key by its `_id` column)."""
    model = MODELS[table]
    by_column = {f.attname: f for f in model._meta.concrete_fields}
    found: dict[str, models.Field] = {}
    for column in hsds.specification().tables[table].columns:
        renamed = RENAMED.get((table, column))
        model_field = model._meta.get_field(renamed) if renamed else by_column.get(column)
        if model_field is not None:
            found[column] = model_field  # type: ignore[assignment]
    return found


# --- Values ---------------------------------------------------------------------------------


class ValueProblem(ValueError):
    pass


def to_model(model_field: models.Field, value: Any) -> Any:
    """An HSDS value as the model field stores it; ValueProblem says what to fix."""
    if value is None:
        if model_field.is_relation or model_field.null:
            return None
        if model_field.has_default():
            return model_field.get_default()
        return ""
    if model_field.is_relation:
        return str(value)
    if isinstance(model_field, models.DecimalField):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueProblem("must be a number") from None
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > (model_field.decimal_places or 0):
            raise ValueProblem(f"may have at most {model_field.decimal_places} decimal places")
        whole = (model_field.max_digits or 0) - (model_field.decimal_places or 0)
        if abs(number) >= Decimal(10) ** whole:
            raise ValueProblem(f"is too large (at most {whole} digits before the point)")
        return number
    if isinstance(model_field, models.IntegerField):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueProblem("must be a whole number")
        positive = (
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.PositiveBigIntegerField,
        )
        if isinstance(model_field, positive) and value < 0:
            raise ValueProblem("must not be negative")
        if isinstance(model_field, models.PositiveSmallIntegerField) and value > 32767:
            raise ValueProblem("is too large")
        return value
    if isinstance(model_field, models.DateTimeField):
        moment = dt.datetime.fromisoformat(str(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    if isinstance(model_field, models.DateField):
        return dt.date.fromisoformat(str(value))
    if isinstance(model_field, models.TimeField):
        return dt.time.fromisoformat(str(value))
    text = str(value)
    max_length = getattr(model_field, "max_length", None)
    if max_length and len(text) > max_length:
        raise ValueProblem(f"is longer than Pathmark keeps ({max_length} characters)")
    return text


def to_hsds(value: Any) -> str:
    """A stored value as written in a CSV cell."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --- Planning an import ---------------------------------------------------------------------


@dataclass
class TablePlan:
    table: str
    create: list[models.Model] = field(default_factory=list)
    update: list[models.Model] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    unchanged: int = 0


@dataclass
class ImportPlan:
    tables: dict[str, TablePlan] = field(default_factory=dict)
    # service id -> theme slugs, for services whose themes the package gives
    themes: dict[str, list[str]] = field(default_factory=dict)
    themes_changed: set[str] = field(default_factory=set)
    # [{"id", "name", "organisation", "change"}] per service, for the preview
    services: list[dict[str, str]] = field(default_factory=list)
    not_kept: dict[str, int] = field(default_factory=dict)
    rows: int = 0

    @property
    def created(self) -> int:
        return sum(len(plan.create) for plan in self.tables.values())

    @property
    def updated(self) -> int:
        """Rows changed, counting a service whose themes alone changed."""
        services = self.tables.get("service", TablePlan("service"))
        touched = {obj.pk for obj in services.create} | {obj.pk for obj in services.update}
        rows = sum(len(plan.update) for plan in self.tables.values())
        return rows + len(self.themes_changed - touched)

    @property
    def unchanged(self) -> int:
        """Rows the package holds that change nothing (Pathmark's own attributes included)."""
        return self.rows - self.created - self.updated - sum(self.not_kept.values())


def stored_ids(table: str, ids: set[str]) -> set[str]:
    """Which of `ids` the directory holds in `table` (for the foreign-key check)."""
    model = MODELS.get(table)
    if model is None:
        return set()
    found: set[str] = set()
    listed = sorted(ids)
    for start in range(0, len(listed), CHUNK):
        found.update(
            model._base_manager.filter(pk__in=listed[start : start + CHUNK]).values_list(
                "pk", flat=True
            )
        )
    return found


def _existing(model: type[models.Model], ids: list[str]) -> dict[str, models.Model]:
    found: dict[str, models.Model] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(model._base_manager.in_bulk(ids[start : start + CHUNK]))
    return found


def plan_import(
    package: hsds.Package, *, progress: Callable[[int, int], None] | None = None
) -> ImportPlan:
    """What importing the package would create and change. Raises hsds.PackageError with
    every problem Pathmark finds beyond the official schemas. Runs inside system_scope."""
    hsds_mapping.register_theme_slugs(themes().slugs())
    problems = hsds.Problems()
    plan = ImportPlan(rows=package.total_rows)
    for table in hsds.NOT_KEPT:
        if package.rows(table):
            plan.not_kept[table] = len(package.rows(table))
    facts = _facts(package, problems)
    organisations = _partnership_links(package, problems)
    done = 0
    total = package.total_rows
    for table, model in MODELS.items():
        rows = package.rows(table)
        if table == "attribute":
            rows = {
                row_id: row
                for row_id, row in rows.items()
                if not hsds_mapping.is_pathmark_term(str(row.values.get("taxonomy_term_id", "")))
            }
        table_plan = TablePlan(table)
        plan.tables[table] = table_plan
        if not rows:
            continue
        fields = _model_fields(table)
        existing = _existing(model, list(rows))
        for row_id, row in rows.items():
            values = _values(table, row, fields, problems)
            if values is None:
                continue
            values.update(facts.get((table, row_id), {}))
            if table == "organization" and row_id in organisations:
                values["organisation_id"] = organisations[row_id]
            _plan_row(table_plan, model, row_id, values, existing.get(row_id))
            done += 1
            if progress is not None and done % 100 == 0:
                progress(done, total)
    for service_id, slugs in facts_themes(package).items():
        plan.themes[service_id] = slugs
    _themes_changed(plan)
    problems.raise_if_any()
    _preview(plan, package)
    if progress is not None:
        progress(total, total)
    return plan


def _values(
    table: str, row: hsds.Row, fields: dict[str, models.Field], problems: hsds.Problems
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    ok = True
    for column, model_field in fields.items():
        try:
            values[model_field.attname] = to_model(model_field, row.values.get(column))
        except (ValueProblem, ValueError) as error:
            problems.add_for(row, column, str(error))
            ok = False
            continue
        if model_field.is_relation and not model_field.null and values[model_field.attname] is None:
            problems.add_for(
                row, column, f"is required: Pathmark keeps every {table} with its link"
            )
            ok = False
    if table == "service" and ok:
        low, high = values.get("minimum_age"), values.get("maximum_age")
        if low is not None and high is not None and low > high:
            problems.add_for(row, "maximum_age", "must not be below minimum_age")
            ok = False
    return values if ok else None


def _plan_row(
    plan: TablePlan,
    model: type[models.Model],
    row_id: str,
    values: dict[str, Any],
    current: models.Model | None,
) -> None:
    if current is None:
        plan.create.append(model(**values))
        return
    changed = {name for name, value in values.items() if getattr(current, name) != value}
    if not changed:
        plan.unchanged += 1
        return
    for name in changed:
        setattr(current, name, values[name])
    plan.update.append(current)
    plan.update_fields.update(changed)


def _pathmark_attributes(package: hsds.Package) -> Iterable[tuple[hsds.Row, str]]:
    for row in package.rows("attribute").values():
        term_id = str(row.values.get("taxonomy_term_id", ""))
        if hsds_mapping.is_pathmark_term(term_id):
            yield row, term_id


def facts_themes(package: hsds.Package) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row, term_id in _pathmark_attributes(package):
        slug = hsds_mapping.theme_slug_of(term_id)
        if slug is not None:
            found.setdefault(str(row.values.get("link_id")), []).append(slug)
    # A service carrying any Pathmark fact has its themes given (possibly none).
    for row, term_id in _pathmark_attributes(package):
        fact = hsds_mapping.FACT_BY_TERM.get(term_id)
        if fact is not None and fact.entity == "service":
            found.setdefault(str(row.values.get("link_id")), [])
    return {key: sorted(set(value)) for key, value in found.items()}


def _facts(package: hsds.Package, problems: hsds.Problems) -> dict[tuple[str, str], dict[str, Any]]:
    """(table, id) -> the Pathmark columns its attributes give. A service or location with
    any Pathmark attribute has all its facts replaced (what is not given takes the default);
    one with none keeps what the directory holds."""
    genders = set(Gender.values)
    statuses = set(ImmigrationStatus.objects.values_list("slug", flat=True))
    facts: dict[tuple[str, str], dict[str, Any]] = {}
    for row, term_id in _pathmark_attributes(package):
        link_id = str(row.values.get("link_id", ""))
        if hsds_mapping.theme_slug_of(term_id) is not None:
            entity = "service"
        else:
            entity = hsds_mapping.FACT_BY_TERM[term_id].entity
        if link_id not in package.rows(entity) and not stored_ids(entity, {link_id}):
            problems.add_for(row, "link_id", f"{link_id} is not the id of any {entity}")
            continue
        key = (entity, link_id)
        if key not in facts:
            facts[key] = _defaults(entity)
        fact = hsds_mapping.FACT_BY_TERM.get(term_id)
        if fact is None:
            continue
        try:
            value = hsds_mapping.fact_value(fact, str(row.values.get("value", "")))
        except hsds_mapping.FactError as error:
            problems.add_for(row, "value", f"{fact.code} {error}")
            continue
        if fact.code == "eligible-gender" and value not in genders:
            problems.add_for(
                row, "value", f"{value!r} is not a gender ({', '.join(sorted(genders))})"
            )
            continue
        if fact.code == "eligible-immigration-status" and value not in statuses:
            known = ", ".join(sorted(statuses))
            problems.add_for(row, "value", f"{value!r} is not an immigration status ({known})")
            continue
        if fact.code == "eligible-postcode-area":
            value = value.upper().replace(" ", "")
        if fact.kind == "list":
            if value not in facts[key][fact.column]:
                facts[key][fact.column].append(value)
                facts[key][fact.column].sort()
        else:
            facts[key][fact.column] = value
    return facts


def _defaults(entity: str) -> dict[str, Any]:
    model = MODELS[entity]
    values: dict[str, Any] = {}
    for fact in hsds_mapping.FACTS:
        if fact.entity == entity:
            values[fact.column] = model._meta.get_field(fact.column).get_default()
    return values


def _partnership_links(package: hsds.Package, problems: hsds.Problems) -> dict[str, int | None]:
    """HSDS organization id -> partnership organisation, from identifiers of type
    `pathmark_organisation` (the organisation's short name)."""
    slugs = dict(Organisation.objects.values_list("slug", "pk"))
    links: dict[str, int | None] = {}
    for row in package.rows("organization_identifier").values():
        if row.values.get("identifier_type") != PATHMARK_IDENTIFIER_TYPE:
            continue
        slug = str(row.values.get("identifier", ""))
        if slug not in slugs:
            problems.add_for(
                row, "identifier", f"{slug!r} is not an organisation of the partnership"
            )
            continue
        links[str(row.values.get("organization_id"))] = slugs[slug]
    return links


def _themes_changed(plan: ImportPlan) -> None:
    if not plan.themes:
        return
    current: dict[str, set[str]] = {}
    through = Service.themes.through
    ids = sorted(plan.themes)
    for start in range(0, len(ids), CHUNK):
        for service_id, code in through.objects.filter(
            service_id__in=ids[start : start + CHUNK]
        ).values_list("service_id", "taxonomyterm__code"):
            current.setdefault(service_id, set()).add(code)
    for service_id, slugs in plan.themes.items():
        if set(slugs) != current.get(service_id, set()):
            plan.themes_changed.add(service_id)


def _preview(plan: ImportPlan, package: hsds.Package) -> None:
    created = {obj.pk for obj in plan.tables["service"].create}
    updated = {obj.pk for obj in plan.tables["service"].update} | plan.themes_changed
    organisations = {
        row_id: str(row.values.get("name", ""))
        for row_id, row in package.rows("organization").items()
    }
    for service_id, row in package.rows("service").items():
        change = "new" if service_id in created else "changed" if service_id in updated else "same"
        plan.services.append(
            {
                "id": service_id,
                "name": str(row.values.get("name", "")),
                "organisation": organisations.get(str(row.values.get("organization_id")), ""),
                "change": change,
            }
        )


def write_import(plan: ImportPlan, *, progress: Callable[[int, int], None] | None = None) -> None:
    """Writes a plan (inside the caller's transaction and system scope)."""
    ensure_pathmark_taxonomies()
    total = plan.created + sum(len(p.update) for p in plan.tables.values())
    done = 0
    for table in MODELS:
        table_plan = plan.tables.get(table)
        if table_plan is None:
            continue
        model = MODELS[table]
        for start in range(0, len(table_plan.create), CHUNK):
            chunk = table_plan.create[start : start + CHUNK]
            model._base_manager.bulk_create(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        if table_plan.update:
            model._base_manager.bulk_update(
                table_plan.update, sorted(table_plan.update_fields), batch_size=CHUNK
            )
            done += len(table_plan.update)
            if progress is not None:
                progress(done, total)
    if plan.themes:
        set_themes(plan.themes)


def set_themes(themes_by_service: dict[str, list[str]]) -> None:
    through = Service.themes.through
    terms = dict(
        TaxonomyTerm.objects.filter(taxonomy_detail_id=hsds_mapping.THEMES_TAXONOMY_ID).values_list(
            "code", "pk"
        )
    )
    ids = sorted(themes_by_service)
    for start in range(0, len(ids), CHUNK):
        through.objects.filter(service_id__in=ids[start : start + CHUNK]).delete()
    through.objects.bulk_create(
        [
            through(service_id=service_id, taxonomyterm_id=terms[slug])
            for service_id, slugs in themes_by_service.items()
            for slug in slugs
            if slug in terms
        ],
        batch_size=CHUNK,
    )


def ensure_pathmark_taxonomies() -> None:
    """Pathmark's two taxonomies and their terms, with ids derived from their slugs."""
    for row in hsds_mapping.taxonomy_rows():
        Taxonomy.objects.update_or_create(id=row["id"], defaults=row)
    for theme in themes().themes:
        TaxonomyTerm.objects.update_or_create(
            id=theme.term_id,
            defaults={
                "code": theme.slug,
                "name": theme.title_in("en"),
                "description": theme.description_in("en"),
                "taxonomy": hsds_mapping.THEMES_TAXONOMY_NAME,
                "taxonomy_detail_id": hsds_mapping.THEMES_TAXONOMY_ID,
            },
        )
    for row in hsds_mapping.fact_term_rows():
        defaults = {key: value for key, value in row.items() if key not in ("id", "taxonomy_id")}
        TaxonomyTerm.objects.update_or_create(
            id=row["id"], defaults=defaults | {"taxonomy_detail_id": row["taxonomy_id"]}
        )


# --- Exporting ------------------------------------------------------------------------------


def _hidden(viewer_id: int | None) -> dict[str, set[str]]:
    """Ids of rows that would place another organisation's confidential location."""
    locations = set(
        Location._base_manager.filter(is_confidential=True)
        .exclude(organization__organisation_id=viewer_id)
        .values_list("pk", flat=True)
        if viewer_id is not None
        else Location._base_manager.filter(is_confidential=True).values_list("pk", flat=True)
    )
    sals = set(
        ServiceAtLocation._base_manager.filter(location_id__in=locations).values_list(
            "pk", flat=True
        )
    )
    contacts = set(
        Contact._base_manager.filter(
            Q(location_id__in=locations) | Q(service_at_location_id__in=sals)
        ).values_list("pk", flat=True)
    )
    phones = set(
        Phone._base_manager.filter(
            Q(location_id__in=locations)
            | Q(service_at_location_id__in=sals)
            | Q(contact_id__in=contacts)
        ).values_list("pk", flat=True)
    )
    return {
        "location": locations,
        "service_at_location": sals,
        "contact": contacts,
        "phone": phones,
    }


def _shows(table: str, obj: models.Model, hidden: dict[str, set[str]]) -> bool:
    if obj.pk in hidden.get(table, ()):
        return False
    for link, targets in (
        ("location_id", hidden["location"]),
        ("service_at_location_id", hidden["service_at_location"]),
        ("contact_id", hidden["contact"]),
        ("phone_id", hidden["phone"]),
    ):
        if getattr(obj, link, None) in targets:
            return False
    return True


def export_tables(
    *, viewer: Organisation | None, progress: Callable[[int, int], None] | None = None
) -> dict[str, list[dict[str, str]]]:
    """Every directory table as HSDS rows (sorted by id), as `viewer` may see them: another
    organisation's confidential locations, and all that would place them, are left out.
    Pathmark's own facts become attribute rows. Runs inside system_scope."""
    hidden = _hidden(viewer.pk if viewer is not None else None)
    tables: dict[str, list[dict[str, str]]] = {}
    total = sum(model._base_manager.count() for model in MODELS.values())
    done = 0
    for table, model in MODELS.items():
        fields = _model_fields(table)
        rows: list[dict[str, str]] = []
        queryset = model._base_manager.order_by("pk")
        if table == "service":
            queryset = queryset.prefetch_related("themes")
        for obj in queryset.iterator(chunk_size=2000) if table != "service" else queryset:
            done += 1
            if not _shows(table, obj, hidden):
                continue
            row = {column: to_hsds(getattr(obj, f.attname)) for column, f in fields.items()}
            for (fallback_table, column), sources in FALLBACKS.items():
                if fallback_table == table and not row.get(column):
                    row[column] = next((row[s] for s in sources if row.get(s)), "")
            rows.append(row)
            if table == "service":
                tables.setdefault("_facts", []).extend(
                    hsds_mapping.facts_to_attributes(
                        link_id=obj.pk,
                        entity="service",
                        columns={
                            f.column: getattr(obj, f.column)
                            for f in hsds_mapping.FACTS
                            if f.entity == "service"
                        },
                        theme_slugs=[term.code for term in obj.themes.all()],
                    )
                )
            elif table == "location" and obj.is_confidential:  # type: ignore[attr-defined]
                tables.setdefault("_facts", []).extend(
                    hsds_mapping.facts_to_attributes(
                        link_id=obj.pk, entity="location", columns={"is_confidential": True}
                    )
                )
            if progress is not None and done % 500 == 0:
                progress(done, total)
        tables[table] = rows
    attributes = tables["attribute"] + tables.pop("_facts", [])
    tables["attribute"] = sorted(attributes, key=lambda row: row["id"])
    if progress is not None:
        progress(total, total)
    return {name: rows for name, rows in tables.items() if rows}
