"""Sample data: the Sydnärke municipalities' information-security workbooks, mess included.

``generate(out_dir)`` writes one organisation workbook (``organisation.xlsx``), one workbook per
administration (``<admin code>.xlsx``) and one per shared governance object (``<object code>.xlsx``)
through ``etl.workbook_writer``, or the same as CSV sets (``fmt="csv"``). The output depends only
on ``seed`` and ``today``: every workbook draws from its own ``random.Random("<seed>:<code>")`` so
workbooks can be generated one at a time (bounded memory) and still be byte-identical run to run.

Default set (municipalities=4): Askersund 1882 (five administrations, 40 units), Hallsberg 1861,
Laxå 1860, Lekeberg 1814 (three or four administrations each) and the provider Sydnärke IT (SNIT)
running seven shared governance objects (GO-EKO, GO-HRL, GO-SKOL, GO-SOC, GO-EPOST, GO-NAT,
GO-EARK). With municipalities=N > 4 fictional municipalities (codes 3001, 3002, …) are added in
groups of four, each group sharing three objects run by its own provider; N=290 gives roughly
150 000 assets, 500 000 risks and 1 000 000 actions.

The real mess, present on purpose so the dashboard has something to show:
- Expired classifications: next review (or classification date + 36 months) before ``today``;
  the first classified asset of every workbook is expired, about a quarter of the others too.
  The second classified asset of every workbook has its review due within 90 days.
- Risk analyses older than 36 months (about a third) and high risks (likelihood × consequence
  ≥ 9) without any action (treatment Acceptera, or Reducera with no action planned).
- Overdue actions in every aging bucket (1–30, 31–90, 91–180, >180 days) in every administration
  (its gap-area actions), besides actions done on time, done late and cancelled.
- Administration 1882-KFF (Askersund kultur- och fritidsförvaltningen) has no security officer
  (informationssäkerhetshandläggare) in the Roller sheet; about one in twenty fictional ones too.
- Exactly one unit, 1882-KFF-TURI, has no manager (information owner).
- Shared assets where one owner did not take part in the classification: GO-EKO-T001 lacks
  Lekeberg's owner unit among its participants; other multi-owner assets at random.
- Personal-data assets without a registerförteckning reference (about one in eight, and always
  the first personal-data asset of each central administration).
- Unit 1882-BUF-FLARK (Förskolan Lärkan) never reported: it has no follow-up rows at all; other
  units sometimes report "Inlämnad: Nej".
- Provider actions (owned by the provider, no owner unit) live in the object workbooks.
- With fmt="csv" administration 1860-SOC is written in Windows-1252 with ``,`` as delimiter,
  every other set in UTF-8 with ``;``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from etl import sample_names as names
from etl.schema import WORKBOOK_KINDS
from etl.vocab import (
    ACTION_STATUSES,
    CARRIER_TYPES,
    DEFAULT_MATURITY_AREAS,
    PERSONAL_DATA,
    ROLES,
    TREATMENTS,
    high_risk_threshold,
)
from etl.workbook_writer import cover_rows, write_csv_set, write_workbook

log = logging.getLogger(__name__)

MAX_MUNICIPALITIES = 500
FORMATS = ("xlsx", "csv")
ORGANISATION_PREFIX = "organisation"
ORGANISATION_CODE = "Sydnärke"
SYDNARKE_PROVIDER = ("SNIT", "Sydnärke IT")
NO_SECURITY_OFFICER_ADMIN = "1882-KFF"
UNIT_WITHOUT_MANAGER = "1882-KFF-TURI"
UNIT_NEVER_REPORTED = "1882-BUF-FLARK"
LEGACY_CSV_ADMIN = "1860-SOC"  # Windows-1252 with "," in CSV mode
NON_PARTICIPATING = {"GO-SOC": ("1814",), "GO-EARK": ("1860", "1814")}
FICTIONAL_CODE_START = 3001
FICTIONAL_GROUP_SIZE = 4
FICTIONAL_GROUP_OBJECTS = ("EKO", "HRL", "SKOL")
HIGH_RISK = high_risk_threshold(4)
VARIANT_SUFFIXES = (
    "arkiv",
    "äldre ärenden",
    "kopior",
    "projekt",
    "statistik",
    "underlag",
    "utskrifter",
    "e-post",
    "mallar",
    "uppföljning",
)

Row = dict[str, object]
Rows = dict[str, list[Row]]


# ---------------------------------------------------------------------------- results


@dataclass
class GenerateSummary:
    """What ``generate`` wrote: row counts per entity and every file."""

    municipalities: int = 0
    administrations: int = 0
    units: int = 0
    roles: int = 0
    providers: int = 0
    governance_objects: int = 0
    participants: int = 0
    assets: int = 0
    classifications: int = 0
    risk_analyses: int = 0
    risks: int = 0
    gap_assessments: int = 0
    actions: int = 0
    follow_ups: int = 0
    workbooks: int = 0
    files: list[Path] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Counts per entity in display order (the ``files`` list left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "files"}


COUNT_LABELS_SV: dict[str, str] = {
    "municipalities": "Kommuner",
    "administrations": "Förvaltningar",
    "units": "Enheter",
    "roles": "Roller",
    "providers": "Leverantörer",
    "governance_objects": "Förvaltningsobjekt",
    "participants": "Deltagare i objekt",
    "assets": "Informationstillgångar",
    "classifications": "Klassningar",
    "risk_analyses": "Riskanalyser",
    "risks": "Risker",
    "gap_assessments": "Nulägesbedömningar (område × datum)",
    "actions": "Åtgärder",
    "follow_ups": "Uppföljningsrapporter",
    "workbooks": "Arbetsböcker",
}


# ---------------------------------------------------------------------------- organisation


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass
class UnitInfo:
    code: str
    name: str
    kind: str
    administration: str
    manager: Person | None


@dataclass
class AdministrationInfo:
    code: str
    name: str
    municipality: str
    is_central: bool
    head: Person
    units: list[UnitInfo]


@dataclass
class MunicipalityInfo:
    code: str
    name: str
    administrations: list[AdministrationInfo]
    fictional: bool


@dataclass
class ObjectInfo:
    code: str
    spec: names.ObjectSpec
    provider: str
    participants: list[tuple[str, str | None]]  # (municipality code, administration code)
    owner_units: list[UnitInfo]  # one per participating municipality, first is primary
    provider_staff: list[Person]


@dataclass
class Organisation:
    municipalities: list[MunicipalityInfo]
    providers: list[tuple[str, str]]
    objects: list[ObjectInfo]
    roles: list[Row]


class PeopleFactory:
    """Fictional people with unique @example.se addresses (duplicates get a number)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def person(self) -> Person:
        first = self._rng.choice(names.FIRST_NAMES)
        last = self._rng.choice(names.LAST_NAMES)
        local = names.ascii_fold(f"{first}.{last}".lower())
        email, n = f"{local}@example.se", 1
        while email in self._used:
            n += 1
            email = f"{local}{n}@example.se"
        self._used.add(email)
        return Person(f"{first} {last}", email)


