"""``infosak load``: exit codes 0/1/2 and the messages a user reads."""

from typer.testing import CliRunner

from infosak_cli import app
from tests.workbooks import admin_rows, write_admin, write_org

runner = CliRunner()


def invoke(tmp_path, *args):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    return runner.invoke(app, ["load", *map(str, args), "--database-url", url])


def test_all_accepted_exits_0_with_counts(tmp_path):
    write_org(tmp_path / "in")
    write_admin(tmp_path / "in")
    result = invoke(tmp_path, tmp_path / "in")
    assert result.exit_code == 0, result.output
    assert "organisation.xlsx: inläst" in result.output
    assert "3 tillgångar" in result.output
    again = invoke(tmp_path, tmp_path / "in")
    assert again.exit_code == 0
    assert "1882-SOC.xlsx: redan inläst, inget ändrat" in again.output


def test_rejected_exits_1_and_lists_errors_with_report(tmp_path):
    write_org(tmp_path / "in")
    rows = admin_rows()
    rows["risks"][0]["likelihood"] = 7
    write_admin(tmp_path / "in", rows)
    report = tmp_path / "fel.csv"
    result = invoke(tmp_path, tmp_path / "in", "--report", report)
    assert result.exit_code == 1, result.output
    assert "1882-SOC.xlsx: avvisad, 1 fel" in result.output
    assert "blad Risker, rad 2, kolumn Sannolikhet «7»: Sannolikheten 7 ligger utanför" in (
        result.output.replace("\n", " ")
    )
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Fil;Blad;Rad;Kolumn;Värde;Meddelande"
    assert lines[1].startswith("1882-SOC.xlsx;Risker;2;Sannolikhet;7;")


def test_english_messages(tmp_path):
    rows = admin_rows()
    rows["cover"][0]["code"] = "1882-NOPE"
    write_admin(tmp_path / "in", rows)
    result = invoke(tmp_path, tmp_path / "in", "--lang", "en")
    assert result.exit_code == 1
    assert "1882-SOC.xlsx: rejected, 14 errors" in result.output
    assert "is not in the organisation" in result.output.replace("\n", " ")


def test_missing_path_exits_2(tmp_path):
    result = invoke(tmp_path, tmp_path / "finns-inte.xlsx")
    assert result.exit_code == 2
    assert "Sökvägen finns inte" in result.output


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["load"]).exit_code == 2
    assert runner.invoke(app, ["load", str(tmp_path), "--bogus"]).exit_code == 2
    assert invoke(tmp_path, tmp_path, "--lang", "de").exit_code == 2


def test_no_traceback_for_hostile_file(tmp_path):
    bad = tmp_path / "bomb.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = invoke(tmp_path, bad)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "ingen Excel-arbetsbok" in result.output.replace("\n", " ")


def test_progress_counts_files_and_rows_on_a_terminal(tmp_path):
    """A long run shows files done, rows loaded, elapsed and expected time on a terminal."""
    import io

    from rich.console import Console

    from etl.db import make_engine, migrate
    from etl.load import load_paths
    from infosak_cli.load_cmd import LoadProgress

    write_org(tmp_path / "in")
    write_admin(tmp_path / "in")
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    migrate(engine)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=200)
    with LoadProgress(console, "sv") as show:
        run = load_paths(engine, [tmp_path / "in"], progress=show.before_file,
                         on_file=show.after_file, snapshot=False)  # fmt: skip
        task = show.bar.tasks[0]
        rows = sum(f.rows_total for f in run.files)
        assert (task.completed, task.total) == (2, 2)
        assert task.fields["rows"] == f"{rows} rader" and rows > 3
        assert task.fields["file"] == "beräknar nyckeltalen …"  # the run's snapshot comes next
        show.bar.refresh()
    engine.dispose()
    shown = screen.getvalue()
    assert "2/2" in shown and f"{rows} rader" in shown and "0:00:" in shown


def test_no_progress_when_the_output_is_not_a_terminal(tmp_path):
    write_org(tmp_path / "in")
    write_admin(tmp_path / "in")
    result = invoke(tmp_path, tmp_path / "in")
    assert result.exit_code == 0, result.output
    assert "Läser in" not in result.output and " rader" not in result.output
