"""Protocol-level load test: many Streamlit sessions on the app server, without browsers.

Each client speaks Streamlit's own websocket protocol (``/_stcore/stream``,
binary ``BackMsg`` / ``ForwardMsg`` protobufs from ``streamlit.proto``) the way
the browser's frontend does, so the load is the server's alone (the browser
load test, benchmarks/load_app.py, also measures Chromium drawing pages on the
same machine). All clients run in one asyncio loop: hundreds of them cost at
most one core (the generator's own CPU time is reported).

A client is one student's browser tab:

1. Page load: a ``rerun_script`` BackMsg whose ``ClientState`` holds the
   page's URL path (``page_name``) and a query string, either a lecture preset
   (gradflow.presets.PRESETS) or one to three random settings of the page's
   widgets, then every ForwardMsg until ``script_finished``.
2. Widget changes: from the deltas of the last run the client keeps every
   widget (its id, kind, range or options, current value), as the frontend's
   widget manager does. A change is one widget set to a new value (a slider
   or number moved by a few steps, another option, a switched toggle or
   tab): the client writes it into its URL query (every widget of the app is
   bound to the URL; the server's own updates arrive as
   ``page_info_changed``) and sends a rerun with the values of all the
   page's widgets, the query string and the hashes of the messages it has
   cached (a ForwardMsg the client already has comes back as a
   ``ref_hash``, as for the browser). Every ``--page-every`` changes it
   opens another page (a preset or random settings) in the same session,
   as a page link does.
3. Between runs it waits a think time (uniform in 0.5..1.5 x ``--think``).

A change is *seen* when the page drawn after it differs from the one before
(the hashes of its charts and texts), so a run that ignored the new value
shows up in the report ("changes seen / changes").

Reported per N concurrent sessions over S seconds: script runs completed
(page loads + changes), runs per second, errors (``exception`` elements in
the deltas, script compilation errors, page not found, unresolvable
``ref_hash``, dropped connections, runs not finished within ``--timeout``),
error alerts the app showed (st.error; not counted as errors), run latency
p50/p95/p99 (from sending the rerun until ``script_finished``), and the
server's CPU (cores used on average) and RSS (the server process and its
children, from /proc: at start after warm-up, peak, end, and a few seconds
after the sessions closed; Streamlit keeps a closed session for
``server.disconnectedSessionTTL`` seconds, 120 by default, for a reconnect).
A single-session baseline (one session, no think time) gives the median run
time the targets refer to:

    30 sessions: 0 errors and p95 <= 3 x the single-session median
    100 sessions: 0 errors

Times depend on the machine and on whatever else runs on it; compare numbers
from one run of this script (the baseline is measured in the same run).

Modes (run from the project root):
    python benchmarks/load_proto.py                        # baseline, then 10, 30, 100 sessions x 60 s
    python benchmarks/load_proto.py --sessions 30 --seconds 30 --think 2
    python benchmarks/load_proto.py --url http://127.0.0.1:8501   # a server that is already running
    python benchmarks/load_proto.py --behind-proxy 1,2,4 --sessions 30,100
        # docs/deploy/serve.sh N PORT: N app processes behind nginx (sticky by a cookie;
        # every client sends a cookie of its own)
    python benchmarks/load_proto.py --memory --sessions 100
        # memory per session: page 3, random weights, a distinct seed per session,
        # sessions opened in steps and held open; RSS growth per extra session
    python benchmarks/load_proto.py ... --json out.json

Exit status 1 if any run saw an error (or, with --memory, growth >= --mb-target per session).
Only 127.0.0.1 is used: the server it starts binds there and --url must point there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gradflow.presets import PAGE_GATES, PAGES, PRESETS  # noqa: E402
from gradflow.urlstate import query_for  # noqa: E402

HOST = "127.0.0.1"
GLOBAL_KEYS = ("lang", "present", "img")  # the sidebar's settings: not what a student changes in class
TEXT_KINDS = ("text_input", "text_area")  # free text is not changed (a fuzz test's job, not a load test's)
FINISHED_EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
FINISHED_COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
MAX_MSGS_PER_RUN = 20_000  # bound on ForwardMsgs read for one run
MAX_ERRORS_KEPT = 20  # distinct error texts kept for the report
WIDGET_KINDS = ("slider", "number_input", "checkbox", "radio", "selectbox", "button_group", "multiselect",
                *TEXT_KINDS)
VOLATILE = ("download_button",)  # elements that differ on every run (a new file id): not part of a run's look
COOKIE = "gfsession"  # the sticky-session cookie of docs/deploy/nginx.conf


def page_name(page_file: str) -> str:
    """URL path of a page file as Streamlit names it ("pages/3_Gates_on_PTB.py" -> "Gates_on_PTB"; home "")."""
    if page_file == PAGES[0]:
        return ""
    return re.sub(r"^\d+_", "", Path(page_file).stem)


def pct(xs: list[float], q: float) -> float | None:
    """Nearest-rank percentile q (0..100); None for no data."""
    if not xs:
        return None
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


# ---------------------------------------------------------------- server CPU and memory (Linux /proc)
def child_pids(pid: int) -> list[int]:
    """The direct children of `pid` (Linux /proc; [] elsewhere)."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo and len(seen) < 1000:
        p = todo.pop()
        if p not in seen:
            seen.append(p)
            todo += child_pids(p)
    return seen


def tree_rss_mb(pid: int | None) -> float | None:
    """VmRSS of `pid` and its descendants in MB; None where /proc cannot tell (not Linux, process gone)."""
    if pid is None:
        return None
    total, ok = 0, False
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])  # kB
                        ok = True
        except OSError:
            continue
    return total / 1024 if ok else None


