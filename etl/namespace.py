"""Where a file may write: the codes it may create and the units it may hand work to.

Every loader (``infosak load``, the web upload) goes through validation, and validation asks this
module, so the rule is the same whoever loads:

- An administration's or governance object's workbook creates rows (assets, risk analyses, risks,
  actions) whose codes lie in its *namespace*: they start with the cover's Kod and a hyphen
  (``1882-SOC-T001`` in 1882-SOC's file, ``GO-EKO-A0001`` in GO-EKO's). Without it Askersund's
  file could take the code ``1861-SOC-T999`` first, and Hallsberg's next upload of its own asset
  would be refused.
- The units that own an asset or an action lie in the file's municipality (an administration's
  workbook), or in a municipality taking part in the object; an object's action may instead be
  owned by the object's provider. Without it Askersund's file could put an action in Hallsberg's
  lists and numbers that only Askersund's file can remove. For the same reason an
  administration's asset joins only an object its municipality takes part in.
- The organisation workbook lays the namespaces out: an administration's code lies in its
  municipality's namespace (``1882-SOC``), a unit's in its administration's (``1882-SOC-IFO``),
  a governance object's starts with ``GO-``; and no administration's or object's namespace lies
  inside another's (``1882-SOC-IFO`` as an administration would share 1882-SOC's codes).

Codes compare exactly, case included: they are identifiers, stored and looked up as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import repeat

SEPARATOR = "-"
OBJECT_ROOT = "GO"  # every governance object's code starts with "GO-"
KIND_WORDS = {  # (Swedish, English) for messages
    "administration": ("förvaltningen", "administration"),
    "object": ("förvaltningsobjektet", "governance object"),
}


def prefix_of(owner: str) -> str:
    """The prefix every code in ``owner``'s namespace starts with: "1882-SOC" → "1882-SOC-"."""
    return f"{owner}{SEPARATOR}"


def codes_outside(codes: Iterable[str | None], owner: str) -> list[str]:
    """The codes of ``codes`` outside ``owner``'s namespace (None, an empty cell, is skipped).

    A code lies in the namespace when it is ``owner``, a hyphen, and something more. A whole
    sheet at once: a national delivery has millions of codes.
    """
    prefix = prefix_of(owner)
    least = len(prefix) + 1
    present = list(filter(None, codes))  # blanks are None, never ""
    # Almost always every code is inside: two C-level passes say so without a loop per code.
    if all(map(str.startswith, present, repeat(prefix))) and min(map(len, present),
                                                                  default=least) >= least:  # fmt: skip
        return []
    return [c for c in present if not (c.startswith(prefix) and len(c) >= least)]


def in_namespace(code: str, owner: str) -> bool:
    """Whether ``code`` lies in ``owner``'s namespace (see ``codes_outside``)."""
    return not codes_outside([code], owner)


def suggestion(code: str, owner: str) -> str:
    """A code in ``owner``'s namespace for the same thing: "1861-SOC-T999" → "1882-SOC-T999"."""
    tail = code.rpartition(SEPARATOR)[2] or code
    return prefix_of(owner) + tail


def enclosing(codes: Iterable[str]) -> dict[str, str]:
    """code -> another of ``codes`` whose namespace holds it ("1882-SOC-IFO" -> "1882-SOC").

    Equal codes count too: two namespaces with the same prefix are one namespace. Each code is
    compared with its own hyphen-ended prefixes only, so this is linear in the codes.
    """
    seen: dict[str, int] = {}
    for code in codes:
        seen[code] = seen.get(code, 0) + 1
    found: dict[str, str] = {}
    for code, count in seen.items():
        if count > 1:
            found[code] = code
            continue
        end = code.find(SEPARATOR)
        while end != -1:
            if code[:end] in seen:
                found[code] = code[:end]
                break
            end = code.find(SEPARATOR, end + 1)
    return found


# --------------------------------------------------------------------------- data workbooks