def fictional_municipality_names(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct made-up place names, none of them a Sydnärke municipality."""
    taken = {name for _, name in names.SYDNARKE}
    candidates = [
        p + s
        for p in names.PLACE_PREFIXES
        for s in names.PLACE_SUFFIXES
        if (p + s) not in taken and p[-1] != s[0]
    ]
    if count > len(candidates):
        raise ValueError(f"at most {len(candidates)} fictional municipalities")
    return rng.sample(candidates, count)


def _sydnarke_specs(code: str) -> tuple[names.AdministrationSpec, ...]:
    if code == "1882":
        return names.ASKERSUND
    return names.PARTNER_WITH_SBF if code == "1861" else names.PARTNER_SMALL


def _fictional_specs(rng: random.Random) -> list[names.AdministrationSpec]:
    """A fictional municipality's administrations, sampled from the unit pools."""
    size_range = {"KLF": (5, 8), "BUF": (10, 20), "SOC": (8, 15), "SBF": (4, 7), "KFF": (2, 5)}
    specs = []
    for short, name, is_central in names.FICTIONAL_ADMINISTRATIONS:
        if short == "KFF" and rng.random() < 0.3:
            continue  # some municipalities keep culture and leisure elsewhere
        pool = names.FICTIONAL_UNIT_POOLS[short]
        lo, hi = size_range[short]
        picked = sorted(rng.sample(range(1, len(pool)), min(len(pool) - 1, rng.randint(lo, hi))))
        units = (pool[0], *(pool[i] for i in picked))
        specs.append(names.AdministrationSpec(short, name, is_central, units))
    return specs


def _build_municipality(
    code: str,
    name: str,
    specs: Sequence[names.AdministrationSpec],
    people: PeopleFactory,
    fictional: bool,
) -> MunicipalityInfo:
    admins = []
    for spec in specs:
        admin_code = f"{code}-{spec.short}"
        units = []
        for unit in spec.units:
            unit_code = f"{admin_code}-{unit.short}"
            manager = None if unit_code == UNIT_WITHOUT_MANAGER else people.person()
            units.append(UnitInfo(unit_code, unit.name, unit.kind, admin_code, manager))
        admins.append(
            AdministrationInfo(admin_code, spec.name, code, spec.is_central, people.person(), units)
        )
    return MunicipalityInfo(code, name, admins, fictional)


def _owner_unit(municipality: MunicipalityInfo, spec: names.ObjectSpec) -> UnitInfo:
    """The unit of ``municipality`` that owns a shared object's assets."""
    admins = [
        a
        for a in municipality.administrations
        if spec.admin_short is None or a.code.endswith(f"-{spec.admin_short}")
    ]
    for kind in spec.owner_kinds:
        for admin in admins:
            for unit in admin.units:
                if unit.kind == kind:
                    return unit
    return (admins or municipality.administrations)[0].units[0]


def _build_object(
    code: str,
    spec: names.ObjectSpec,
    provider: str,
    members: Sequence[MunicipalityInfo],
    staff: list[Person],
) -> ObjectInfo:
    participants: list[tuple[str, str | None]] = []
    owners = []
    for m in members:
        admin = None
        if spec.admin_short is not None:
            admin = f"{m.code}-{spec.admin_short}"
            if all(a.code != admin for a in m.administrations):
                continue
        participants.append((m.code, admin))
        owners.append(_owner_unit(m, spec))
    return ObjectInfo(code, spec, provider, participants, owners, staff)


def build_organisation(municipalities: int, seed: int) -> Organisation:
    """The org structure for ``municipalities`` municipalities (Sydnärke first)."""
    if not 1 <= municipalities <= MAX_MUNICIPALITIES:
        raise ValueError(f"municipalities must be 1–{MAX_MUNICIPALITIES}")
    rng = random.Random(f"{seed}:organisation")
    people = PeopleFactory(rng)
    munis = [
        _build_municipality(code, name, _sydnarke_specs(code), people, fictional=False)
        for code, name in names.SYDNARKE[:municipalities]
    ]
    extra = max(0, municipalities - len(names.SYDNARKE))
    for i, name in enumerate(fictional_municipality_names(extra, rng)):
        code = str(FICTIONAL_CODE_START + i)
        specs = _fictional_specs(random.Random(f"{seed}:municipality:{code}"))
        munis.append(_build_municipality(code, name, specs, people, fictional=True))

    providers = [SYDNARKE_PROVIDER]
    snit_staff = [people.person() for _ in range(6)]
    objects = []
    sydnarke = [m for m in munis if not m.fictional]
    for spec in names.SHARED_OBJECTS:
        code = f"GO-{spec.short}"
        members = [m for m in sydnarke if m.code not in NON_PARTICIPATING.get(code, ())]
        obj = _build_object(code, spec, SYDNARKE_PROVIDER[0], members, snit_staff)
        if obj.participants:
            objects.append(obj)
    fictional = [m for m in munis if m.fictional]
    by_short = {s.short: s for s in names.SHARED_OBJECTS}
    for g, start in enumerate(range(0, len(fictional), FICTIONAL_GROUP_SIZE), start=1):
        members = fictional[start : start + FICTIONAL_GROUP_SIZE]
        prov_code = f"SAM{g:02d}"
        providers.append((prov_code, f"IT-samverkan {members[0].name}–{members[-1].name}"))
        staff = [people.person() for _ in range(3)]
        for short in FICTIONAL_GROUP_OBJECTS:
            obj = _build_object(
                f"GO-{prov_code}-{short}", by_short[short], prov_code, members, staff
            )
            if obj.participants:
                objects.append(obj)
    roles = _role_rows(munis, objects, people, rng)
    return Organisation(munis, providers, objects, roles)


def _role(person: Person, role: str, node: str) -> Row:
    return {"person_name": person.name, "email": person.email, "role": ROLES[role], "node": node}


def _role_rows(
    munis: Sequence[MunicipalityInfo],
    objects: Sequence[ObjectInfo],
    people: PeopleFactory,
    rng: random.Random,
) -> list[Row]:
    rows = []
    for m in munis:
        rows += [_role(people.person(), r, m.code) for r in ("ciso", "dpo", "protection_officer")]
        for admin in m.administrations:
            rows.append(_role(admin.head, "admin_head", admin.code))
            missing = admin.code == NO_SECURITY_OFFICER_ADMIN or (
                m.fictional and rng.random() < 0.05
            )
            if not missing:
                for _ in range(1 if rng.random() < 0.7 else 2):
                    rows.append(_role(people.person(), "security_officer", admin.code))
            rows += [_role(u.manager, "manager", u.code) for u in admin.units if u.manager]
    for obj in objects:
        for person in rng.sample(obj.provider_staff, 2):
            rows.append(_role(person, "function_admin", obj.code))
    return rows


def organisation_rows(org: Organisation, today: dt.date) -> Rows:
    """The organisation workbook's rows, by sheet key."""
    ciso = next(r for r in org.roles if r["node"] == org.municipalities[0].code)
    return {
        "cover": cover_rows("Organisation", ORGANISATION_CODE, str(ciso["person_name"]), today),
        "municipalities": [{"code": m.code, "name": m.name} for m in org.municipalities],
        "administrations": [
            {
                "code": a.code,
                "name": a.name,
                "municipality": m.code,
                "is_central": "Ja" if a.is_central else "Nej",
            }
            for m in org.municipalities
            for a in m.administrations
        ],
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "administration": a.code,
                "manager_name": u.manager.name if u.manager else None,
                "manager_email": u.manager.email if u.manager else None,
            }
            for m in org.municipalities
            for a in m.administrations
            for u in a.units
        ],
        "roles": org.roles,
        "providers": [{"code": c, "name": n} for c, n in org.providers],
        "governance_objects": [
            {
                "code": o.code,
                "name": o.spec.name,
                "provider": o.provider,
                "description": o.spec.description,
            }
            for o in org.objects
        ],
        "participants": [
            {"governance_object": o.code, "municipality": mc, "administration": ac}
            for o in org.objects
            for mc, ac in o.participants
        ],
        "areas": [
            {"code": code, "name": name, "sort_order": i}
            for i, (code, name) in enumerate(DEFAULT_MATURITY_AREAS, start=1)
        ],
        "settings": [{"key": "riskmatris_storlek", "value": "4"}],
    }