def tree_cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds of `pid` and its descendants (None where /proc cannot tell)."""
    if pid is None:
        return None
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, ok = 0.0, False
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / hz  # utime, stime
            ok = True
        except (OSError, IndexError, ValueError):
            continue
    return total if ok else None


class Monitor:
    """Samples the server tree's RSS every `period` s; CPU seconds between start() and stop()."""

    def __init__(self, pid: int | None, period: float = 0.5):
        self.pid, self.period, self.rss = pid, period, []
        self.cpu0 = self.cpu1 = self.t0 = self.t1 = None
        self.me0 = self.me1 = None
        self._stop = asyncio.Event()
        self._task = None

    def start(self) -> None:
        self.cpu0, self.t0, self.me0 = tree_cpu_s(self.pid), time.monotonic(), time.process_time()
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        for _ in range(10_000_000):  # bounded; ends at stop()
            v = tree_rss_mb(self.pid)
            if v is not None:
                self.rss.append(v)
            try:
                await asyncio.wait_for(self._stop.wait(), self.period)
                return
            except asyncio.TimeoutError:
                pass

    async def stop(self) -> None:
        self.cpu1, self.t1, self.me1 = tree_cpu_s(self.pid), time.monotonic(), time.process_time()
        self._stop.set()
        if self._task:
            await self._task

    def result(self) -> dict:
        wall = (self.t1 or time.monotonic()) - self.t0
        cpu = None if self.cpu0 is None or self.cpu1 is None else self.cpu1 - self.cpu0
        return {"server_cpu_s": cpu, "server_cores": None if cpu is None else cpu / max(wall, 1e-9),
                "wall_monitored_s": wall,
                "server_rss_peak_mb": max(self.rss) if self.rss else None,
                "generator_cores": (self.me1 - self.me0) / max(wall, 1e-9)}


# ---------------------------------------------------------------- starting servers
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def wait_ready(base: str, proc: subprocess.Popen | None, timeout: float = 90.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before it answered")
        if _healthy(base):
            return
        time.sleep(0.3)
    raise TimeoutError(f"{base} not healthy after {timeout:.0f} s")


def start_server(port: int, app_dir: Path = ROOT, extra: tuple[str, ...] = (),
                 log=subprocess.DEVNULL) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:port (its own process group); returns once it answers."""
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.headless", "true", "--server.address", HOST, "--browser.gatherUsageStats", "false", *extra]
    proc = subprocess.Popen(cmd, cwd=app_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(f"http://{HOST}:{port}", proc)
    except BaseException:
        stop_process(proc)
        raise
    return proc


def start_proxy(n: int, port: int, app_dir: Path = ROOT, log=subprocess.DEVNULL) -> subprocess.Popen:
    """docs/deploy/serve.sh n port: n app processes behind nginx on 127.0.0.1:port."""
    script = ROOT / "docs" / "deploy" / "serve.sh"
    env = dict(os.environ, GRADFLOW_APP_DIR=str(app_dir), PYTHON=sys.executable)
    proc = subprocess.Popen(["bash", str(script), str(n), str(port)], cwd=app_dir, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, env=env)
    try:
        wait_ready(f"http://{HOST}:{port}", proc, timeout=60 + 30 * n)
    except BaseException:
        stop_process(proc)
        raise
    return proc


def stop_process(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM to the process group this script started (the server and what it started), then SIGKILL."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)


def check_local(url: str) -> str:
    """The ws:// stream URL for an http://127.0.0.1:PORT[/base] URL (refuses any other host)."""
    u = urllib.parse.urlsplit(url)
    if u.hostname != HOST or u.scheme not in ("http", "ws"):
        raise SystemExit(f"--url must be http://{HOST}:PORT (loopback only), got {url!r}")
    return f"ws://{u.netloc}{u.path.rstrip('/')}/_stcore/stream"


# ---------------------------------------------------------------- widgets seen in the deltas
def _widget(el_type: str, el) -> dict | None:
    """The client's view of one widget element: id, URL key, kind, range/options, current and default value."""
    if el_type not in WIDGET_KINDS:
        return None
    w = {"id": el.id, "kind": el_type, "key": getattr(el, "query_param_key", "") or el.id.rsplit("-", 1)[-1],
         "disabled": bool(getattr(el, "disabled", False))}
    if el_type == "slider":
        val = list(el.value) if el.set_value else list(el.default)
        if len(val) != 1 or el.options:  # range sliders and select_slider: not in this app
            return None
        w.update(lo=el.min, hi=el.max, step=el.step or 1.0, int=el.data_type == el.INT, value=val[0],
                 default=el.default[0] if el.default else None)
    elif el_type == "number_input":
        val = el.value if el.set_value and el.HasField("value") else (el.default if el.HasField("default") else None)
        w.update(lo=el.min if el.has_min else None, hi=el.max if el.has_max else None, step=el.step or 1.0,
                 int=el.data_type == el.INT, value=val, default=el.default if el.HasField("default") else None)
    elif el_type == "checkbox":
        w.update(value=el.value if el.set_value else el.default, default=el.default)
    elif el_type in ("radio", "selectbox"):
        opts = list(el.options)
        dflt = opts[el.default] if el.HasField("default") and 0 <= el.default < len(opts) else None
        w.update(options=opts, value=el.raw_value if el.set_value and el.HasField("raw_value") else dflt,
                 default=dflt)
    elif el_type in ("button_group", "multiselect"):
        opts = [o.content for o in el.options] if el_type == "button_group" else list(el.options)
        dflt = [opts[i] for i in el.default if 0 <= i < len(opts)]
        multi = el_type == "multiselect" or el.click_mode == el.MULTI_SELECT
        w.update(options=opts, multi=multi, value=list(el.raw_values) if el.set_value else dflt, default=dflt)
    elif el_type in TEXT_KINDS:
        w.update(value=el.value if el.set_value and el.HasField("value") else el.default, default=el.default)
    else:
        return None
    return w


def widget_state(w: dict) -> WidgetState | None:
    """The WidgetState the frontend sends for the widget's current value (None: nothing to send)."""
    v, k = w.get("value"), w["kind"]
    if v is None:
        return None
    s = WidgetState(id=w["id"])
    if k == "slider":
        s.double_array_value.data.append(float(v))
    elif k == "number_input":
        if w["int"]:
            s.int_value = int(v)
        else:
            s.double_value = float(v)
    elif k == "checkbox":
        s.bool_value = bool(v)
    elif k in ("radio", "selectbox", "tabs") or k in TEXT_KINDS:
        s.string_value = str(v)
    elif k in ("button_group", "multiselect"):
        s.string_array_value.data.extend(str(x) for x in v)
    else:
        return None
    return s


def changeable(w: dict) -> bool:
    if w["disabled"] or w["key"] in GLOBAL_KEYS or w["kind"] in TEXT_KINDS:
        return False
    if "options" in w:
        return len(w["options"]) > 1
    return w["kind"] == "checkbox" or w.get("lo") is None or w.get("hi") is None or w["hi"] > w["lo"]


def new_value(w: dict, rng: random.Random, jump: bool = False):
    """Another value for widget w: a few steps (arrow keys) or, with jump, anywhere in its range."""
    k, v = w["kind"], w.get("value")
    if k == "checkbox":
        return not v
    if "options" in w:
        opts = w["options"]
        if w.get("multi"):
            cur = set(v or [])
            o = rng.choice(opts)
            nv = [x for x in opts if (x in cur) != (x == o)]
            return nv or [x for x in opts if x != o][:1]
        return rng.choice([o for o in opts if o != v] or opts)
    lo, hi, step = w.get("lo"), w.get("hi"), w["step"]
    if v is None:
        v = w.get("default") or lo or 0
    for _ in range(20):  # bounded: a different value within [lo, hi]
        if jump and lo is not None and hi is not None:
            n = lo + step * rng.randint(0, int(round((hi - lo) / step)))
        else:
            n = v + step * rng.choice((-3, -2, -1, 1, 2, 3))
        if lo is not None:
            n = max(lo, n)
        if hi is not None:
            n = min(hi, n)
        n = int(round(n)) if w["int"] else round(n, 10)
        if n != v:
            return n
    return v


def query_value(w: dict, v) -> list[str]:
    """v as URL query values of the widget's key (as Streamlit writes them)."""
    if isinstance(v, list):
        return [str(x) for x in v]
    if isinstance(v, bool):
        return ["true" if v else "false"]
    if isinstance(v, float) and v == int(v):
        return [str(int(v))]
    return [str(v)]


def with_param(query: str, key: str, values: list[str] | None) -> str:
    """The query string with `key` set to `values` (None: removed), as the frontend updates the URL."""
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True) if k != key]
    pairs += [(key, v) for v in values or ()]
    return urllib.parse.urlencode(pairs)