@dataclass(frozen=True)
class WriteScope:
    """What one administration's or object's workbook may write."""

    kind: str  # administration | object
    code: str  # the cover's Kod
    municipalities: frozenset[str]  # whose units may own its assets and actions
    provider: str | None = None  # an object's provider, which may own its actions

    @property
    def prefix(self) -> str:
        return prefix_of(self.code)

    def codes_outside(self, codes: Iterable[str | None]) -> list[str]:
        """The codes of ``codes`` the file may not create (None, an empty cell, is skipped)."""
        return codes_outside(codes, self.code)

    def may_own(self, unit_municipality: str | None) -> bool:
        return unit_municipality in self.municipalities

    def may_own_as_provider(self, provider: str) -> bool:
        return self.kind == "object" and provider == self.provider


def write_scope(
    kind: str,
    code: str,
    administrations: Mapping[str, str],
    participants: Mapping[str, Iterable[str]],
    object_providers: Mapping[str, str | None],
) -> WriteScope:
    """The scope of the workbook with cover Typ ``kind`` and Kod ``code``.

    ``administrations``: administration -> municipality; ``participants``: object -> the
    municipalities taking part; ``object_providers``: object -> its provider (or None).
    """
    if kind == "administration":
        municipality = administrations.get(code)
        return WriteScope(kind, code, frozenset([municipality] if municipality else []))
    return WriteScope(kind, code, frozenset(participants.get(code, ())),
                      object_providers.get(code))  # fmt: skip


def allowed_messages(code: str, scope: WriteScope) -> tuple[str, str]:
    """(Swedish, English), each starting with a space: which codes the file may create."""
    kind_sv, kind_en = KIND_WORDS[scope.kind]
    example = suggestion(code, scope.code)
    return (
        f" En fil för {kind_sv} {scope.code} får bara skapa koder som börjar med {scope.prefix}, "
        f"t.ex. {example}.",
        f" A file for {kind_en} {scope.code} may only create codes that start with "
        f"{scope.prefix}, e.g. {example}.",
    )


def outside_messages(what_sv: str, what_en: str, code: str, scope: WriteScope) -> tuple[str, str]:
    """(Swedish, English) for a code the file may not create."""
    allowed_sv, allowed_en = allowed_messages(code, scope)
    return (
        f"{what_sv} {code} ligger utanför filens kodområde.{allowed_sv}",
        f"{what_en} {code} lies outside this file's namespace.{allowed_en}",
    )


def _allowed_owners(scope: WriteScope, provider_may_own: bool) -> tuple[str, str]:
    municipalities = ", ".join(sorted(scope.municipalities)) or "–"
    if scope.kind == "administration":
        return (f"enheter i förvaltningens egen kommun ({municipalities})",
                f"units of the administration's own municipality ({municipalities})")  # fmt: skip
    named = provider_may_own and scope.provider
    provider_sv = f" eller leverantören {scope.provider}" if named else ""
    provider_en = f" or the provider {scope.provider}" if named else ""
    return (f"enheter i kommuner som deltar i objektet ({municipalities}){provider_sv}",
            f"units of the municipalities taking part in the object ({municipalities})"
            f"{provider_en}")  # fmt: skip


def foreign_unit_messages(what_sv: str, what_en: str, unit: str, administration: str,
                          municipality: str, scope: WriteScope,
                          provider_may_own: bool = False) -> tuple[str, str]:  # fmt: skip
    """(Swedish, English) for an owner unit outside the file's municipalities.

    ``what_sv``/``what_en``: what is owned, plural ("åtgärder"/"actions"); ``provider_may_own``:
    whether an object's provider may own it instead (an action, not an asset).
    """
    allowed_sv, allowed_en = _allowed_owners(scope, provider_may_own)
    kind_sv, kind_en = KIND_WORDS[scope.kind]
    return (
        f"Enheten {unit} hör till kommunen {municipality} (förvaltningen {administration}). "
        f"En fil för {kind_sv} {scope.code} får bara ge {what_sv} till {allowed_sv}.",
        f"The unit {unit} belongs to municipality {municipality} (administration "
        f"{administration}). A file for {kind_en} {scope.code} may only give {what_en} to "
        f"{allowed_en}.",
    )


