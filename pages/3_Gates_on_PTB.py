"""Page 3: the gates of trained LSTM/GRU language models on Penn Treebank sentences.

Widgets -> a sentence (cached PTB reads) -> cached model analysis -> figures.
"""

import streamlit as st

from gradflow import cache, plots, ui
from gradflow.experiments.gates import (GATES_OF, STATES_OF, UnitChoice, loss_position, next_word_probs,
                                        random_sentence_index,
                                        saturation, select_units)
from gradflow.page_params import GATES as PARAMS
from gradflow.page_params import GATES_T_MAX as T_MAX
from gradflow.page_params import GATES_TEXT_MAX as TEXT_MAX


page = ui.start("page3", PARAMS)
tr = page.t


def note(key: str, **fmt):
    st.caption(tr(key, **fmt))


# ---------------------------------------------------------------- controls
with st.sidebar:
    st.subheader(tr("page3.group.model"))
    cell = page.widget("model")
    weights = page.widget("weights")
    st.subheader(tr("page3.group.view"))
    units_mode = page.widget("units")
    k = page.widget("k")
    first = page.widget("first", disabled=units_mode != "index")
    pos = page.widget("pos")
    layer = page.widget("layer")

st.title(tr("page3.title"))
st.markdown(tr("page3.intro"))

src = page.widget("src")
c1, c2, c3 = st.columns([2, 1, 1])
if src != "text":
    split = page.widget("split", container=c1)
if src == "ptb":
    idx = page.widget("idx", container=c2)
elif src == "random":
    seed_s = page.widget("seed", container=c2)
    c3.button(tr("page3.dice"), key="dice", on_click=ui.new_seed, icon=":material/casino:")
elif src == "search":
    word = page.widget("word", container=c2)
    hit = page.widget("hit", container=c3)
else:
    text = page.widget("text")
seed = int(seed_s) if src == "random" else 0  # also the seed of the random init

# ---------------------------------------------------------------- sentence
ok_data, why = cache.ptb_status()
ids, tokens, where = None, None, ""
try:
    if not ok_data:
        raise FileNotFoundError(why)
    if src == "text":
        raw = text or ""
        if not raw.strip():
            raise ValueError(tr("page3.empty_text"))
        if len(raw) > TEXT_MAX:
            st.info(tr("page3.text_cut", n=f"{TEXT_MAX:,}"))
        ids, tokens, notes = cache.encode(raw[:TEXT_MAX])
        for n in notes:
            st.caption(ui.md_escape(n, 300))
        where = tr("page3.where_text")
    else:
        n_sent = cache.sentence_count(split)
        if src == "ptb":
            i = idx
            if i >= n_sent:
                st.info(tr("page3.idx_wrapped", idx=i, n=f"{n_sent:,}", split=split, used=i % n_sent))
                i %= n_sent
        elif src == "random":
            i = random_sentence_index(seed, n_sent)
        else:
            w = (word or "").strip()
            if not w:
                raise ValueError(tr("page3.empty_word"))
            hits = cache.find_word(split, w[:100])
            if not hits:
                raise ValueError(tr("page3.no_hits", word=ui.md_escape(w, 40), split=split))
            h = hit
            if h >= len(hits):
                st.info(tr("page3.hit_clamped", hit=h, n=len(hits)))
                h = len(hits) - 1
            i = hits[h]
            note("page3.hits", n=len(hits), more="+" if len(hits) == cache.SEARCH_LIMIT else "", h=h)
        ids, tokens = cache.sentence_in(split, i)
        where = tr("page3.where_ptb", split=ui.option_label("split", split, page.lang), i=f"{i:,}", n=f"{n_sent:,}")
except (ValueError, FileNotFoundError) as e:
    st.warning(tr("page3.bad_sentence", msg=ui.md_escape(e, 300)), icon=":material/edit_note:")

if ids is not None and len(ids) > T_MAX:
    st.info(tr("page3.cut", T=len(ids), n=T_MAX))
    ids, tokens = ids[:T_MAX], tokens[:T_MAX]

if ids is not None:
    st.markdown(f"**{tr('page3.sentence')}** · {where}")
    st.code(" ".join(tokens), language=None, wrap_lines=True)  # user text: shown literally
    if "<unk>" in tokens and src != "text":
        note("page3.unk_ptb")

# ---------------------------------------------------------------- model and analysis
analyses = {}  # weights code -> SentenceAnalysis
if ids is not None:
    T = len(ids)
    position, clamped = loss_position(pos, T)
    if clamped:
        st.info(tr("page3.pos_clamped", pos=pos, T=T))
    wanted = ["trained", "random"] if weights == "both" else [weights]
    for w in wanted:  # may grow: a missing model falls back to a random init
        try:
            model, shipped = cache.gates_model(cell, w, seed)
            if not shipped:
                st.info(tr("page3.random_default_shape", cell=cell.upper()))
            with st.spinner(tr("ui.computing")):
                analyses[w] = cache.gates_analysis(cell, w, seed, tuple(ids), int(position))
        except FileNotFoundError:
            st.warning(tr("page3.no_model", cell=cell.upper(), file=f"{cell}.npz"), icon=":material/folder_off:")
            if "random" not in wanted:
                wanted.append("random")
        except ValueError as e:
            page.error(e)