def is_default(w: dict, v) -> bool:
    d = w.get("default")
    if isinstance(v, list):
        return sorted(v) == sorted(d or [])
    if isinstance(v, (int, float)) and isinstance(d, (int, float)) and not isinstance(v, bool):
        return math.isclose(float(v), float(d), rel_tol=1e-12, abs_tol=1e-12)
    return v == d


def random_query(catalog: dict, rng: random.Random) -> str:
    """One to three random settings of a page's widgets (from a catalog of its widgets) as a query string."""
    ws = [w for w in catalog.values() if changeable(w)]
    pairs = []
    for w in rng.sample(ws, min(len(ws), rng.randint(1, 3))):
        pairs += [(w["key"], x) for x in query_value(w, new_value(w, rng, jump=True))]
    return urllib.parse.urlencode(pairs)


def preset_query(p) -> str:
    return urllib.parse.urlencode(query_for(p.values, None, "en"), doseq=True)


# ---------------------------------------------------------------- one client session
class Stats:
    """Counts of one load run, shared by its sessions."""

    def __init__(self):
        self.runs = {"load": [], "change": [], "page": []}  # latencies (s) by kind
        self.by_page: dict[str, list[float]] = {}  # latencies (s) by page: where the slow runs are
        self.errors: dict[str, int] = {}
        self.error_alerts = 0
        self.changes = self.changed_output = 0
        self.unchanged: dict[str, int] = {}  # widget -> changes after which the page looked the same
        self.sessions_with_runs: set[int] = set()
        self.bytes_in = 0
        self.cache_refs = 0

    def error(self, kind: str, text: str = "") -> None:
        key = f"{kind}: {text}"[:300] if text else kind
        if key in self.errors or len(self.errors) < MAX_ERRORS_KEPT:
            self.errors[key] = self.errors.get(key, 0) + 1
        else:
            self.errors["(more)"] = self.errors.get("(more)", 0) + 1

    @property
    def n_errors(self) -> int:
        return sum(self.errors.values())

    def all_runs(self) -> list[float]:
        return [x for v in self.runs.values() for x in v]


