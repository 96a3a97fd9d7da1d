"""The upload page's callbacks through the Flask test client: real workbooks (openpyxl), the real
loader, a real store. Org: tests/workbooks.py (1882-KLF, 1882-SOC, 1861-SOC)."""

from __future__ import annotations

import base64
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.auth.uploads import decode_upload, safe_file_name
from etl.load import load_file
from etl.models import Asset, Load
from tests.test_auth_support import (
    add_account,
    audit_count,
    auth_app,
    forge_body,
    login,
    readable_text,
    reset_store,
)
from tests.workbooks import admin_rows, write_admin, write_org

FILTERS = {"as_of": "2026-11-28", "lang": "sv"}


def data_url(path) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()


@pytest.fixture
def app(sqlite_engine, monkeypatch, tmp_path):
    assert load_file(sqlite_engine, write_org(tmp_path)).outcome == "accepted"
    add_account(sqlite_engine, "so", "security_officer", ["1882-SOC"])
    add_account(sqlite_engine, "klf", "security_officer", ["1882-KLF"])
    add_account(sqlite_engine, "root", "admin", [])
    application = auth_app(sqlite_engine, monkeypatch)
    yield application
    reset_store()


def upload(client, app, files: dict[str, str]):
    client.get("/_dash-layout")
    body = forge_body(
        app,
        "upload-result",
        {"upload-files.contents": list(files.values()),
         "upload-files.filename": list(files), "app-filters.data": FILTERS},
    )  # fmt: skip
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json",
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json["response"]


def assets(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Asset))


def test_officer_uploads_own_administration(app, sqlite_engine, tmp_path):
    client = app.server.test_client()
    login(client, "so")
    answer = upload(client, app, {"1882-SOC.xlsx": data_url(write_admin(tmp_path))})
    text = json.dumps(answer["upload-result"], ensure_ascii=False)
    assert "Inläst" in text and "upload-outcome-accepted" in text
    assert answer["upload-report-store"]["data"] is None
    assert assets(sqlite_engine) == 3
    with Session(sqlite_engine) as s:
        assert s.scalar(select(Load.loaded_by).where(Load.outcome == "accepted").order_by(
            Load.id.desc())) == "so"  # fmt: skip
    assert audit_count(sqlite_engine, "upload", "so") == 1


def test_officer_cannot_upload_another_administration(app, sqlite_engine, tmp_path):
    client = app.server.test_client()
    login(client, "klf")
    answer = upload(client, app, {"1882-SOC.xlsx": data_url(write_admin(tmp_path))})
    text = json.dumps(answer["upload-result"], ensure_ascii=False)
    assert "Avvisad" in text and "får bara läsa in filer för 1882-KLF" in text
    assert assets(sqlite_engine) == 0


def test_rejected_rows_are_listed_and_downloadable(app, sqlite_engine, tmp_path):
    rows = admin_rows()
    rows["assets"][1]["carrier_type"] = "Kristallkula"
    rows["assets"][2]["owners"] = ['=HYPERLINK("http://x")']
    client = app.server.test_client()
    login(client, "so")
    answer = upload(client, app, {"1882-SOC.xlsx": data_url(write_admin(tmp_path, rows))})
    text = json.dumps(answer["upload-result"], ensure_ascii=False)
    assert "Avvisad" in text and "Kristallkula" in text
    assert assets(sqlite_engine) == 0  # all or nothing
    report = answer["upload-report-store"]["data"]
    assert answer["upload-report-button"]["className"] == "mt-2"
    # The download button sends the report back as a file.
    body = forge_body(app, "upload-report-download",
                      {"upload-report-button.n_clicks": 1, "upload-report-store.data": report})  # fmt: skip
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json",
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )  # fmt: skip
    download = response.json["response"]["upload-report-download"]["data"]
    assert download["filename"] == "felrapport.xlsx"
    sheet = load_workbook(io.BytesIO(base64.b64decode(download["content"]))).active
    rows_out = list(sheet.iter_rows(values_only=True))
    assert rows_out[0] == ("Fil", "Blad", "Rad", "Kolumn", "Värde", "Meddelande")
    assert any(r[4] == "Kristallkula" for r in rows_out[1:])
    assert not any(isinstance(r[4], str) and r[4].startswith("=") for r in rows_out[1:])
    assert audit_count(sqlite_engine, "export", "so") == 1  # the report download is audited


def test_too_large_file_is_refused_before_parsing(app, sqlite_engine, monkeypatch):
    monkeypatch.setenv("INFOSAK_UPLOAD_MAX_MB", "0,001")  # 1 048 bytes
    client = app.server.test_client()
    login(client, "root")
    big = "data:application/octet-stream;base64," + base64.b64encode(b"x" * 2000).decode()
    answer = upload(client, app, {"1882-SOC.xlsx": big})
    assert "Filen är större än 0,001 MB och lästes inte." in json.dumps(
        answer["upload-result"], ensure_ascii=False
    )
    with Session(sqlite_engine) as s:
        assert s.scalar(select(func.count()).select_from(Load).where(Load.loaded_by == "root")) == 0


def test_request_body_limit(app):
    limit = app.server.config["MAX_CONTENT_LENGTH"]
    assert 10 * 1024 * 1024 < limit < 15 * 1024 * 1024
    client = app.server.test_client()
    login(client, "root")
    response = client.post(
        "/_dash-update-component", data=b"{" + b" " * (limit + 1) + b"}",
        content_type="application/json",
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )  # fmt: skip
    assert response.status_code == 413


def test_wrong_file_types_and_names_are_refused():
    ok = "data:x;base64," + base64.b64encode(b"abc").decode()
    assert decode_upload(ok, "a.xlsx", 100).data == b"abc"
    assert "xlsx" in decode_upload(ok, "a.exe", 100).message("sv")
    assert "xlsx" in decode_upload(ok, "a.xls", 100).message("sv")
    assert (
        decode_upload("inte en data-url", "a.xlsx", 100).message("sv") == "Filen kunde inte läsas."
    )
    assert safe_file_name("../../etc/passwd.csv") == "passwd.csv"
    assert safe_file_name("C:\\Users\\x\\1882-SOC.xlsx") == "1882-SOC.xlsx"
    assert safe_file_name(".hidden.csv") is None
    assert safe_file_name("a<script>.csv") is None


def test_upload_page_says_no_to_other_roles(app, sqlite_engine):
    add_account(sqlite_engine, "eva", "ciso", ["1882"])
    client = app.server.test_client()
    login(client, "eva")
    client.get("/_dash-layout")
    body = forge_body(app, "_pages_content", {"_pages_location.pathname": "/inlasningar/ladda-upp",
                                               "_pages_location.search": ""})  # fmt: skip
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json",
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )  # fmt: skip
    # The page table refuses the page before the page's own upload check would.
    assert "Sidan är inte till för din roll" in readable_text(response)
    assert "upload-files" not in readable_text(response)
