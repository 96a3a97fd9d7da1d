"""``infosak load`` imports what loading needs, not the PDF library, the web app, the workbook
writer or the reminders' mail and date formatting.

Every command module is imported to register its command, so a module-level import of the
report's PDF library (WeasyPrint) or of Dash made each ``infosak load`` pay for them: about a
second of CPU before the first file was read. The load runs in a fresh interpreter here, as a
user starts it, and the modules it ended up with are inspected. Likewise openpyxl (the sample
generator's and the template's workbook writer), babel and smtplib (the reminders): the
``generate``, ``template`` and ``remind`` commands import them when they run.
"""

from tests.fresh_interpreter import json_printed_by
from tests.workbooks import write_admin, write_org

UNWANTED = ("weasyprint", "dash", "dash_ag_grid", "plotly", "openpyxl", "babel", "smtplib")

PROGRAM = """
import gc, json, sys
from infosak_cli import main


def importing_the_run():
    # From the store's module's import until the loader's module is whole.
    return "etl.db" in sys.modules and not hasattr(sys.modules.get("etl.load"), "load_paths")


collected = []
gc.callbacks.append(lambda phase, info: phase == "start" and importing_the_run()
                    and collected.append(info["generation"]))
try:
    main()
except SystemExit as exc:
    code = exc.code
unwanted = UNWANTED
print(json.dumps({"code": code, "collected_while_importing": collected, "collecting": gc.isenabled(),
                  "modules": sorted(m for m in sys.modules if m.split(".")[0] in unwanted)}))
""".replace("UNWANTED", repr(UNWANTED))


def load_a_workbook(folder) -> dict:
    """What ``infosak load`` of an organisation and an administration workbook into a new store
    printed (``PROGRAM``)."""
    write_org(folder / "in")
    write_admin(folder / "in")
    url = f"sqlite:///{folder / 'startup.db'}"
    return json_printed_by(PROGRAM, "load", str(folder / "in"), "--database-url", url)


def test_load_of_a_workbook_imports_only_what_loading_needs(tmp_path):
    result = load_a_workbook(tmp_path)
    assert result["code"] == 0
    assert result["modules"] == []


def test_load_collects_no_garbage_while_it_imports_the_store_and_the_kpi_code(tmp_path):
    """The store, pandas, alembic and the KPI code make only objects that live as long as the
    process: ``infosak load`` imports them with the collector off (each collection walked them
    again, 0.2-0.3 s of a large run's start), and turns it on again for the run."""
    result = load_a_workbook(tmp_path)
    assert result["code"] == 0
    assert result["collected_while_importing"] == []
    assert result["collecting"] is True


def test_command_defaults_are_those_of_the_modules_they_no_longer_import():
    from etl import generate, load, reminders, template
    from infosak_cli import generate_cmd, load_cmd, remind_cmd, template_cmd

    assert generate_cmd.MAX_MUNICIPALITIES == generate.MAX_MUNICIPALITIES
    assert generate_cmd.FORMATS == generate.FORMATS
    assert template_cmd.TEMPLATE_KINDS == template.TEMPLATE_KINDS
    assert remind_cmd.DEFAULT_SENDER == reminders.DEFAULT_SENDER
    assert (load_cmd.ACCEPTED, load_cmd.UNCHANGED) == (load.ACCEPTED, load.UNCHANGED)


def test_the_commands_register_without_the_store_or_the_kpi_code():
    """``infosak load`` starts its workers reading before it imports SQLAlchemy, pandas and
    alembic (about a second of CPU time): no command module may import them when registered."""
    program = (
        "import json, sys, infosak_cli, etl.pipeline\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m.split('.')[0] in ('sqlalchemy', 'pandas', 'alembic'))))"
    )
    assert json_printed_by(program) == []
