"""Load test: N concurrent browser sessions on one app server (loopback only).

The app is served on 127.0.0.1 (a fresh server per N). One headless Chromium
process holds N browser contexts (each its own cookies and Streamlit
session). Every session loads a page that has a slider, then, for --seconds
after that page is drawn, changes one widget once every --interval seconds
(an arrow key on a slider) and waits for the redraw; every --page-every changes it first goes to the next page
through the sidebar's page links, as a student does. Session starts are
spread over the first interval, as students arrive. The browser shares the
machine with the server: on a small machine its rendering is part of what
is measured.

Reported per N:
- errors: exceptions shown by the app, uncaught page errors, console errors,
  a page load or redraw not finished within --timeout seconds, a slider that
  did not move or did not rerun the page;
- changes made, and p50/p95 slider-to-redraw time: from the key press until
  the page is idle again with its charts drawn (the same "idle" as the
  browser tests: tests/browser_support.py);
- full page loads and page switches, with their p95 times;
- the server's RSS (VmRSS of the server process and its children, from
  /proc) at start (after one warm-up visit), its peak and at the end;
- CPU seconds used during the run by the server and by the browser side
  (Chromium, Playwright and this script), which share the machine.

Target (issue 6): 30 sessions for 60 s with 0 errors, p95 under 2 s on a
2-core machine, and a bounded server RSS.

Usage (from the project root; Debian's chromium and requirements-dev.txt):
    python benchmarks/load_app.py                      # 30 sessions × 60 s
    python benchmarks/load_app.py --quick              # 5 sessions × 10 s
    python benchmarks/load_app.py --sessions 5,15,30 --seconds 60 [--json out.json]
Exit status 1 if any session saw an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# One copy of the browser code: the tests' helper module.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import browser_support as bs  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_proto import child_pids, tree_rss_mb  # noqa: E402  (one copy of the /proc readers)


def p95(xs: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


# ---------------------------------------------------------------- server CPU (Linux /proc)
def tree_cpu_s(pid: int, exclude: int | None = None) -> float:
    """User + system CPU seconds of `pid` and its descendants (without the subtree of `exclude`)."""
    hz = os.sysconf("SC_CLK_TCK")
    total, todo, seen = 0.0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen or p == exclude:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / hz  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
        todo += child_pids(p)
    return total


class RssSampler:
    """Samples the server tree's RSS every `period` seconds in the event loop."""

    def __init__(self, pid: int, period: float = 0.5):
        self.pid, self.period, self.samples = pid, period, []

    def sample(self) -> float | None:
        v = tree_rss_mb(self.pid)
        if v is not None:
            self.samples.append(v)
        return v

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.sample()
            try:
                await asyncio.wait_for(stop.wait(), self.period)
            except asyncio.TimeoutError:
                pass


