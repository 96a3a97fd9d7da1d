"""The lengths ``etl.validate`` checks texts against are those of the store's columns, and the
reading worker parses cells without importing SQLAlchemy or the models.

``etl.validate`` writes the column lengths out (``MAX_LENGTH``) instead of reading them from
``etl.models`` when it loads: the worker of ``etl.pipeline`` (``python -m etl.pipeline``) only
reads and parses files, and importing SQLAlchemy and the models cost it about a quarter of a
second of CPU at every start. These tests hold the written figures to the models.
"""

import subprocess
import sys
from pathlib import Path

from etl import models, validate

ROOT = Path(__file__).resolve().parent.parent

# Where each checked column lands in the store.
TARGETS = {
    ("cover", "code"): models.Administration.code,
    ("municipalities", "code"): models.Municipality.code,
    ("municipalities", "name"): models.Municipality.name,
    ("administrations", "code"): models.Administration.code,
    ("administrations", "name"): models.Administration.name,
    ("units", "code"): models.Unit.code,
    ("units", "name"): models.Unit.name,
    ("units", "manager_name"): models.Unit.manager_name,
    ("units", "manager_email"): models.Unit.manager_email,
    ("roles", "person_name"): models.RoleAssignment.person_name,
    ("roles", "email"): models.RoleAssignment.email,
    ("providers", "code"): models.Provider.code,
    ("providers", "name"): models.Provider.name,
    ("governance_objects", "code"): models.GovernanceObject.code,
    ("governance_objects", "name"): models.GovernanceObject.name,
    ("areas", "code"): models.MaturityArea.code,
    ("areas", "name"): models.MaturityArea.name,
    ("settings", "key"): models.Setting.key,
    ("settings", "value"): models.Setting.value,
    ("assets", "code"): models.Asset.code,
    ("assets", "name"): models.Asset.name,
    ("assets", "carrier_name"): models.Asset.carrier_name,
    ("assets", "register_ref"): models.Asset.register_ref,
    ("classifications", "model_version"): models.Classification.model_version,
    ("classifications", "label_set"): models.Classification.label_set,
    ("risk_analyses", "code"): models.RiskAnalysis.code,
    ("risk_analyses", "responsible"): models.RiskAnalysis.responsible,
    ("risks", "code"): models.Risk.code,
    ("actions", "code"): models.Action.code,
    ("actions", "responsible"): models.Action.responsible,
    ("actions", "responsible_email"): models.Action.responsible_email,
}
CODED_MODELS = {
    "assets": models.Asset,
    "risk_analyses": models.RiskAnalysis,
    "risks": models.Risk,
    "actions": models.Action,
}


def test_every_checked_length_is_that_of_its_store_column():
    lengths = {key: attr.property.columns[0].type.length for key, attr in TARGETS.items()}
    assert lengths == validate.MAX_LENGTH


def test_every_coded_entity_names_the_table_of_its_model():
    tables = {entity: model.__tablename__ for entity, model in CODED_MODELS.items()}
    assert tables == validate.CODED_TABLES


def test_the_reading_worker_starts_without_sqlalchemy_or_the_models():
    program = (
        "import sys, etl.pipeline\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'"
        " or m == 'etl.models'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