names = {w: tr(f"opt.weights.{w}") for w in analyses}
lay = {}
for w, an in analyses.items():
    L = len(an.layers)
    if layer >= L:
        if w == next(iter(analyses)):
            st.info(tr("page3.layer_clamped", layer=layer, L=L))
    lay[w] = an.layers[min(layer, L - 1)]

if analyses:
    an0 = next(iter(analyses.values()))
    st.caption(tr("page3.loss_at", p=an0.position, word=ui.md_escape(an0.tokens[an0.position], 40),
                 target=ui.md_escape(an0.target_word, 40), losses=", ".join(f"{names[w]} {a.loss:.2f}" for w, a in analyses.items())))

# ---------------------------------------------------------------- views
tabs = page.tabs("view")
lab_heat = page.labels("fig.gates", ("x", "grad", "unit", "sigmoid", "tanh", "cell", *GATES_OF[cell],
                                     *STATES_OF[cell]))

with tabs["gates"]:
    if tabs["gates"].open and analyses:
        columns = {}
        for w, an in analyses.items():
            d = lay[w]
            u, notes = select_units(d["hs"], UnitChoice(units_mode, k, first))
            for key, fmt in notes:
                note(key, **fmt)
            panels = {g: d["gates"][g][:, u].T for g in GATES_OF[cell]}  # (U, T) each
            if d["cs"] is not None:
                panels["c"] = d["cs"][:, u].T
            panels["h"] = d["hs"][:, u].T
            columns[names[w]] = {"panels": panels, "units": u.tolist(), "grad": d["dh_norm"]}
        an0 = next(iter(analyses.values()))
        title = tr("fig.gates.title", cell=cell.upper(),
                  w=tr("opt.weights.both") if len(columns) > 1 else next(iter(columns)))
        fig = plots.fig_gate_heatmaps(an0.tokens, columns, an0.position, labels=dict(lab_heat, title=title),
                                      present=page.present)
        page.chart(fig, "gates", csv=f"gates_{cell}_{'_'.join(analyses)}")
        if cell == "lstm":
            page.caption("cap.gates_lstm", r"i,f,o = \sigma(W_{i\cdot}x_t + W_{h\cdot}h_{t-1} + b),\;"
                         r"g = \tanh(\dots),\; c_t = f\odot c_{t-1} + i\odot g,\; h_t = o\odot\tanh(c_t)")
        else:
            page.caption("cap.gates_gru", r"r,z = \sigma(\dots),\; n = \tanh(W_{in}x_t + b_{in} + "
                         r"r\odot(W_{hn}h_{t-1} + b_{hn})),\; h_t = (1-z)\odot n + z\odot h_{t-1}")
        page.caption("cap.gates_grad", r"\Big\|\frac{\partial L_p}{\partial h_t}\Big\|,"
                     r"\quad L_p = -\log p(w_{p+1}\mid w_{\le p})")
        page.how("gates")

with tabs["sat"]:
    if tabs["sat"].open and analyses:
        stats = {names[w]: saturation(d["gates"]) for w, d in lay.items()}
        fig = plots.fig_gate_saturation(stats, labels=page.labels("fig.sat", ("title", "x", "y", "low", "high")),
                                        present=page.present)
        page.chart(fig, "sat", csv=f"gate_saturation_{cell}")
        page.caption("cap.sat", r"\sigma'(a) = \sigma(a)\,(1-\sigma(a)) < 0.09 \text{ when } "
                     r"\sigma(a)\notin[0.1, 0.9]")
        page.how("sat")

with tabs["pred"]:
    if tabs["pred"].open and analyses:
        cols = st.columns(len(analyses))
        for col, (w, an) in zip(cols, analyses.items()):
            with col:
                st.markdown(f"**{names[w]}**")
                nxt = list(an.tokens[1:]) + ["<eos>"]
                table = {
                    tr("tab.pred.t"): list(range(len(an.tokens))),
                    tr("tab.pred.token"): list(an.tokens),
                    tr("tab.pred.next"): nxt,
                    # the last token's next word is <eos>, scored only when p is the last token
                    tr("tab.pred.p"): next_word_probs(an),
                }
                for r in range(an.topk_probs.shape[1]):
                    table[tr("tab.pred.top", r=r + 1)] = [f"{ws[r]} ({p[r]:.3f})" for ws, p in
                                                         zip(an.topk_words, an.topk_probs)]
                st.dataframe(table, hide_index=True, key=f"pred_{w}",
                             column_config={tr("tab.pred.p"): st.column_config.NumberColumn(format="%.3f")})
        page.caption("cap.pred", r"p(w_{t+1}\mid w_{\le t}) = \operatorname{softmax}(W_{dec} h_t + b)")
        page.how("pred")

with st.sidebar:
    page.settings_download()