# ---------------------------------------------------------------------------- dates


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_quarters(today: dt.date, count: int = 4) -> list[tuple[str, dt.date]]:
    """The ``count`` complete quarters before ``today``: (period "2026-Q3", last day), oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    result = []
    for _ in range(count):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        end = add_months(dt.date(year, 3 * quarter - 2, 1), 3) - dt.timedelta(days=1)
        result.append((f"{year}-Q{quarter}", end))
    return result[::-1]


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


# ---------------------------------------------------------------------------- data workbooks


class DataWorkbook:
    """Builds the rows of one administration or governance-object workbook."""

    def __init__(self, code: str, seed: int, today: dt.date) -> None:
        self.code = code
        self.today = today
        self.rng = random.Random(f"{seed}:{code}")
        self.rows: Rows = {
            key: []
            for key in (
                "assets",
                "classifications",
                "risk_analyses",
                "risks",
                "gap_analysis",
                "actions",
                "follow_ups",
            )
        }
        self._classified = 0
        self._seq = {"T": 0, "RA": 0, "R": 0, "A": 0}

    def next_code(self, kind: str) -> str:
        self._seq[kind] += 1
        width = {"T": 3, "RA": 3, "R": 4, "A": 4}[kind]
        return f"{self.code}-{kind}{self._seq[kind]:0{width}d}"

    # -- assets and classifications

    def add_asset(
        self,
        spec: names.AssetSpec,
        name: str,
        owners: Sequence[UnitInfo],
        governance_object: str | None,
        register_prefix: str,
        force_missing_ref: bool = False,
        drop_last_owner: bool = False,
    ) -> str:
        """Add an asset, classified four times in five (always when ``drop_last_owner``)."""
        rng = self.rng
        code = self.next_code("T")
        ref = None
        if spec.personal_data != "no" and not force_missing_ref and rng.random() >= 0.12:
            ref = f"RF-{register_prefix}-{rng.randint(1, 400):03d}"
        self.rows["assets"].append(
            {
                "code": code,
                "name": name,
                "carrier_name": spec.carrier_name,
                "carrier_type": CARRIER_TYPES[spec.carrier_type],
                "owners": [u.code for u in owners],
                "governance_object": governance_object,
                "personal_data": PERSONAL_DATA[spec.personal_data],
                "register_ref": ref,
                "security_protection": "Ja" if spec.security_protection else "Nej",
            }
        )
        if rng.random() < 0.82 or drop_last_owner:
            self._classify(code, spec, owners, drop_last_owner)
        return code

    def _classify(
        self, asset: str, spec: names.AssetSpec, owners: Sequence[UnitInfo], drop_last_owner: bool
    ) -> None:
        rng, today = self.rng, self.today
        self._classified += 1
        if self._classified == 1:  # always one expired classification per workbook
            classified = today - dt.timedelta(days=rng.randint(3 * 365 + 60, 4 * 365))
            review = add_months(classified, 36)
        elif self._classified == 2:  # and one due for review within 90 days
            review = today + dt.timedelta(days=rng.randint(5, 85))
            classified = add_months(review, -24)
        else:
            classified = today - dt.timedelta(days=rng.randint(15, 3 * 365 + 250))
            review = (
                None if rng.random() < 0.4 else add_months(classified, rng.choice((24, 36, 36)))
            )
        participants = [u.code for u in owners]
        if len(owners) > 1 and (drop_last_owner or rng.random() < 0.3):
            participants = participants[:-1]  # a sharing owner who did not take part
        sensitive = {"no": 0, "yes": 1, "sensitive": 2}[spec.personal_data]
        if rng.random() < 0.1:  # an older classification kept as history
            older = add_months(classified, -rng.choice((24, 36, 48)))
            self.rows["classifications"].append(
                self._classification_row(asset, older, None, sensitive, participants, "KLASSA 4")
            )
        self.rows["classifications"].append(
            self._classification_row(asset, classified, review, sensitive, participants, "KLASSA 5")
        )

    def _classification_row(
        self,
        asset: str,
        classified: dt.date,
        review: dt.date | None,
        sensitive: int,
        participants: list[str],
        model: str,
    ) -> Row:
        rng = self.rng
        confidentiality = min(4, sensitive + rng.randint(0, 2))
        return {
            "asset": asset,
            "classified_on": classified,
            "next_review_on": review,
            "confidentiality": confidentiality,
            "integrity": rng.randint(1, 3),
            "availability": rng.randint(0, 4),
            "traceability": rng.randint(0, 3) if rng.random() < 0.3 else None,
            "participants": participants,
            "model_version": model,
            "label_set": "KLASSA",
        }

    # -- risks and actions

    def add_risk_analysis(
        self,
        asset: str | None,
        responsible: Person | None,
        owners: Sequence[UnitInfo],
        provider: str | None = None,
        provider_staff: Sequence[Person] = (),
    ) -> None:
        rng, today = self.rng, self.today
        code = self.next_code("RA")
        analysed = today - dt.timedelta(days=rng.randint(10, 4 * 365 + 200))
        self.rows["risk_analyses"].append(
            {
                "code": code,
                "asset": asset,
                "analysed_on": analysed,
                "responsible": responsible.name if responsible else None,
            }
        )
        for _ in range(rng.randint(2, 7)):
            risk = self.next_code("R")
            likelihood = rng.choices((1, 2, 3, 4), weights=(3, 4, 3, 2))[0]
            consequence = rng.choices((1, 2, 3, 4), weights=(2, 4, 3, 2))[0]
            high = likelihood * consequence >= HIGH_RISK
            treatment = rng.choices(
                ("reduce", "accept", "transfer", "avoid"),
                weights=(75, 10, 10, 5) if high else (55, 35, 5, 5),
            )[0]
            self.rows["risks"].append(
                {
                    "code": risk,
                    "analysis": code,
                    "description": rng.choice(names.RISK_DESCRIPTIONS),
                    "likelihood": likelihood,
                    "consequence": consequence,
                    "treatment": TREATMENTS[treatment],
                }
            )
            if treatment == "accept" or (high and rng.random() < 0.1):
                continue  # no action: accepted, or a high risk nobody has planned for yet
            count = rng.randint(1, 5) if treatment == "reduce" else rng.randint(1, 3)
            for _ in range(count):
                use_provider = provider is not None and rng.random() < 0.7
                unit = rng.choice(owners)
                self.add_action(
                    rng.choice(names.ACTION_TITLES),
                    analysed,
                    risk=risk,
                    owner_unit=None if use_provider else unit,
                    provider=provider if use_provider else None,
                    responsible=rng.choice(provider_staff) if use_provider else unit.manager,
                )

    def add_action(
        self,
        title: str,
        created: dt.date,
        *,
        risk: str | None = None,
        area: str | None = None,
        owner_unit: UnitInfo | None = None,
        provider: str | None = None,
        responsible: Person | None = None,
        due: dt.date | None = None,
        outcome: str | None = None,
    ) -> None:
        """One action; ``outcome`` forces overdue|on_time|late|cancelled, else drawn at random."""
        rng, today = self.rng, self.today
        due = due or created + dt.timedelta(days=rng.randint(30, 540))
        if outcome is None:
            r = rng.random()
            if due < today:
                outcome = (
                    "on_time"
                    if r < 0.36
                    else "late"
                    if r < 0.55
                    else "cancelled"
                    if r < 0.63
                    else "overdue"
                )
            else:
                outcome = "early" if r < 0.2 else "open"
        completed = None
        if outcome in ("on_time", "early"):
            status = "done"
            completed = _between(rng, min(created + dt.timedelta(days=1), today), min(due, today))
        elif outcome == "late":
            status = "done"
            completed = _between(
                rng,
                min(due + dt.timedelta(days=1), today),
                min(due + dt.timedelta(days=200), today),
            )
        elif outcome == "cancelled":
            status = "cancelled"
        else:
            status = "in_progress" if rng.random() < 0.55 else "not_started"
        self.rows["actions"].append(
            {
                "code": self.next_code("A"),
                "title": title,
                "risk": risk,
                "area": area,
                "owner_unit": owner_unit.code if owner_unit else None,
                "provider": provider,
                "responsible": responsible.name if responsible else None,
                "responsible_email": responsible.email if responsible else None,
                "due_on": due,
                "status": ACTION_STATUSES[status],
                "completed_on": completed,
            }
        )

    # -- gap analysis and follow-up

    def add_gap_analyses(self, dates: Sequence[dt.date]) -> list[tuple[str, int]]:
        """Levels per area on each date (later dates mostly better); the latest levels."""
        rng = self.rng
        base = rng.randint(1, 3)
        levels = [max(0, min(5, base + rng.randint(-1, 1))) for _ in DEFAULT_MATURITY_AREAS]
        for i, day in enumerate(sorted(dates)):
            if i:
                levels = [max(0, min(5, lv + rng.choice((-1, 0, 0, 1, 1, 2)))) for lv in levels]
            for (area, _), level in zip(DEFAULT_MATURITY_AREAS, levels, strict=True):
                comment = "Rutin saknas" if level == 0 else None
                self.rows["gap_analysis"].append(
                    {"assessed_on": day, "area": area, "level": level, "comment": comment}
                )
        return [(area, lv) for (area, _), lv in zip(DEFAULT_MATURITY_AREAS, levels, strict=True)]

    def add_gap_actions(
        self,
        created: dt.date,
        latest: list[tuple[str, int]],
        units: Sequence[UnitInfo],
        head: Person,
    ) -> None:
        """Gap-area actions: overdue in every aging bucket, one on time, one late, one cancelled."""
        rng, today = self.rng, self.today
        weakest = [area for area, _ in sorted(latest, key=lambda a: a[1])]
        plan = [
            ("overdue", today - dt.timedelta(days=rng.randint(1, 30))),
            ("overdue", today - dt.timedelta(days=rng.randint(31, 90))),
            ("overdue", today - dt.timedelta(days=rng.randint(91, 180))),
            ("overdue", today - dt.timedelta(days=rng.randint(181, 300))),
            ("on_time", today - dt.timedelta(days=rng.randint(40, 200))),
            ("late", today - dt.timedelta(days=rng.randint(60, 200))),
            ("cancelled", today - dt.timedelta(days=rng.randint(20, 200))),
            (None, today + dt.timedelta(days=rng.randint(20, 300))),
        ]
        for i, (outcome, due) in enumerate(plan):
            area = weakest[i % len(weakest)]
            unit = units[i % len(units)]
            self.add_action(
                names.GAP_ACTION_TITLES[area],
                created,
                area=area,
                owner_unit=unit,
                responsible=unit.manager or head,
                due=due,
                outcome=outcome,
            )

    def add_follow_ups(self, unit: UnitInfo, quarters: Sequence[tuple[str, dt.date]]) -> None:
        rng, today = self.rng, self.today
        for period, end in quarters:
            if rng.random() < 0.85:
                submitted = min(today, end + dt.timedelta(days=rng.randint(3, 45)))
                self.rows["follow_ups"].append(
                    {
                        "unit": unit.code,
                        "period": period,
                        "submitted": "Ja",
                        "submitted_on": submitted,
                        "training_completion_pct": rng.randint(40, 100),
                        "last_access_review_on": submitted - dt.timedelta(days=rng.randint(0, 300)),
                    }
                )
            else:
                self.rows["follow_ups"].append(
                    {"unit": unit.code, "period": period, "submitted": "Nej"}
                )


def _asset_variants(
    rng: random.Random, kind: str, count: int
) -> Iterator[tuple[names.AssetSpec, str]]:
    """``count`` assets a unit of ``kind`` keeps: its catalogue first, then common ones."""
    catalogue = list(names.ASSET_CATALOGUE[kind]) + list(names.COMMON_ASSETS)
    for i in range(count):
        spec = catalogue[i % len(catalogue)]
        round_ = i // len(catalogue)
        yield spec, spec.name if round_ == 0 else f"{spec.name} – {rng.choice(VARIANT_SUFFIXES)}"


def administration_rows(
    admin: AdministrationInfo, municipality: MunicipalityInfo, seed: int, today: dt.date
) -> Rows:
    """The rows of one administration's workbook."""
    wb = DataWorkbook(admin.code, seed, today)
    rng = wb.rng
    first_pd_missing = admin.is_central
    for unit in admin.units:
        count = rng.randint(8, 15) if municipality.fictional else rng.randint(3, 5)
        for spec, name in _asset_variants(rng, unit.kind, count):
            owners = [unit]
            if len(admin.units) > 1 and rng.random() < 0.12:
                owners.append(rng.choice([u for u in admin.units if u is not unit]))
            force_missing = first_pd_missing and spec.personal_data != "no"
            first_pd_missing = first_pd_missing and not force_missing
            asset = wb.add_asset(spec, name, owners, None, admin.code, force_missing)
            if rng.random() < 0.74:
                wb.add_risk_analysis(asset, unit.manager or admin.head, owners)
    first = today - dt.timedelta(days=rng.randint(380, 460))
    second = today - dt.timedelta(days=rng.randint(20, 75))
    latest = wb.add_gap_analyses([first, second])
    wb.add_gap_actions(first, latest, admin.units, admin.head)
    quarters = last_quarters(today)
    for unit in admin.units:
        if unit.code != UNIT_NEVER_REPORTED:
            wb.add_follow_ups(unit, quarters)
    wb.rows["cover"] = cover_rows("Förvaltning", admin.code, admin.head.name, today)
    return wb.rows