class RunTimeout(Exception):
    pass


class Client:
    """One browser tab's session, over one websocket."""

    def __init__(self, index: int, ws_url: str, stats: Stats, rng: random.Random, timeout: float,
                 cookie: str | None = None):
        self.index, self.ws_url, self.stats, self.rng = index, ws_url, stats, rng
        self.timeout, self.cookie = timeout, cookie
        self.ws = None
        self.page_hashes: dict[str, str] = {}  # url path -> page_script_hash
        self.page_hash = ""
        self.query = ""
        self.widgets: dict[str, dict] = {}  # id -> widget of the last finished run
        self.states: dict[str, WidgetState] = {}  # id -> value the client holds (the frontend's widget manager)
        self._run_widgets: dict[str, dict] = {}
        self._tabs: dict[tuple, dict] = {}  # path of a bound tab container -> its widget (labels filled in)
        self.msg_cache: dict[str, int] = {}  # hash of a cacheable message -> finished runs when last seen
        self.max_cache_age = 2
        self.runs_finished = 0
        self.exceptions_in_run: list[str] = []
        self.runs_done = 0
        self.last_sig: tuple = ()  # hashes of the last run's output elements (charts, text; no widgets)
        self._sig: list[str] = []
        self.texts: list[str] = []  # markdown of the last run (for checks)
        self._texts: list[str] = []
        self.gave_up = False  # the session ended on an error
        self.path = ""  # URL path of the page shown

    # -- connection --------------------------------------------------------
    async def connect(self) -> None:
        headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else None
        self.ws = await asyncio.wait_for(
            websockets.connect(self.ws_url, subprotocols=["streamlit"], additional_headers=headers,
                               max_size=None, open_timeout=self.timeout, close_timeout=5), self.timeout + 5)

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 10)
            except (asyncio.TimeoutError, websockets.WebSocketException, OSError):
                pass
            self.ws = None

    # -- ForwardMsg handling -------------------------------------------------
    def _handle(self, m: ForwardMsg) -> int | None:
        """Update the client from one ForwardMsg; the script_finished status if it is one."""
        t = m.WhichOneof("type")
        if t == "ref_hash":
            if m.ref_hash not in self.msg_cache:
                self.stats.error("unknown ref_hash")
            else:
                self.msg_cache[m.ref_hash] = self.runs_finished
                self.stats.cache_refs += 1
            self._sig.append(m.ref_hash)
            return None
        if m.metadata.cacheable and m.hash:
            # Only the hash is kept: the cached messages are large new elements (charts), no widget.
            self.msg_cache[m.hash] = self.runs_finished
        if t == "delta":
            d = m.delta
            dt = d.WhichOneof("type")
            path = tuple(m.metadata.delta_path)
            if dt == "new_element":
                et = d.new_element.WhichOneof("type")
                el = getattr(d.new_element, et)
                if et not in WIDGET_KINDS and et not in VOLATILE:
                    self._sig.append(m.hash)
                if et == "exception":
                    self.stats.error("exception", f"{el.type}: {el.message}")
                elif et == "alert" and el.format == el.ERROR:
                    self.stats.error_alerts += 1
                elif et == "markdown" and len(self._texts) < 500:
                    self._texts.append(el.body[:500])
                elif hasattr(el, "id") and el.id:
                    w = _widget(et, el)
                    if w is not None:
                        w["set_value"] = bool(getattr(el, "set_value", False))
                        self._run_widgets[w["id"]] = w
            elif dt == "add_block":
                b = d.add_block
                bt = b.WhichOneof("type")
                if bt == "tab_container" and b.tab_container.id:
                    tc = b.tab_container
                    w = {"id": tc.id, "kind": "tabs", "key": tc.query_param_key or tc.id.rsplit("-", 1)[-1],
                         "disabled": False, "options": [], "index": tc.default_tab_index,
                         "default": tc.default_tab_label or None, "set_value": True}
                    self._tabs[path] = w
                    self._run_widgets[w["id"]] = w
                elif bt == "tab" and path[:-1] in self._tabs:
                    self._tabs[path[:-1]]["options"].append(b.tab.label)
        elif t == "new_session":
            ns = m.new_session
            self.page_hash = ns.page_script_hash or self.page_hash
            self.max_cache_age = ns.config.max_cached_message_age or self.max_cache_age
            self._run_widgets, self._tabs, self._sig, self._texts = {}, {}, [], []
        elif t == "navigation":
            for p in m.navigation.app_pages:
                self.page_hashes[p.url_pathname] = p.page_script_hash
            self.page_hash = m.navigation.page_script_hash or self.page_hash  # the page this run shows
        elif t == "page_info_changed":
            self.query = m.page_info_changed.query_string
        elif t == "page_not_found":
            self.stats.error("page not found", m.page_not_found.page_name)
        elif t == "session_event":
            ev = m.session_event.WhichOneof("type")
            if ev == "script_compilation_exception":
                self.stats.error("script compilation error", m.session_event.script_compilation_exception.message)
        elif t == "script_finished":
            return m.script_finished
        return None

    def _finish_run(self) -> None:
        """At script_finished: the run's widgets become the client's; old cache entries are dropped."""
        self.runs_finished += 1
        for w in self._run_widgets.values():
            if w["kind"] == "tabs":
                i = w.pop("index")
                w["value"] = w["options"][i] if 0 <= i < len(w["options"]) else None
        new = {}
        for wid, w in self._run_widgets.items():
            old = self.states.get(wid)
            # As the frontend: a value the server sets wins; otherwise the client keeps what it holds.
            s = widget_state(w) if (w["set_value"] or old is None) else old
            if s is not None:
                new[wid] = s
            if old is not None and not w["set_value"]:
                w["value"] = _state_value(old, w)
        self.states, self.widgets = new, self._run_widgets
        self.last_sig, self.texts = tuple(self._sig), self._texts
        self.msg_cache = {h: r for h, r in self.msg_cache.items() if self.runs_finished - r <= self.max_cache_age}

    async def _recv(self, deadline: float) -> ForwardMsg:
        data = await asyncio.wait_for(self.ws.recv(), max(0.0, deadline - time.monotonic()))
        self.stats.bytes_in += len(data)
        m = ForwardMsg()
        m.ParseFromString(data)
        return m

    async def idle(self, seconds: float) -> None:
        """Read (and check) whatever the server sends for `seconds` (nothing is expected)."""
        end = time.monotonic() + seconds
        for _ in range(MAX_MSGS_PER_RUN):
            if time.monotonic() >= end:
                return
            try:
                m = await self._recv(end)
            except asyncio.TimeoutError:
                return
            if self._handle(m) is not None:
                self._finish_run()

    async def rerun(self, state: ClientState, kind: str) -> float:
        """Send one rerun and read until its script_finished; returns the run time (s)."""
        for h in self.msg_cache:
            state.cached_message_hashes.append(h)
        state.context_info.timezone = "UTC"
        state.context_info.timezone_offset = 0
        state.context_info.locale = "en-US"
        msg = BackMsg()
        msg.rerun_script.CopyFrom(state)
        t0 = time.monotonic()
        await self.ws.send(msg.SerializeToString())
        deadline = t0 + self.timeout
        for _ in range(MAX_MSGS_PER_RUN):
            try:
                m = await self._recv(deadline)
            except asyncio.TimeoutError:
                raise RunTimeout(f"{kind} run not finished within {self.timeout:.0f} s") from None
            status = self._handle(m)
            if status is None:
                continue
            self._finish_run()
            if status == FINISHED_EARLY:  # the app's own st.rerun: the next run follows
                continue
            if status == FINISHED_COMPILE_ERROR:
                self.stats.error("script compilation error")
            dt = time.monotonic() - t0
            self.stats.runs[kind].append(dt)
            self.stats.by_page.setdefault(self.path or "main", []).append(dt)
            self.stats.sessions_with_runs.add(self.index)
            self.runs_done += 1
            return dt
        raise RunTimeout(f"{kind} run: more than {MAX_MSGS_PER_RUN} messages")

    # -- what a student does ---------------------------------------------------
    async def load(self, page_file: str, query: str, kind: str = "load") -> float:
        """Open a page with a query: a new tab (kind "load") or a page link in this tab (kind "page")."""
        name = page_name(page_file)
        self.query, self.path = query, name
        st = ClientState(query_string=query, page_name=name,
                         page_script_hash=self.page_hashes.get(name, "") if kind == "page" else "")
        st.context_info.url = f"http://{HOST}/{name}" + (f"?{query}" if query else "")
        return await self.rerun(st, kind)

    async def change(self, key: str | None = None, value=None) -> bool:
        """Set one widget to a new value and rerun with all the widgets' values, as the frontend does.

        key/value: that widget (by its URL key) and value; default a random widget and a nearby value.
        """
        if key is None:
            cands = [w for w in self.widgets.values() if changeable(w)]
            if not cands:
                return False
            w = self.rng.choice(cands)
            v = new_value(w, self.rng)
        else:
            w = next(x for x in self.widgets.values() if x["key"] == key)
            v = value
        s = widget_state(dict(w, value=v))
        if s is None:
            return False
        states = dict(self.states)
        states[w["id"]] = s
        # The frontend writes a bound widget's new value into the URL (a default value leaves it).
        self.query = with_param(self.query, w["key"], None if is_default(w, v) else query_value(w, v))
        before = self.last_sig
        st = ClientState(query_string=self.query, page_script_hash=self.page_hash,
                         widget_states=WidgetStates(widgets=list(states.values())))
        st.context_info.url = f"http://{HOST}/{self.path}" + (f"?{self.query}" if self.query else "")
        await self.rerun(st, "change")
        self.stats.changes += 1
        if self.last_sig != before:
            self.stats.changed_output += 1
        else:
            k = f"{w['kind']} {w['key']}"
            self.stats.unchanged[k] = self.stats.unchanged.get(k, 0) + 1
        return True


def _state_value(s: WidgetState, w: dict):
    f = s.WhichOneof("value")
    if f is None:
        return None
    v = getattr(s, f)
    if f.endswith("_array_value"):
        v = list(v.data)
        return v[0] if w["kind"] == "slider" and v else v
    return v


# ---------------------------------------------------------------- plans and catalogs
def choose_visit(rng: random.Random, catalogs: dict, pages: list[str]) -> tuple[str, str]:
    """(page file, query) of a page visit: a preset (about a third of the time) or random settings."""
    presets = [p for p in PRESETS if p.page in pages]
    if presets and rng.random() < 0.35:
        p = rng.choice(presets)
        return p.page, preset_query(p)
    page = rng.choice(pages)
    return page, random_query(catalogs.get(page, {}), rng) if rng.random() < 0.8 else ""


async def discover(ws_url: str, pages: list[str], timeout: float, cookie: str | None = None) -> dict:
    """Open every page once (warms the server's caches); the widgets of each page, by id."""
    stats = Stats()
    catalogs = {}
    c = Client(-1, ws_url, stats, random.Random(0), timeout, cookie)
    await c.connect()
    try:
        for i, page in enumerate(pages):
            await c.load(page, "", "load" if i == 0 else "page")
            catalogs[page] = dict(c.widgets)
    finally:
        await c.close()
    if stats.n_errors:
        print(f"  warm-up saw errors: {stats.errors}", file=sys.stderr)
    return catalogs


