"""The store's schema is checked against the latest migration without importing alembic.

``etl.db`` reads the latest revisions from the migration files themselves (alembic, with mako
and pygments, took 0.2 s of every ``infosak load``'s start); alembic's own script directory must
find the same heads, and a store at them is migrated (nothing to do) without alembic.
"""

from alembic.script import ScriptDirectory

from etl.db import _head_revisions, alembic_config, at_head, make_engine, migrate
from tests.fresh_interpreter import json_printed_by


def test_the_heads_read_from_the_files_are_alembics():
    assert _head_revisions() == frozenset(
        ScriptDirectory.from_config(alembic_config(None)).get_heads()
    )


def test_a_new_store_is_not_at_head_until_migrated(store_url):
    engine = make_engine(store_url)
    try:
        assert not at_head(engine)
        migrate(engine)
        assert at_head(engine)
    finally:
        engine.dispose()


def test_a_store_at_the_latest_migration_is_opened_without_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'current.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    program = (
        "import json, sys\n"
        "from etl.db import make_engine, migrate\n"
        f"engine = make_engine({url!r})\n"
        "migrate(engine)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako'))))"
    )
    assert json_printed_by(program) == []