def object_rows(obj: ObjectInfo, seed: int, today: dt.date) -> Rows:
    """The rows of one shared governance object's workbook (provider actions included)."""
    wb = DataWorkbook(obj.code, seed, today)
    rng = wb.rng
    lead = obj.provider_staff[0]
    for i, spec in enumerate(obj.spec.assets):
        # The first shared asset always has an owner who stayed away from the classification.
        asset = wb.add_asset(
            spec,
            spec.name,
            obj.owner_units,
            obj.code,
            obj.code,
            drop_last_owner=i == 0 and len(obj.owner_units) > 1,
        )
        if rng.random() < 0.8:
            wb.add_risk_analysis(asset, lead, obj.owner_units, obj.provider, obj.provider_staff)
    wb.add_risk_analysis(None, lead, obj.owner_units, obj.provider, obj.provider_staff)
    wb.add_gap_analyses([today - dt.timedelta(days=rng.randint(30, 200))])
    wb.rows.pop("follow_ups")
    wb.rows["cover"] = cover_rows("Förvaltningsobjekt", obj.code, lead.name, today)
    return wb.rows


# ---------------------------------------------------------------------------- writing


def _write(
    out_dir: Path, prefix: str, kind: str, rows: Rows, fmt: str, legacy: bool = False
) -> list[Path]:
    if fmt == "xlsx":
        return [write_workbook(out_dir / f"{prefix}.xlsx", kind, rows)]
    # Every sheet of the kind gets a file (header only when empty) so a set is complete.
    complete = {s.key: rows.get(s.key, []) for s in WORKBOOK_KINDS[kind].sheets}
    if legacy:
        return write_csv_set(out_dir, prefix, kind, complete, encoding="cp1252", delimiter=",")
    return write_csv_set(out_dir, prefix, kind, complete)


