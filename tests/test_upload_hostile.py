"""Hostile workbooks uploaded through the web: the server process survives, answers the next
request, and shows the file's rejection; the store keeps what it had.

The upload's real callback runs in this very process (the Flask test client): before the
inspection and the bounded reading process, each of these files made calamine abort the process
that read it, which here would have been the test run itself.
"""

from __future__ import annotations

import json

import pytest

from tests.hostile_corpus import CASES
from tests.test_auth_support import login
from tests.test_upload import app, assets, data_url, upload  # noqa: F401 - app is a fixture
from tests.workbooks import write_admin

HOSTILE = ("single_quoted_refs", "lower_case_refs", "moved_sheet_part", "renamed_bin_sheet_part",
           "huge_unique_count", "dtd_in_moved_part", "duplicate_part_names",
           "relationship_outside_package", "sparse_corners")  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_upload_is_rejected_and_the_server_goes_on(name, app, sqlite_engine, tmp_path):  # noqa: F811
    case = next(c for c in CASES if c.name == name)
    path = case.build(tmp_path)
    client = app.server.test_client()
    login(client, "root")
    answer = upload(client, app, {"1882-SOC.xlsx": data_url(path)})
    text = json.dumps(answer["upload-result"], ensure_ascii=False)
    assert "upload-outcome-rejected" in text and "Avvisad" in text
    assert " ".join(case.message.split()) in " ".join(text.split()), text
    assert "Traceback" not in text
    assert assets(sqlite_engine) == 0
    # The same server answers the next request, and the next (valid) upload loads.
    assert client.get("/_dash-layout").status_code == 200
    good = upload(client, app, {"1882-SOC.xlsx": data_url(write_admin(tmp_path / "ok"))})
    assert "upload-outcome-accepted" in json.dumps(good["upload-result"], ensure_ascii=False)
    assert assets(sqlite_engine) == 3
