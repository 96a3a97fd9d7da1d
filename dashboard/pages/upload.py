"""Ladda upp: security officers and admins load a workbook from the browser (issue 4).

The file goes through the same ETL as ``infosak load``, limited to the uploader's
administrations; every row the validator refuses is shown and can be downloaded as a report.
"""

from __future__ import annotations

import base64
import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import constants as c
from dashboard import store
from dashboard.auth import audit
from dashboard.auth.roles import may_upload
from dashboard.auth.security import upload_max_bytes
from dashboard.auth.uploads import (
    UploadedFile,
    decode_upload,
    issue_report_bytes,
    load_uploads,
    rejected_result,
)
from dashboard.filters import Filters
from dashboard.i18n import translator
from dashboard.layout import create_page_header
from dashboard.viewer_context import current_viewer
from etl.formatting import format_number
from etl.issues import ValidationIssue

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    path="/inlasningar/ladda-upp",
    name="Ladda upp",
    name_en="Upload",
    order=8,
)

UPLOAD = "upload-files"
RESULT = "upload-result"
REPORT_STORE = "upload-report-store"
REPORT_BUTTON = "upload-report-button"
REPORT_DOWNLOAD = "upload-report-download"
SHOWN_ISSUES = 200

TEXT = {
    "sv": {
        "title": "Ladda upp arbetsbok",
        "lead": (
            "Läs in förvaltningens arbetsbok (.xlsx) eller en CSV-uppsättning "
            "(<prefix>.<blad>.csv, alla filer på en gång). Filen kontrolleras i sin helhet: "
            "antingen läses allt in eller ingenting."
        ),
        "drop": "Dra och släpp filer här, eller ",
        "choose": "välj filer",
        "limit": "Högst {mb} MB per fil.",
        "forbidden": (
            "Du har inte behörighet att ladda upp filer. Informationssäkerhetshandläggare och "
            "administratörer kan göra det."
        ),
        "accepted": "Inläst",
        "rejected": "Avvisad",
        "unchanged": "Oförändrad (samma fil redan inläst)",
        "rows": "rader",
        "issues": "fel",
        "file": "Fil",
        "sheet": "Blad",
        "row": "Rad",
        "column": "Kolumn",
        "value": "Värde",
        "message": "Meddelande",
        "shown": "Visar {shown} av {total} fel. Ladda ned rapporten för att se alla.",
        "download": "Ladda ned felrapporten (Excel)",
        "nothing": "Ingen fil togs emot.",
    },
    "en": {
        "title": "Upload a workbook",
        "lead": (
            "Load your administration's workbook (.xlsx) or a CSV set (<prefix>.<sheet>.csv, "
            "all files at once). The file is checked as a whole: all of it is loaded, or nothing."
        ),
        "drop": "Drag and drop files here, or ",
        "choose": "choose files",
        "limit": "At most {mb} MB per file.",
        "forbidden": (
            "You are not allowed to upload files. Security officers and administrators are."
        ),
        "accepted": "Loaded",
        "rejected": "Rejected",
        "unchanged": "Unchanged (the same file was already loaded)",
        "rows": "rows",
        "issues": "issues",
        "file": "File",
        "sheet": "Sheet",
        "row": "Row",
        "column": "Column",
        "value": "Value",
        "message": "Message",
        "shown": "Showing {shown} of {total} issues. Download the report to see them all.",
        "download": "Download the issue report (Excel)",
        "nothing": "No file was received.",
    },
}
OUTCOME_COLOURS = {"accepted": "success", "rejected": "danger", "unchanged": "secondary"}


_t = translator(TEXT)


def layout(**_query) -> html.Div:
    lang = _query.get(c.PARAM_LANGUAGE, "sv")
    lang = lang if lang in c.LANGUAGES else "sv"
    viewer = current_viewer()
    header = create_page_header(_t("title", lang), _t("lead", lang))
    if not may_upload(viewer):
        return html.Div([header, dbc.Alert(_t("forbidden", lang), color="warning", id=RESULT)])
    max_bytes = upload_max_bytes()
    return html.Div(
        [
            header,
            dcc.Upload(
                html.Div([_t("drop", lang), html.A(_t("choose", lang), href="#")]),
                id=UPLOAD,
                multiple=True,
                # No ``accept``: the browser's drop zone drops a file of another type without a
                # word. Every file goes to the server, which names it and the types it takes
                # (dashboard/auth/uploads.py); the size limit still applies in the browser.
                max_size=max_bytes,
                className="border border-2 rounded p-4 text-center bg-white mb-2",
            ),
            html.P(
                _t("limit", lang).format(mb=format_number(max_bytes / 1024 / 1024, 0, lang)),
                className="text-muted small",
            ),
            dcc.Loading(html.Div(id=RESULT)),
            dcc.Store(id=REPORT_STORE),
            dbc.Button(
                _t("download", lang),
                id=REPORT_BUTTON,
                color="secondary",
                className="mt-2 d-none",
            ),
            dcc.Download(id=REPORT_DOWNLOAD),
        ]
    )