def _tally(summary: GenerateSummary, rows: Rows) -> None:
    summary.assets += len(rows.get("assets", []))
    summary.classifications += len(rows.get("classifications", []))
    summary.risk_analyses += len(rows.get("risk_analyses", []))
    summary.risks += len(rows.get("risks", []))
    summary.gap_assessments += len(rows.get("gap_analysis", []))
    summary.actions += len(rows.get("actions", []))
    summary.follow_ups += len(rows.get("follow_ups", []))


def generate(
    out_dir: Path,
    *,
    municipalities: int = 4,
    seed: int = 1882,
    fmt: str = "xlsx",
    today: dt.date | None = None,
) -> GenerateSummary:
    """Write the sample workbooks into ``out_dir``; see the module docstring for what is in them."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    today = today or dt.date.today()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    org = build_organisation(municipalities, seed)
    summary = GenerateSummary()
    org_rows = organisation_rows(org, today)
    summary.municipalities = len(org_rows["municipalities"])
    summary.administrations = len(org_rows["administrations"])
    summary.units = len(org_rows["units"])
    summary.roles = len(org_rows["roles"])
    summary.providers = len(org_rows["providers"])
    summary.governance_objects = len(org_rows["governance_objects"])
    summary.participants = len(org_rows["participants"])
    summary.files += _write(out_dir, ORGANISATION_PREFIX, "organisation", org_rows, fmt)
    summary.workbooks = 1
    legacy = LEGACY_CSV_ADMIN
    if all(a.code != legacy for m in org.municipalities for a in m.administrations):
        legacy = org.municipalities[-1].administrations[-1].code
    for m in org.municipalities:
        for admin in m.administrations:
            rows = administration_rows(admin, m, seed, today)
            _tally(summary, rows)
            summary.files += _write(
                out_dir, admin.code, "administration", rows, fmt, legacy=admin.code == legacy
            )
            summary.workbooks += 1
        log.debug("generated municipality %s", m.code)
    for obj in org.objects:
        rows = object_rows(obj, seed, today)
        _tally(summary, rows)
        summary.files += _write(out_dir, obj.code, "object", rows, fmt)
        summary.workbooks += 1
    log.info("generated %d workbooks in %s", summary.workbooks, out_dir)
    return summary


__all__ = ["COUNT_LABELS_SV", "GenerateSummary", "build_organisation", "generate"]
