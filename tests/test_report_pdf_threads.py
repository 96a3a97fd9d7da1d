"""The committee report's PDF rendered by many threads at once (gunicorn's gthread workers serve
requests on 4 threads per process, and WeasyPrint shares fontconfig, Pango and its caches of
fonts and style sheets between them).

Every concurrent rendering must carry exactly the text and page count of a serial one.
"""

from __future__ import annotations

import io
import sys
from concurrent.futures import ThreadPoolExecutor

from pypdf import PdfReader
from sqlalchemy.orm import Session

from dashboard.report.gather import gather_report
from dashboard.report.pdf import report_pdf
from tests import kpi_data

THREADS = 8
# Two renderings per thread: enough to interleave every thread with the others (a WeasyPrint
# rendering takes about 0.5 s, against reportlab's 0.08 s, so 24 cost the suite seconds).
RENDERINGS = 16


def _pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_concurrent_renderings_equal_a_serial_one(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        data = gather_report(session, kpi_data.AS_OF)
    serial = _pages_text(report_pdf(data))
    assert serial and "Sida 1" in serial[0]

    # Switch threads every few bytecodes instead of every 5 ms, so renderings interleave inside
    # WeasyPrint rather than one after another.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            rendered = list(pool.map(lambda _: report_pdf(data), range(RENDERINGS)))
    finally:
        sys.setswitchinterval(interval)

    assert all(_pages_text(pdf) == serial for pdf in rendered)