def issues_table(issues: list[ValidationIssue], lang: str) -> html.Div:
    """Row, column and message of each issue (the first SHOWN_ISSUES of them)."""
    head = html.Thead(
        html.Tr(
            [html.Th(_t(k, lang)) for k in ("file", "sheet", "row", "column", "value", "message")]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(i.file),
                    html.Td(i.sheet or ""),
                    html.Td("" if i.row is None else str(i.row)),
                    html.Td(i.column or ""),
                    html.Td(i.value or ""),
                    html.Td(i.message(lang)),
                ]
            )
            for i in issues[:SHOWN_ISSUES]
        ]
    )
    note = (
        html.P(
            _t("shown", lang).format(shown=SHOWN_ISSUES, total=format_number(len(issues), 0, lang)),
            className="text-muted small",
        )
        if len(issues) > SHOWN_ISSUES
        else None
    )
    return html.Div(
        [dbc.Table([head, body], bordered=True, size="sm", responsive=True, striped=True), note]
    )


def result_card(result, lang: str) -> dbc.Card:
    label = _t(result.outcome, lang)
    summary = f"{format_number(result.rows_total, 0, lang)} {_t('rows', lang)}"
    if result.issues:
        summary = f"{format_number(len(result.issues), 0, lang)} {_t('issues', lang)}"
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Strong(result.file_name or result.path.name, className="me-2"),
                    dbc.Badge(label, color=OUTCOME_COLOURS.get(result.outcome, "secondary")),
                    html.Span(f" {summary}", className="ms-2 text-muted"),
                ]
            ),
            dbc.CardBody(issues_table(result.issues, lang)) if result.issues else None,
        ],
        className=f"mb-3 upload-outcome-{result.outcome}",
    )


@callback(
    Output(RESULT, "children"),
    Output(REPORT_STORE, "data"),
    Output(REPORT_BUTTON, "className"),
    Input(UPLOAD, "contents"),
    State(UPLOAD, "filename"),
    State(c.FILTERS_STORE, "data"),
    prevent_initial_call=True,
)
def handle_upload(contents, filenames, filters_data):
    lang = Filters.from_store(filters_data).lang
    viewer = current_viewer()
    if not may_upload(viewer):
        audit.record_request("upload_refused", "ingen behörighet")
        return dbc.Alert(_t("forbidden", lang), color="warning"), None, "mt-2 d-none"
    contents = contents if isinstance(contents, list) else [contents]
    filenames = filenames if isinstance(filenames, list) else [filenames]
    if not contents or contents == [None]:
        return dbc.Alert(_t("nothing", lang), color="info"), None, "mt-2 d-none"
    max_bytes = upload_max_bytes()
    files, refused = [], []
    for content, name in zip(contents, filenames + [None] * len(contents), strict=False):
        decoded = decode_upload(content, name, max_bytes)
        (files if isinstance(decoded, UploadedFile) else refused).append(decoded)
    results = [rejected_result(issue) for issue in refused]
    if files:
        results += load_uploads(store.get_engine(), files, viewer)
    for result in results:
        audit.record_request(
            "upload",
            f"{result.file_name}: {result.outcome}, {result.rows_total} rader, "
            f"{len(result.issues)} fel",
        )
    issues = [i for r in results for i in r.issues]
    report = base64.b64encode(issue_report_bytes(issues, lang)).decode() if issues else None
    cards = [result_card(r, lang) for r in results]
    return html.Div(cards), report, "mt-2" if issues else "mt-2 d-none"


@callback(
    Output(REPORT_DOWNLOAD, "data"),
    Input(REPORT_BUTTON, "n_clicks"),
    State(REPORT_STORE, "data"),
    prevent_initial_call=True,
)
def download_report(n_clicks, report):
    if not n_clicks or not report or not may_upload(current_viewer()):
        return no_update
    return {
        "content": report,
        "filename": "felrapport.xlsx",
        "base64": True,
        "type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
