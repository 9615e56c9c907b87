"""Every text of the app in English and Korean: one table per page, merged into TEXT.

Why this package exists: lectures are given in Korean or English, and a
shared link keeps its language (?lang=ko). All labels, help texts, captions,
axis titles and messages come from TEXT; the tests check that every entry
has both languages, that the pages use only keys that exist, and that no key
is defined in two tables.

The tables (pure data, no imports): `common` (titles, page links, sidebar,
downloads, URL warnings, widgets shared by several pages), `home` (home page
and lecture presets), `vanishing` (page 1), `clipping` (page 2), `gates`
(page 3), `training` (page 4).

Key conventions: "w.<key>" a widget's label and "w.<key>.help" its help;
"opt.<key>.<code>" the displayed label of option <code> of widget <key>
(this is also what Streamlit writes into the URL); "fig.<name>.<part>" a
figure's title and axes; "cap.<name>" a figure's caption; "qp.*" warnings
about URL parameters; "preset.<name>" and ".desc" the lecture presets.
Placeholders are str.format fields ({cell}, {t}, ...).
"""

from . import clipping, common, depth, gates, graph, home, training, vanishing

LANGS = ("en", "ko")

# Table name -> its entries; TEXT is their union (the tests check they are disjoint).
TABLES = {"common": common.TEXT, "home": home.TEXT, "vanishing": vanishing.TEXT, "clipping": clipping.TEXT,
          "gates": gates.TEXT, "training": training.TEXT, "graph": graph.TEXT,
          "depth": depth.TEXT}
TEXT = {key: entry for table in TABLES.values() for key, entry in table.items()}


def has(key: str) -> bool:
    """True if `key` is in the table."""
    return key in TEXT


def t(key: str, lang: str, /, **fmt) -> str:
    """Text of `key` in `lang` ("en" or "ko"), with str.format fields filled from fmt.

    An unknown key or language never raises (a lecture must go on): the key
    itself is shown; tests make sure no page uses such a key.
    """
    entry = TEXT.get(key)
    if entry is None:
        return key
    s = entry.get(lang) or entry.get("en") or key
    return s.format(**fmt) if fmt else s
