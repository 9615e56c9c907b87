"""Every text of the app in English and Korean, in one table (pure Python, no imports).

Why this module exists: lectures are given in Korean or English, and a
shared link keeps its language (?lang=ko). All labels, help texts, captions,
axis titles and messages come from TEXT; the tests check that every entry
has both languages and that the pages use only keys that exist.

Key conventions: "w.<key>" a widget's label and "w.<key>.help" its help;
"opt.<key>.<code>" the displayed label of option <code> of widget <key>
(this is also what Streamlit writes into the URL); "fig.<name>.<part>" a
figure's title and axes; "cap.<name>" a figure's caption; "qp.*" warnings
about URL parameters; "preset.<name>" and ".desc" the lecture presets.
Placeholders are str.format fields ({cell}, {t}, ...).
"""

LANGS = ("en", "ko")

TEXT = {
    # ---- shared frame ------------------------------------------------------
    "home.title": {"en": "gradflow: gradients through time", "ko": "gradflow: 시간을 거슬러 흐르는 기울기"},
    "page1.title": {"en": "Vanishing and exploding gradients", "ko": "기울기 소실과 폭주"},
    "page2.title": {"en": "Gradient clipping", "ko": "기울기 클리핑"},
    "page3.title": {"en": "Gates on PTB", "ko": "PTB에서 본 게이트"},
    "page4.title": {"en": "Training", "ko": "학습"},
    "nav.app": {"en": "Home", "ko": "홈"},
    "nav.1_Vanishing_Gradients": {"en": "1 · Vanishing and exploding gradients", "ko": "1 · 기울기 소실과 폭주"},
    "nav.1_Vanishing_Gradients.desc": {
        "en": "‖∂L/∂h_t‖ through time for RNN, LSTM and GRU; spectrum, phase map, Jacobians.",
        "ko": "RNN·LSTM·GRU에서 시간에 따른 ‖∂L/∂h_t‖, 스펙트럼, 위상도, 야코비안."},
    "nav.2_Gradient_Clipping": {"en": "2 · Gradient clipping", "ko": "2 · 기울기 클리핑"},
    "nav.2_Gradient_Clipping.desc": {
        "en": "Norm and value clipping, PTB gradient norms, and Pascanu's cliff.",
        "ko": "노름·값 클리핑, PTB 기울기 노름 분포, 파스카누의 절벽."},
    "nav.3_Gates_on_PTB": {"en": "3 · Gates on PTB", "ko": "3 · PTB에서 본 게이트"},
    "nav.3_Gates_on_PTB.desc": {"en": "Gate activations of trained LSTM/GRU models on real sentences.",
                                "ko": "학습된 LSTM/GRU의 게이트 활성값을 실제 문장에서 봅니다."},
    "nav.4_Training": {"en": "4 · Training", "ko": "4 · 학습"},
    "nav.4_Training.desc": {"en": "Train a small language model live, with and without clipping.",
                            "ko": "작은 언어 모델을 실시간으로 학습합니다(클리핑 유무 비교)."},
    "w.lang": {"en": "Language", "ko": "언어"},
    "w.lang.help": {"en": "Kept in the link as ?lang=.", "ko": "링크에 ?lang= 으로 저장됩니다."},
    "opt.lang.en": {"en": "EN", "ko": "EN"},
    "opt.lang.ko": {"en": "KO", "ko": "KO"},
    "w.present": {"en": "Presentation mode", "ko": "발표 모드"},
    "w.present.help": {"en": "Large fonts and thick lines, readable from the back of a lecture hall.",
                       "ko": "강의실 뒷자리에서도 보이도록 글자를 키우고 선을 굵게 합니다."},
    "w.img": {"en": "Image export (camera button)", "ko": "그림 저장 형식(카메라 버튼)"},
    "w.img.help": {"en": "Format saved by the camera button in each chart's toolbar.",
                   "ko": "각 차트 도구 막대의 카메라 버튼이 저장하는 형식입니다."},
    "opt.img.png": {"en": "PNG", "ko": "PNG"},
    "opt.img.svg": {"en": "SVG", "ko": "SVG"},
    "ui.csv": {"en": "CSV of this figure", "ko": "이 그림의 CSV"},
    "ui.json": {"en": "Settings (JSON)", "ko": "설정 내려받기(JSON)"},
    "ui.error": {"en": "Could not compute this view: {msg}", "ko": "이 화면을 계산할 수 없습니다: {msg}"},
    "ui.page_missing": {"en": "not available yet", "ko": "아직 준비되지 않았습니다"},
    "ui.text_not_in_link": {"en": "This text is longer than {n} characters, so it is left out of the link.",
                            "ko": "글이 {n}자보다 길어서 링크에는 넣지 않았습니다."},
    "ui.on": {"en": "on", "ko": "켜짐"},
    "ui.off": {"en": "off", "ko": "꺼짐"},
    "qp.unknown": {"en": "The link has an unknown parameter {key}; it was ignored.",
                   "ko": "링크에 알 수 없는 매개변수 {key} 가 있어 무시했습니다."},
    "qp.type": {"en": "Link parameter {key}={value} is not a valid value of its type; using {default}.",
                "ko": "링크 매개변수 {key}={value} 는 형식이 맞지 않아 {default} 을(를) 씁니다."},
    "qp.range": {"en": "Link parameter {key}={value} is outside {lo} … {hi}; using the default {default}.",
                 "ko": "링크 매개변수 {key}={value} 는 {lo} … {hi} 범위를 벗어나 기본값 {default} 을(를) 씁니다."},
    "qp.option": {"en": "Link parameter {key}={value} is not one of: {allowed}; using the default {default}.",
                  "ko": "링크 매개변수 {key}={value} 는 허용값({allowed})이 아니어서 기본값 {default} 을(를) 씁니다."},
    "qp.option_dropped": {"en": "Link parameter {key}={value} is not one of: {allowed}; it was left out.",
                          "ko": "링크 매개변수 {key}={value} 는 허용값({allowed})이 아니어서 뺐습니다."},

    # ---- home ----------------------------------------------------------------
    "home.intro": {
        "en": "gradflow computes exact backpropagation through time for RNN, LSTM and GRU cells and shows "
              "how the gradient ‖∂L/∂h_t‖ shrinks or grows as it flows back through the steps. Move a "
              "slider and every figure follows; every view is a link that reproduces it.",
        "ko": "gradflow는 RNN·LSTM·GRU 셀의 시간 역전파(BPTT)를 정확히 계산하고, 기울기 ‖∂L/∂h_t‖ 가 "
              "시간을 거슬러 흐르며 어떻게 줄거나 커지는지 보여 줍니다. 슬라이더를 움직이면 모든 그림이 "
              "따라 바뀌고, 모든 화면은 그대로 다시 여는 링크가 됩니다."},
    "home.pages": {"en": "Pages", "ko": "페이지"},
    "home.presets": {"en": "Lecture presets", "ko": "강의용 프리셋"},
    "home.lecture_tip": {
        "en": "In class: switch on presentation mode in the sidebar, open a preset, and copy the address "
              "bar to share exactly what you show.",
        "ko": "강의 중에는 사이드바에서 발표 모드를 켜고 프리셋을 연 뒤, 주소창을 복사해 보이는 화면을 "
              "그대로 공유하세요."},
    "fig.home.title": {"en": "‖∂L/∂h_t‖ at ρ = 1, T = 100, H = 64", "ko": "ρ = 1, T = 100, H = 64 에서 ‖∂L/∂h_t‖"},
    "fig.home.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.home.y": {"en": "‖∂L/∂h_t‖ (log)", "ko": "‖∂L/∂h_t‖ (로그)"},
    "fig.home.overflow": {"en": "overflow", "ko": "오버플로"},
    "cap.home": {
        "en": "The loss sits at the last step. Read the lines from right to left: the RNN's gradient fades "
              "fastest, the gated cells keep it longer.",
        "ko": "손실은 마지막 단계에 있습니다. 선을 오른쪽에서 왼쪽으로 읽으세요. RNN의 기울기가 가장 빨리 "
              "사라지고, 게이트가 있는 셀은 더 오래 유지합니다."},
    "preset.rnn_vanishing": {"en": "RNN vanishing at ρ = 0.9", "ko": "ρ = 0.9 에서 RNN 기울기 소실"},
    "preset.rnn_vanishing.desc": {"en": "The gradient decays like 0.9^k (or faster, through tanh').",
                                  "ko": "기울기가 0.9^k 처럼(tanh' 때문에 더 빨리) 줄어듭니다."},
    "preset.rnn_exploding": {"en": "RNN exploding at ρ = 1.5", "ko": "ρ = 1.5 에서 RNN 기울기 폭주"},
    "preset.rnn_exploding.desc": {"en": "Growth is capped by tanh saturation; compare with the ρ^k curve.",
                                  "ko": "tanh 포화가 증가를 제한합니다. ρ^k 곡선과 비교하세요."},
    "preset.lstm_cell_path": {"en": "The LSTM cell path staying alive", "ko": "살아 있는 LSTM 셀 경로"},
    "preset.lstm_cell_path.desc": {"en": "A forget-gate bias of 3 keeps ∏f near 1: ‖∂L/∂c_t‖ survives.",
                                   "ko": "망각 게이트 편향 3이 ∏f 를 1 가까이 유지해 ‖∂L/∂c_t‖ 가 살아남습니다."},
    "preset.gru_vs_lstm": {"en": "GRU vs LSTM", "ko": "GRU 대 LSTM"},
    "preset.gru_vs_lstm.desc": {"en": "Both gated cells over 200 steps at ρ = 1.",
                                "ko": "ρ = 1 에서 200단계 동안 두 게이트 셀을 비교합니다."},
    "preset.nonnormal": {"en": "Non-normal transient growth (ρ < 1)", "ko": "비정규 행렬의 일시적 증가(ρ < 1)"},
    "preset.nonnormal.desc": {"en": "ρ = 0.9, yet ‖W^k‖ first grows: σ_max > ρ.",
                              "ko": "ρ = 0.9 인데도 ‖W^k‖ 가 처음엔 커집니다: σ_max > ρ."},
    "preset.saturation": {"en": "Saturation also vanishes", "ko": "포화도 기울기를 없앱니다"},
    "preset.saturation.desc": {"en": "Input scale 5 saturates tanh: f'(a) ≈ 0 even at ρ = 1.",
                               "ko": "입력 배율 5가 tanh를 포화시켜 ρ = 1 에서도 f'(a) ≈ 0 이 됩니다."},
    "preset.truncated": {"en": "Truncated BPTT with T = 35", "ko": "T = 35 단위의 잘린 BPTT"},
    "preset.truncated.desc": {"en": "No gradient crosses a block boundary every 35 steps (loss at every step).",
                              "ko": "35단계마다 블록 경계를 넘는 기울기가 없습니다(모든 단계에 손실)."},
    "preset.pascanu_cliff": {"en": "Pascanu's cliff, with and without clipping",
                             "ko": "파스카누의 절벽: 클리핑 있을 때와 없을 때"},
    "preset.pascanu_cliff.desc": {"en": "A plain step off the cliff flies away; a clipped one stays.",
                                  "ko": "절벽에서 그냥 내딛으면 멀리 튕겨 나가고, 클리핑하면 머무릅니다."},
    "preset.clip_exploding": {"en": "Clipping an exploding RNN gradient", "ko": "폭주하는 RNN 기울기 클리핑"},
    "preset.clip_exploding.desc": {"en": "ρ = 2.5: norm clipping keeps the direction (cosine 1).",
                                   "ko": "ρ = 2.5: 노름 클리핑은 방향을 유지합니다(코사인 1)."},
    "preset.gates_trained_vs_random": {"en": "Trained vs untrained gates", "ko": "학습된 게이트 대 학습 전 게이트"},
    "preset.gates_trained_vs_random.desc": {"en": "The same sentence through a trained and a random LSTM.",
                                            "ko": "같은 문장을 학습된 LSTM과 무작위 LSTM에 넣어 봅니다."},

    # ---- page 1 widgets ----------------------------------------------------------
    "page1.controls": {"en": "Settings", "ko": "설정"},
    "page1.group.inputs": {"en": "Inputs and weights", "ko": "입력과 가중치"},
    "page1.group.size": {"en": "Size", "ko": "크기"},
    "page1.group.cells": {"en": "Cell options", "ko": "셀 옵션"},
    "page1.group.loss": {"en": "Loss and BPTT", "ko": "손실과 BPTT"},
    "w.cells": {"en": "Cells", "ko": "셀"},
    "w.cells.help": {"en": "Compare any subset of the three cells.", "ko": "세 셀 중 원하는 것을 골라 비교합니다."},
    "opt.cells.rnn": {"en": "RNN", "ko": "RNN"},
    "opt.cells.lstm": {"en": "LSTM", "ko": "LSTM"},
    "opt.cells.gru": {"en": "GRU", "ko": "GRU"},
    "w.rho": {"en": "Spectral radius ρ of W_h", "ko": "W_h 의 스펙트럼 반지름 ρ"},
    "w.rho.help": {"en": "Every gate block of weight_hh gets this largest |eigenvalue|. ρ < 1 shrinks, "
                         "ρ > 1 grows the recurrent signal.",
                   "ko": "weight_hh 의 모든 게이트 블록의 최대 |고유값| 입니다. ρ < 1 이면 순환 신호가 "
                         "줄고, ρ > 1 이면 커집니다."},
    "w.kind": {"en": "Spectrum of W_h", "ko": "W_h 의 스펙트럼 종류"},
    "w.kind.help": {"en": "Orthogonal: all singular values equal ρ. Non-normal: eigenvalues inside ρ but "
                          "σ_max larger, so ‖W^k‖ can grow for a while.",
                    "ko": "직교: 모든 특이값이 ρ. 비정규: 고유값은 ρ 안에 있지만 σ_max 가 더 커서 ‖W^k‖ 가 "
                          "한동안 커질 수 있습니다."},
    "opt.kind.orthogonal": {"en": "orthogonal", "ko": "직교"},
    "opt.kind.gaussian": {"en": "Gaussian", "ko": "가우스"},
    "opt.kind.symmetric": {"en": "symmetric", "ko": "대칭"},
    "opt.kind.nonnormal": {"en": "non-normal", "ko": "비정규"},
    "w.T": {"en": "Sequence length T", "ko": "시퀀스 길이 T"},
    "w.T.help": {"en": "Steps the gradient flows back through. With a sentence as input, T is its length.",
                 "ko": "기울기가 거슬러 흐르는 단계 수입니다. 문장을 입력으로 쓰면 T는 문장 길이입니다."},
    "w.H": {"en": "Hidden size H", "ko": "은닉 크기 H"},
    "w.H.help": {"en": "Units per cell. With the trained model, H is the model's own.",
                 "ko": "셀의 유닛 수입니다. 학습된 모델을 쓰면 모델의 H를 씁니다."},
    "w.nonlin": {"en": "RNN nonlinearity", "ko": "RNN 비선형 함수"},
    "w.nonlin.help": {"en": "tanh' ≤ 1 and saturates; ReLU passes or blocks; linear shows pure ρ^k.",
                      "ko": "tanh' ≤ 1 이고 포화됩니다. ReLU는 통과 또는 차단, 선형은 순수한 ρ^k 를 보입니다."},
    "opt.nonlin.tanh": {"en": "tanh", "ko": "tanh"},
    "opt.nonlin.relu": {"en": "ReLU", "ko": "ReLU"},
    "opt.nonlin.linear": {"en": "linear", "ko": "선형"},
    "w.variant": {"en": "GRU variant", "ko": "GRU 변형"},
    "w.variant.help": {"en": "PyTorch applies r after the recurrent matmul, Cho et al. (2014) before it.",
                       "ko": "PyTorch는 순환 행렬곱 뒤에, Cho 외(2014)는 앞에 r을 곱합니다."},
    "opt.variant.pytorch": {"en": "PyTorch", "ko": "PyTorch"},
    "opt.variant.cho": {"en": "Cho 2014", "ko": "Cho 2014"},
    "w.fbias": {"en": "LSTM forget-gate bias", "ko": "LSTM 망각 게이트 편향"},
    "w.fbias.help": {"en": "Added to the forget gate's bias: σ(3) ≈ 0.95 keeps the cell path open.",
                     "ko": "망각 게이트 편향에 더합니다. σ(3) ≈ 0.95 이면 셀 경로가 열려 있습니다."},
    "w.loss": {"en": "Loss", "ko": "손실"},
    "w.loss.help": {"en": "At the last step only, or summed over every step (as in a language model).",
                    "ko": "마지막 단계에만, 또는 모든 단계의 합(언어 모델처럼)으로 둡니다."},
    "opt.loss.last": {"en": "last step", "ko": "마지막 단계"},
    "opt.loss.sum": {"en": "sum over steps", "ko": "모든 단계 합"},
    "w.scale": {"en": "Input scale", "ko": "입력 배율"},
    "w.scale.help": {"en": "Large inputs saturate tanh and the sigmoids, whose derivatives then vanish.",
                     "ko": "입력이 크면 tanh와 시그모이드가 포화되어 도함수가 사라집니다."},
    "w.trunc": {"en": "Truncation window (0 = full BPTT)", "ko": "잘림 구간(0 = 전체 BPTT)"},
    "w.trunc.help": {"en": "Truncated BPTT: no gradient flows back across a boundary every k steps.",
                     "ko": "잘린 BPTT: k 단계마다 있는 경계를 넘어 기울기가 흐르지 않습니다."},
    "w.inputs": {"en": "Inputs", "ko": "입력"},
    "w.inputs.help": {"en": "Random vectors, or the word embeddings of a PTB sentence or your own text.",
                      "ko": "무작위 벡터, 또는 PTB 문장이나 직접 쓴 글의 단어 임베딩입니다."},
    "opt.inputs.random": {"en": "random", "ko": "무작위"},
    "opt.inputs.ptb": {"en": "PTB sentence", "ko": "PTB 문장"},
    "opt.inputs.text": {"en": "my text", "ko": "직접 입력"},
    "w.sent": {"en": "PTB test sentence #", "ko": "PTB 테스트 문장 번호"},
    "w.sent.help": {"en": "Index into the PTB test split.", "ko": "PTB 테스트 분할의 문장 번호입니다."},
    "w.text": {"en": "Your text", "ko": "직접 쓴 글"},
    "w.text.help": {"en": "Encoded like the PTB: lowercase, numbers become N, unknown words <unk>.",
                    "ko": "PTB 방식으로 바꿉니다: 소문자, 숫자는 N, 모르는 단어는 <unk>."},
    "w.weights": {"en": "Weights", "ko": "가중치"},
    "w.weights.help": {"en": "Random initialisation with the chosen spectrum, or the trained PTB model "
                             "(its weight_hh rescaled so that its radius is ρ).",
                       "ko": "고른 스펙트럼의 무작위 초기화, 또는 학습된 PTB 모델(반지름이 ρ가 되도록 "
                             "weight_hh 를 배율 조정)."},
    "opt.weights.random": {"en": "random init", "ko": "무작위 초기화"},
    "opt.weights.trained": {"en": "trained (PTB)", "ko": "학습됨(PTB)"},
    "w.seed": {"en": "Seed", "ko": "시드"},
    "w.seed.help": {"en": "Same seed, same weights and inputs.", "ko": "시드가 같으면 가중치와 입력도 같습니다."},
    "w.view": {"en": "View", "ko": "보기"},
    "opt.view.curves": {"en": "Gradient norm", "ko": "기울기 노름"},
    "opt.view.dw": {"en": "Weight gradient by step", "ko": "단계별 가중치 기울기"},
    "opt.view.paths": {"en": "LSTM paths", "ko": "LSTM 경로"},
    "opt.view.spectrum": {"en": "Spectrum", "ko": "스펙트럼"},
    "opt.view.phase": {"en": "Phase map", "ko": "위상도"},
    "opt.view.inputs": {"en": "Input attribution", "ko": "입력 기여도"},
    "opt.view.jacobian": {"en": "Step Jacobian", "ko": "단계 야코비안"},
    "opt.view.clip": {"en": "Clipping a gradient", "ko": "기울기 클리핑"},
    "opt.view.hist": {"en": "PTB gradient norms", "ko": "PTB 기울기 노름"},
    "opt.view.cliff": {"en": "Pascanu's cliff", "ko": "파스카누의 절벽"},
    "w.jcell": {"en": "Jacobian of cell", "ko": "야코비안을 볼 셀"},
    "w.jcell.help": {"en": "Click a point of the gradient curve to pick a cell and a step.",
                     "ko": "기울기 곡선의 점을 누르면 셀과 단계를 고릅니다."},
    "opt.jcell.rnn": {"en": "RNN", "ko": "RNN"},
    "opt.jcell.lstm": {"en": "LSTM", "ko": "LSTM"},
    "opt.jcell.gru": {"en": "GRU", "ko": "GRU"},
    "w.jstep": {"en": "Step t", "ko": "단계 t"},
    "w.jstep.help": {"en": "The step whose Jacobian ∂h_t/∂h_{t−1} is shown (capped at T − 1).",
                     "ko": "야코비안 ∂h_t/∂h_{t−1} 을 볼 단계입니다(T − 1 까지)."},

    # ---- page 1 messages -------------------------------------------------------
    "page1.intro": {
        "en": "A loss at the end of a sequence sends its gradient back through every step. Each step "
              "multiplies it by a Jacobian ∂h_t/∂h_{t−1}, so its norm shrinks or grows geometrically, "
              "at a rate set by the spectrum of W_h and by the activation's slope.",
        "ko": "시퀀스 끝의 손실은 기울기를 모든 단계로 되돌려 보냅니다. 단계마다 야코비안 ∂h_t/∂h_{t−1} 이 "
              "곱해지므로 노름은 기하급수적으로 줄거나 커지며, 그 비율은 W_h 의 스펙트럼과 활성 함수의 "
              "기울기가 정합니다."},
    "page1.no_cells": {"en": "Pick at least one cell in the sidebar.", "ko": "사이드바에서 셀을 하나 이상 고르세요."},
    "page1.empty_text": {"en": "the text is empty; type a sentence", "ko": "글이 비어 있습니다. 문장을 입력하세요"},
    "page1.text_cut": {"en": "Only the first {n} characters of the text are used.",
                       "ko": "글의 처음 {n}자만 씁니다."},
    "page1.tokens_cut": {"en": "The text has {n} PTB tokens; only the first {T} are used.",
                         "ko": "글이 PTB 토큰 {n}개입니다. 처음 {T}개만 씁니다."},
    "page1.jcell_missing": {"en": "The {cell} is not among the chosen cells: showing the Jacobian of the {shown}.",
                            "ko": "{cell} 은(는) 고른 셀에 없습니다. {shown} 의 야코비안을 보여 줍니다."},
    "page1.jstep_capped": {"en": "Step {step} is past the last step: showing the Jacobian of the last step, t = {t}.",
                           "ko": "단계 {step} 은(는) 마지막 단계를 넘습니다. 마지막 단계 t = {t} 의 야코비안을 보여 줍니다."},
    "page1.no_model": {"en": "No trained PTB model is shipped for: {cells}. Those cells are left out.",
                       "ko": "다음 셀의 학습된 PTB 모델이 없어 뺐습니다: {cells}."},
    "page1.fallback_random": {"en": "Showing random inputs and random weights instead.",
                              "ko": "대신 무작위 입력과 무작위 가중치를 보여 줍니다."},
    "page1.trained_note": {"en": "Trained PTB model: D and H are the model's ({sizes}); its own largest block "
                                 "radius is {radius}. The ρ slider rescales weight_hh to the chosen radius.",
                           "ko": "학습된 PTB 모델: D와 H는 모델의 값({sizes})입니다. 모델 고유의 최대 블록 "
                                 "반지름은 {radius} 이고, ρ 슬라이더는 weight_hh 를 그 반지름으로 배율 조정합니다."},
    "page1.limit": {"en": "To stay interactive, T × H² × cells is limited to {budget}: showing the first T = {T} steps.",
                    "ko": "반응 속도를 위해 T × H² × 셀 수를 {budget} 이하로 제한합니다: 처음 T = {T} 단계만 보입니다."},
    "page1.overflow_backward": {"en": "{cell}: the gradient overflowed to inf at step t = {t}.",
                                "ko": "{cell}: 단계 t = {t} 에서 기울기가 inf 로 넘쳤습니다."},
    "page1.overflow_forward": {"en": "{cell}: the hidden state overflowed to inf at step t = {t}.",
                               "ko": "{cell}: 단계 t = {t} 에서 은닉 상태가 inf 로 넘쳤습니다."},
    "page1.need_lstm": {"en": "Select the LSTM to see its cell-state path.",
                        "ko": "셀 상태 경로를 보려면 LSTM을 고르세요."},
    "page1.need_ptb": {"en": "Input attribution is shown for a PTB sentence or your own text (Inputs in the sidebar).",
                       "ko": "입력 기여도는 PTB 문장이나 직접 쓴 글을 입력으로 할 때 보입니다(사이드바의 입력)."},
    "page1.phase_sizes": {"en": "Computed with the batched sweep at T = {T}, H = {H} on random weights of the "
                                "chosen spectrum and seed (limits that keep the page interactive).",
                          "ko": "고른 스펙트럼과 시드의 무작위 가중치로 T = {T}, H = {H} 에서 일괄 스윕으로 "
                                "계산했습니다(반응 속도를 위한 제한)."},
    "page1.jac_limit": {"en": "Per-step norms are skipped above T × H² = 2,000,000 to stay interactive.",
                        "ko": "반응 속도를 위해 T × H² 가 2,000,000 을 넘으면 단계별 노름은 생략합니다."},
    "page1.powers_limit": {"en": "The ‖W^k‖ curve is drawn for H ≤ {H} (one SVD per power).",
                           "ko": "‖W^k‖ 곡선은 H ≤ {H} 에서만 그립니다(거듭제곱마다 SVD 한 번)."},
    "readout.rho": {"en": "ρ (largest |λ|)", "ko": "ρ (최대 |λ|)"},
    "readout.sigma": {"en": "σ_max (largest singular value)", "ko": "σ_max (최대 특이값)"},
    "readout.rate": {"en": "measured factor per step back", "ko": "측정한 단계당 배율"},

    # ---- page 1 figures --------------------------------------------------------
    "fig.curves.title": {"en": "Gradient norm ‖∂L/∂h_t‖ through time", "ko": "시간에 따른 기울기 노름 ‖∂L/∂h_t‖"},
    "fig.curves.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.curves.y": {"en": "‖∂L/∂h_t‖ (log)", "ko": "‖∂L/∂h_t‖ (로그)"},
    "fig.curves.overflow": {"en": "overflow", "ko": "오버플로"},
    "fig.curves.theory_rho": {"en": "theory ρ^k", "ko": "이론 ρ^k"},
    "fig.curves.theory_pascanu": {"en": "bound (γσ_max)^k (RNN)", "ko": "상한 (γσ_max)^k (RNN)"},
    "cap.curves": {
        "en": "Read from right (the loss) to left. A straight line on this log axis is geometric decay or "
              "growth; the grey curves are the theory at the same start: ρ^k and, for the RNN, Pascanu's "
              "bound (γσ_max)^k with k = T−1−t. Click a point to open that step's Jacobian.",
        "ko": "오른쪽(손실)에서 왼쪽으로 읽으세요. 로그 축의 직선은 기하급수적 감소나 증가입니다. 회색 "
              "곡선은 같은 시작점의 이론값 ρ^k 와, RNN의 경우 파스카누 상한 (γσ_max)^k (k = T−1−t) 입니다. "
              "점을 누르면 그 단계의 야코비안이 열립니다."},
    "fig.dw.title": {"en": "Which steps ∂L/∂W_h learns from", "ko": "∂L/∂W_h 가 배우는 단계"},
    "fig.dw.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.dw.y": {"en": "‖step-t term of ∂L/∂W_h‖ (log)", "ko": "∂L/∂W_h 의 t 단계 항 노름 (로그)"},
    "cap.dw": {"en": "The weight gradient is a sum over steps; when ‖∂L/∂h_t‖ has vanished, the early steps add "
                     "nothing and long-range dependencies are not learned.",
               "ko": "가중치 기울기는 단계별 항의 합입니다. ‖∂L/∂h_t‖ 가 사라지면 앞쪽 단계는 아무것도 "
                     "보태지 못해 장기 의존성을 배우지 못합니다."},
    "fig.paths.title": {"en": "LSTM: cell-state path vs hidden path", "ko": "LSTM: 셀 상태 경로 대 은닉 경로"},
    "fig.paths.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.paths.y": {"en": "norm (log)", "ko": "노름 (로그)"},
    "fig.paths.dc": {"en": "‖∂L/∂c_t‖", "ko": "‖∂L/∂c_t‖"},
    "fig.paths.prodf": {"en": "∏ f (mean over units)", "ko": "∏ f (유닛 평균)"},
    "fig.paths.cell": {"en": "‖∂L/∂h_{t−1}‖ via c (gates i, f, g)", "ko": "c 를 거친 ‖∂L/∂h_{t−1}‖ (게이트 i, f, g)"},
    "fig.paths.hidden": {"en": "‖∂L/∂h_{t−1}‖ via o (hidden path)", "ko": "o 를 거친 ‖∂L/∂h_{t−1}‖ (은닉 경로)"},
    "cap.paths": {"en": "Along the cell state each step only multiplies by the forget gate f_t: while f ≈ 1 "
                        "(a large forget bias), ‖∂L/∂c_t‖ stays alive long after the hidden path has faded.",
                  "ko": "셀 상태를 따라가면 단계마다 망각 게이트 f_t 만 곱해집니다. f ≈ 1 (큰 망각 편향) 인 "
                        "동안 은닉 경로가 사라진 뒤에도 ‖∂L/∂c_t‖ 가 오래 살아 있습니다."},
    "fig.eig.title": {"en": "Eigenvalues of W_h (each gate block)", "ko": "W_h 의 고유값(게이트 블록별)"},
    "fig.eig.x": {"en": "Re λ", "ko": "Re λ"},
    "fig.eig.y": {"en": "Im λ", "ko": "Im λ"},
    "fig.eig.unit": {"en": "unit circle", "ko": "단위원"},
    "fig.eig.rho": {"en": "radius ρ", "ko": "반지름 ρ"},
    "cap.eig": {"en": "Eigenvalues outside the unit circle make ‖W^k‖ grow, inside make it shrink. For a "
                      "non-normal matrix σ_max exceeds ρ, and ‖W^k‖ can grow for a while although ρ < 1.",
                "ko": "단위원 밖의 고유값은 ‖W^k‖ 를 키우고, 안쪽의 고유값은 줄입니다. 비정규 행렬은 σ_max 가 "
                      "ρ 보다 커서 ρ < 1 이어도 ‖W^k‖ 가 한동안 커질 수 있습니다."},
    "fig.pow.title": {"en": "‖W^k‖ of the first gate block against ρ^k", "ko": "첫 게이트 블록의 ‖W^k‖ 와 ρ^k"},
    "fig.pow.x": {"en": "power k", "ko": "거듭제곱 k"},
    "fig.pow.y": {"en": "‖W^k‖₂ (log)", "ko": "‖W^k‖₂ (로그)"},
    "fig.pow.rho": {"en": "ρ^k", "ko": "ρ^k"},
    "cap.pow": {"en": "For a normal matrix ‖W^k‖ = ρ^k. A non-normal one can grow for many steps before ρ^k "
                      "takes over: transient growth with ρ < 1.",
                "ko": "정규 행렬이면 ‖W^k‖ = ρ^k 입니다. 비정규 행렬은 ρ^k 가 지배하기 전까지 여러 단계 동안 "
                      "커질 수 있습니다: ρ < 1 인데도 일시적 증가."},
    "fig.phase.title": {"en": "Phase map: log₁₀‖∂L/∂h‖ over ρ and steps back", "ko": "위상도: ρ 와 거슬러 간 단계에 따른 log₁₀‖∂L/∂h‖"},
    "fig.phase.x": {"en": "spectral radius ρ", "ko": "스펙트럼 반지름 ρ"},
    "fig.phase.y": {"en": "steps back k", "ko": "거슬러 간 단계 k"},
    "fig.phase.z": {"en": "log₁₀‖∂L/∂h‖", "ko": "log₁₀‖∂L/∂h‖"},
    "cap.phase": {"en": "Blue: vanished, red: exploded (overflow is drawn at the top colour); the black line is "
                        "‖∂L/∂h‖ = 1. The cross marks the current ρ and T. Where the line bends upward the "
                        "cell sits at the edge of stability.",
                  "ko": "파랑은 소실, 빨강은 폭주(오버플로는 가장 진한 색)이며 검은 선은 ‖∂L/∂h‖ = 1 입니다. "
                        "× 는 현재의 ρ 와 T 입니다. 선이 위로 휘는 곳이 안정성의 경계입니다."},
    "fig.attr.title": {"en": "Input attribution ‖∂L/∂x_t‖ per token", "ko": "토큰별 입력 기여도 ‖∂L/∂x_t‖"},
    "fig.attr.x": {"en": "token", "ko": "토큰"},
    "fig.attr.y": {"en": "‖∂L/∂x_t‖ (log)", "ko": "‖∂L/∂x_t‖ (로그)"},
    "cap.attr": {"en": "How strongly the loss at the end reacts to each word's embedding: early words get "
                       "little credit when the gradient has vanished on its way back.",
                 "ko": "끝의 손실이 각 단어 임베딩에 얼마나 반응하는지 보여 줍니다. 기울기가 사라지면 앞쪽 "
                       "단어는 거의 기여를 인정받지 못합니다."},
    "fig.jac.title": {"en": "{cell}: Jacobian ∂h_t/∂h_(t−1) at t = {t}", "ko": "{cell}: t = {t} 의 야코비안 ∂h_t/∂h_(t−1)"},
    "fig.jac.J": {"en": "J_t (H × H)", "ko": "J_t (H × H)"},
    "fig.jac.sv": {"en": "singular values of J_t", "ko": "J_t 의 특이값"},
    "fig.jac.factors": {"en": "factors at step t (per unit)", "ko": "단계 t 의 인자(유닛별)"},
    "fig.jac.product": {"en": "norms: ‖J_s‖ and ‖J_t ⋯ J_s‖", "ko": "노름: ‖J_s‖ 와 ‖J_t ⋯ J_s‖"},
    "fig.jac.x": {"en": "step s", "ko": "단계 s"},
    "fig.jac.unit": {"en": "unit", "ko": "유닛"},
    "fig.jac.step_norm": {"en": "‖J_s‖ per step", "ko": "단계별 ‖J_s‖"},
    "fig.jac.running": {"en": "running product ‖J_t ⋯ J_s‖", "ko": "누적 곱 ‖J_t ⋯ J_s‖"},
    "cap.jac": {"en": "The Jacobian of one step is the activation derivatives (and gates) times the blocks of "
                      "W_h. Singular values below 1 shrink the gradient; the running product shows the "
                      "shrinking compound over the steps back from t.",
                "ko": "한 단계의 야코비안은 활성 함수의 도함수(와 게이트)에 W_h 블록을 곱한 것입니다. 1보다 "
                      "작은 특이값은 기울기를 줄이고, 누적 곱은 t 에서 거슬러 가며 그 감소가 쌓이는 모습을 "
                      "보여 줍니다."},

    # ---- page 2 ------------------------------------------------------------------
    "page2.controls": {"en": "Clipping", "ko": "클리핑"},
    "page2.intro": {
        "en": "Clipping bounds a gradient step when the gradient explodes. Norm clipping rescales the whole "
              "gradient and keeps its direction; value clipping clamps each entry and can turn it.",
        "ko": "클리핑은 기울기가 폭주할 때 한 걸음의 크기를 제한합니다. 노름 클리핑은 기울기 전체를 줄여 "
              "방향을 유지하고, 값 클리핑은 성분마다 잘라 방향을 바꿀 수 있습니다."},
    "w.method": {"en": "Method", "ko": "방법"},
    "w.method.help": {"en": "Global norm (Pascanu et al.), per-entry value, or none.",
                      "ko": "전역 노름(파스카누 외), 성분별 값, 또는 없음."},
    "opt.method.norm": {"en": "global norm", "ko": "전역 노름"},
    "opt.method.value": {"en": "value", "ko": "값"},
    "opt.method.none": {"en": "none", "ko": "없음"},
    "w.threshold": {"en": "Threshold c", "ko": "임계값 c"},
    "w.threshold.help": {"en": "Largest allowed global norm (norm) or entry (value).",
                         "ko": "허용하는 최대 전역 노름(노름) 또는 성분 값(값)."},
    "w.cell": {"en": "Cell", "ko": "셀"},
    "w.cell.help": {"en": "The cell whose gradient is clipped (random weights, H = 64).",
                    "ko": "기울기를 클리핑할 셀(무작위 가중치, H = 64)."},
    "opt.cell.rnn": {"en": "RNN", "ko": "RNN"},
    "opt.cell.lstm": {"en": "LSTM", "ko": "LSTM"},
    "opt.cell.gru": {"en": "GRU", "ko": "GRU"},
    "w.w0": {"en": "start w₀", "ko": "시작점 w₀"},
    "w.w0.help": {"en": "Where gradient descent starts on the (w, b) plane.", "ko": "(w, b) 평면에서 경사 하강의 시작점."},
    "w.b0": {"en": "start b₀", "ko": "시작점 b₀"},
    "w.b0.help": {"en": "Where gradient descent starts on the (w, b) plane.", "ko": "(w, b) 평면에서 경사 하강의 시작점."},
    "w.lr": {"en": "learning rate", "ko": "학습률"},
    "w.lr.help": {"en": "Step size of both descents.", "ko": "두 경사 하강의 걸음 크기."},
    "w.csteps": {"en": "steps", "ko": "단계 수"},
    "w.csteps.help": {"en": "Number of gradient-descent steps.", "ko": "경사 하강 단계 수."},
    "w.cthr": {"en": "clip at", "ko": "클리핑 임계값"},
    "w.cthr.help": {"en": "Norm threshold of the clipped descent.", "ko": "클리핑하는 경사 하강의 노름 임계값."},
    "page2.norm_before": {"en": "global norm before", "ko": "클리핑 전 전역 노름"},
    "page2.norm_after": {"en": "global norm after", "ko": "클리핑 후 전역 노름"},
    "page2.cosine": {"en": "cosine(clipped, unclipped)", "ko": "코사인(클리핑 후, 전)"},
    "page2.skipped": {"en": "Non-finite gradient: step skipped.", "ko": "유한하지 않은 기울기: 이번 단계는 건너뜁니다."},
    "page2.clipped": {"en": "The gradient was clipped.", "ko": "기울기를 클리핑했습니다."},
    "fig.pnorm.title": {"en": "Gradient norm per parameter", "ko": "매개변수별 기울기 노름"},
    "fig.pnorm.x": {"en": "parameter", "ko": "매개변수"},
    "fig.pnorm.y": {"en": "‖∂L/∂θ‖ (log)", "ko": "‖∂L/∂θ‖ (로그)"},
    "fig.pnorm.before": {"en": "before clipping", "ko": "클리핑 전"},
    "fig.pnorm.after": {"en": "after clipping", "ko": "클리핑 후"},
    "cap.pnorm": {"en": "Norm clipping lowers every bar by the same factor (cosine 1); value clipping cuts the "
                        "largest entries most, so the direction changes (cosine < 1).",
                  "ko": "노름 클리핑은 모든 막대를 같은 비율로 낮춥니다(코사인 1). 값 클리핑은 큰 성분을 더 많이 "
                        "잘라 방향이 바뀝니다(코사인 < 1)."},
    "fig.hist.title": {"en": "Global gradient norms over PTB batches", "ko": "PTB 배치의 전역 기울기 노름"},
    "fig.hist.x": {"en": "global gradient norm (log)", "ko": "전역 기울기 노름 (로그)"},
    "fig.hist.y": {"en": "batches", "ko": "배치 수"},
    "fig.hist.threshold": {"en": "threshold c", "ko": "임계값 c"},
    "fig.hist.band": {"en": "0.5–10 × mean", "ko": "평균의 0.5–10 배"},
    "page2.hist_stats": {"en": "{n} batches of model {model}; mean norm {mean}; {frac}% of the batches would be clipped.",
                         "ko": "모델 {model} 의 배치 {n}개, 평균 노름 {mean}, 배치의 {frac}% 가 클리핑됩니다."},
    "page2.hist_missing": {"en": "The precomputed PTB gradient norms are not available ({msg}). The rest of the page works.",
                           "ko": "미리 계산한 PTB 기울기 노름이 없습니다({msg}). 페이지의 나머지는 동작합니다."},
    "cap.hist": {"en": "Pascanu et al. suggest a threshold between 0.5 and 10 times the average norm (shaded): "
                       "high enough to leave ordinary steps alone, low enough to catch the rare explosions.",
                 "ko": "파스카누 외는 평균 노름의 0.5–10 배(음영) 사이 임계값을 권합니다. 평범한 단계는 그대로 "
                       "두고 드문 폭주만 잡을 만큼입니다."},
    "page2.path_plain": {"en": "plain descent", "ko": "일반 경사 하강"},
    "page2.path_clipped": {"en": "clipped at {c}", "ko": "{c} 에서 클리핑"},
    "page2.final_plain": {"en": "final loss, plain", "ko": "최종 손실(일반)"},
    "page2.final_clipped": {"en": "final loss, clipped", "ko": "최종 손실(클리핑)"},
    "page2.max_grad": {"en": "largest gradient norm met", "ko": "만난 최대 기울기 노름"},
    "fig.cliff.title": {"en": "Pascanu's cliff: loss of the one-unit RNN", "ko": "파스카누의 절벽: 유닛 하나짜리 RNN의 손실"},
    "fig.cliff.x": {"en": "w", "ko": "w"},
    "fig.cliff.y": {"en": "b", "ko": "b"},
    "fig.cliff.z": {"en": "log₁₀ L", "ko": "log₁₀ L"},
    "fig.cliff.start": {"en": "start", "ko": "시작점"},
    "fig.cliff.clipmark": {"en": "clipped step", "ko": "클리핑된 단계"},
    "cap.cliff": {"en": "The sharp wall is where the map x ↦ wσ(x) + b bifurcates: there the gradient is huge. "
                        "A plain step from the wall flies far away; the clipped step (crosses) moves at most "
                        "lr·c and keeps descending.",
                  "ko": "날카로운 벽은 x ↦ wσ(x) + b 사상이 분기하는 곳으로, 기울기가 매우 큽니다. 벽에서 "
                        "일반 경사 하강은 멀리 튕겨 나가고, 클리핑한 걸음(×)은 최대 lr·c 만 움직여 계속 "
                        "내려갑니다."},
}


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