async def session_loop(c: Client, *, start_delay: float, deadline: float, think: float, page_every: int,
                       catalogs: dict, pages: list[str], first_visit: tuple[str, str] | None = None,
                       hold: asyncio.Event | None = None) -> None:
    """One student from arrival to the deadline (or, with `hold`, until hold is set: memory mode)."""
    rng = c.rng
    await asyncio.sleep(start_delay)
    reconnects = 0
    while time.monotonic() < deadline and reconnects <= 3:
        try:
            await c.connect()
            page, query = first_visit or choose_visit(rng, catalogs, pages)
            await c.load(page, query)
            if hold is not None:  # memory mode: keep the session open and idle
                for _ in range(1_000_000):
                    if hold.is_set() or time.monotonic() >= deadline:
                        break
                    await c.idle(1.0)
                return
            changes = 0
            for _ in range(100_000):  # bounded; the deadline ends it first
                await c.idle(rng.uniform(0.5, 1.5) * think if think > 0 else 0.0)
                if time.monotonic() >= deadline:
                    return
                if page_every and changes and changes % page_every == 0:
                    page, query = choose_visit(rng, catalogs, pages)
                    await c.load(page, query, "page")
                    changes += 1
                elif await c.change():
                    changes += 1
                else:  # nothing to change on this page: go to another
                    page, query = choose_visit(rng, catalogs, pages)
                    await c.load(page, query, "page")
            return
        except RunTimeout as e:
            c.stats.error("timeout", str(e))
            c.gave_up = True
            return
        except (websockets.ConnectionClosed, OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
            c.stats.error("dropped connection", type(e).__name__)
            reconnects += 1
            await c.close()
            await asyncio.sleep(1.0)
            c.gave_up = reconnects > 3
        finally:
            if hold is None:
                await c.close()


# ---------------------------------------------------------------- one measurement
async def run_load(ws_url: str, n: int, seconds: float, *, pid: int | None = None, think: float = 5.0,
                   page_every: int = 8, pages: list[str] | None = None, seed: int = 0, timeout: float = 60.0,
                   catalogs: dict | None = None, cookies: bool = False, settle: float = 3.0,
                   first_visits: list | None = None) -> dict:
    """N concurrent sessions for `seconds` (session starts spread over the first think time); the results."""
    pages = list(pages or PAGES)
    if catalogs is None:
        catalogs = await discover(ws_url, pages, timeout, "warmup" if cookies else None)
    stats = Stats()
    rss_start = tree_rss_mb(pid)
    mon = Monitor(pid)
    mon.start()
    t0 = time.monotonic()
    deadline = t0 + seconds
    master = random.Random(seed)
    clients = [Client(i, ws_url, stats, random.Random(master.random()), timeout,
                      f"s{seed}-{i}-{master.getrandbits(32):08x}" if cookies else None) for i in range(n)]
    ramp = min(max(think, 1.0), seconds / 4)
    tasks = [session_loop(c, start_delay=ramp * i / n, deadline=deadline, think=think, page_every=page_every,
                          catalogs=catalogs, pages=pages,
                          first_visit=first_visits[i] if first_visits else None) for i, c in enumerate(clients)]
    await asyncio.wait_for(asyncio.gather(*tasks), seconds + timeout + 60)
    wall = time.monotonic() - t0
    rss_end = tree_rss_mb(pid)
    await mon.stop()
    await asyncio.sleep(settle)
    rss_closed = tree_rss_mb(pid)
    runs = stats.all_runs()
    r = {"sessions": n, "seconds": seconds, "wall_s": wall, "think_s": think,
         "runs": len(runs), "loads": len(stats.runs["load"]), "page_switches": len(stats.runs["page"]),
         "changes": stats.changes, "changes_seen": stats.changed_output, "unchanged": stats.unchanged,
         "runs_per_s": len(runs) / wall, "sessions_with_runs": len(stats.sessions_with_runs),
         "errors": stats.n_errors, "error_kinds": stats.errors, "error_alerts": stats.error_alerts,
         "p50_s": pct(runs, 50), "p95_s": pct(runs, 95), "p99_s": pct(runs, 99),
         "change_p95_s": pct(stats.runs["change"], 95), "load_p95_s": pct(stats.runs["load"], 95),
         "by_page": {p: {"runs": len(v), "p50_s": pct(v, 50), "p95_s": pct(v, 95)} for p, v in stats.by_page.items()},
         "cache_refs": stats.cache_refs, "mb_in": stats.bytes_in / 2**20,
         "server_rss_start_mb": rss_start, "server_rss_end_mb": rss_end, "server_rss_closed_mb": rss_closed,
         **mon.result()}
    # Server CPU seconds per run: what a run costs whatever else the machine does;
    # capacity ~ cores the server can have / this.
    r["server_cpu_per_run_s"] = r["server_cpu_s"] / len(runs) if runs and r["server_cpu_s"] is not None else None
    return r


async def baseline(ws_url: str, *, pid: int | None, seconds: float, seed: int, timeout: float, catalogs: dict,
                   pages: list[str], cookies: bool = False) -> dict:
    """One session, no think time: the median run time of this server on this machine, now."""
    return await run_load(ws_url, 1, seconds, pid=pid, think=0.0, seed=seed + 7919, timeout=timeout,
                          catalogs=catalogs, pages=pages, cookies=cookies, settle=0.0)


# ---------------------------------------------------------------- memory per session (part C of the issue)
def gates_visit(seed: int) -> tuple[str, str]:
    """Page 3 in random-weights mode with its own seed (the seed is used with a random sentence)."""
    return PAGE_GATES, urllib.parse.urlencode({"src": "random", "weights": "random", "seed": seed})


async def memory_per_session(ws_url: str, pid: int, *, n: int = 100, steps: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0),
                             settle: float = 4.0, timeout: float = 120.0, seed0: int = 1000) -> dict:
    """RSS as sessions of page 3 (random weights, distinct seeds) open and stay open; MB per extra session.

    First the cache is filled (cache.gates_model keeps 4 random models) by
    sessions that close again; then sessions open in steps and stay open;
    the slope of RSS over open sessions (least squares over the steps) is the
    memory a session costs beyond the cached entries.
    """
    stats = Stats()
    hold = asyncio.Event()
    far = time.monotonic() + 24 * 3600
    # Fill the model cache with other seeds (the sessions close again).
    for s in range(6):
        c = Client(-1, ws_url, stats, random.Random(s), timeout)
        await c.connect()
        await c.load(*gates_visit(seed0 - 1 - s))
        await c.close()
    await asyncio.sleep(settle)
    points = [(0, tree_rss_mb(pid))]
    clients, tasks = [], []
    counts = sorted({max(1, int(round(f * n))) for f in steps})
    t_start = time.monotonic()
    for target in counts:
        while len(clients) < target:
            i = len(clients)
            c = Client(i, ws_url, stats, random.Random(i), timeout)
            clients.append(c)
            tasks.append(asyncio.ensure_future(session_loop(
                c, start_delay=0.0, deadline=far, think=0.0, page_every=0, catalogs={}, pages=[PAGE_GATES],
                first_visit=gates_visit(seed0 + i), hold=hold)))
            # A few at a time, so that the steps measure memory, not a queue of runs.
            if i % 4 == 3:
                await _wait_loaded(clients, timeout)
        await _wait_loaded(clients, timeout)
        await asyncio.sleep(settle)
        points.append((len(clients), tree_rss_mb(pid)))
        print(f"  {len(clients):4d} sessions open: server RSS {points[-1][1]:.0f} MB", flush=True)
    hold.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    for c in clients:
        await c.close()
    await asyncio.sleep(settle)
    rss_closed = tree_rss_mb(pid)
    xs = [p[0] for p in points[1:]]
    ys = [p[1] for p in points[1:]]
    slope = _slope(xs, ys) if len(xs) >= 2 else None
    return {"sessions": n, "points": points, "mb_per_session": slope,
            "mb_per_session_from_0": (points[-1][1] - points[0][1]) / max(1, points[-1][0]),
            "rss_closed_mb": rss_closed, "errors": stats.n_errors, "error_kinds": stats.errors,
            "runs": len(stats.all_runs()), "load_p50_s": pct(stats.runs["load"], 50),
            "seconds": time.monotonic() - t_start}


