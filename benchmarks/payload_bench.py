"""What a browser downloads on the first load of each page, gzip-compressed, via Flask's test client.

Per page: GET the page, GET /_dash-layout and /_dash-dependencies, the page router callback (it
sends the page's layout) and every initial callback of the page (benchmarks.page_calls), each
with ``Accept-Encoding: gzip``; sizes are the bytes on the wire. Static files (Dash's and
plotly's JavaScript, Bootstrap) are summed apart: a browser caches them after the first visit.

Targets (issue 6): first load of a page (page + callback responses) <= 1.5 MB; each callback
response <= 150 KB.
"""

from __future__ import annotations

import logging
import re

from benchmarks.common import load_average
from benchmarks.page_calls import PAGES, build_app, page_calls

log = logging.getLogger(__name__)

PAGE_LIMIT_BYTES = 1_500_000
CALLBACK_LIMIT_BYTES = 150_000
GZIP = {"Accept-Encoding": "gzip"}
_STATIC = re.compile(r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"')


def _wire_size(response) -> tuple[int, bool]:
    data = response.get_data()
    return len(data), response.headers.get("Content-Encoding") == "gzip"


def _router_body(app, path: str) -> dict | None:
    """The body of Dash's page-router callback (pathname -> page layout) for ``path``."""
    for key, entry in app.callback_map.items():
        inputs = [(i["id"], i["property"]) for i in entry["inputs"]]
        if inputs == [("_pages_location", "pathname"), ("_pages_location", "search")]:
            outputs = key.strip(".").split("...")
            return {
                "output": key,
                "outputs": [
                    {"id": o.rpartition(".")[0], "property": o.rpartition(".")[2]} for o in outputs
                ],
                "inputs": [
                    {"id": "_pages_location", "property": "pathname", "value": path},
                    {"id": "_pages_location", "property": "search", "value": ""},
                ],
                "changedPropIds": ["_pages_location.pathname"],
            }
    return None


def static_bytes(client, html: str) -> dict:
    total = 0
    files = sorted(set(_STATIC.findall(html)))
    for url in files:
        response = client.get(url, headers=GZIP)
        total += _wire_size(response)[0]
    return {"files": len(files), "bytes": total}


def payload_section(engine, filters: dict, pages=PAGES) -> dict:
    """First-load sizes of every page for ``filters`` on ``engine``."""
    load_before = load_average()
    app = build_app(engine)
    client = app.server.test_client()
    shared = {}
    for url in ("/_dash-layout", "/_dash-dependencies"):
        size, gz = _wire_size(client.get(url, headers=GZIP))
        shared[url] = {"bytes": size, "gzip": gz}
    results = []
    static = None
    for path in pages:
        page = client.get(path, headers=GZIP)
        html_size, html_gz = _wire_size(page)
        if static is None:
            static = static_bytes(client, client.get(path).get_data(as_text=True))
        responses = []
        router = _router_body(app, path)
        if router is not None:
            response = client.post("/_dash-update-component", json=router, headers=GZIP)
            size, gz = _wire_size(response)
            responses.append({"callback": "dash.page_router", "status": response.status_code,
                              "bytes": size, "gzip": gz})  # fmt: skip
        for call in page_calls(app, path, filters, block_size=100):
            response = client.post(
                "/_dash-update-component", json=call.request_body(), headers=GZIP
            )
            size, gz = _wire_size(response)
            responses.append({"callback": call.name, "status": response.status_code,
                              "bytes": size, "gzip": gz})  # fmt: skip
        total = html_size + sum(s["bytes"] for s in shared.values())
        total += sum(r["bytes"] for r in responses)
        largest = max((r["bytes"] for r in responses), default=0)
        results.append({
            "page": path, "html_bytes": html_size, "html_gzip": html_gz,
            "callbacks": responses, "first_load_bytes": total,
            "largest_callback_bytes": largest,
            "all_ok": all(r["status"] in (200, 204) for r in responses),
            "met": total <= PAGE_LIMIT_BYTES and largest <= CALLBACK_LIMIT_BYTES,
        })  # fmt: skip
    return {
        "filters": {k: filters.get(k) for k in ("municipality", "administration")},
        "shared": shared,
        "static_assets_once": static,
        "pages": results,
        "targets": f"first load <= {PAGE_LIMIT_BYTES} B; each callback <= {CALLBACK_LIMIT_BYTES} B",
        "met": all(p["met"] and p["all_ok"] for p in results),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }
