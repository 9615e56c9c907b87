"""Shared pytest setup: Hypothesis profiles and the browser fixtures.

Hypothesis profiles (pick one with ``--hypothesis-profile=NAME``):
    ci    the default: 50 examples per test, no deadline (a shared 2-core
          machine makes per-example timings noisy)
    long  1000 examples per test, for a thorough run before a release

Browser fixtures (defined in ``browser_support.py``, see there):
    app_dir, streamlit_server, chromium_browser, browser_context, app_page
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# The app's background warm-up (gradflow.warmup) would race with tests that patch the caches;
# tests/test_app.py runs its plan explicitly.
os.environ.setdefault("GRADFLOW_WARMUP", "0")

# browser_support.py sits beside this file; make it importable whatever the
# rootdir / import mode (tests/ is not a package).
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from browser_support import (  # noqa: E402,F401  (fixtures for every test file)
    app_dir,
    app_page,
    browser_context,
    chromium_browser,
    streamlit_server,
)

try:  # Hypothesis is a dev requirement; keep conftest usable without it.
    from hypothesis import settings as _hyp_settings
except ImportError:  # pragma: no cover - depends on the environment
    _hyp_settings = None

if _hyp_settings is not None:
    # Registered at import so that hypothesis' own pytest plugin finds them
    # when it handles --hypothesis-profile.
    _hyp_settings.register_profile("ci", max_examples=50, deadline=None, print_blob=True)
    _hyp_settings.register_profile("long", max_examples=1000, deadline=None, print_blob=True)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Runs before hypothesis' plugin hook: with no --hypothesis-profile given,
    # "ci" becomes the base that the plugin's other options build on.
    if _hyp_settings is None:
        return
    chosen = config.getoption("--hypothesis-profile", default=None)
    if not chosen and _hyp_settings.get_current_profile_name() == "default":
        _hyp_settings.load_profile("ci")
