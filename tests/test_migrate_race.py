"""Commands started at once on a never-migrated store all succeed: the upgrade runs under a lock."""

import subprocess
import sys

from alembic.script import ScriptDirectory
from sqlalchemy import text

from etl.db import alembic_config, make_engine

MIGRATE = "import sys; from etl.db import make_engine, migrate; migrate(make_engine(sys.argv[1]))"


def test_three_concurrent_first_migrations_all_succeed(store_url):
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, store_url], stderr=subprocess.PIPE, text=True
        )  # fmt: skip
        for _ in range(3)
    ]
    failures = [p.stderr.read()[-600:] for p in starts if p.wait(timeout=300) != 0]
    assert failures == []
    engine = make_engine(store_url)
    try:
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            assert list(versions) == [head]
    finally:
        engine.dispose()
