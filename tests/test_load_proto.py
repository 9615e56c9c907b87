"""Short protocol-level load test: 10 Streamlit sessions for 10 s on one app server, no browser.

The clients speak Streamlit's websocket protocol (benchmarks/load_proto.py):
each loads a page (a preset or random settings), changes widgets as the
frontend does and waits for every script run to finish. Asserted: no
exception element and no dropped connection, every session finished a run,
and the widget changes reached the script (the page drawn after a change
differs, and a sentence index typed on page 3 is the one the page shows).
No timing assertion: the machine may be shared. The full measurement is
`python benchmarks/load_proto.py`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 10
SECONDS = 10.0


def _load_proto():
    spec = importlib.util.spec_from_file_location("load_proto", ROOT / "benchmarks" / "load_proto.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("load_proto", mod)
    spec.loader.exec_module(mod)
    return mod


lp = _load_proto()


def run_async(coro):
    """asyncio.run in a thread of its own: an earlier test (Playwright's sync API) may have left an
    event loop running in this one, where asyncio.run refuses to start."""
    out = {}

    def target():
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as err:  # re-raised in the test's thread
            out["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.fixture(scope="module")
def server():
    port = lp.free_port()
    proc = lp.start_server(port, ROOT)
    try:
        yield f"http://{lp.HOST}:{port}", proc.pid
    finally:
        lp.stop_process(proc)


def test_sessions_run_and_change_widgets(server):
    url, pid = server
    r = run_async(lp.run_load(lp.check_local(url), SESSIONS, SECONDS, pid=pid, think=1.0, page_every=5,
                                seed=3, timeout=30.0, settle=0.0))
    print(f"\n{r['runs']} runs ({r['changes']} changes, {r['page_switches']} page switches) in "
          f"{r['wall_s']:.1f} s; p50 {r['p50_s']:.2f} s, p95 {r['p95_s']:.2f} s; server RSS peak "
          f"{r['server_rss_peak_mb']} MB")
    assert r["errors"] == 0, r["error_kinds"]
    assert r["sessions_with_runs"] == SESSIONS, r
    assert r["changes"] >= SESSIONS, r
    # A change that reached the script redraws something (a chart, a number, a text).
    assert r["changes_seen"] >= r["changes"] // 2, (r["changes_seen"], r["changes"], r["unchanged"])


def test_a_typed_value_reaches_the_script(server):
    url, _ = server

    async def go():
        stats = lp.Stats()
        c = lp.Client(0, lp.check_local(url), stats, random.Random(0), 30.0)
        await c.connect()
        try:
            await c.load(lp.PAGE_GATES, "")
            assert any("idx" == w["key"] for w in c.widgets.values()), c.widgets
            await c.change("idx", 1234)
        finally:
            await c.close()
        return c, stats

    c, stats = run_async(go())
    assert stats.n_errors == 0, stats.errors
    assert "idx=1234" in c.query
    # Page 3 names the sentence it shows: "… sentence 1,234 of …".
    assert any("1,234" in t for t in c.texts), c.texts
