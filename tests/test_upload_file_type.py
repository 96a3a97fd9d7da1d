"""A file of another type, chosen or dropped on the upload area, is named and refused with the
types the page takes, instead of vanishing (the drop zone's ``accept`` refused it silently in
the browser). Real Chromium, a real file on disk for the file chooser, a real drop event.
"""

from __future__ import annotations

import pytest

from dashboard import store
from tests.axe import describe, run_axe
from tests.kpi_data import build_store
from tests.pages import build_app

PAGE = "/inlasningar/ladda-upp"
REFUSAL = "Bara .xlsx- och .csv-filer med vanliga tecken i namnet kan laddas upp."

DROP_JS = """
const zone = document.querySelector('#upload-files > div') || document.querySelector('#upload-files');
const data = new DataTransfer();
data.items.add(new File(['%PDF-1.4 not a workbook'], arguments[0], {type: 'application/pdf'}));
for (const type of ['dragenter', 'dragover', 'drop']) {
  zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
}
"""


@pytest.fixture
def upload_page(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    dash_duo.start_server(build_app(sqlite_engine))
    dash_duo.wait_for_page(dash_duo.server_url + PAGE)
    dash_duo.wait_for_element("#upload-files input[type=file]", timeout=30)
    yield dash_duo
    store.configure(None)


def _outcome(dash_duo, name: str) -> str:
    dash_duo.wait_for_element("#upload-result .upload-outcome-rejected", timeout=30)
    dash_duo.wait_for_contains_text("#upload-result", name, timeout=30)
    return dash_duo.find_element("#upload-result").text


@pytest.mark.browser
def test_a_chosen_pdf_is_named_and_refused(upload_page, tmp_path):
    pdf = tmp_path / "riskanalys.pdf"
    pdf.write_bytes(b"%PDF-1.4 not a workbook\n")
    upload_page.find_element("#upload-files input[type=file]").send_keys(str(pdf))
    text = _outcome(upload_page, "riskanalys.pdf")
    assert "Avvisad" in text and REFUSAL in text
    assert describe("upload with a refused file", run_axe(upload_page.driver)) == []
    assert upload_page.get_logs() == []


@pytest.mark.browser
def test_a_dropped_pdf_is_named_and_refused(upload_page):
    upload_page.driver.execute_script(DROP_JS, "protokoll.pdf")
    text = _outcome(upload_page, "protokoll.pdf")
    assert "Avvisad" in text and REFUSAL in text
    assert upload_page.get_logs() == []