# ---------------------------------------------------------------- one session
class Session:
    """One student: a browser context with one tab, driven by the async Playwright API."""

    def __init__(self, index: int, browser, base_url: str, pages: list, timeout_s: float):
        self.index, self.browser, self.base_url = index, browser, base_url
        self.pages, self.timeout_s = pages, timeout_s
        self.errors: list[str] = []
        self.redraw_ms: list[float] = []
        self.load_ms: list[float] = []  # full page loads (a new browser tab)
        self.nav_ms: list[float] = []  # page switches through the sidebar links
        self.ctx = self.tab = None

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if "404" in msg.text and bs.BENIGN_404.search(url):
            return
        self.errors.append(f"console error: {msg.text[:300]} [{url}]")

    async def start(self) -> None:
        # As bs.new_context, with the async API.
        self.ctx = await self.browser.new_context(viewport={"width": 1280, "height": 900},
                                                  device_scale_factor=1, locale="en-US")
        await self.ctx.add_init_script(bs.INIT_JS)
        self.tab = await self.ctx.new_page()
        self.tab.set_default_timeout(self.timeout_s * 1000)
        self.tab.on("console", self._on_console)
        self.tab.on("pageerror", lambda err: self.errors.append(f"page error: {str(err)[:300]}"))

    async def wait_idle(self, need_run: bool) -> dict:
        opts = {"settle": 300, "maxQuiet": 2000, "needRun": need_run, "runGrace": 3000}
        # 30 tabs polling every 50 ms would load the shared CPU; 100 ms is enough here.
        handle = await self.tab.wait_for_function(bs.IDLE_JS, arg=opts, polling=100,
                                                  timeout=self.timeout_s * 1000)
        return await handle.json_value()

    async def reason(self) -> str:
        """What the idle probe waited for last (for an error message)."""
        try:
            return str(await self.tab.evaluate("() => window.__bc && window.__bc.reason"))
        except Exception:  # the page itself may be gone
            return "?"

    async def check(self, what: str) -> None:
        s = await self.tab.evaluate(bs.STATE_JS)
        self.errors += [f"{what}: exception: {x['text'][:300]}" for x in s["exceptions"]]
        if s["script_state"] == "compilationError":
            self.errors.append(f"{what}: script compilation error")

    async def open(self, page: bs.PageInfo) -> None:
        t0 = time.monotonic()
        try:
            await self.tab.goto(self.base_url + page.url_path, wait_until="domcontentloaded")
            await self.wait_idle(need_run=False)
        except Exception as e:  # playwright's TimeoutError and friends: an error of this run
            self.errors.append(f"open {page.url_path}: not idle after {self.timeout_s:.0f} s "
                               f"(last: {await self.reason()}; {type(e).__name__})")
            return
        self.load_ms.append((time.monotonic() - t0) * 1000)
        await self.check(f"open {page.url_path}")

    async def navigate(self, page: bs.PageInfo) -> None:
        """Go to `page` by its link in the sidebar, as a student does (no reload; a fresh load if no link)."""
        name = page.url_path.lstrip("/")  # the links' href: the page name, then its query if any
        link = self.tab.locator(f'[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"][href="{name}"], '
                                f'[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"][href^="{name}?"]')
        if page.url_path == "/" or await link.count() == 0:
            await self.open(page)
            return
        t0 = time.monotonic()
        await self.tab.evaluate(bs.MARK_JS)
        try:
            await link.first.click()
            await self.wait_idle(need_run=True)
        except Exception as e:
            self.errors.append(f"go to {page.url_path}: not idle after {self.timeout_s:.0f} s "
                               f"(last: {await self.reason()}; {type(e).__name__})")
            return
        self.nav_ms.append((time.monotonic() - t0) * 1000)
        await self.check(f"go to {page.url_path}")

    async def change_slider(self, page: bs.PageInfo, which: int) -> None:
        sliders = self.tab.locator(bs.SLIDER_CSS)
        n = await sliders.count()
        if n == 0:
            self.errors.append(f"{page.url_path}: no slider to move")
            return
        slider = sliders.nth(which % n)
        before = await slider.evaluate(bs.SLIDER_VALUE_JS)
        await self.tab.evaluate(bs.MARK_JS)
        try:
            await slider.focus()
            await self.tab.keyboard.press("ArrowLeft" if before["at_max"] else "ArrowRight")
            idle = await self.wait_idle(need_run=True)
        except Exception as e:
            self.errors.append(f"{page.url_path}: redraw not finished after {self.timeout_s:.0f} s "
                               f"(last: {await self.reason()}; {type(e).__name__})")
            return
        m = await self.tab.evaluate(bs.AFTER_MARK_JS)
        after = await slider.evaluate(bs.SLIDER_VALUE_JS)
        if after["value"] == before["value"]:
            self.errors.append(f"{page.url_path}: slider #{which % n} did not move")
        elif idle.get("noRerun"):
            self.errors.append(f"{page.url_path}: slider change did not rerun the page")
        else:
            t_key = m["keyAt"] if m["keyAt"] is not None else m["mark"]
            self.redraw_ms.append(max(idle["idleSince"], idle["lastMutation"]) - t_key)
        await self.check(f"{page.url_path} after a slider change")

    async def run(self, t_start: float, seconds: float, interval: float, page_every: int) -> None:
        """At t_start open a page; for `seconds` after it is drawn, change a widget every `interval` s.

        Every page_every changes the session first goes to the next page.
        """
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, t_start - loop.time()))
        try:
            await self.start()
            k = self.index
            page = self.pages[k % len(self.pages)]
            await self.open(page)
            tick = loop.time()
            t_end, changes = tick + seconds, 0
            while True:
                # The next tick on the session's 5-second grid; ticks missed while waiting are skipped.
                tick += interval * max(1, math.ceil((loop.time() - tick) / interval))
                if tick >= t_end:
                    break
                await asyncio.sleep(max(0.0, tick - loop.time()))
                if changes and changes % page_every == 0:
                    k += 1
                    page = self.pages[k % len(self.pages)]
                    await self.navigate(page)
                await self.change_slider(page, which=self.index // len(self.pages))
                changes += 1
        finally:
            if self.ctx is not None:
                await self.ctx.close()


# ---------------------------------------------------------------- one N
async def run_load(browser, base_url: str, pages: list, n: int, seconds: float, interval: float,
                   page_every: int, timeout_s: float, server_pid: int) -> dict:
    sampler = RssSampler(server_pid)
    rss_start = sampler.sample()
    cpu0 = tree_cpu_s(server_pid), tree_cpu_s(os.getpid(), exclude=server_pid)
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler.run(stop))
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    sessions = [Session(i, browser, base_url, pages, timeout_s) for i in range(n)]
    # Arrivals spread over the first interval.
    results = await asyncio.gather(*(s.run(t0 + interval * i / n, seconds, interval, page_every)
                                     for i, s in enumerate(sessions)), return_exceptions=True)
    wall = loop.time() - t0
    stop.set()
    await sampling
    rss_end = sampler.sample()
    cpu_server = tree_cpu_s(server_pid) - cpu0[0]
    cpu_browser = tree_cpu_s(os.getpid(), exclude=server_pid) - cpu0[1]  # Chromium, Playwright and this script
    errors = [e for s in sessions for e in s.errors]
    errors += [f"session crashed: {type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    redraw = [x for s in sessions for x in s.redraw_ms]
    loads = [x for s in sessions for x in s.load_ms]
    navs = [x for s in sessions for x in s.nav_ms]
    return {"sessions": n, "seconds": seconds, "wall_s": round(wall, 1), "errors": len(errors),
            "error_samples": errors[:20], "changes": len(redraw),
            "redraw_p50_ms": statistics.median(redraw) if redraw else None,
            "redraw_p95_ms": p95(redraw) if redraw else None,
            "redraw_max_ms": max(redraw) if redraw else None,
            "opens": len(loads), "load_p50_ms": statistics.median(loads) if loads else None,
            "load_p95_ms": p95(loads) if loads else None,
            "switches": len(navs), "switch_p50_ms": statistics.median(navs) if navs else None,
            "switch_p95_ms": p95(navs) if navs else None,
            "rss_start_mb": rss_start, "rss_peak_mb": max(sampler.samples) if sampler.samples else None,
            "rss_end_mb": rss_end, "sessions_without_change": sum(not s.redraw_ms for s in sessions),
            "cpu_server_s": round(cpu_server, 1), "cpu_browser_s": round(cpu_browser, 1)}


def _fmt(x, spec=".0f") -> str:
    return "-" if x is None else format(x, spec)


def print_table(rows: list[dict], file=sys.stdout) -> None:
    print(f"{'N':>3}  {'s':>4}  {'errors':>6}  {'changes':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}  "
          f"{'loads':>5}  {'load p95 ms':>11}  {'switches':>8}  {'switch p95 ms':>13}  {'RSS start MB':>12}  "
          f"{'peak MB':>7}  {'end MB':>6}  {'CPU s server':>12}  {'CPU s browser':>13}", file=file)
    for r in rows:
        print(f"{r['sessions']:>3}  {r['seconds']:>4.0f}  {r['errors']:>6}  {r['changes']:>7}  "
              f"{_fmt(r['redraw_p50_ms']):>7}  {_fmt(r['redraw_p95_ms']):>7}  {_fmt(r['redraw_max_ms']):>7}  "
              f"{r['opens']:>5}  {_fmt(r['load_p95_ms']):>11}  {r['switches']:>8}  {_fmt(r['switch_p95_ms']):>13}  "
              f"{_fmt(r['rss_start_mb']):>12}  "
              f"{_fmt(r['rss_peak_mb']):>7}  {_fmt(r['rss_end_mb']):>6}  {r['cpu_server_s']:>12.0f}  "
              f"{r['cpu_browser_s']:>13.0f}", file=file)
    for r in rows:
        for e in r["error_samples"]:
            print(f"ERROR (N={r['sessions']}): {e}", file=file)


async def _main_async(args, pages: list, exe: str) -> list[dict]:
    from playwright.async_api import async_playwright

    rows = []
    async with async_playwright() as pw:
        browser = await bs.launch_chromium(pw, exe)  # one Chromium process for every session
        try:
            for n in args.sessions:
                log = Path(tempfile.mkdtemp(prefix="load_app_")) / "server.log"
                server = bs.StreamlitServer(args.app_dir, log)
                try:
                    await asyncio.to_thread(server.start)
                    warm = Session(-1, browser, server.base_url, pages, args.timeout)
                    await warm.start()  # one visit of every page: imports and first computations
                    for p in pages:
                        await warm.open(p)
                    await warm.ctx.close()
                    if warm.errors:
                        print(f"warm-up problems: {warm.errors}", file=sys.stderr)
                    print(f"N = {n}: {args.seconds:.0f} s, one change every {args.interval:.0f} s per session",
                          file=sys.stderr)
                    rows.append(await run_load(browser, server.base_url, pages, n, args.seconds, args.interval,
                                               args.page_every, args.timeout, server.proc.pid))
                finally:
                    server.stop()
        finally:
            await browser.close()
    return rows


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", default="30", help="concurrent sessions; a comma list runs each N (default 30)")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each run (default 60)")
    ap.add_argument("--quick", action="store_true", help="5 sessions for 10 s (overrides the two above)")
    ap.add_argument("--interval", type=float, default=5.0, help="seconds between a session's changes (default 5)")
    ap.add_argument("--page-every", type=int, default=3, help="open the next page after this many changes")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds a page load or redraw may take before it is an error (default 120)")
    ap.add_argument("--app-dir", type=Path, default=bs.default_app_dir(),
                    help="folder holding app.py (default: $GRADFLOW_APP_DIR or the project root)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    if args.quick:
        args.sessions, args.seconds = "5", 10.0
    args.sessions = [int(x) for x in str(args.sessions).split(",") if x.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.app_dir / "app.py").is_file():
        print(f"no app.py in {args.app_dir}", file=sys.stderr)
        return 2
    exe = bs.find_chromium()
    if exe is None:
        print("Chromium not found: install Debian's chromium", file=sys.stderr)
        return 2
    # Every page but the home page, which has no slider to move.
    pages = [p for p in bs.discover_pages(args.app_dir) if p.name != "main"]
    rows = asyncio.run(_main_async(args, pages, exe))
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