# --- pages 3 and 4: gates on PTB, training ----------------------------------
TEXT.update({
    # ---- page 3: gates on PTB ------------------------------------------------
    "page3.intro": {
        "en": "A language model reads a sentence word by word. Each heatmap shows one gate or state of the "
              "recurrent layer (rows: units, columns: tokens). The bottom row is how strongly the loss at one "
              "token reaches back to each earlier hidden state.",
        "ko": "언어 모델은 문장을 한 단어씩 읽습니다. 각 열지도는 순환층의 게이트나 상태 하나를 보여 줍니다"
              "(행: 유닛, 열: 토큰). 맨 아래 줄은 한 토큰의 손실이 앞선 은닉 상태에 얼마나 세게 닿는지입니다."},
    "page3.group.model": {"en": "Model", "ko": "모델"},
    "page3.group.view": {"en": "What to draw", "ko": "그릴 내용"},
    "page3.dice": {"en": "Another random sentence", "ko": "다른 무작위 문장"},
    "page3.sentence": {"en": "Sentence", "ko": "문장"},
    "page3.where_ptb": {"en": "PTB {split} sentence {i} of {n}", "ko": "PTB {split} 문장 {i} / {n}"},
    "page3.where_text": {"en": "your text, in PTB tokens", "ko": "직접 쓴 글(PTB 토큰)"},
    "page3.empty_text": {"en": "the text is empty; type a sentence", "ko": "글이 비어 있습니다. 문장을 입력하세요"},
    "page3.empty_word": {"en": "type a word to search for", "ko": "찾을 단어를 입력하세요"},
    "page3.text_cut": {"en": "Only the first {n} characters of the text are read.",
                       "ko": "글의 앞 {n}자만 읽습니다."},
    "page3.bad_sentence": {"en": "No sentence to show: {msg}", "ko": "보여 줄 문장이 없습니다: {msg}"},
    "page3.idx_wrapped": {"en": "The {split} split has {n} sentences; index {idx} wraps around to {used}.",
                          "ko": "{split} 분할에는 문장이 {n}개 있어 번호 {idx} 는 {used} 로 돌아갑니다."},
    "page3.no_hits": {"en": "no sentence of the {split} split contains “{word}”",
                      "ko": "{split} 분할에 “{word}” 가 들어간 문장이 없습니다"},
    "page3.hits": {"en": "{n}{more} sentences contain the word; showing hit {h}.",
                   "ko": "이 단어가 들어간 문장 {n}{more}개 중 {h}번째를 보여 줍니다."},
    "page3.hit_clamped": {"en": "Hit {hit} does not exist ({n} found); showing the last one.",
                          "ko": "{hit}번째 결과는 없습니다({n}개 찾음). 마지막 결과를 보여 줍니다."},
    "page3.cut": {"en": "The sentence has {T} tokens; the first {n} are drawn.",
                  "ko": "문장이 {T}개 토큰이라 앞의 {n}개만 그립니다."},
    "page3.unk_ptb": {"en": "<unk> is how the PTB itself writes a word outside its 10,000-word vocabulary.",
                      "ko": "<unk> 는 PTB가 1만 단어 어휘 밖의 단어를 적는 방식입니다."},
    "page3.pos_clamped": {"en": "Loss position {pos} is past the sentence ({T} tokens); using the last token.",
                          "ko": "손실 위치 {pos} 가 문장({T}개 토큰)을 넘어 마지막 토큰을 씁니다."},
    "page3.layer_clamped": {"en": "The model has {L} layer(s); layer {layer} does not exist, showing the top one.",
                            "ko": "모델의 층은 {L}개라 {layer}층은 없습니다. 맨 위층을 보여 줍니다."},
    "page3.no_model": {
        "en": "No trained {cell} model was found in models/ (or it could not be read), so there is nothing "
              "trained to show. The gates of a random initialisation are shown instead; train one with "
              "`python -m gradflow train` and save it as models/{file}.",
        "ko": "models/ 에서 학습된 {cell} 모델을 찾지 못했거나 읽을 수 없어, 학습된 게이트를 보여 줄 수 없습니다. "
              "대신 무작위 초기화의 게이트를 보여 줍니다. `python -m gradflow train` 으로 학습해 "
              "models/{file} 로 저장하세요."},
    "page3.random_default_shape": {
        "en": "Random {cell} of the default shape (E = H = 100): no shipped model gives the shape.",
        "ko": "기본 크기(E = H = 100)의 무작위 {cell}: 크기를 정할 배포 모델이 없습니다."},
    "page3.k_capped": {"en": "The layer has only H = {H} units: showing all {H}, not {k}.",
                       "ko": "이 층의 유닛은 H = {H}개뿐입니다. {k}개가 아니라 {H}개 모두를 보여 줍니다."},
    "page3.first_clamped": {"en": "Units from {first} do not all exist (H = {H}); showing the last ones.",
                            "ko": "{first}번부터의 유닛이 모두 있지는 않습니다(H = {H}). 마지막 유닛들을 보여 줍니다."},
    "page3.loss_at": {"en": "Loss at token {p} ({word}), predicting {target}: {losses}.",
                      "ko": "토큰 {p}({word})에서 {target} 을(를) 예측하는 손실: {losses}."},
    "w.src": {"en": "Sentence", "ko": "문장"},
    "w.src.help": {"en": "A PTB sentence by split and index, a random one (its seed goes into the link), "
                         "the sentences containing a word, or your own text.",
                   "ko": "분할과 번호로 고른 PTB 문장, 무작위 문장(시드가 링크에 저장됨), 단어가 들어간 문장, "
                         "또는 직접 쓴 글."},
    "opt.src.ptb": {"en": "PTB by index", "ko": "PTB 번호"},
    "opt.src.random": {"en": "random PTB", "ko": "무작위 PTB"},
    "opt.src.search": {"en": "search a word", "ko": "단어 찾기"},
    "opt.src.text": {"en": "your text", "ko": "직접 쓴 글"},
    "w.split": {"en": "Split", "ko": "분할"},
    "w.split.help": {"en": "PTB's training, validation or test sentences.", "ko": "PTB의 학습·검증·시험 문장."},
    "opt.split.train": {"en": "train", "ko": "학습"},
    "opt.split.valid": {"en": "valid", "ko": "검증"},
    "opt.split.test": {"en": "test", "ko": "시험"},
    "w.idx": {"en": "Sentence index", "ko": "문장 번호"},
    "w.idx.help": {"en": "0-based; wraps around past the end of the split.",
                   "ko": "0부터 셉니다. 분할의 끝을 넘으면 처음으로 돌아갑니다."},
    "w.seed3.help": {"en": "Picks the random sentence, and the random initialisation. Same seed, same view.",
                     "ko": "무작위 문장과 무작위 초기화를 정합니다. 시드가 같으면 화면도 같습니다."},
    "w.word": {"en": "Word", "ko": "단어"},
    "w.word.help": {"en": "A PTB word (lowercase; numbers are N).", "ko": "PTB 단어(소문자, 숫자는 N)."},
    "w.hit": {"en": "Hit", "ko": "결과 번호"},
    "w.hit.help": {"en": "Which of the sentences containing the word (0 = the first).",
                   "ko": "단어가 들어간 문장 중 몇 번째인지(0 = 첫 번째)."},
    "w.model": {"en": "Model", "ko": "모델"},
    "w.model.help": {"en": "The shipped PTB language model of this cell.", "ko": "이 셀로 학습해 배포한 PTB 언어 모델."},
    "opt.model.lstm": {"en": "LSTM", "ko": "LSTM"},
    "opt.model.gru": {"en": "GRU", "ko": "GRU"},
    "opt.weights.both": {"en": "trained vs untrained", "ko": "학습됨 대 학습 전"},
    "w.weights3.help": {"en": "The trained model, a random initialisation of the same shape, or both side by "
                              "side.",
                        "ko": "학습된 모델, 같은 크기의 무작위 초기화, 또는 둘을 나란히."},
    "w.units": {"en": "Units", "ko": "유닛"},
    "w.units.help": {"en": "The k units whose h_t varies most over the sentence, or k units from an index.",
                     "ko": "문장에서 h_t 가 가장 크게 변하는 유닛 k개, 또는 어떤 번호부터 k개."},
    "opt.units.top": {"en": "top-k by variance", "ko": "분산 상위 k"},
    "opt.units.index": {"en": "by index", "ko": "번호로"},
    "w.k": {"en": "Number of units k", "ko": "유닛 수 k"},
    "w.k.help": {"en": "Rows of every heatmap.", "ko": "각 열지도의 행 수."},
    "w.first": {"en": "First unit", "ko": "첫 유닛"},
    "w.first.help": {"en": "Used with “by index”.", "ko": "“번호로”일 때 씁니다."},
    "w.pos": {"en": "Loss position p (−1 = last)", "ko": "손실 위치 p (−1 = 마지막)"},
    "w.pos.help": {"en": "The token whose next-word loss is differentiated; at the last token the next "
                         "word is <eos>.",
                   "ko": "다음 단어 손실을 미분할 토큰입니다. 마지막 토큰의 다음 단어는 <eos> 입니다."},
    "w.layer": {"en": "Layer", "ko": "층"},
    "w.layer.help": {"en": "Recurrent layer (0 = the bottom one).", "ko": "순환층(0 = 맨 아래층)."},
    "opt.view.gates": {"en": "Gates and states", "ko": "게이트와 상태"},
    "opt.view.sat": {"en": "Saturation", "ko": "포화"},
    "opt.view.pred": {"en": "Next-word predictions", "ko": "다음 단어 예측"},
    "fig.gates.title": {"en": "{cell} gates, {w}", "ko": "{cell} 게이트, {w}"},
    "fig.gates.x": {"en": "token", "ko": "토큰"},
    "fig.gates.grad": {"en": "‖∂L/∂h_t‖", "ko": "기울기 ‖∂L/∂h_t‖"},
    "fig.gates.unit": {"en": "unit", "ko": "유닛"},
    "fig.gates.sigmoid": {"en": "σ gate", "ko": "σ 게이트"},
    "fig.gates.tanh": {"en": "tanh value", "ko": "tanh 값"},
    "fig.gates.cell": {"en": "cell c", "ko": "셀 c"},
    "fig.gates.i": {"en": "i input", "ko": "i 입력"},
    "fig.gates.f": {"en": "f forget", "ko": "f 망각"},
    "fig.gates.g": {"en": "g candidate", "ko": "g 후보"},
    "fig.gates.o": {"en": "o output", "ko": "o 출력"},
    "fig.gates.c": {"en": "c cell", "ko": "c 셀"},
    "fig.gates.h": {"en": "h hidden", "ko": "h 은닉"},
    "fig.gates.r": {"en": "r reset", "ko": "r 리셋"},
    "fig.gates.z": {"en": "z update", "ko": "z 업데이트"},
    "fig.gates.n": {"en": "n candidate", "ko": "n 후보"},
    "cap.gates_lstm": {
        "en": "Look for forget-gate units that stay near 1 (they carry c across the sentence) and for input "
              "and output gates that switch at particular words. The dashed line marks the loss position p.",
        "ko": "1 근처에 머무는 망각 게이트 유닛(문장 내내 c 를 실어 나름)과 특정 단어에서 켜지고 꺼지는 "
              "입력·출력 게이트를 찾아보세요. 점선은 손실 위치 p 입니다."},
    "cap.gates_gru": {
        "en": "Update-gate units near 1 copy h_{t−1} forward (a memory); near 0 they overwrite it with the "
              "candidate n. The dashed line marks the loss position p.",
        "ko": "업데이트 게이트가 1 근처인 유닛은 h_{t−1} 을 그대로 넘기고(기억), 0 근처이면 후보 n 으로 "
              "덮어씁니다. 점선은 손실 위치 p 입니다."},
    "cap.gates_grad": {
        "en": "The bars show how far back the loss at p reaches; compare how fast they shrink in the trained "
              "and the random model. Entries after p are zero: the loss does not depend on them.",
        "ko": "막대는 p 의 손실이 얼마나 멀리 거슬러 닿는지 보여 줍니다. 학습된 모델과 무작위 모델에서 얼마나 "
              "빨리 줄어드는지 비교하세요. p 뒤의 값은 0 입니다: 손실이 그 값에 의존하지 않습니다."},
    "fig.sat.title": {"en": "Saturated gate values (all units, all tokens)", "ko": "포화된 게이트 값(모든 유닛·토큰)"},
    "fig.sat.x": {"en": "gate", "ko": "게이트"},
    "fig.sat.y": {"en": "fraction of values", "ko": "값의 비율"},
    "fig.sat.low": {"en": "below 0.1 (tanh: below −0.9)", "ko": "0.1 미만 (tanh: −0.9 미만)"},
    "fig.sat.high": {"en": "above 0.9", "ko": "0.9 초과"},
    "cap.sat": {
        "en": "A saturated gate acts like a switch, and its derivative is nearly zero: a trained LSTM saturates "
              "many more gate values than a random one. Hatched: low end; solid: high end.",
        "ko": "포화된 게이트는 스위치처럼 작동하고 도함수는 거의 0 입니다. 학습된 LSTM은 무작위 모델보다 훨씬 "
              "많은 게이트 값이 포화됩니다. 빗금: 아래쪽 끝, 채움: 위쪽 끝."},
    "tab.pred.t": {"en": "t", "ko": "위치 t"},
    "tab.pred.token": {"en": "token", "ko": "토큰"},
    "tab.pred.next": {"en": "next word", "ko": "다음 단어"},
    "tab.pred.p": {"en": "p(next word)", "ko": "p(다음 단어)"},
    "tab.pred.top": {"en": "top {r}", "ko": "{r}위"},
    "cap.pred": {
        "en": "The five most likely next words after each token, with their probabilities. A random model "
              "spreads its probability almost evenly over the 10,000 words (about 0.0001 each).",
        "ko": "각 토큰 다음에 올 가능성이 가장 큰 다섯 단어와 확률입니다. 무작위 모델은 1만 단어에 확률을 거의 "
              "고르게(각각 약 0.0001) 나눕니다."},

    # ---- page 4: training ----------------------------------------------------
    "page4.intro": {
        "en": "Train a small word-level language model on the first tokens of PTB, right here: SGD with "
              "truncated BPTT, as in “Deep Learning from Scratch 2”. Press Train, watch the loss fall, and "
              "compare clipping on and off or an RNN against an LSTM.",
        "ko": "PTB 앞부분의 토큰으로 작은 단어 수준 언어 모델을 바로 여기서 학습합니다. 『밑바닥부터 시작하는 "
              "딥러닝 2』처럼 잘린 BPTT와 SGD를 씁니다. 학습을 누르고 손실이 줄어드는 것을 본 뒤, 클리핑 "
              "유무나 RNN과 LSTM을 비교하세요."},
    "page4.group.run": {"en": "Run", "ko": "실행"},
    "page4.group.size": {"en": "Model and data", "ko": "모델과 데이터"},
    "page4.train": {"en": "Train", "ko": "학습"},
    "page4.stop": {"en": "Stop", "ko": "멈춤"},
    "page4.clear": {"en": "Clear runs", "ko": "기록 지우기"},
    "page4.plan": {"en": "{runs} run(s) of {steps} steps each: {tokens} PTB tokens in {B} streams, windows of "
                         "T = {T}. Pressing Stop or changing a setting ends a run; its curves are kept.",
                   "ko": "실행 {runs}번, 각 {steps}단계: PTB 토큰 {tokens}개를 {B}개 흐름으로 나누고 창 길이 "
                         "T = {T}. 멈춤을 누르거나 설정을 바꾸면 실행이 끝나고 그때까지의 곡선은 남습니다."},
    "page4.limit": {"en": "To keep a run short, it is limited to {steps} steps: using the first {tokens} tokens.",
                    "ko": "실행을 짧게 하려고 {steps}단계로 제한합니다: 앞의 {tokens}개 토큰만 씁니다."},
    "page4.too_few": {"en": "{tokens} tokens in {batch} streams hold no window of T = {bptt}: use more tokens "
                            "or a smaller batch.",
                      "ko": "토큰 {tokens}개를 {batch}개 흐름으로 나누면 T = {bptt} 창이 하나도 없습니다. "
                            "토큰을 늘리거나 배치를 줄이세요."},
    "page4.no_data": {"en": "The PTB data is not available, so nothing can be trained: {msg}",
                      "ko": "PTB 데이터가 없어 학습할 수 없습니다: {msg}"},
    "page4.progress": {"en": "{run}: step {step} of {total}", "ko": "{run}: {total}단계 중 {step}"},
    "page4.finished": {"en": "Finished.", "ko": "끝났습니다."},
    "page4.press_train": {"en": "Press Train to start a run. Nothing is trained until then.",
                          "ko": "학습을 누르면 실행이 시작됩니다. 그 전에는 아무것도 학습하지 않습니다."},
    "page4.stopped": {"en": "{run} was stopped after {step} of {total} steps; its curves so far are kept.",
                      "ko": "{run} 은(는) {total}단계 중 {step}단계에서 멈췄습니다. 그때까지의 곡선은 남아 있습니다."},
    "page4.not_started": {"en": "{run} was not started.", "ko": "{run} 은(는) 시작되지 않았습니다."},
    "page4.skipped": {"en": "{run}: non-finite gradient: {n} step(s) skipped.",
                      "ko": "{run}: 유한하지 않은 기울기로 {n}단계를 건너뛰었습니다."},
    "page4.train_ppl": {"en": "train perplexity (last 10 %)", "ko": "학습 퍼플렉서티(마지막 10 %)"},
    "page4.valid_ppl": {"en": "validation perplexity", "ko": "검증 퍼플렉서티"},
    "page4.run_facts": {"en": "{steps} steps, {clipped} % clipped, {tps} tokens/s · {s}",
                        "ko": "{steps}단계, {clipped} % 클리핑, 초당 토큰 {tps}개 · {s}"},
    "run.one": {"en": "{cell} run", "ko": "{cell} 실행"},
    "run.clip_on": {"en": "{cell}, clipped at {c}", "ko": "{cell}, {c} 에서 클리핑"},
    "run.clip_off": {"en": "{cell}, no clipping", "ko": "{cell}, 클리핑 없음"},
    "run.cell": {"en": "{cell} run", "ko": "{cell} 실행"},
    "w.compare": {"en": "Compare", "ko": "비교"},
    "w.compare.help": {"en": "One run, or two runs drawn together: clipping on against off, or an RNN "
                             "against an LSTM (same data, seed and settings).",
                       "ko": "한 번 실행, 또는 두 실행을 함께 그립니다: 클리핑 켬 대 끔, 또는 RNN 대 LSTM"
                             "(같은 데이터·시드·설정)."},
    "opt.compare.none": {"en": "one run", "ko": "한 번 실행"},
    "opt.compare.clip": {"en": "clipping on vs off", "ko": "클리핑 켬 대 끔"},
    "opt.compare.cell": {"en": "RNN vs LSTM", "ko": "RNN 대 LSTM"},
    "w.cell4.help": {"en": "Recurrent cell of the language model.", "ko": "언어 모델의 순환 셀."},
    "w.hidden": {"en": "Hidden size H (= embedding size)", "ko": "은닉 크기 H (= 임베딩 크기)"},
    "w.hidden.help": {"en": "Small models train in seconds; the 10,000-word softmax dominates the cost.",
                      "ko": "작은 모델은 몇 초 만에 학습됩니다. 비용은 1만 단어 소프트맥스가 대부분입니다."},
    "w.tokens": {"en": "Training tokens", "ko": "학습 토큰 수"},
    "w.tokens.help": {"en": "The first tokens of PTB's training text.", "ko": "PTB 학습 글의 앞부분 토큰."},
    "w.epochs": {"en": "Epochs", "ko": "에폭"},
    "w.epochs.help": {"en": "Passes over the slice; validation perplexity is measured after each.",
                      "ko": "조각을 몇 번 도는지. 매 에폭 뒤에 검증 퍼플렉서티를 잽니다."},
    "w.batch": {"en": "Batch B", "ko": "배치 B"},
    "w.batch.help": {"en": "Parallel streams of text.", "ko": "나란히 읽는 글 흐름 수."},
    "w.bptt": {"en": "BPTT window T", "ko": "BPTT 창 T"},
    "w.bptt.help": {"en": "Steps per window of truncated BPTT; the state is carried across windows.",
                    "ko": "잘린 BPTT 창 하나의 단계 수. 상태는 창을 넘어 이어집니다."},
    "w.lr4.help": {"en": "SGD step size (DLFS2 and PyTorch's example use 20 with clipping at 0.25).",
                   "ko": "SGD 걸음 크기(DLFS2와 PyTorch 예제는 0.25 클리핑과 함께 20을 씁니다)."},
    "w.clip": {"en": "Clip the gradient", "ko": "기울기 클리핑"},
    "w.clip.help": {"en": "Rescale the global gradient norm to at most c.",
                    "ko": "전역 기울기 노름을 c 이하로 줄입니다."},
    "w.threshold4.help": {"en": "Largest allowed global gradient norm c.", "ko": "허용하는 최대 전역 기울기 노름 c."},
    "w.seed4.help": {"en": "Initialisation seed; both runs of a comparison share it.",
                     "ko": "초기화 시드. 비교하는 두 실행이 같이 씁니다."},
    "fig.train.title": {"en": "Training loss and perplexity", "ko": "학습 손실과 퍼플렉서티"},
    "fig.train.x": {"en": "step", "ko": "단계"},
    "fig.train.loss": {"en": "cross-entropy loss", "ko": "교차 엔트로피 손실"},
    "fig.train.ppl": {"en": "perplexity (log)", "ko": "퍼플렉서티(로그)"},
    "fig.train.valid": {"en": "validation", "ko": "검증"},
    "cap.train": {
        "en": "Each point is one window's mean loss. Perplexity starts near the vocabulary size (10,000: "
              "a uniform guess) and falls as the model learns; diamonds are validation perplexities.",
        "ko": "각 점은 창 하나의 평균 손실입니다. 퍼플렉서티는 어휘 크기(1만: 균등 추측) 근처에서 시작해 "
              "학습하면서 내려갑니다. 마름모는 검증 퍼플렉서티입니다."},
    "fig.tgnorm.title": {"en": "Global gradient norm per step (before clipping)",
                         "ko": "단계별 전역 기울기 노름(클리핑 전)"},
    "fig.tgnorm.x": {"en": "step", "ko": "단계"},
    "fig.tgnorm.y": {"en": "‖g‖ (log)", "ko": "‖g‖ (로그)"},
    "fig.tgnorm.clipped": {"en": "clipped", "ko": "클리핑됨"},
    "fig.tgnorm.skipped": {"en": "skipped (non-finite)", "ko": "건너뜀(유한하지 않음)"},
    "fig.tgnorm.threshold": {"en": "threshold c", "ko": "임계값 c"},
    "cap.tgnorm": {
        "en": "Crosses mark the clipped steps. With DLFS2's setting (lr = 20, c = 0.25) most steps are clipped: "
              "a clipped step has the fixed length lr·c. Without clipping, rare spikes can throw the weights far "
              "away; compare clipping on and off with an RNN.",
        "ko": "×는 클리핑된 단계입니다. DLFS2 설정(lr = 20, c = 0.25)에서는 대부분의 단계가 클리핑되어, 클리핑된 "
              "걸음의 길이는 lr·c 로 고정됩니다. 클리핑이 없으면 드문 급등이 가중치를 멀리 날려 보낼 수 있습니다. "
              "RNN으로 클리핑 켬과 끔을 비교해 보세요."},
    "fig.pgnorm.title": {"en": "Gradient norm of each parameter over the steps",
                         "ko": "단계에 따른 매개변수별 기울기 노름"},
    "fig.pgnorm.x": {"en": "step", "ko": "단계"},
    "fig.pgnorm.y": {"en": "‖∇_p L‖ (log)", "ko": "‖∇_p L‖ (로그)"},
    "cap.pgnorm": {
        "en": "Which parameters carry the gradient: the decoder and the embedding usually dominate; "
              "weight_hh is the recurrent part that BPTT trains.",
        "ko": "어떤 매개변수가 기울기를 받는지 봅니다. 보통 디코더와 임베딩이 가장 크고, weight_hh 는 BPTT가 "
              "학습하는 순환 부분입니다."},
})
