"""Fictional names and catalogues for the sample generator (etl.generate).

Everything here is plain data: Swedish first and last names combined at random into fictional
people, unit names per kind of unit, the information assets each kind of unit typically keeps,
risk and action wording. Tuples rather than sets so iteration order never depends on hashing.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES: tuple[str, ...] = (
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Lena",
    "Kerstin",
    "Emma",
    "Ingrid",
    "Malin",
    "Linnéa",
    "Sofia",
    "Johanna",
    "Elin",
    "Ida",
    "Helena",
    "Annika",
    "Cecilia",
    "Åsa",
    "Märta",
    "Ulla",
    "Birgitta",
    "Frida",
    "Hanna",
    "Therese",
    "Louise",
    "Jenny",
    "Camilla",
    "Agneta",
    "Lars",
    "Mikael",
    "Anders",
    "Johan",
    "Per",
    "Erik",
    "Karl",
    "Peter",
    "Thomas",
    "Jan",
    "Daniel",
    "Fredrik",
    "Hans",
    "Stefan",
    "Mats",
    "Magnus",
    "Mattias",
    "Jonas",
    "Björn",
    "Göran",
    "Håkan",
    "Olof",
    "Nils",
    "Gustav",
    "Oskar",
    "Henrik",
    "Ulf",
    "Jörgen",
    "Sören",
)

LAST_NAMES: tuple[str, ...] = (
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Lindström",
    "Olofsson",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Eklund",
    "Danielsson",
    "Lundin",
    "Håkansson",
    "Björk",
    "Bergman",
    "Gunnarsson",
    "Holm",
    "Wikström",
    "Samuelsson",
    "Isaksson",
    "Fransson",
    "Bergqvist",
    "Nyström",
    "Holmberg",
    "Arvidsson",
    "Löfgren",
    "Söderberg",
    "Nyberg",
    "Blomqvist",
    "Claesson",
    "Mårtensson",
    "Ström",
    "Åberg",
    "Hedlund",
    "Sundberg",
    "Öberg",
)

# Parts of fictional municipality names ("Björk" + "sund" → "Björksund").
PLACE_PREFIXES: tuple[str, ...] = (
    "Björk",
    "Sjö",
    "Ek",
    "Lind",
    "Ås",
    "Berg",
    "Dal",
    "Strand",
    "Hög",
    "Mal",
    "Norr",
    "Söder",
    "Vik",
    "Al",
    "Gran",
    "Tall",
    "Hed",
    "Äng",
    "Holm",
    "Rön",
    "Ljung",
    "Ros",
    "Lönn",
    "Älv",
    "Kvarn",
    "Frö",
    "Hjort",
    "Örn",
    "Myr",
    "Sten",
    "Bäck",
    "Hassel",
    "Sval",
    "Lugn",
    "Klint",
)
PLACE_SUFFIXES: tuple[str, ...] = (
    "sund",
    "by",
    "köping",
    "hult",
    "bo",
    "dal",
    "vik",
    "ås",
    "torp",
    "mark",
    "näs",
    "fors",
    "holm",
    "berg",
    "stad",
    "hamn",
    "ryd",
    "lösa",
    "å",
    "hed",
)

# The Sydnärke municipalities with their real SCB codes, in the order they are generated.
SYDNARKE: tuple[tuple[str, str], ...] = (
    ("1882", "Askersund"),
    ("1861", "Hallsberg"),
    ("1860", "Laxå"),
    ("1814", "Lekeberg"),
)


@dataclass(frozen=True)
class UnitSpec:
    short: str  # last part of the unit code
    name: str
    kind: str  # key into ASSET_CATALOGUE


@dataclass(frozen=True)
class AdministrationSpec:
    short: str  # last part of the administration code
    name: str
    is_central: bool
    units: tuple[UnitSpec, ...]


U = UnitSpec

_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "Å": "A", "Ä": "A", "Ö": "O"})


def ascii_fold(text: str) -> str:
    """Swedish letters folded to ASCII, for codes and e-mail addresses."""
    return text.translate(_ASCII)


# Askersund: about 40 units in five administrations.
ASKERSUND: tuple[AdministrationSpec, ...] = (
    AdministrationSpec(
        "KLF",
        "Kommunledningsförvaltningen",
        True,
        (
            U("KANS", "Kansliet", "kansli"),
            U("EKO", "Ekonomienheten", "eko"),
            U("HR", "HR-enheten", "hr"),
            U("LON", "Lönecenter", "hr"),
            U("IT", "IT- och digitaliseringsenheten", "it"),
            U("KOMM", "Kommunikationsenheten", "komm"),
            U("UPPH", "Upphandlingsenheten", "upphandling"),
            U("SAK", "Säkerhet och beredskap", "sakerhet"),
        ),
    ),
    AdministrationSpec(
        "BUF",
        "Barn- och utbildningsförvaltningen",
        False,
        (
            U("KANS", "BUF-kansliet", "buf_kansli"),
            U("FSOLR", "Förskolan Solrosen", "forskola"),
            U("FEKOR", "Förskolan Ekorren", "forskola"),
            U("FTALL", "Förskolan Tallbacken", "forskola"),
            U("FLARK", "Förskolan Lärkan", "forskola"),
            U("SJOS", "Sjöängsskolan F–6", "skola"),
            U("NARS", "Närlundaskolan F–6", "skola"),
            U("ASAS", "Åsbackaskolan 7–9", "skola"),
            U("GYM", "Alléskolan gymnasium", "gymnasium"),
            U("ELEV", "Elevhälsan", "elevhalsa"),
            U("KULS", "Kulturskolan", "kulturskola"),
            U("VUX", "Vuxenutbildningen", "gymnasium"),
        ),
    ),
    AdministrationSpec(
        "SOC",
        "Socialförvaltningen",
        False,
        (
            U("IFOB", "IFO barn och familj", "ifo"),
            U("IFOV", "IFO vuxen och missbruk", "ifo"),
            U("EKB", "Ekonomiskt bistånd", "ek_bistand"),
            U("BIST", "Biståndsenheten", "bistand"),
            U("HTN", "Hemtjänst norr", "hemtjanst"),
            U("HTS", "Hemtjänst söder", "hemtjanst"),
            U("SABO", "Särskilt boende Solgården", "sabo"),
            U("SABL", "Särskilt boende Lindhemmet", "sabo"),
            U("LSS", "LSS-enheten", "lss"),
            U("HSL", "Hälso- och sjukvårdsenheten", "hsl"),
            U("SOCK", "Socialkansliet", "kansli"),
        ),
    ),
    AdministrationSpec(
        "SBF",
        "Samhällsbyggnadsförvaltningen",
        False,
        (
            U("BYGG", "Bygglovsenheten", "bygglov"),
            U("MILJO", "Miljö- och hälsoskydd", "miljo"),
            U("GATA", "Gata och park", "gata"),
            U("VA", "VA-enheten", "va"),
            U("GIS", "Mätning och GIS", "gis"),
        ),
    ),
    AdministrationSpec(
        "KFF",
        "Kultur- och fritidsförvaltningen",
        False,
        (
            U("BIBL", "Biblioteket", "bibliotek"),
            U("FRIT", "Fritidsgårdarna", "fritid"),
            U("IDRO", "Idrotts- och fritidsanläggningar", "idrott"),
            U("TURI", "Turism och evenemang", "fritid"),
        ),
    ),
)

# Partner municipalities: fewer administrations and units.
PARTNER_SMALL: tuple[AdministrationSpec, ...] = (
    AdministrationSpec(
        "KLF",
        "Kommunledningsförvaltningen",
        True,
        (
            U("KANS", "Kansliet", "kansli"),
            U("EKO", "Ekonomienheten", "eko"),
            U("HR", "HR-enheten", "hr"),
            U("SAK", "Säkerhet och beredskap", "sakerhet"),
        ),
    ),
    AdministrationSpec(
        "BUF",
        "Bildningsförvaltningen",
        False,
        (
            U("FSK", "Förskoleenheten", "forskola"),
            U("GRS", "Centralskolan", "skola"),
            U("ELEV", "Elevhälsan", "elevhalsa"),
            U("BIBL", "Biblioteket", "bibliotek"),
        ),
    ),
    AdministrationSpec(
        "SOC",
        "Socialförvaltningen",
        False,
        (
            U("IFO", "Individ- och familjeomsorgen", "ifo"),
            U("HT", "Hemtjänsten", "hemtjanst"),
            U("SABO", "Särskilt boende", "sabo"),
            U("LSS", "LSS och socialpsykiatri", "lss"),
        ),
    ),
)
PARTNER_WITH_SBF: tuple[AdministrationSpec, ...] = PARTNER_SMALL + (
    AdministrationSpec(
        "SBF",
        "Samhällsbyggnadsförvaltningen",
        False,
        (
            U("BYGG", "Bygg och miljö", "bygglov"),
            U("TEKN", "Tekniska enheten", "va"),
        ),
    ),
)

# Unit pools for fictional municipalities: (short, name, kind). Pools are sampled per admin.
FICTIONAL_ADMINISTRATIONS: tuple[tuple[str, str, bool], ...] = (
    ("KLF", "Kommunledningsförvaltningen", True),
    ("BUF", "Barn- och utbildningsförvaltningen", False),
    ("SOC", "Socialförvaltningen", False),
    ("SBF", "Samhällsbyggnadsförvaltningen", False),
    ("KFF", "Kultur- och fritidsförvaltningen", False),
)
FICTIONAL_UNIT_POOLS: dict[str, tuple[UnitSpec, ...]] = {
    "KLF": ASKERSUND[0].units,
    "BUF": (
        U("KANS", "BUF-kansliet", "buf_kansli"),
        *(
            U(f"F{ascii_fold(n[:4]).upper()}", f"Förskolan {n}", "forskola")
            for n in (
                "Solrosen",
                "Ekorren",
                "Tallbacken",
                "Lärkan",
                "Humlan",
                "Myran",
                "Vitsippan",
                "Blåklockan",
                "Regnbågen",
                "Ugglan",
                "Kotten",
                "Stjärnan",
            )
        ),
        *(
            U(f"S{ascii_fold(n[:4]).upper()}", f"{n}skolan", "skola")
            for n in (
                "Centrum",
                "Norr",
                "Söder",
                "Ängs",
                "Bergs",
                "Sjö",
                "Lunds",
                "Hags",
                "Åkers",
                "Lind",
            )
        ),
        U("GYM", "Gymnasieskolan", "gymnasium"),
        U("ELEV", "Elevhälsan", "elevhalsa"),
        U("VUX", "Vuxenutbildningen", "gymnasium"),
        U("KULS", "Kulturskolan", "kulturskola"),
    ),
    "SOC": (
        U("IFOB", "IFO barn och familj", "ifo"),
        U("IFOV", "IFO vuxen och missbruk", "ifo"),
        U("EKB", "Ekonomiskt bistånd", "ek_bistand"),
        U("BIST", "Biståndsenheten", "bistand"),
        *(
            U(f"HT{ascii_fold(d[:1]).upper()}", f"Hemtjänst {d}", "hemtjanst")
            for d in ("norr", "söder", "öster", "väster", "centrum")
        ),
        *(
            U(f"SB{ascii_fold(n[:3]).upper()}", f"Särskilt boende {n}", "sabo")
            for n in ("Solgården", "Lindhemmet", "Ekbacken", "Björkgården", "Rosengården")
        ),
        U("LSS", "LSS-enheten", "lss"),
        U("HSL", "Hälso- och sjukvårdsenheten", "hsl"),
        U("SOCK", "Socialkansliet", "kansli"),
    ),
    "SBF": ASKERSUND[3].units
    + (
        U("FAST", "Fastighetsenheten", "fastighet"),
        U("RENH", "Renhållning", "gata"),
    ),
    "KFF": ASKERSUND[4].units + (U("KULT", "Kulturenheten", "fritid"),),
}


@dataclass(frozen=True)
class AssetSpec:
    name: str
    carrier_name: str
    carrier_type: str  # etl.vocab.CARRIER_TYPES code
    personal_data: str  # no | yes | sensitive
    security_protection: bool = False


A = AssetSpec
_COMMON: tuple[AssetSpec, ...] = (
    A("Personalscheman", "Schemaläggningssystem", "it_system", "yes"),
    A("Delegationsbeslut", "Diariesystem", "it_system", "no"),
    A("Mötesanteckningar", "Samarbetsyta", "cloud_service", "no"),
    A("Kontaktlistor", "Pärm på expeditionen", "binder", "yes"),
)
ASSET_CATALOGUE: dict[str, tuple[AssetSpec, ...]] = {
    "kansli": (
        A("Diarium och ärendeakter", "Diariesystem", "it_system", "yes"),
        A("Nämndprotokoll", "Nämndadministrationssystem", "it_system", "no"),
        A("Allmänna handlingar i e-arkiv", "E-arkiv", "it_system", "yes"),
        A("Förtroendevaldas uppgifter", "Nämndadministrationssystem", "it_system", "yes"),
        A("Avtalsoriginal", "Dokumentskåp i arkivet", "document_cabinet", "no"),
    ),
    "eko": (
        A("Leverantörsreskontra", "Ekonomisystem", "it_system", "no"),
        A("Budgetunderlag", "Kalkylark på gemensam yta", "cloud_service", "no"),
        A("Kundfakturor", "Ekonomisystem", "it_system", "yes"),
        A("Attestlistor", "Pärm i ekonomiarkivet", "binder", "yes"),
    ),
    "hr": (
        A("Personalakter", "HR-system", "it_system", "sensitive"),
        A("Lönespecifikationer", "Lönesystem", "it_system", "yes"),
        A("Rehabiliteringsärenden", "Låst dokumentskåp", "document_cabinet", "sensitive"),
        A("Rekryteringsärenden", "Rekryteringstjänst", "cloud_service", "yes"),
        A("Anställningsavtal", "HR-system", "it_system", "yes"),
    ),
    "it": (
        A("Behörighetsregister", "Katalogtjänst", "it_system", "yes"),
        A("Nätverksdokumentation", "Dokumentationsverktyg", "it_system", "no", True),
        A("Systemförteckning", "Kalkylark på gemensam yta", "cloud_service", "no"),
        A("Säkerhetskopior", "Backuptjänst", "it_system", "yes"),
        A("Incidentlogg", "Ärendehanteringssystem", "it_system", "yes"),
    ),
    "komm": (
        A("Webbplatsens innehåll", "Webbpubliceringsverktyg", "cloud_service", "no"),
        A("Bildarkiv", "Mediebank", "cloud_service", "yes"),
        A("Synpunkter och klagomål", "E-tjänsteplattform", "cloud_service", "yes"),
    ),
    "upphandling": (
        A("Anbud", "Upphandlingssystem", "cloud_service", "no"),
        A("Avtalsdatabas", "Avtalsdatabas", "it_system", "no"),
        A("Leverantörsuppföljning", "Kalkylark på gemensam yta", "cloud_service", "no"),
    ),
    "sakerhet": (
        A("Säkerhetsskyddsanalys", "Låst säkerhetsskåp", "document_cabinet", "no", True),
        A("Krisledningsplan", "Pärm i krisledningsrummet", "binder", "yes"),
        A("Förteckning över skyddsvärda objekt", "Fristående dator", "other", "no", True),
        A("Risk- och sårbarhetsanalys", "Diariesystem", "it_system", "no"),
    ),
    "buf_kansli": (
        A("Elevregister", "Elevadministrationssystem", "it_system", "yes"),
        A("Skolskjutsar", "Skolskjutsplanering", "cloud_service", "yes"),
        A("Kränkningsanmälningar", "Ärendehanteringssystem", "it_system", "sensitive"),
        A("Köhantering förskola", "E-tjänsteplattform", "cloud_service", "yes"),
    ),
    "forskola": (
        A("Barnregister", "Förskolans verksamhetssystem", "it_system", "yes"),
        A("Närvarolistor", "Närvaroregistrering i app", "cloud_service", "yes"),
        A("Allergi- och specialkostlistor", "Pärm i köket", "binder", "sensitive"),
        A("Dokumentation av utvecklingssamtal", "Lärplattform", "cloud_service", "yes"),
    ),
    "skola": (
        A("Betyg och omdömen", "Elevadministrationssystem", "it_system", "yes"),
        A("Frånvarorapportering", "Lärplattform", "cloud_service", "yes"),
        A("Åtgärdsprogram", "Låst dokumentskåp", "document_cabinet", "sensitive"),
        A("Elevernas arbeten", "Skolplattform", "cloud_service", "yes"),
        A("Schema", "Schemaläggningssystem", "it_system", "no"),
    ),
    "gymnasium": (
        A("Betygskatalog", "Elevadministrationssystem", "it_system", "yes"),
        A("Antagningsuppgifter", "Antagningssystem", "cloud_service", "yes"),
        A("Praktikplatser", "Kalkylark på gemensam yta", "cloud_service", "yes"),
    ),
    "elevhalsa": (
        A("Elevhälsojournaler", "Journalsystem för elevhälsan", "it_system", "sensitive"),
        A("Vaccinationsregister", "Journalsystem för elevhälsan", "it_system", "sensitive"),
        A("Kuratorsanteckningar", "Låst dokumentskåp", "document_cabinet", "sensitive"),
    ),
    "kulturskola": (
        A("Elevregister kulturskolan", "Kulturskolans system", "cloud_service", "yes"),
        A("Instrumentutlåning", "Pärm i förrådet", "binder", "yes"),
    ),
    "ifo": (
        A("Utredningar barn och unga", "Verksamhetssystem socialtjänst", "it_system", "sensitive"),
        A("Orosanmälningar", "Verksamhetssystem socialtjänst", "it_system", "sensitive"),
        A("Familjehemsakter", "Låst dokumentskåp", "document_cabinet", "sensitive"),
        A("Skyddade personuppgifter", "Fristående dator", "other", "sensitive"),
    ),
    "ek_bistand": (
        A(
            "Ansökningar om ekonomiskt bistånd",
            "Verksamhetssystem socialtjänst",
            "it_system",
            "sensitive",
        ),
        A("Utbetalningsunderlag", "Ekonomisystem", "it_system", "yes"),
    ),
    "bistand": (
        A("Biståndsbeslut", "Verksamhetssystem socialtjänst", "it_system", "sensitive"),
        A("Vårdplaneringar", "Samverkanstjänst för utskrivning", "cloud_service", "sensitive"),
    ),
    "hemtjanst": (
        A("Genomförandeplaner", "Verksamhetssystem socialtjänst", "it_system", "sensitive"),
        A("Nyckelhantering", "Digitalt låssystem", "it_system", "yes"),
        A("Social dokumentation", "Mobil dokumentationsapp", "cloud_service", "sensitive"),
        A("Körjournaler", "Pärm i bilen", "binder", "yes"),
    ),
    "sabo": (
        A("Omvårdnadsdokumentation", "Verksamhetssystem socialtjänst", "it_system", "sensitive"),
        A("Läkemedelslistor", "Låst medicinskåp", "document_cabinet", "sensitive"),
        A("Anhöriguppgifter", "Pärm på avdelningen", "binder", "yes"),
    ),
    "lss": (
        A("LSS-beslut", "Verksamhetssystem socialtjänst", "it_system", "sensitive"),
        A("Genomförandeplaner LSS", "Verksamhetssystem socialtjänst", "it_system", "sensitive"),
        A("Kassaböcker för brukare", "Pärm i låst skåp", "binder", "sensitive"),
    ),
    "hsl": (
        A("Patientjournaler", "Journalsystem", "it_system", "sensitive"),
        A("Avvikelserapporter", "Avvikelsesystem", "cloud_service", "sensitive"),
        A("Hjälpmedelsregister", "Hjälpmedelssystem", "it_system", "yes"),
    ),
    "bygglov": (
        A("Bygglovsärenden", "Bygglovssystem", "it_system", "yes"),
        A("Ritningsarkiv", "E-arkiv", "it_system", "yes"),
        A("Äldre bygglovsritningar", "Dokumentskåp i arkivet", "document_cabinet", "yes"),
    ),
    "miljo": (
        A("Tillsynsärenden", "Miljö- och hälsoskyddssystem", "it_system", "yes"),
        A("Livsmedelsregister", "Miljö- och hälsoskyddssystem", "it_system", "yes"),
        A("Provtagningsresultat", "Laboratorieportal", "cloud_service", "no"),
    ),
    "gata": (
        A("Felanmälningar", "E-tjänsteplattform", "cloud_service", "yes"),
        A("Vinterväghållning", "Ruttplaneringstjänst", "cloud_service", "no"),
        A("Parkeringstillstånd", "Handläggningssystem", "it_system", "sensitive"),
    ),
    "va": (
        A("Driftövervakning vattenverk", "Styr- och övervakningssystem", "it_system", "no", True),
        A("Ledningskartor VA", "GIS-system", "it_system", "no", True),
        A("VA-abonnenter", "Debiteringssystem", "it_system", "yes"),
    ),
    "gis": (
        A("Primärkarta", "GIS-system", "it_system", "no"),
        A("Adressregister", "GIS-system", "it_system", "yes"),
        A("Fastighetsförteckningar", "GIS-system", "it_system", "yes"),
    ),
    "fastighet": (
        A("Hyresavtal", "Fastighetssystem", "it_system", "yes"),
        A("Passersystem", "Passersystem", "it_system", "yes"),
        A("Brandskyddsdokumentation", "Pärm i driftcentralen", "binder", "no"),
    ),
    "bibliotek": (
        A("Låntagarregister", "Bibliotekssystem", "it_system", "yes"),
        A("Mediebestånd", "Bibliotekssystem", "it_system", "no"),
        A("Evenemangsanmälningar", "E-tjänsteplattform", "cloud_service", "yes"),
    ),
    "fritid": (
        A("Medlemslistor fritidsgård", "Pärm i receptionen", "binder", "yes"),
        A("Föreningsregister", "Bokningssystem", "cloud_service", "yes"),
        A("Evenemangsplanering", "Samarbetsyta", "cloud_service", "no"),
    ),
    "idrott": (
        A("Lokalbokningar", "Bokningssystem", "cloud_service", "yes"),
        A("Föreningsbidrag", "Bokningssystem", "cloud_service", "yes"),
        A("Driftinstruktioner badhus", "Pärm i teknikrummet", "binder", "no"),
    ),
}
COMMON_ASSETS = _COMMON


# Shared governance objects run by a provider: (short, name, description, participating
# administration short or None for the whole municipality, owner unit kinds, assets).
@dataclass(frozen=True)
class ObjectSpec:
    short: str
    name: str
    description: str
    admin_short: str | None  # participating administration; None = whole municipality
    owner_kinds: tuple[str, ...]  # unit kinds whose units own the object's assets
    assets: tuple[AssetSpec, ...]


SHARED_OBJECTS: tuple[ObjectSpec, ...] = (
    ObjectSpec(
        "EKO",
        "Ekonomisystem",
        "Gemensamt ekonomisystem med reskontror och attest",
        None,
        ("eko",),
        (
            A("Huvudbok och reskontror", "Ekonomisystem", "it_system", "yes"),
            A("Attestflöden", "Ekonomisystem", "it_system", "yes"),
            A("E-fakturor", "E-fakturaportal", "cloud_service", "yes"),
            A("Anläggningsregister", "Ekonomisystem", "it_system", "no"),
        ),
    ),
    ObjectSpec(
        "HRL",
        "HR och lön",
        "Gemensamt HR- och lönesystem",
        None,
        ("hr",),
        (
            A("Anställningsuppgifter", "HR-system", "it_system", "sensitive"),
            A("Löneutbetalningar", "Lönesystem", "it_system", "yes"),
            A("Frånvaro och sjukskrivningar", "Självservice HR", "cloud_service", "sensitive"),
            A("Pensionsunderlag", "Lönesystem", "it_system", "yes"),
        ),
    ),
    ObjectSpec(
        "SKOL",
        "Skolplattform",
        "Gemensam skolplattform för elevadministration och lärande",
        "BUF",
        ("skola", "forskola", "buf_kansli"),
        (
            A("Elevadministration", "Skolplattform", "cloud_service", "yes"),
            A("Lärresurser", "Skolplattform", "cloud_service", "no"),
            A("Vårdnadshavarkontakter", "Skolplattform", "cloud_service", "yes"),
            A("Elevkonton", "Katalogtjänst", "it_system", "yes"),
        ),
    ),
    ObjectSpec(
        "SOC",
        "Verksamhetssystem för socialtjänsten",
        "Gemensamt verksamhetssystem för individ- och familjeomsorg, äldreomsorg och LSS",
        "SOC",
        ("ifo", "hemtjanst", "lss"),
        (
            A(
                "Personakter socialtjänst",
                "Verksamhetssystem socialtjänst",
                "it_system",
                "sensitive",
            ),
            A(
                "Beslut och verkställighet",
                "Verksamhetssystem socialtjänst",
                "it_system",
                "sensitive",
            ),
            A("Loggar för åtkomst", "Verksamhetssystem socialtjänst", "it_system", "yes"),
            A("Integrationer mot e-tjänster", "Integrationsplattform", "it_system", "yes"),
        ),
    ),
    ObjectSpec(
        "EPOST",
        "E-post och samarbete",
        "E-post, kalender och samarbetsytor",
        None,
        ("kansli", "it"),
        (
            A("E-postlådor", "E-posttjänst", "cloud_service", "yes"),
            A("Gemensamma samarbetsytor", "Samarbetsyta", "cloud_service", "yes"),
            A("Kalendrar", "E-posttjänst", "cloud_service", "yes"),
        ),
    ),
    ObjectSpec(
        "NAT",
        "Nätverk",
        "Gemensamt kommunikationsnät, brandväggar och trådlöst nät",
        None,
        ("it", "sakerhet", "kansli"),
        (
            A("Nätverkskonfiguration", "Nätverksutrustning", "it_system", "no", True),
            A("Brandväggsregler", "Brandväggar", "it_system", "no"),
            A("Gästnät", "Trådlöst nät", "it_system", "yes"),
        ),
    ),
    ObjectSpec(
        "EARK",
        "E-arkiv",
        "Gemensamt e-arkiv för slutarkivering",
        None,
        ("kansli",),
        (
            A("Arkiverade ärenden", "E-arkiv", "it_system", "sensitive"),
            A("Arkivbeskrivningar", "E-arkiv", "it_system", "no"),
        ),
    ),
)

RISK_DESCRIPTIONS: tuple[str, ...] = (
    "Obehörig åtkomst till personuppgifter",
    "Systemavbrott längre än en arbetsdag",
    "Felaktig behörighetstilldelning vid rollbyte",
    "Utpressningsvirus krypterar data",
    "Information skickas till fel mottagare",
    "Pärm eller handling förvaras olåst",
    "Leverantören saknar fungerande kontinuitetsplan",
    "Säkerhetskopior går inte att återläsa",
    "Nätfiske leder till kapat konto",
    "Data överförs till tredje land utan stöd",
    "Handlingar gallras för tidigt",
    "Felaktiga uppgifter registreras och sprids",
    "Delade inloggningar gör loggar oanvändbara",
    "Brand eller vattenskada förstör pappershandlingar",
    "Kritisk personal slutar utan överlämning",
    "Mobil enhet med information tappas bort",
    "Integration skickar ofullständiga data",
    "Uppdateringar installeras inte i tid",
)

ACTION_TITLES: tuple[str, ...] = (
    "Inför tvåfaktorsautentisering",
    "Genomför behörighetsöversyn",
    "Ta fram rutin för avslut av behörigheter",
    "Utbilda medarbetare i informationssäkerhet",
    "Testa återläsning av säkerhetskopior",
    "Flytta pappershandlingar till låst skåp",
    "Teckna personuppgiftsbiträdesavtal",
    "Dokumentera kontinuitetsplan",
    "Aktivera loggning och logguppföljning",
    "Inför krypterad e-post för känsliga uppgifter",
    "Uppdatera gallringsbeslut",
    "Genomför övning av krisledning",
    "Ta fram reservrutin vid systemavbrott",
    "Ersätt delade konton med personliga",
    "Följ upp leverantörens säkerhetsarbete",
)

GAP_ACTION_TITLES: dict[str, str] = {
    "organisation": "Utse ersättare för informationssäkerhetshandläggaren",
    "styrdokument": "Revidera förvaltningens rutiner för informationssäkerhet",
    "klassning": "Klassa förvaltningens återstående informationstillgångar",
    "riskhantering": "Inför årlig riskanalys i verksamhetsplaneringen",
    "atgardsuppfoljning": "Följ upp åtgärdsplaner kvartalsvis i ledningsgruppen",
    "behorighet": "Inför halvårsvis behörighetsöversyn",
    "kompetens": "Genomför grundutbildning för alla chefer",
    "personuppgifter": "Komplettera registerförteckningen",
    "incidenter": "Inför rutin för incidentrapportering",
    "kontinuitet": "Ta fram kontinuitetsplaner för kritiska verksamheter",
    "leverantorer": "Ställ säkerhetskrav i upphandlingar",
}
