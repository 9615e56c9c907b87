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


# ---------------------------------------------------------------- presentation mode and lecture controls
# What a class must read in presentation mode, by selector; each must be at least PRESENT_MIN_PX.
PRESENT_MIN_PX = 20
READ_FROM_THE_BACK = {
    "widget label": '[data-testid="stWidgetLabel"] p',
    "number input": '[data-testid="stNumberInputField"]',
    "text input": '[data-testid="stTextInputRootElement"] input',
    "text area": '[data-testid="stTextAreaRootElement"] textarea',
    "selectbox value": '[data-testid="stSelectbox"] input',
    "slider value": '[data-testid="stSliderThumbValue"]',
    "slider ticks": '[data-testid="stSliderTickBar"] *',
    "segmented control": '[data-testid="stButtonGroup"] button p',
    "radio option": '[data-testid="stRadioOption"] p',
    "tab": '[data-testid="stTab"] p',
    "sentence box": '[data-testid="stCode"] code',
    "caption": '[data-testid="stCaptionContainer"]',
    "metric value": '[data-testid="stMetricValue"]',
    "text": '[data-testid="stMarkdownContainer"] p',
}
FONT_SIZES_JS = r"""
(sel) => {
  const out = {};
  for (const [what, css] of Object.entries(sel)) {
    out[what] = [...document.querySelectorAll(css)]
      .filter((el) => (el.value !== undefined && el.value !== '') || el.textContent.trim())
      .map((el) => [parseFloat(getComputedStyle(el).fontSize), (el.value || el.textContent).trim().slice(0, 40)]);
  }
  // Every other visible piece of text on the page (charts draw their own fonts; icons are glyphs).
  // Sub- and superscripts of an equation are smaller by design (0.7 of it): measured as their size / 0.7.
  // (KaTeX's MathML copy is for screen readers: clipped to 1 px, not shown.)
  out['any visible text'] = [];
  const walker = document.createTreeWalker(document.querySelector('[data-testid="stMain"]'), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement, txt = n.textContent.replace(/[\u200b\s]/g, '');
    if (!txt || !el) continue;
    if (el.closest('.js-plotly-plot, .katex-mathml, [data-testid="stIconMaterial"], [data-testid="stHtml"]')) continue;
    const cs = getComputedStyle(el);
    if (cs.fontFamily.includes('Material')) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) {
      const script = el.closest('.katex .msupsub, .katex .mfrac .vlist .sizing') ? 0.7 : 1;
      out['any visible text'].push([parseFloat(cs.fontSize) / script, txt.slice(0, 40)]);
    }
  }
  const sb = document.querySelector('[data-testid="stSidebar"]');
  out.sidebar_width = sb ? sb.getBoundingClientRect().width : null;
  return out;
}
"""
PRESENT_PAGES = {  # page -> what it must show (the rest is measured wherever it appears)
    "Vanishing_Gradients": {"widget label", "number input", "text input", "selectbox value", "slider value",
                            "segmented control", "radio option", "tab", "caption"},
    "Gradient_Clipping": {"widget label", "slider value", "segmented control", "tab", "caption", "metric value"},
    "Gates_on_PTB": {"widget label", "number input", "segmented control", "radio option", "tab", "sentence box",
                     "caption"},
    "Depth_and_Memory": {"widget label", "slider value", "segmented control", "tab", "caption"},
}


@pytest.mark.browser
@pytest.mark.parametrize("name", sorted(PRESENT_PAGES))
def test_presentation_mode_is_readable_from_the_back_and_hides_the_sidebar(app_page, name):
    from gradflow import data

    must = set(PRESENT_PAGES[name])
    if name == "Gates_on_PTB" and not data.ptb_status()[0]:
        must.discard("sentence box")
    app_page.open(f"/{name}?present=true")
    app_page.screenshot(SCREENSHOT_DIR / f"present_{name}.png")
    assert app_page.problems() == []
    sizes = app_page.page.evaluate(FONT_SIZES_JS, READ_FROM_THE_BACK)
    assert sizes.pop("sidebar_width") < 5, "presentation mode must collapse the sidebar"
    missing = sorted(w for w in must if not sizes[w])
    assert not missing, f"{name}: nothing found for {missing}"
    small = {w: [(px, txt) for px, txt in found if px < PRESENT_MIN_PX] for w, found in sizes.items()}
    small = {w: v for w, v in small.items() if v}
    assert not small, f"{name}: text below {PRESENT_MIN_PX}px in presentation mode: {small}"


@pytest.mark.browser
def test_presentation_off_keeps_the_sidebar_and_the_usual_sizes(app_page):
    app_page.open("/Gradient_Clipping")
    sizes = app_page.page.evaluate(FONT_SIZES_JS, READ_FROM_THE_BACK)
    assert sizes["sidebar_width"] > 200
    assert max(px for px, _ in sizes["widget label"]) < PRESENT_MIN_PX  # the CSS applies to presentation mode only


@pytest.mark.browser
def test_clicking_the_chosen_option_of_a_segmented_control_keeps_it(app_page):
    app_page.open("/Gradient_Clipping")
    chosen = app_page.page.locator('.st-key-method button[aria-checked="true"]')
    assert chosen.inner_text().strip() == "global norm"
    chosen.click()
    app_page.page.wait_for_timeout(500)
    app_page.wait_idle()
    assert app_page.page.locator('.st-key-method button[aria-checked="true"]').inner_text().strip() == "global norm"
    assert app_page.problems() == []


@pytest.mark.browser
def test_turning_presentation_mode_on_collapses_the_sidebar_and_it_can_be_reopened(app_page):
    width = '() => document.querySelector(\'[data-testid="stSidebar"]\').getBoundingClientRect().width'
    page = app_page.page
    app_page.open("/Gradient_Clipping")
    assert page.evaluate(width) > 200
    page.locator(".st-key-present label").first.click()
    app_page.wait_idle(need_run=True)
    page.wait_for_timeout(500)
    assert page.evaluate(width) < 5 and "present=true" in page.url
    page.locator('[data-testid="stExpandSidebarButton"]').first.click()
    page.wait_for_timeout(500)
    assert page.evaluate(width) > 200
    page.locator(".st-key-method button", has_text="value").click()  # a rerun keeps it open
    app_page.wait_idle(need_run=True)
    page.wait_for_timeout(500)
    assert page.evaluate(width) > 200 and "method=value" in page.url
    assert app_page.problems() == []
