"""The running app in headless Chromium: every page renders cleanly, a slider redraws.

Pages are discovered from app.py and pages/*.py (see browser_support.py). Set
GRADFLOW_APP_DIR to test another app folder. Full-page screenshots go to
artifacts/screenshots/; with GRADFLOW_UPDATE_SCREENSHOTS=1 they are also
copied to docs/screenshots/. Without Chromium these tests skip (fail under
CI=true).
"""

from __future__ import annotations

import os
import shutil
import tomllib

import pytest

from browser_support import (
    DOCS_SCREENSHOT_DIR,
    ROOT,
    SCREENSHOT_DIR,
    default_app_dir,
    discover_pages,
)

PAGES = discover_pages(default_app_dir())
# Pages whose script draws charts only after a user action (e.g. a training
# run): on first load they need not show one. Every other page whose script
# calls plotly_chart must show at least one drawn chart.
CHARTS_AFTER_ACTION_ONLY = {"Training"}


def test_streamlit_config_is_offline_and_promptless():
    # The shipped config must never phone home or block a terminal on first run.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"].get("headless") is True or config["server"].get("showEmailPrompt") is False
    assert "theme" in config


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_renders_cleanly(app_page, page):
    app_page.open(page.url_path)
    shot = app_page.screenshot(SCREENSHOT_DIR / f"{page.name}.png")
    if os.environ.get("GRADFLOW_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, DOCS_SCREENSHOT_DIR / shot.name)

    assert app_page.problems() == [], f"{page.url_path} ({page.source.name})"
    if page.mentions_charts and page.name not in CHARTS_AFTER_ACTION_ONLY:
        assert app_page.state()["charts_drawn"] >= 1, f"{page.url_path}: no plotly chart drawn"


@pytest.mark.browser
def test_first_slider_redraws_a_chart(app_page):
    # Pages whose script mentions a slider first (saves loading the others);
    # every page is still tried, as sliders may come from a shared helper.
    candidates = sorted(PAGES, key=lambda p: "slider" not in p.source.read_text(encoding="utf-8"))
    for page in candidates:
        app_page.open(page.url_path)
        state = app_page.state()
        if state["sliders"] and state["charts_drawn"]:
            break
    else:
        pytest.skip("no page shows both a slider and a plotly chart")

    result = app_page.press_slider()

    assert result["moved"], f"{page.url_path}: slider did not move: {result}"
    assert not result["no_rerun"], f"{page.url_path}: slider change did not rerun the page"
    assert result["charts_changed"] >= 1, f"{page.url_path}: no chart changed: {result}"
    assert app_page.problems() == [], f"{page.url_path} after moving the slider"
