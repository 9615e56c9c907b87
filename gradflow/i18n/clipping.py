"""Texts of page 2, gradient clipping: its widgets, the view tabs, messages,
figure titles and axes, and captions.

Pure data (no imports); merged into gradflow.i18n.TEXT."""

TEXT = {
    "opt.view.clip": {"en": "Clipping a gradient", "ko": "기울기 클리핑"},
    "opt.view.hist": {"en": "PTB gradient norms", "ko": "PTB 기울기 노름"},
    "opt.view.cliff": {"en": "Pascanu's cliff", "ko": "파스카누의 절벽"},
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
    "w.threshold.help": {"en": "Largest allowed global norm (norm) or entry (value).",
                         "ko": "허용하는 최대 전역 노름(노름) 또는 성분 값(값)."},
    "w.cell.help": {"en": "The cell whose gradient is clipped (random weights, H = 64).",
                    "ko": "기울기를 클리핑할 셀(무작위 가중치, H = 64)."},
    "w.w0": {"en": "start w₀", "ko": "시작점 w₀"},
    "w.w0.help": {"en": "Where gradient descent starts on the (w, b) plane.", "ko": "(w, b) 평면에서 경사 하강의 시작점."},
    "w.b0": {"en": "start b₀", "ko": "시작점 b₀"},
    "w.b0.help": {"en": "Where gradient descent starts on the (w, b) plane.", "ko": "(w, b) 평면에서 경사 하강의 시작점."},
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
                        "largest entries most, so the direction changes (cosine < 1). The log axis starts a decade "
                        "below the smallest bar, and each bar is labelled with its value.",
                  "ko": "노름 클리핑은 모든 막대를 같은 비율로 낮춥니다(코사인 1). 값 클리핑은 큰 성분을 더 많이 "
                        "잘라 방향이 바뀝니다(코사인 < 1). 로그 축은 가장 작은 막대보다 한 자릿수 아래에서 시작하고, "
                        "막대마다 값을 적었습니다."},
    "fig.hist.title": {"en": "Global gradient norms over PTB batches", "ko": "PTB 배치의 전역 기울기 노름"},
    "fig.hist.x": {"en": "global gradient norm (log)", "ko": "전역 기울기 노름 (로그)"},
    "fig.hist.y": {"en": "batches", "ko": "배치 수"},
    "fig.hist.threshold": {"en": "threshold c", "ko": "임계값 c"},
    "fig.hist.band": {"en": "middle 90 % (5th–95th pct.)", "ko": "가운데 90 %(5–95 백분위)"},
    "page2.hist_stats": {"en": "{n} batches of model {model}; mean norm {mean}; the middle 90 % of the norms lie "
                               "between {p5} and {p95}; Pascanu's rule of thumb (0.5–10 × the mean) suggests a "
                               "threshold between {rule_lo} and {rule_hi}.",
                         "ko": "모델 {model} 의 배치 {n}개, 평균 노름 {mean}, 노름의 가운데 90 % 는 {p5}–{p95} "
                               "사이입니다. 파스카누의 경험칙(평균의 0.5–10 배)에 따른 임계값은 {rule_lo}–{rule_hi} "
                               "입니다."},
    "page2.hist_clipped": {"en": "With norm clipping at c = {c}, {frac}% of these batches would be clipped.",
                           "ko": "c = {c} 에서 노름 클리핑하면 이 배치들의 {frac}% 가 클리핑됩니다."},
    "page2.hist_missing": {"en": "The precomputed PTB gradient norms are not available ({msg}). The rest of the page works.",
                           "ko": "미리 계산한 PTB 기울기 노름이 없습니다({msg}). 페이지의 나머지는 동작합니다."},
    "cap.hist": {"en": "Shaded: where the middle 90 % of the batches' norms lie (5th to 95th percentile); the "
                       "dashed line is the threshold c. Pascanu et al. suggest a threshold between 0.5 and 10 times "
                       "the average norm: high enough to leave ordinary steps alone, low enough to catch the rare "
                       "explosions.",
                 "ko": "음영은 배치 노름의 가운데 90 %(5–95 백분위수)가 있는 구간이고, 점선은 임계값 c 입니다. "
                       "파스카누 외는 평균 노름의 0.5–10 배 사이 임계값을 권합니다. 평범한 단계는 그대로 두고 "
                       "드문 폭주만 잡을 만큼입니다."},
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
                        "A plain step is lr·‖g‖ long, so where it meets the wall it jumps several times farther "
                        "than any clipped step; a clipped step (crosses) moves at most lr·c and the clipped path "
                        "ends lower than it starts.",
                  "ko": "날카로운 벽은 x ↦ wσ(x) + b 사상이 분기하는 곳으로, 기울기가 매우 큽니다. 일반 걸음의 "
                        "길이는 lr·‖g‖ 이므로 벽을 만나면 어떤 클리핑된 걸음보다 몇 배나 멀리 뜁니다. 클리핑된 "
                        "걸음(×)은 최대 lr·c 만 움직이고, 클리핑한 경로는 시작보다 낮은 곳에서 끝납니다."},
    "how.pnorm": {
        "en": "The gradient $g$ of every parameter comes from one exact BPTT run. Norm clipping: "
              "$g \\leftarrow g \\cdot \\min(1, c / \\|g\\|)$ with $\\|g\\|$ the global norm over all parameters "
              "(DLFS2's `clip_grads`), so every parameter is scaled by the same factor. Value clipping: each "
              "entry is cut to $[-c, c]$ on its own. The cosine compares the directions before and after.",
        "ko": "모든 매개변수의 기울기 $g$ 는 정확한 BPTT 한 번에서 나옵니다. 노름 클리핑: "
              "$g \\leftarrow g \\cdot \\min(1, c / \\|g\\|)$, $\\|g\\|$ 는 모든 매개변수의 전역 노름(DLFS2의 "
              "`clip_grads`)이므로 모든 매개변수가 같은 비율로 줄어듭니다. 값 클리핑: 각 성분을 따로 "
              "$[-c, c]$ 로 자릅니다. 코사인은 전후 방향을 비교합니다."},
    "how.hist": {
        "en": "For 100 consecutive PTB training batches (20 × 35 tokens) the shipped LSTM's loss is "
              "backpropagated and the global norm $\\|g\\| = \\sqrt{\\sum_p \\|\\nabla_p L\\|^2}$ recorded "
              "(`python -m gradflow gradhist`); the histogram counts them on log-spaced bins.",
        "ko": "PTB 학습 배치(20 × 35 토큰) 100개 연속에 대해 제공된 LSTM의 손실을 역전파하고 전역 노름 "
              "$\\|g\\| = \\sqrt{\\sum_p \\|\\nabla_p L\\|^2}$ 을 기록합니다(`python -m gradflow gradhist`). "
              "히스토그램은 로그 간격 구간으로 셉니다."},
    "how.cliff": {
        "en": "A one-unit RNN $x_t = w\\,\\sigma(x_{t-1}) + b$ runs 50 steps; $L = (\\sigma(x_{50}) - 0.7)^2$. "
              "BPTT: $\\frac{\\partial L}{\\partial x_{t-1}} = \\frac{\\partial L}{\\partial x_t}\\, w\\, "
              "\\sigma'(x_{t-1})$, and $\\frac{\\partial L}{\\partial w} = \\sum_t \\frac{\\partial L}"
              "{\\partial x_t} \\sigma(x_{t-1})$, $\\frac{\\partial L}{\\partial b} = \\sum_t "
              "\\frac{\\partial L}{\\partial x_t}$. Where the map's fixed point jumps, these sums become huge: "
              "the wall.",
        "ko": "유닛 하나짜리 RNN $x_t = w\\,\\sigma(x_{t-1}) + b$ 를 50단계 돌리고 "
              "$L = (\\sigma(x_{50}) - 0.7)^2$ 입니다. BPTT: $\\frac{\\partial L}{\\partial x_{t-1}} = "
              "\\frac{\\partial L}{\\partial x_t}\\, w\\, \\sigma'(x_{t-1})$, $\\frac{\\partial L}{\\partial w} = "
              "\\sum_t \\frac{\\partial L}{\\partial x_t} \\sigma(x_{t-1})$, $\\frac{\\partial L}{\\partial b} = "
              "\\sum_t \\frac{\\partial L}{\\partial x_t}$. 사상의 고정점이 뛰는 곳에서 이 합이 매우 커집니다: "
              "그것이 벽입니다."},
}
