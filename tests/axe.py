"""Run the vendored axe-core (tests/vendor/axe.min.js, from the npm registry) in a Selenium page.

The rules checked are WCAG 2.0 and 2.1, levels A and AA: what EN 301 549 and so the Swedish law
on accessible digital public services (DOS-lagen) require.
"""

from __future__ import annotations

import json
from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_VERSION = AXE_SOURCE[AXE_SOURCE.index("axe v") + 5 :].split()[0]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Components whose violation cannot be fixed here, with the upstream issue (docs/accessibility.md
# explains each). Maps an axe rule id to CSS selectors whose nodes it skips; empty while nothing
# needs excusing.
EXCLUDED: dict[str, list[str]] = {}

RUN_JS = """
const done = arguments[arguments.length - 1];
const options = arguments[0];
axe.run(document, options)
  .then(r => done({violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => n.target.join(' '))})),
    rules: r.passes.length + r.violations.length + r.incomplete.length + r.inapplicable.length}))
  .catch(e => done({error: String(e)}));
"""


def axe_options() -> dict:
    return {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


def rule_count(driver) -> int:
    """How many axe rules carry one of the WCAG tags (what every run checks)."""
    inject(driver)
    return driver.execute_script("return axe.getRules(arguments[0]).length;", WCAG_TAGS)


def inject(driver) -> None:
    if not driver.execute_script("return typeof window.axe === 'object';"):
        driver.execute_script(AXE_SOURCE)


def run_axe(driver) -> list[dict]:
    """The page's violations: ``[{id, impact, help, nodes: [css target, ...]}]``."""
    inject(driver)
    driver.set_script_timeout(60)
    result = driver.execute_async_script(RUN_JS, axe_options())
    if "error" in result:
        raise AssertionError(f"axe failed: {result['error']}")
    violations = []
    for v in result["violations"]:
        excused = EXCLUDED.get(v["id"], [])
        nodes = [n for n in v["nodes"] if not any(sel in n for sel in excused)]
        if nodes:
            violations.append(dict(v, nodes=nodes))
    return violations


def describe(where: str, violations: list[dict]) -> list[str]:
    """One line per violated rule: where, rule id, impact, the nodes' selectors."""
    return [
        f"{where}: {v['id']} ({v['impact']}) {v['help']} -> {json.dumps(v['nodes'][:8])}"
        + (f" (+{len(v['nodes']) - 8} more)" if len(v["nodes"]) > 8 else "")
        for v in violations
    ]
