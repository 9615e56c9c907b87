"""Texts of page 3, gates on PTB: sentence choice, model and unit widgets, messages,
the heatmap and saturation figures, and the prediction table.

Pure data (no imports); merged into gradflow.i18n.TEXT."""

TEXT = {
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
    "how.gates": {
        "en": "The shipped language model reads the sentence from a zero state: embedding → recurrent "
              "layers → softmax over 10,000 words. Every gate activation is stored in the forward pass and "
              "drawn (rows: units, columns: tokens). The bottom row is $\\|\\partial L_p/\\partial h_t\\|$: the "
              "next-word loss at position $p$ backpropagated exactly through the same layers, "
              "$\\frac{\\partial L_p}{\\partial h_{t-1}} = J_t^{\\top}\\frac{\\partial L_p}{\\partial h_t}$.",
        "ko": "제공된 언어 모델이 영 상태에서 문장을 읽습니다: 임베딩 → 순환층 → 1만 단어 소프트맥스. 순전파의 "
              "모든 게이트 활성값을 저장해 그립니다(행: 유닛, 열: 토큰). 맨 아래 행은 "
              "$\\|\\partial L_p/\\partial h_t\\|$ 로, 위치 $p$ 의 다음 단어 손실을 같은 층을 통해 정확히 역전파한 "
              "것입니다: $\\frac{\\partial L_p}{\\partial h_{t-1}} = J_t^{\\top}\\frac{\\partial L_p}{\\partial h_t}$."},
    "how.sat": {
        "en": "For each gate, the share of its activations over all units and tokens below 0.1 or above 0.9 "
              "(tanh gates: below −0.9 or above 0.9). There $\\sigma'(a) = \\sigma(a)(1-\\sigma(a)) < 0.09$: "
              "little gradient flows through the gate's pre-activation.",
        "ko": "각 게이트에 대해 모든 유닛·토큰의 활성값 중 0.1 미만 또는 0.9 초과(tanh 게이트: −0.9 미만 또는 "
              "0.9 초과)인 비율입니다. 그곳에서는 $\\sigma'(a) = \\sigma(a)(1-\\sigma(a)) < 0.09$ 이므로 게이트의 "
              "사전 활성을 통해 흐르는 기울기가 작습니다."},
    "how.pred": {
        "en": "At each token the top layer's $h_t$ goes through the decoder: "
              "$p(w_{t+1}) = \\mathrm{softmax}(W_{dec} h_t + b)$; the table lists the five largest "
              "probabilities and the probability of the word that actually comes next.",
        "ko": "각 토큰에서 맨 위 층의 $h_t$ 가 디코더를 지납니다: $p(w_{t+1}) = \\mathrm{softmax}(W_{dec} h_t + b)$. "
              "표는 가장 큰 다섯 확률과 실제 다음 단어의 확률을 보여 줍니다."},
}
