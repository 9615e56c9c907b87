"""Drive the Streamlit app in a real headless Chromium (tests and bench_app).

Pieces, usable on their own or through the pytest fixtures at the bottom:

* ``discover_pages(app_dir)``: the home page and every ``pages/*.py``, with
  the URL path Streamlit gives it (``pages/1_Vanishing_Gradients.py`` ->
  ``/Vanishing_Gradients``), in Streamlit's own order.
* ``StreamlitServer``: ``python -m streamlit run app.py`` on 127.0.0.1 and a
  free port, healthy once ``/_stcore/health`` answers ``ok``.
* ``find_chromium`` / ``launch_chromium``: an installed Chromium (Debian's
  ``chromium``) through Playwright; Playwright never downloads a browser.
* ``AppPage``: one browser tab on the app: ``open(path)`` waits until the
  app is idle, ``state()`` reads exceptions and charts, ``press_slider()``
  moves a slider and times the redraw, ``screenshot(path)`` shoots the whole
  page. Console errors and uncaught page errors are recorded per ``open``.

"Idle" (Streamlit 1.67): ``stApp`` carries ``data-test-script-state``
(initial -> running -> notRunning) and ``data-test-connection-state``. The
app is idle when it is CONNECTED and notRunning, no ``stSkeleton`` (a
lazy-loaded element, e.g. plotly while its JS chunk loads) nor running icon
is shown, every ``stPlotlyChart`` has a drawn ``.main-svg``, and all this
has held, with the DOM quiet, for ``settle_ms``. Waiting for the status
widget alone is racy: it appears only after 500 ms of running.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]  # the project root
SCREENSHOT_DIR = ROOT / "artifacts" / "screenshots"  # git-ignored
DOCS_SCREENSHOT_DIR = ROOT / "docs" / "screenshots"  # updated on request only

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # runs as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No background calls home: on a closed network they fail by the dozen.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Containers often have a 64 MB /dev/shm.
    "--disable-dev-shm-usage",
]

# Installed before any page script runs; records state changes with in-page
# timestamps (performance.now(): ms since navigation start).
INIT_JS = r"""
(() => {
  if (window.top !== window || window.__bc) return;
  const B = window.__bc = {lastMainMutation: 0, lastPlotMutation: null, plotMutations: 0,
    mark: null, keyAt: null, ranAfterMark: false, runEndAfterMark: null, idleSince: null,
    reason: 'init'};
  const MAIN = '[data-testid="stMain"], [data-testid="stSidebar"]';
  new MutationObserver((muts) => {
    const now = performance.now();
    for (const m of muts) {
      const t = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      if (!t) continue;
      if (m.type === 'attributes' && m.attributeName === 'data-test-script-state' && B.mark !== null) {
        const s = t.getAttribute('data-test-script-state');
        if (s === 'running') B.ranAfterMark = true;
        if ((s === 'notRunning' || s === 'compilationError') && B.ranAfterMark) B.runEndAfterMark = now;
      }
      if (t.closest(MAIN)) B.lastMainMutation = now;
      if (t.closest('.js-plotly-plot')) { B.plotMutations++; B.lastPlotMutation = now; }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  window.addEventListener('keydown', () => {
    if (B.mark !== null && B.keyAt === null) B.keyAt = performance.now();
  }, true);
})();
"""

# Predicate for page.wait_for_function: truthy once the app is idle.
IDLE_JS = r"""
(o) => {
  const B = window.__bc;
  if (!B) return false;
  const now = performance.now();
  const app = document.querySelector('[data-testid="stApp"]');
  let reason = null;
  if (!app) reason = 'no stApp element yet';
  else {
    const s = app.getAttribute('data-test-script-state');
    const c = app.getAttribute('data-test-connection-state');
    if (c !== 'CONNECTED') reason = 'connection state ' + c;
    else if (s !== 'notRunning' && s !== 'compilationError') reason = 'script state ' + s;
    else if (o.needRun && !B.ranAfterMark) {
      if (now - B.mark < o.runGrace) reason = 'waiting for the rerun to start';
      else if (B.lastMainMutation <= B.mark) return {noRerun: true, at: now};
    }
  }
  if (!reason && document.querySelector('[data-testid="stSkeleton"]')) reason = 'stSkeleton present';
  if (!reason && document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')) reason = 'running icon shown';
  if (!reason) {
    for (const el of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
      if (!el.querySelector('.js-plotly-plot .main-svg')) { reason = 'plotly chart not drawn yet'; break; }
    }
  }
  if (reason) { B.reason = reason; B.idleSince = null; return false; }
  if (B.idleSince === null) B.idleSince = now;
  const stable = now - B.idleSince, quiet = now - B.lastMainMutation;
  if (stable >= o.settle && (quiet >= o.settle || stable >= o.maxQuiet)) {
    B.reason = null;
    return {idleSince: B.idleSince, lastMutation: B.lastMainMutation, at: now};
  }
  B.reason = 'settling';
  return false;
}
"""

STATE_JS = r"""
() => {
  const SLIDER = ['stSidebar', 'stMain'].flatMap((a) =>
    ['input[type="range"]', '[role="slider"]'].map((k) => `[data-testid="${a}"] ${k}`)).join(', ');
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  return {
    script_state: app ? app.getAttribute('data-test-script-state') : null,
    exceptions: [...document.querySelectorAll('[data-testid="stException"]')].map((e) => ({
      kind: e.querySelector('[data-testid="stAlertContentWarning"]') ? 'warning' : 'error',
      text: e.innerText.trim().slice(0, 2000)})),
    dialogs: [...document.querySelectorAll('[data-testid="stDialog"]')].map((e) => e.innerText.trim()),
    content_elements: [...main.querySelectorAll('[data-testid="stElementContainer"]')]
      .filter((el) => el.offsetHeight > 0).length,
    chart_elements: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
    charts_drawn: [...document.querySelectorAll('.js-plotly-plot')]
      .filter((g) => g.querySelector('.main-svg')).length,
    sliders: document.querySelectorAll(SLIDER).length,
  };
}
"""

# One signature per drawn chart: a hash of its figure data and title.
PLOT_SIGNATURES_JS = r"""
() => [...document.querySelectorAll('.js-plotly-plot')].map((gd) => {
  let s = '';
  try { s = JSON.stringify(gd.data || null) + JSON.stringify((gd.layout || {}).title || null); } catch (e) { s = String(e); }
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = ((h * 33) ^ s.charCodeAt(i)) >>> 0;
  return h.toString(16) + ':' + s.length;
})
"""

MARK_JS = r"""
() => { const B = window.__bc; B.mark = performance.now(); B.keyAt = null; B.ranAfterMark = false;
        B.runEndAfterMark = null; B.idleSince = null; B.plotMark = B.plotMutations; return B.mark; }
"""

AFTER_MARK_JS = r"""
() => { const B = window.__bc; return {mark: B.mark, keyAt: B.keyAt, runEnd: B.runEndAfterMark,
        plotMutations: B.plotMutations - B.plotMark, lastPlotMutation: B.lastPlotMutation}; }
"""

# Sliders of the sidebar and the main area, in document order (sidebar
# first). Streamlit 1.67 renders a visually hidden <input type="range">;
# older versions a [role="slider"] thumb.
SLIDER_CSS = ", ".join(f'[data-testid="{area}"] {kind}' for area in ("stSidebar", "stMain")
                       for kind in ('input[type="range"]', '[role="slider"]'))
SLIDER_VALUE_JS = r"""
(el) => {
  const v = el.value !== undefined ? el.value : el.getAttribute('aria-valuenow');
  const top = el.max !== undefined && el.max !== '' ? el.max : el.getAttribute('aria-valuemax');
  return {value: v, at_max: top !== null && Number(v) >= Number(top)};
}
"""

# Streamlit scrolls inside stMain: the extra height a full-page shot needs.
SCROLL_EXTRA_JS = r"""
() => {
  let extra = 0;
  for (const sel of ['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']) {
    const el = document.querySelector(sel);
    if (el) { el.scrollTop = 0; extra = Math.max(extra, el.scrollHeight - el.clientHeight); }
  }
  const d = document.documentElement;
  return Math.max(0, Math.ceil(Math.max(extra, d.scrollHeight - d.clientHeight)));
}
"""

# Opening a sub-page directly makes the frontend probe <page>/_stcore/health
# and host-config first (404), then the root: known and harmless
# (streamlit/streamlit#7074).
BENIGN_404 = re.compile(r"/_stcore/(health|host-config)$")
PAGE_FILE = re.compile(r"([0-9]*)[_ -]*(.*)\.py")  # Streamlit's page-file pattern


@dataclass(frozen=True)
class PageInfo:
    name: str  # "main" for the home page, else the URL path without "/"
    url_path: str  # "/" or "/Vanishing_Gradients"
    source: Path

    @property
    def mentions_charts(self) -> bool:
        """Whether the page's script draws plotly charts (so one must show)."""
        return "plotly_chart" in self.source.read_text(encoding="utf-8", errors="replace")


def default_app_dir() -> Path:
    """The folder holding app.py: $GRADFLOW_APP_DIR, else the project root."""
    return Path(os.environ.get("GRADFLOW_APP_DIR") or ROOT).resolve()


def discover_pages(app_dir: Path) -> list[PageInfo]:
    """The home page, then pages/*.py in Streamlit's order (number, then name)."""
    found = [PageInfo("main", "/", app_dir / "app.py")]
    pages = []
    for f in (app_dir / "pages").glob("*.py"):
        m = PAGE_FILE.fullmatch(f.name)
        if f.name.startswith(".") or f.name == "__init__.py" or not m:
            continue
        name = re.sub(r"[_ ]+", "_", m.group(2)).strip() or m.group(1)
        number = float(m.group(1)) if m.group(1) else float("inf")
        pages.append(((number, m.group(2).lower()), PageInfo(name, "/" + name, f)))
    return found + [p for _, p in sorted(pages, key=lambda x: x[0])]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_chromium() -> str | None:
    """An installed Chromium: /usr/bin/chromium, else one on PATH."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def skip_or_fail(reason: str) -> None:
    """Skip on a laptop; fail under CI=true, where the browser must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


def launch_chromium(playwright, executable: str):
    """A headless Chromium Browser (Playwright) from an installed executable."""
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


class StreamlitServer:
    """``python -m streamlit run app.py`` from app_dir, on 127.0.0.1 only."""

    def __init__(self, app_dir: Path, log_path: Path, extra_args: tuple[str, ...] = ()):
        self.app_dir, self.log_path, self.extra_args = Path(app_dir), Path(log_path), extra_args
        self.proc: subprocess.Popen | None = None
        self.base_url = ""

    def start(self, timeout_s: float = 90.0, tries: int = 3) -> str:
        """Start and wait for /_stcore/health; retries if the port was taken."""
        for _ in range(tries):
            port = free_port()
            self.base_url = f"http://127.0.0.1:{port}"
            cmd = [sys.executable, "-m", "streamlit", "run", "app.py",
                   "--server.address", "127.0.0.1", "--server.port", str(port),
                   "--server.headless", "true", "--browser.gatherUsageStats", "false",
                   # Nothing edits the sources during a run; spare the CPU.
                   "--server.fileWatcherType", "none", *self.extra_args]
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log_path, "wb") as log:
                self.proc = subprocess.Popen(
                    cmd, cwd=self.app_dir, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                    start_new_session=(os.name == "posix"))
            if self._wait_healthy(timeout_s):
                return self.base_url
            self.stop()
            if "already in use" not in self.log_tail():
                break
        raise RuntimeError(f"streamlit did not become healthy; log tail:\n{self.log_tail()}")

    def _wait_healthy(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.base_url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200 and r.read().strip() == b"ok":
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        return False

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM the pid started here, SIGKILL its own group if it lingers."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                if os.name == "posix":
                    os.killpg(self.proc.pid, signal.SIGKILL)
                else:
                    self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> "StreamlitServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class AppPage:
    """One browser tab on the running app (a Playwright ``Page`` inside)."""

    def __init__(self, page, base_url: str, timeout_s: float = 90.0, settle_ms: int = 300):
        self.page, self.base_url = page, base_url.rstrip("/")
        self.timeout_s, self.settle_ms = timeout_s, settle_ms
        self.console_errors: list[str] = []
        self.console_ignored: list[str] = []
        self.page_errors: list[str] = []
        page.set_default_timeout(timeout_s * 1000)
        page.on("console", self._on_console)
        page.on("pageerror", lambda err: self.page_errors.append(str(err)[:2000]))

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        entry = f"{msg.text} [{url}]" if url else msg.text
        benign = "404" in msg.text and BENIGN_404.search(url)
        (self.console_ignored if benign else self.console_errors).append(entry)

    def wait_idle(self, need_run: bool = False) -> dict:
        """Block until the app is idle (see the module doc); AssertionError on timeout."""
        opts = {"settle": self.settle_ms, "maxQuiet": 2000, "needRun": need_run, "runGrace": 3000}
        try:
            handle = self.page.wait_for_function(IDLE_JS, arg=opts, polling=50,
                                                 timeout=self.timeout_s * 1000)
            return handle.json_value()
        except Exception as e:  # playwright's TimeoutError and friends
            try:
                reason = self.page.evaluate("() => window.__bc && window.__bc.reason")
            except Exception:  # the page itself may be gone
                reason = None
            raise AssertionError(f"app not idle after {self.timeout_s:.0f}s at {self.page.url} "
                                 f"(last: {reason}); {type(e).__name__}") from e

    def open(self, url_path: str) -> dict:
        """Navigate to url_path ("/", "/Page?x=1"), wait idle; timings in ms."""
        self.console_errors, self.console_ignored, self.page_errors = [], [], []
        t0 = time.monotonic()
        self.page.goto(self.base_url + url_path, wait_until="domcontentloaded")
        idle = self.wait_idle()
        return {"rendered_ms": max(idle["idleSince"], idle["lastMutation"]),
                "wall_ms": (time.monotonic() - t0) * 1000}

    def state(self) -> dict:
        """exceptions, dialogs, script_state, chart and slider counts."""
        return self.page.evaluate(STATE_JS)

    def problems(self) -> list[str]:
        """Everything wrong with the page as shown now (empty when clean)."""
        s, out = self.state(), []
        out += [f"exception: {x['text'][:500]}" for x in s["exceptions"]]
        if s["script_state"] == "compilationError":
            out.append("script compilation error: " + " | ".join(s["dialogs"])[:500])
        if any("Page not found" in d for d in s["dialogs"]):
            out.append("page not found (Streamlit fell back to the main page)")
        if s["content_elements"] == 0:
            out.append("nothing rendered in the main area")
        if s["charts_drawn"] < s["chart_elements"]:
            out.append(f"only {s['charts_drawn']} of {s['chart_elements']} plotly charts drawn")
        out += [f"console error: {e}" for e in self.console_errors]
        out += [f"page error: {e}" for e in self.page_errors]
        return out

    def plot_signatures(self) -> list[str]:
        return self.page.evaluate(PLOT_SIGNATURES_JS)

    def press_slider(self, index: int = 0) -> dict:
        """Press an arrow key on slider ``index`` (sidebar, then main); wait for the redraw.

        Returns value_before/after, moved, no_rerun, charts_changed and, in ms
        from the key press: rerun_ms (script finished), chart_ms (last chart
        mutation, None if no chart changed) and settled_ms (idle again).
        """
        sliders = self.page.locator(SLIDER_CSS)
        if sliders.count() <= index:
            raise AssertionError(f"no slider #{index} on {self.page.url}")
        slider = sliders.nth(index)
        value = lambda: slider.evaluate(SLIDER_VALUE_JS)  # noqa: E731
        before = value()
        key = "ArrowLeft" if before["at_max"] else "ArrowRight"
        sig_before = self.plot_signatures()
        self.page.evaluate(MARK_JS)
        slider.focus()
        self.page.keyboard.press(key)
        idle = self.wait_idle(need_run=True)
        m = self.page.evaluate(AFTER_MARK_JS)
        sig_after = self.plot_signatures()
        t_key = m["keyAt"] if m["keyAt"] is not None else m["mark"]
        after_ms = lambda t: None if t is None else t - t_key  # noqa: E731
        return {
            "key": key, "value_before": before["value"], "value_after": value()["value"],
            "moved": before["value"] != value()["value"], "no_rerun": bool(idle.get("noRerun")),
            "charts_changed": sum(a != b for a, b in zip(sig_before, sig_after))
            + abs(len(sig_after) - len(sig_before)),
            "rerun_ms": after_ms(m["runEnd"]),
            "chart_ms": after_ms(m["lastPlotMutation"]) if m["plotMutations"] else None,
            "settled_ms": None if idle.get("noRerun")
            else after_ms(max(idle["idleSince"], idle["lastMutation"])),
        }

    def screenshot(self, path: Path, max_height: int = 16000) -> Path:
        """Full-page PNG: the window is grown to the content height first."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        viewport = self.page.viewport_size
        extra = self.page.evaluate(SCROLL_EXTRA_JS)
        if extra > 0:
            self.page.set_viewport_size({"width": viewport["width"],
                                         "height": min(viewport["height"] + extra, max_height)})
            self.page.wait_for_timeout(250)
            self.wait_idle()  # charts re-lay out to the new size
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")
        if extra > 0:
            self.page.set_viewport_size(viewport)
            self.page.wait_for_timeout(250)
            self.wait_idle()
        return path


def new_context(browser, width: int = 1280, height: int = 900):
    """A fresh browser context (own cache and storage) with the idle probe installed."""
    ctx = browser.new_context(viewport={"width": width, "height": height},
                              device_scale_factor=1, locale="en-US")
    ctx.add_init_script(INIT_JS)
    return ctx


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def app_dir() -> Path:
    """Folder with the app.py under test ($GRADFLOW_APP_DIR or the project root)."""
    return default_app_dir()


@pytest.fixture(scope="session")
def chromium_browser():
    """A Playwright Browser on the installed Chromium (skips, or fails under CI=true)."""
    exe = find_chromium()
    if exe is None:
        skip_or_fail("Chromium not found: install Debian's chromium (apt-get install chromium "
                     "fonts-liberation fonts-noto-cjk) or put a chromium on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as pw:
        browser = launch_chromium(pw, exe)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def streamlit_server(app_dir: Path, tmp_path_factory) -> str:
    """Base URL (``http://127.0.0.1:PORT``) of the app served for this session."""
    if not (app_dir / "app.py").is_file():
        pytest.skip(f"no app.py in {app_dir}")
    server = StreamlitServer(app_dir, tmp_path_factory.mktemp("streamlit") / "server.log")
    try:
        server.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield server.base_url
    server.stop()


@pytest.fixture(scope="session")
def browser_context(chromium_browser):
    """One browser context for the session: tabs share the HTTP cache, so the
    app's JavaScript is fetched and compiled once, not per test."""
    ctx = new_context(chromium_browser)
    yield ctx
    ctx.close()


@pytest.fixture
def app_page(browser_context, streamlit_server) -> AppPage:
    """A new tab on the app (nothing loaded yet: call ``app_page.open("/")``)."""
    page = AppPage(browser_context.new_page(), streamlit_server)
    yield page
    page.page.close()
