"""Texts of page 4, training: run controls and messages, run names, widgets,
the training figures (including the live loss chart), and captions.

Pure data (no imports); merged into gradflow.i18n.TEXT."""

TEXT = {
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
        "en": "Crosses mark the clipped steps: a clipped step has the fixed length lr·c whatever ‖g‖ was. "
              "Without clipping, rare spikes can throw the weights far away; compare clipping on and off with "
              "an RNN.",
        "ko": "×는 클리핑된 단계입니다. 클리핑된 걸음은 ‖g‖ 와 관계없이 길이가 lr·c 로 고정됩니다. 클리핑이 "
              "없으면 드문 급등이 가중치를 멀리 날려 보낼 수 있습니다. RNN으로 클리핑 켬과 끔을 비교해 보세요."},
    "page4.clipped_share": {"en": "{label}: {pct} % of its {n} steps were clipped (c = {c}).",
                            "ko": "{label}: {n}단계 중 {pct} % 가 클리핑되었습니다(c = {c})."},
    "fig.pgnorm.title": {"en": "Gradient norm of each parameter over the steps",
                         "ko": "단계에 따른 매개변수별 기울기 노름"},
    "fig.pgnorm.x": {"en": "step", "ko": "단계"},
    "fig.pgnorm.y": {"en": "‖∇_p L‖ (log)", "ko": "‖∇_p L‖ (로그)"},
    "cap.pgnorm": {
        "en": "Which parameters carry the gradient: the decoder and the embedding usually dominate; "
              "weight_hh is the recurrent part that BPTT trains.",
        "ko": "어떤 매개변수가 기울기를 받는지 봅니다. 보통 디코더와 임베딩이 가장 크고, weight_hh 는 BPTT가 "
              "학습하는 순환 부분입니다."},

    # ---- live loss chart (redrawn while a run trains) ------------------------
    "fig.live.title": {"en": "Training loss, live (latest steps)", "ko": "실시간 학습 손실(최근 단계)"},
    "fig.live.x": {"en": "step", "ko": "단계"},
    "fig.live.y": {"en": "cross-entropy loss", "ko": "교차 엔트로피 손실"},
    "how.train": {
        "en": "Truncated BPTT as in DLFS2: the training text is cut into $B$ parallel streams and read in "
              "windows of $T$ steps; the state carries over between windows but the gradient does not. Each "
              "window's mean cross-entropy is one point; SGD updates the weights after every window.",
        "ko": "DLFS2 처럼 잘린 BPTT: 학습 텍스트를 $B$ 개의 병렬 스트림으로 나눠 $T$ 단계 창으로 읽습니다. 상태는 "
              "창 사이로 이어지지만 기울기는 이어지지 않습니다. 각 창의 평균 교차 엔트로피가 점 하나이고, 창마다 "
              "SGD 가 가중치를 갱신합니다."},
    "how.tgnorm": {
        "en": "After each window's backward pass the global norm $\\|g\\| = \\sqrt{\\sum_p \\|\\nabla_p L\\|^2}$ "
              "is taken over all parameters; when $\\|g\\| > c$ every gradient is multiplied by "
              "$c / (\\|g\\| + 10^{-6})$ (DLFS2's `clip_grads`), so the step $\\mathrm{lr}\\cdot g$ has length "
              "$\\mathrm{lr}\\cdot c$.",
        "ko": "창마다 역전파 뒤 모든 매개변수의 전역 노름 $\\|g\\| = \\sqrt{\\sum_p \\|\\nabla_p L\\|^2}$ 을 "
              "잽니다. $\\|g\\| > c$ 이면 모든 기울기에 $c / (\\|g\\| + 10^{-6})$ 을 곱하므로(DLFS2의 "
              "`clip_grads`) 걸음 $\\mathrm{lr}\\cdot g$ 의 길이는 $\\mathrm{lr}\\cdot c$ 가 됩니다."},
    "how.pgnorm": {
        "en": "The same backward pass, with the norm taken per parameter before clipping, every few steps. "
              "weight_hh's gradient is the sum over the window's steps $\\sum_t \\delta_t h_{t-1}^{\\top}$.",
        "ko": "같은 역전파에서 클리핑 전 매개변수별 노름을 몇 단계마다 잽니다. weight_hh 의 기울기는 창 안 "
              "단계들의 합 $\\sum_t \\delta_t h_{t-1}^{\\top}$ 입니다."},
    "fig.flowtrain.title": {"en": "Gradient flow over training: how far back the loss reaches",
                            "ko": "학습에 따른 기울기 흐름: 손실이 얼마나 멀리 거슬러 닿는가"},
    "fig.flowtrain.x": {"en": "steps back k from the loss", "ko": "손실에서 거슬러 간 단계 k"},
    "fig.flowtrain.y": {"en": "training step", "ko": "학습 단계"},
    "fig.flowtrain.z": {"en": "log₁₀‖∂L/∂h‖", "ko": "log₁₀‖∂L/∂h‖ 값"},
    "cap.flowtrain": {
        "en": "Each row is the network at one moment of training, read on the same validation window with the "
              "loss at its last word: the colour is log₁₀‖∂L/∂h_t‖, k steps back from the loss. Compare the "
              "runs: does training teach the network to carry the gradient further back?",
        "ko": "각 행은 학습 중 한 시점의 신경망으로, 같은 검증 창을 마지막 단어에 손실을 두고 읽습니다. 색은 "
              "손실에서 k 단계 거슬러 간 log₁₀‖∂L/∂h_t‖ 입니다. 실행들을 비교해 보세요: 학습이 기울기를 더 멀리 "
              "전달하도록 가르치나요?"},
    "how.flowtrain": {
        "en": "Every few training steps the current weights read one fixed window of the validation text "
              "(the first T + 1 words) from a zero state, in float64 and without dropout; the next-word loss "
              "at the window's last word is backpropagated exactly, "
              "$\\frac{\\partial L}{\\partial h_{t-1}} = J_t^{\\top}\\frac{\\partial L}{\\partial h_t}$, "
              "and $\\|\\partial L/\\partial h_t\\|$ of the first layer is one row of the heatmap.",
        "ko": "몇 학습 단계마다 현재 가중치로 검증 텍스트의 고정된 창(처음 T + 1 단어)을 영 상태에서 float64, "
              "드롭아웃 없이 읽습니다. 창의 마지막 단어의 다음 단어 손실을 정확히 역전파하고 "
              "($\\frac{\\partial L}{\\partial h_{t-1}} = J_t^{\\top}\\frac{\\partial L}{\\partial h_t}$), 첫 층의 "
              "$\\|\\partial L/\\partial h_t\\|$ 가 히트맵의 한 행이 됩니다."},
}
