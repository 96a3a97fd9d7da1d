"""The dependency locks (.ci/lock-deps) are complete and agree with each other and pyproject.

requirements.lock is what production installs, requirements-test.lock what CI installs: a
dependency added to pyproject.toml without regenerating them, or a pin that drifts between them,
fails here rather than as a difference between CI and production.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(?:;\s*([^#]+?))?\s*(?:#.*)?$")
# dash[testing] caps selenium at 4.2.0, which needs urllib3 1.26; production gets urllib3 2.
TEST_ONLY_DIFFERENCES = {"urllib3"}


def _pins(name: str) -> dict[tuple[str, str], str]:
    """(package, environment marker) -> pinned version."""
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[(canonicalize_name(match[1]), (match[3] or "").strip())] = match[2]
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _requirements(*extras: str) -> list[Requirement]:
    project = _project()
    specs = list(project["dependencies"])
    for extra in extras:
        specs += project["optional-dependencies"][extra]
    return [r for r in map(Requirement, specs) if canonicalize_name(r.name) != "infosak"]


def _assert_locked(requirements: list[Requirement], pins: dict, lock: str) -> None:
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        versions = [v for (n, _), v in pins.items() if n == name]
        assert versions, f"{requirement.name} is not in {lock}: run .ci/lock-deps"
        for version in versions:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{lock} pins {name}=={version}, outside pyproject's {requirement}: "
                "run .ci/lock-deps"
            )


def test_every_dependency_is_locked_within_its_bounds():
    _assert_locked(_requirements("postgres"), _pins("requirements.lock"), "requirements.lock")
    _assert_locked(
        _requirements("postgres", "test"), _pins("requirements-test.lock"), "requirements-test.lock"
    )


def test_ci_and_production_pin_the_same_versions():
    production, ci = _pins("requirements.lock"), _pins("requirements-test.lock")
    differing = {key[0] for key in production if key in ci and production[key] != ci[key]}
    assert differing == TEST_ONLY_DIFFERENCES
    missing = {key for key in production if key not in ci}
    assert not missing, f"in requirements.lock only: {missing}"


def test_the_postgresql_driver_is_an_extra_and_unused_packages_are_gone():
    project = _project()
    runtime = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    assert "psycopg" not in runtime
    assert any(
        r.startswith("psycopg[binary]") for r in project["optional-dependencies"]["postgres"]
    )
    assert "pydantic" not in runtime  # imported nowhere in the project