async def _wait_loaded(clients: list[Client], timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and any(c.runs_done == 0 and not c.gave_up for c in clients):
        await asyncio.sleep(0.2)


def _slope(xs: list[float], ys: list[float]) -> float:
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")


# ---------------------------------------------------------------- report
def _f(x, fmt="{:.2f}", none="-"):
    return none if x is None else fmt.format(x)


def table(rows: list[dict], base_median: float | None, label: str = "") -> str:
    head = (f"{'setup':>10} {'N':>4} {'runs':>6} {'runs/s':>7} {'err':>4} {'p50 s':>6} {'p95 s':>6} {'p99 s':>6} "
            f"{'p95/base':>8} {'seen':>9} {'srv cores':>9} {'RSS start':>9} {'peak':>6} {'end':>6} {'closed':>6} "
            f"{'gen cores':>9}")
    lines = [head]
    for r in rows:
        ratio = r["p95_s"] / base_median if base_median and r["p95_s"] else None
        lines.append(
            f"{r.get('setup', label):>10} {r['sessions']:>4} {r['runs']:>6} {r['runs_per_s']:>7.2f} {r['errors']:>4} "
            f"{_f(r['p50_s']):>6} {_f(r['p95_s']):>6} {_f(r['p99_s']):>6} {_f(ratio, '{:.1f}x'):>8} "
            f"{r['changes_seen']:>4}/{r['changes']:<4} {_f(r['server_cores']):>9} "
            f"{_f(r.get('server_cpu_per_run_s'), '{:.3f}'):>9} "
            f"{_f(r['server_rss_start_mb'], '{:.0f}'):>9} {_f(r['server_rss_peak_mb'], '{:.0f}'):>6} "
            f"{_f(r['server_rss_end_mb'], '{:.0f}'):>6} {_f(r['server_rss_closed_mb'], '{:.0f}'):>6} "
            f"{r['generator_cores']:>9.2f}")
    return "\n".join(lines)


def verdict(r: dict, base_median: float | None) -> str:
    if r["sessions"] == 100:
        return f"100 sessions: {'PASS' if r['errors'] == 0 else 'FAIL'} (0 errors: {r['errors']})"
    if r["sessions"] == 30 and base_median:
        ok = r["errors"] == 0 and r["p95_s"] is not None and r["p95_s"] <= 3 * base_median
        return (f"30 sessions: {'PASS' if ok else 'FAIL'} (errors {r['errors']}, p95 {_f(r['p95_s'])} s vs "
                f"3 x median {3 * base_median:.2f} s)")
    return ""


# ---------------------------------------------------------------- command line
def _ints(s: str) -> list[int]:
    return [int(x) for x in s.split(",") if x.strip()]


async def _main_load(args, ws_url: str, pid: int | None, setup: str, cookies: bool) -> tuple[list, dict]:
    pages = list(PAGES)
    catalogs = await discover(ws_url, pages, args.timeout, "warmup" if cookies else None)
    b = await baseline(ws_url, pid=pid, seconds=args.baseline_seconds, seed=args.seed, timeout=args.timeout,
                       catalogs=catalogs, pages=pages, cookies=cookies)
    med = b["p50_s"]
    print(f"[{setup}] single-session baseline: {b['runs']} runs in {b['wall_s']:.0f} s, median run "
          f"{_f(med)} s, p95 {_f(b['p95_s'])} s, errors {b['errors']}", flush=True)
    rows = []
    for n in args.sessions:
        r = await run_load(ws_url, n, args.seconds, pid=pid, think=args.think, page_every=args.page_every,
                           seed=args.seed + n, timeout=args.timeout, catalogs=catalogs, pages=pages,
                           cookies=cookies)
        r["setup"] = setup
        rows.append(r)
        print(table([r], med).splitlines()[1], flush=True)
        if r["errors"]:
            print(f"    errors: {r['error_kinds']}", flush=True)
        if r["unchanged"]:
            print(f"    changes after which the page looked the same: {r['unchanged']}", flush=True)
    return rows, b


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=_ints, default=[10, 30, 100], help="concurrent sessions, a comma list "
                    "(default 10,30,100)")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each load run (default 60)")
    ap.add_argument("--think", type=float, default=5.0, help="mean seconds between a session's changes "
                    "(uniform 0.5..1.5 x this; 0: back to back; default 5)")
    ap.add_argument("--page-every", type=int, default=8, help="open another page after this many changes (0: never)")
    ap.add_argument("--baseline-seconds", type=float, default=20.0, help="length of the single-session run")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds a run may take before it is an error")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--url", help=f"a running server (http://{HOST}:PORT); default: start one")
    ap.add_argument("--behind-proxy", type=_ints, default=None, metavar="N[,N...]",
                    help="run docs/deploy/serve.sh N (N app processes behind nginx) for each N")
    ap.add_argument("--memory", action="store_true", help="memory per session on page 3 (random weights)")
    ap.add_argument("--mb-target", type=float, default=2.0, help="memory target per session (MB, --memory)")
    ap.add_argument("--app-dir", type=Path, default=ROOT, help="folder of the app.py to serve (default: this project)")
    ap.add_argument("--server-log", type=Path, help="append the servers' output here (default: discarded)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    log = open(args.server_log, "ab") if args.server_log else subprocess.DEVNULL
    out: dict = {"machine_cpus": os.cpu_count(), "think_s": args.think, "seconds": args.seconds}
    bad = False
    try:
        if args.memory:
            n = max(args.sessions)
            if args.url:
                raise SystemExit("--memory needs the server's process id: run it without --url")
            port = free_port()
            proc = start_server(port, args.app_dir, log=log)
            try:
                r = asyncio.run(memory_per_session(check_local(f"http://{HOST}:{port}"), proc.pid, n=n,
                                                   timeout=max(args.timeout, 120)))
            finally:
                stop_process(proc)
            out["memory"] = r
            print(f"memory: page 3, random weights, {n} sessions with distinct seeds")
            for k, v in r["points"]:
                print(f"  {k:4d} open sessions: RSS {v:.0f} MB")
            print(f"  growth per extra session (slope over the steps): {_f(r['mb_per_session'])} MB "
                  f"(target < {args.mb_target} MB); after all closed: {_f(r['rss_closed_mb'], '{:.0f}')} MB; "
                  f"errors {r['errors']} {r['error_kinds'] or ''}")
            bad = r["errors"] > 0 or (r["mb_per_session"] or 0) >= args.mb_target
        elif args.behind_proxy:
            rows_all = []
            for k in args.behind_proxy:
                port = free_port()
                proc = start_proxy(k, port, args.app_dir, log=log)
                try:
                    rows, b = asyncio.run(_main_load(args, check_local(f"http://{HOST}:{port}"), proc.pid,
                                                     f"{k} proc", cookies=True))
                finally:
                    stop_process(proc)
                rows_all += [dict(r, baseline_median_s=b["p50_s"]) for r in rows]
                out.setdefault("baselines", {})[k] = b
            out["proxy"] = rows_all
            print("\nbehind nginx (server = nginx + all app processes):")
            print(table(rows_all, None))
            bad = any(r["errors"] for r in rows_all)
        else:
            proc = None
            if args.url:
                ws_url, pid = check_local(args.url), None
            else:
                port = free_port()
                proc = start_server(port, args.app_dir, log=log)
                ws_url, pid = check_local(f"http://{HOST}:{port}"), proc.pid
            try:
                rows, b = asyncio.run(_main_load(args, ws_url, pid, "1 proc", cookies=False))
            finally:
                if proc is not None:
                    stop_process(proc)
            out["baseline"], out["runs"] = b, rows
            print()
            print(table(rows, b["p50_s"]))
            for r in rows:
                v = verdict(r, b["p50_s"])
                if v:
                    print(v)
            bad = any(r["errors"] for r in rows)
    finally:
        if log is not subprocess.DEVNULL:
            log.close()
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