def foreign_provider_messages(provider: str, scope: WriteScope) -> tuple[str, str]:
    """(Swedish, English) for an object's action owned by a provider other than the object's."""
    own_sv = (f"objektets leverantör {scope.provider}" if scope.provider
              else "ingen leverantör (objektet har ingen)")  # fmt: skip
    own_en = (f"the object's provider {scope.provider}" if scope.provider
              else "no provider (the object has none)")  # fmt: skip
    return (
        f"Leverantören {provider} driver inte förvaltningsobjektet {scope.code}. En åtgärd i "
        f"objektets fil kan ägas av {own_sv}, eller av en enhet i en deltagande kommun.",
        f"The provider {provider} does not run governance object {scope.code}. An action in "
        f"the object's file may be owned by {own_en}, or by a unit of a participating "
        "municipality.",
    )


def object_not_joined_messages(obj: str, scope: WriteScope) -> tuple[str, str]:
    """(Swedish, English) for an administration's asset in an object its municipality is not in."""
    municipalities = ", ".join(sorted(scope.municipalities)) or "–"
    return (
        f"Kommunen {municipalities} deltar inte i förvaltningsobjektet {obj}. Bara deltagande "
        "kommuners förvaltningar kan föra tillgångar till objektet (bladet Deltagare i "
        "organisationsfilen).",
        f"Municipality {municipalities} does not take part in governance object {obj}. Only "
        "participating municipalities' administrations may add assets to it (sheet Deltagare "
        "of the organisation workbook).",
    )


# --------------------------------------------------------------------------- the organisation


def parent_messages(what_sv: str, what_en: str, code: str, parent_sv: str, parent_en: str,
                    parent: str) -> tuple[str, str]:  # fmt: skip
    """(Swedish, English) for an organisation code outside its parent's namespace.

    E.g. the unit 1861-SOC-X of administration 1882-SOC: ``what`` "Enhetskoden"/"The unit code",
    ``parent`` "förvaltningen"/"administration" 1882-SOC.
    """
    example = suggestion(code, parent)
    return (
        f"{what_sv} {code} ligger utanför {parent_sv} {parent}:s kodområde: den ska börja med "
        f"{prefix_of(parent)}, t.ex. {example}.",
        f"{what_en} {code} lies outside the namespace of {parent_en} {parent}: it must start "
        f"with {prefix_of(parent)}, e.g. {example}.",
    )


def object_code_messages(code: str) -> tuple[str, str]:
    """(Swedish, English) for a governance object's code that does not start with GO-."""
    prefix = prefix_of(OBJECT_ROOT)
    example = code if code.startswith(prefix) else prefix + code  # "GO-" alone: "GO-GO-"
    return (
        f"Objektkoden {code} ska börja med {prefix} och något mer, t.ex. {example}, så att "
        "objektets koder inte kan förväxlas med en förvaltnings.",
        f"The object code {code} must start with {prefix} and something more, e.g. {example}, "
        "so that the object's codes cannot be mistaken for an administration's.",
    )


def nested_messages(code: str, container: str) -> tuple[str, str]:
    """(Swedish, English) for an administration or object code inside another's namespace."""
    if code == container:
        return (
            f"Koden {code} används både som förvaltning och som förvaltningsobjekt (eller två "
            "gånger). Varje förvaltning och objekt behöver en egen kod, eftersom filernas koder "
            "börjar med den.",
            f"The code {code} is used both as an administration and as a governance object (or "
            "twice). Each needs a code of its own: the codes of its file start with it.",
        )
    return (
        f"Koden {code} ligger inom {container}:s kodområde ({prefix_of(container)}…): då skulle "
        f"filerna för {code} och {container} kunna skapa samma koder. Välj en kod som inte "
        f"börjar med {prefix_of(container)}.",
        f"The code {code} lies inside the namespace of {container} ({prefix_of(container)}…), "
        f"so the files of {code} and {container} could create the same codes. Choose a code "
        f"that does not start with {prefix_of(container)}.",
    )


__all__ = [
    "OBJECT_ROOT",
    "allowed_messages",
    "WriteScope",
    "codes_outside",
    "enclosing",
    "foreign_provider_messages",
    "foreign_unit_messages",
    "in_namespace",
    "nested_messages",
    "object_code_messages",
    "object_not_joined_messages",
    "outside_messages",
    "parent_messages",
    "prefix_of",
    "suggestion",
    "write_scope",
]
