"""Texts of page 5, depth and memory: its widgets, the view tabs, messages, figure titles and
axes, captions and derivations.

Pure data (no imports); merged into gradflow.i18n.TEXT."""

TEXT = {
    "page5.title": {"en": "Depth and memory", "ko": "깊이와 기억"},
    "page5.intro": {
        "en": "The gradient flows back through layers as well as through time, and the remedies the course "
              "notes teach change both paths: skip connections between layers, LSTM variants, a reservoir "
              "that is never trained, and teacher forcing, which cuts the path through time altogether.",
        "ko": "기울기는 시간뿐 아니라 층을 거슬러서도 흐릅니다. 강의 노트의 처방은 두 경로를 모두 "
              "바꿉니다: 층 사이의 건너뛰기 연결, LSTM 변형, 학습하지 않는 저장소(reservoir), 그리고 "
              "시간 경로를 아예 끊는 교사 강요(teacher forcing)."},
    "opt.view.depth": {"en": "Depth × time", "ko": "깊이 × 시간"},
    "opt.view.variants": {"en": "LSTM variants", "ko": "LSTM 변형"},
    "opt.view.memory": {"en": "Echo-state memory", "ko": "에코 상태 기억"},
    "opt.view.teacher": {"en": "Teacher forcing", "ko": "교사 강요"},
    # ---- depth × time -------------------------------------------------------------
    "w.cell5.help": {"en": "The cell of every layer (random weights).", "ko": "모든 층의 셀(무작위 가중치)."},
    "w.conn": {"en": "Skip connection (right panel)", "ko": "건너뛰기 연결(오른쪽 그림)"},
    "w.conn.help": {"en": "Drawn beside the plain stack. 'none': the plain stack alone.",
                    "ko": "일반 적층 옆에 그립니다. '없음': 일반 적층만 그립니다."},
    "opt.conn.none": {"en": "none", "ko": "없음"},
    "opt.conn.residual": {"en": "residual", "ko": "잔차"},
    "opt.conn.dense": {"en": "dense", "ko": "밀집"},
    "opt.conn.highway": {"en": "highway", "ko": "하이웨이"},
    "w.L": {"en": "Layers L", "ko": "층 수 L"},
    "w.L.help": {"en": "Stacked recurrent layers; layer 1 reads the input.", "ko": "쌓은 순환층 수. 1층이 입력을 읽습니다."},
    "w.H5": {"en": "Hidden size H", "ko": "은닉 크기 H"},
    "w.H5.help": {"en": "Units per layer; the input has H features too.", "ko": "층마다의 유닛 수. 입력도 H개 특성입니다."},
    "w.T5.help": {"en": "Steps the gradient flows back through.", "ko": "기울기가 거슬러 흐르는 단계 수입니다."},
    "w.hbias": {"en": "highway gate bias", "ko": "하이웨이 게이트 편향"},
    "w.hbias.help": {"en": "b_g of g = σ(W_g y + b_g); negative: each layer mostly carries its input on.",
                     "ko": "g = σ(W_g y + b_g) 의 b_g. 음수면 각 층이 입력을 주로 그대로 넘깁니다."},
    "w.ihs": {"en": "W_ih scale", "ko": "W_ih 배율"},
    "w.ihs.help": {"en": "Every layer's input weights × this; 1 is PyTorch's U(−1/√H, 1/√H).",
                   "ko": "모든 층의 입력 가중치에 곱합니다. 1 이 PyTorch 기본값 U(−1/√H, 1/√H) 입니다."},
    "page5.ratio_plain": {"en": "bottom / top layer, plain", "ko": "맨 아래 / 맨 위 층, 일반"},
    "page5.ratio_with": {"en": "bottom / top layer, {conn}", "ko": "맨 아래 / 맨 위 층, {conn}"},
    "page5.panel_plain": {"en": "plain stack", "ko": "일반 적층"},
    "page5.panel_with": {"en": "with {conn} connections", "ko": "{conn} 연결 사용"},
    "page5.nonfinite": {"en": "The gradient overflowed somewhere (grey cells): lower ρ or T.",
                        "ko": "어딘가에서 기울기가 넘쳤습니다(회색 칸). ρ 나 T 를 줄이세요."},
    "fig.depth.title": {"en": "‖∂L/∂h<sub>t</sub><sup>(l)</sup>‖ over layers and time (loss: top layer, last step)",
                        "ko": "층과 시간에 따른 ‖∂L/∂h<sub>t</sub><sup>(l)</sup>‖ (손실: 맨 위 층, 마지막 단계)"},
    "fig.depth.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.depth.y": {"en": "layer l", "ko": "층 l"},
    "fig.depth.z": {"en": "‖∂L/∂h‖", "ko": "‖∂L/∂h‖ 크기"},
    "fig.depth.zero": {"en": "exactly 0", "ko": "정확히 0"},
    "cap.depth": {
        "en": "The loss sits in the top-right cell (top layer, last step). Along a row the gradient goes back in "
              "time within one layer; down a column it goes through the layers at one step. Side by side, the "
              "panels share one colour scale, so a colour means the same gradient in both. The two numbers above are the "
              "bottom layer's gradient at the last step divided by the top layer's: the two cells outlined in "
              "red.",
        "ko": "손실은 오른쪽 위 칸(맨 위 층, 마지막 단계)에 있습니다. 행을 따라가면 한 층 안에서 시간을 "
              "거슬러 가고, 열을 따라 내려가면 한 단계에서 층을 거슬러 갑니다. 나란히 놓인 두 그림은 색 눈금 "
              "하나를 함께 쓰므로 같은 색은 같은 기울기입니다. 위의 두 숫자는 마지막 단계에서 맨 아래 층의 기울기를 맨 위 "
              "층의 기울기로 나눈 값, 곧 빨간 테두리를 친 두 칸의 비입니다."},
    "how.depth": {
        "en": "Layer $l$ reads the output of layer $l-1$ at the same step: $h_t^{(l)} = \\tanh(W_x^{(l)} "
              "y_t^{(l-1)} + W_h^{(l)} h_{t-1}^{(l)} + b^{(l)})$. So $h_t^{(l)}$ gets its gradient along two "
              "edges, the next step of its own layer and the layer above at the same step. With "
              "$\\delta_t^{(l)} = (1 - (h_t^{(l)})^2) \\odot \\frac{\\partial L}{\\partial h_t^{(l)}}$ (the tanh "
              "node), one step of the chain rule gives $\\frac{\\partial L}{\\partial h_{t-1}^{(l)}} \\ni "
              "W_h^{(l)\\top} \\delta_t^{(l)}$ and $\\frac{\\partial L}{\\partial y_t^{(l-1)}} = "
              "W_x^{(l)\\top} \\delta_t^{(l)}$ for a plain stack. **Residual**: $y^{(l)} = h^{(l)} + "
              "y^{(l-1)}$, so $\\frac{\\partial L}{\\partial y_t^{(l-1)}} = W_x^{(l)\\top} \\delta_t^{(l)} + "
              "\\frac{\\partial L}{\\partial y_t^{(l)}}$: the + node copies its upstream gradient to both "
              "inputs (DLFS2) and hands it down whole. **Dense**: layer $l$ reads $[x, h^{(1)}, \\dots, "
              "h^{(l-1)}]$, so every layer above sends a direct term. **Highway**: $y^{(l)} = g \\odot h^{(l)} + "
              "(1-g) \\odot y^{(l-1)}$ sends $(1-g) \\odot \\frac{\\partial L}{\\partial y^{(l)}}$ down; a "
              "negative gate bias makes $1-g \\approx 1$. Each cell is $\\log_{10}$ of $\\|\\partial L / "
              "\\partial h_t^{(l)}\\|$ from one exact BPTT run; the plain and residual stacks share every weight.",
        "ko": "$l$ 층은 같은 단계의 $l-1$ 층 출력을 읽습니다: $h_t^{(l)} = \\tanh(W_x^{(l)} y_t^{(l-1)} + "
              "W_h^{(l)} h_{t-1}^{(l)} + b^{(l)})$. 그래서 $h_t^{(l)}$ 는 두 간선, 곧 같은 층의 다음 단계와 "
              "같은 단계의 위층에서 기울기를 받습니다. $\\delta_t^{(l)} = (1 - (h_t^{(l)})^2) \\odot "
              "\\frac{\\partial L}{\\partial h_t^{(l)}}$ (tanh 노드)로 두면 연쇄 법칙 한 걸음은 "
              "$\\frac{\\partial L}{\\partial h_{t-1}^{(l)}} \\ni W_h^{(l)\\top} \\delta_t^{(l)}$, 일반 적층에서 "
              "$\\frac{\\partial L}{\\partial y_t^{(l-1)}} = W_x^{(l)\\top} \\delta_t^{(l)}$ 입니다. **잔차**: "
              "$y^{(l)} = h^{(l)} + y^{(l-1)}$ 이므로 $\\frac{\\partial L}{\\partial y_t^{(l-1)}} = "
              "W_x^{(l)\\top} \\delta_t^{(l)} + \\frac{\\partial L}{\\partial y_t^{(l)}}$: + 노드는 위에서 온 "
              "기울기를 두 입력에 그대로 복사하므로(DLFS2) 기울기가 온전히 내려갑니다. **밀집**: $l$ 층이 "
              "$[x, h^{(1)}, \\dots, h^{(l-1)}]$ 를 읽으므로 위의 모든 층이 직접 항을 보냅니다. **하이웨이**: "
              "$y^{(l)} = g \\odot h^{(l)} + (1-g) \\odot y^{(l-1)}$ 는 $(1-g) \\odot \\frac{\\partial L}"
              "{\\partial y^{(l)}}$ 를 아래로 보내고, 음수 게이트 편향이면 $1-g \\approx 1$ 입니다. 각 칸은 "
              "정확한 BPTT 한 번에서 얻은 $\\|\\partial L / \\partial h_t^{(l)}\\|$ 의 $\\log_{10}$ 이고, 일반 "
              "적층과 잔차 적층은 모든 가중치가 같습니다."},
    # ---- LSTM variants ----------------------------------------------------------
    "w.vars": {"en": "Variants", "ko": "변형"},
    "w.vars.help": {"en": "The LSTMs drawn; all share one set of weights, inputs and loss.",
                    "ko": "그릴 LSTM. 모두 같은 가중치, 입력, 손실을 씁니다."},
    "opt.vars.standard": {"en": "standard", "ko": "표준"},
    "opt.vars.peephole": {"en": "peephole", "ko": "핍홀"},
    "opt.vars.coupled": {"en": "coupled (i = 1 − f)", "ko": "결합형 (i = 1 − f)"},
    "w.vT": {"en": "Sequence length T", "ko": "시퀀스 길이 T"},
    "w.vT.help": {"en": "Steps the gradient flows back through.", "ko": "기울기가 거슬러 흐르는 단계 수입니다."},
    "w.vH": {"en": "Hidden size H", "ko": "은닉 크기 H"},
    "w.vH.help": {"en": "Units of the LSTM; the input has H features too.", "ko": "LSTM의 유닛 수. 입력도 H개 특성입니다."},
    "w.vrho": {"en": "Spectral radius ρ of W_h", "ko": "W_h 의 스펙트럼 반지름 ρ"},
    "w.vrho.help": {"en": "Every gate block of weight_hh is ρ times an orthogonal matrix.",
                    "ko": "weight_hh 의 모든 게이트 블록은 직교 행렬의 ρ 배입니다."},
    "w.vfb": {"en": "forget-gate bias", "ko": "망각 게이트 편향"},
    "w.vfb.help": {"en": "Added to the forget gate's bias in all three.", "ko": "세 변형 모두의 망각 게이트 편향에 더합니다."},
    "w.peep0": {"en": "zero peepholes", "ko": "핍홀 가중치 0"},
    "w.peep0.help": {"en": "Set weight_ci, weight_cf, weight_co to 0.",
                     "ko": "weight_ci, weight_cf, weight_co 를 0 으로 둡니다."},
    "page5.pick_variant": {"en": "Pick at least one variant.", "ko": "변형을 하나 이상 고르세요."},
    "page5.variant_nonfinite": {"en": "The gradient of {names} overflowed: lower ρ or T.",
                                "ko": "{names} 의 기울기가 넘쳤습니다. ρ 나 T 를 줄이세요."},
    "fig.variants.title": {"en": "LSTM variants: gradient norms (loss at the last step)",
                           "ko": "LSTM 변형: 기울기 노름 (손실은 마지막 단계)"},
    "fig.variants.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.variants.dh": {"en": "‖∂L/∂h_t‖ (log)", "ko": "‖∂L/∂h_t‖ (로그)"},
    "fig.variants.dc": {"en": "‖∂L/∂c_t‖ (log)", "ko": "‖∂L/∂c_t‖ (로그)"},
    "cap.variants": {
        "en": "All three share the same weights, inputs and loss. With zero peephole weights the peephole LSTM "
              "is the standard LSTM: switch on 'zero peepholes' and its dashed lines lie on the standard's. "
              "The coupled LSTM ties i = 1 − f: one gate decides both what is forgotten and what is written.",
        "ko": "세 변형은 같은 가중치, 입력, 손실을 씁니다. 핍홀 가중치가 0 이면 핍홀 LSTM은 표준 LSTM과 "
              "같습니다: '핍홀 가중치 0' 을 켜면 점선이 표준 LSTM의 선 위에 겹칩니다. 결합형 LSTM은 "
              "i = 1 − f 로 묶습니다: 게이트 하나가 무엇을 잊고 무엇을 쓸지 함께 정합니다."},
    "how.variants": {
        "en": "Standard: $c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$, $h_t = o_t \\odot \\tanh(c_t)$, so one step "
              "back along the cell gives $\\frac{\\partial L}{\\partial c_{t-1}} \\ni \\frac{\\partial L}"
              "{\\partial c_t} \\odot f_t$, plus the paths through the gates, which read $h_{t-1}$. "
              "**Peephole** (Gers & Schmidhuber): the gates also read the cell through diagonal weights, "
              "$i_t = \\sigma(\\dots + w_{ci} \\odot c_{t-1})$, $f_t = \\sigma(\\dots + w_{cf} \\odot c_{t-1})$, "
              "$o_t = \\sigma(\\dots + w_{co} \\odot c_t)$; it adds the parameters `weight_ci`, `weight_cf`, "
              "`weight_co`, each of shape (H,), and the terms $w_{ci} \\odot \\delta^i_t + w_{cf} \\odot "
              "\\delta^f_t$ to $\\frac{\\partial L}{\\partial c_{t-1}}$ ($\\delta$: the gradient at a gate's "
              "pre-activation). With $w = 0$ these terms vanish: the standard LSTM. **Coupled** (CIFG, Greff et "
              "al.): $i_t = 1 - f_t$, so $c_t = f_t \\odot c_{t-1} + (1 - f_t) \\odot g_t$ and $\\frac{\\partial L}"
              "{\\partial f_t} = \\frac{\\partial L}{\\partial c_t} \\odot (c_{t-1} - g_t)$; `weight_ih` (3H, D), "
              "`weight_hh` (3H, H), `bias_ih`, `bias_hh` (3H,) hold the rows f, g, o and no i rows. Here the "
              "standard LSTM is the peephole one without its three vectors, and the coupled one keeps the "
              "standard's f, g, o rows; each curve is one exact BPTT run.",
        "ko": "표준: $c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$, $h_t = o_t \\odot \\tanh(c_t)$ 이므로 셀을 따라 "
              "한 걸음 거슬러 가면 $\\frac{\\partial L}{\\partial c_{t-1}} \\ni \\frac{\\partial L}{\\partial c_t} "
              "\\odot f_t$ 이고, 여기에 $h_{t-1}$ 을 읽는 게이트를 지나는 경로가 더해집니다. **핍홀**(Gers & "
              "Schmidhuber): 게이트가 대각 가중치로 셀도 읽습니다. $i_t = \\sigma(\\dots + w_{ci} \\odot "
              "c_{t-1})$, $f_t = \\sigma(\\dots + w_{cf} \\odot c_{t-1})$, $o_t = \\sigma(\\dots + w_{co} \\odot "
              "c_t)$. 매개변수 `weight_ci`, `weight_cf`, `weight_co`(각각 (H,) 모양)가 추가되고 "
              "$\\frac{\\partial L}{\\partial c_{t-1}}$ 에 $w_{ci} \\odot \\delta^i_t + w_{cf} \\odot \\delta^f_t$ "
              "항이 더해집니다($\\delta$: 게이트 사전 활성값에서의 기울기). $w = 0$ 이면 이 항이 사라져 표준 "
              "LSTM이 됩니다. **결합형**(CIFG, Greff 외): $i_t = 1 - f_t$ 이므로 $c_t = f_t \\odot c_{t-1} + "
              "(1 - f_t) \\odot g_t$, $\\frac{\\partial L}{\\partial f_t} = \\frac{\\partial L}{\\partial c_t} "
              "\\odot (c_{t-1} - g_t)$ 입니다. `weight_ih` (3H, D), `weight_hh` (3H, H), `bias_ih`, `bias_hh` "
              "(3H,) 는 f, g, o 행만 있고 i 행은 없습니다. 여기서 표준 LSTM은 핍홀 LSTM에서 세 벡터를 뺀 "
              "것이고, 결합형은 표준의 f, g, o 행을 그대로 씁니다. 각 곡선은 정확한 BPTT 한 번입니다."},
    # ---- echo-state memory -------------------------------------------------------
    "w.erho": {"en": "Spectral radius ρ of the reservoir", "ko": "저장소의 스펙트럼 반지름 ρ"},
    "w.erho.help": {"en": "W = ρQ with Q orthogonal: its largest |eigenvalue| is ρ. Never trained.",
                    "ko": "W = ρQ (Q 는 직교 행렬): 최대 |고유값| 이 ρ 입니다. 학습하지 않습니다."},
    "w.eT": {"en": "Sequence length T", "ko": "시퀀스 길이 T"},
    "w.eT.help": {"en": "Lags k = 0 … T − 1 are drawn.", "ko": "지연 k = 0 … T − 1 을 그립니다."},
    "w.eH": {"en": "Reservoir size H", "ko": "저장소 크기 H"},
    "w.eH.help": {"en": "Units of the reservoir; it reads one input channel.", "ko": "저장소의 유닛 수. 입력 채널 하나를 읽습니다."},
    "w.escale": {"en": "input scale", "ko": "입력 배율"},
    "w.escale.help": {"en": "W_in ~ U(−s, s): larger inputs saturate tanh more.",
                      "ko": "W_in ~ U(−s, s). 입력이 클수록 tanh 가 더 포화됩니다."},
    "page5.rho_ge1": {"en": "ρ ≥ 1: ρ^k no longer falls, and the caption's remark (largest eigenvalue below 1) "
                            "does not apply.",
                      "ko": "ρ ≥ 1: ρ^k 가 더는 줄지 않으므로 설명문의 말(최대 고유값이 1 보다 작을 때)은 "
                            "해당하지 않습니다."},
    "page5.memory_nonfinite": {"en": "The reservoir overflowed: lower ρ or T.", "ko": "저장소 값이 넘쳤습니다. ρ 나 T 를 줄이세요."},
    "fig.memory.title": {"en": "Forward memory and backward gradient of a fixed reservoir",
                         "ko": "고정된 저장소의 순방향 기억과 역방향 기울기"},
    "fig.memory.x": {"en": "lag k (steps back from the last step)", "ko": "지연 k (마지막 단계에서 거슬러 간 단계 수)"},
    "fig.memory.y": {"en": "relative norm (log)", "ko": "상대 노름 (로그)"},
    "fig.memory.forward": {"en": "forward: ‖∂h_(T−1)/∂x_(T−1−k)‖ / ‖W_in‖",
                           "ko": "순방향: ‖∂h_(T−1)/∂x_(T−1−k)‖ / ‖W_in‖ (기억)"},
    "fig.memory.backward": {"en": "backward: ‖∂L/∂h_(T−1−k)‖ / ‖∂L/∂h_(T−1)‖",
                            "ko": "역방향: ‖∂L/∂h_(T−1−k)‖ / ‖∂L/∂h_(T−1)‖ (기울기)"},
    "fig.memory.rho_exact": {"en": "ρ<sup>k</sup> (exact: linear reservoir)", "ko": "ρ<sup>k</sup> (정확: 선형 저장소)"},
    "fig.memory.rho_bound": {"en": "ρ<sup>k</sup> (a bound for tanh)", "ko": "ρ<sup>k</sup> (tanh 의 상한)"},
    "cap.memory": {
        "en": "Both curves lie on or under ρ^k: with the largest eigenvalue below 1, information fades "
              "exponentially, in the forward pass as in the backward. For the linear reservoir both are "
              "exactly ρ^k; tanh (|tanh′| ≤ 1) only makes them fall faster.",
        "ko": "두 곡선은 ρ^k 위에 있거나 그 아래에 있습니다: 최대 고유값이 1 보다 작으면 정보는 순방향에서도 "
              "역방향에서도 지수적으로 사라집니다. 선형 저장소에서는 둘 다 정확히 ρ^k 이고, tanh "
              "(|tanh′| ≤ 1)는 더 빨리 줄게 할 뿐입니다."},
    "how.memory": {
        "en": "The reservoir $h_t = \\tanh(W_{in} x_t + W h_{t-1})$, $W = \\rho Q$ with $Q$ orthogonal, is never "
              "trained. With $D_t = \\mathrm{diag}(\\tanh'(z_t))$, forward: $\\frac{\\partial h_t}{\\partial "
              "x_{t-k}} = D_t W \\, D_{t-1} W \\cdots D_{t-k+1} W \\, D_{t-k} W_{in}$; backward, one step of the "
              "chain rule: $\\frac{\\partial L}{\\partial h_{t-1}} = W^\\top D_t \\frac{\\partial L}{\\partial "
              "h_t}$ (loss at the last step). Both are products of the same factors: each $W$ scales a vector "
              "by at most $\\|\\rho Q\\|_2 = \\rho$ and each $D$ by at most 1, so both curves (divided by "
              "$\\|W_{in}\\|_2$ and by $\\|\\partial L/\\partial h_{T-1}\\|$) are at most $\\rho^k$, and exactly "
              "$\\rho^k$ when the reservoir is linear ($D = I$). The forward norm is the spectral norm of the "
              "exact Jacobian product.",
        "ko": "저장소 $h_t = \\tanh(W_{in} x_t + W h_{t-1})$, $W = \\rho Q$ ($Q$ 는 직교 행렬)는 학습하지 "
              "않습니다. $D_t = \\mathrm{diag}(\\tanh'(z_t))$ 로 두면 순방향: $\\frac{\\partial h_t}{\\partial "
              "x_{t-k}} = D_t W \\, D_{t-1} W \\cdots D_{t-k+1} W \\, D_{t-k} W_{in}$, 역방향(연쇄 법칙 한 "
              "걸음): $\\frac{\\partial L}{\\partial h_{t-1}} = W^\\top D_t \\frac{\\partial L}{\\partial h_t}$ "
              "(손실은 마지막 단계). 둘 다 같은 인수의 곱입니다. 각 $W$ 는 벡터를 최대 $\\|\\rho Q\\|_2 = "
              "\\rho$ 배, 각 $D$ 는 최대 1 배 하므로 두 곡선($\\|W_{in}\\|_2$ 와 $\\|\\partial L/\\partial "
              "h_{T-1}\\|$ 로 나눈 값)은 최대 $\\rho^k$ 이고, 선형 저장소($D = I$)에서는 정확히 $\\rho^k$ "
              "입니다. 순방향 노름은 정확한 야코비안 곱의 스펙트럼 노름입니다."},
    # ---- teacher forcing ----------------------------------------------------------
    "w.tsteps": {"en": "training steps", "ko": "학습 단계 수"},
    "w.tsteps.help": {"en": "SGD steps of each mode, a fresh batch of 16 circles each.",
                      "ko": "각 방식의 SGD 단계 수. 단계마다 원 16개의 새 배치를 씁니다."},
    "w.tT": {"en": "Sequence length T", "ko": "시퀀스 길이 T"},
    "w.tT.help": {"en": "Steps of each sequence (a period is 12 steps).", "ko": "시퀀스의 단계 수(한 주기는 12 단계)."},
    "w.tH": {"en": "Hidden size H", "ko": "은닉 크기 H"},
    "w.tH.help": {"en": "Units of h; the output o has 2 (a point on the circle).",
                  "ko": "h 의 유닛 수. 출력 o 는 2개(원 위의 점)입니다."},
    "w.tlr": {"en": "learning rate", "ko": "학습률"},
    "w.tlr.help": {"en": "SGD step size; the gradient is clipped at norm 1.",
                   "ko": "SGD 걸음 크기. 기울기는 노름 1 에서 클리핑합니다."},
    "page5.model": {
        "en": "The model has no hidden-to-hidden recurrence: $h_t = \\tanh(W x_t + U \\hat o_{t-1} + b)$, "
              "$o_t = V h_t + c$. The task: continue a circle, $y_t$ = the next point, from its first point only.",
        "ko": "이 모델에는 은닉→은닉 순환이 없습니다: $h_t = \\tanh(W x_t + U \\hat o_{t-1} + b)$, "
              "$o_t = V h_t + c$. 과제: 첫 점만 보고 원을 이어 가기($y_t$ = 다음 점)."},
    "page5.edges": {
        "en": "**Which edges carry gradient.** Teacher forcing feeds $\\hat o_{t-1} = y_{t-1}$, data: "
              "$L_t \\to o_t \\to h_t$ within each step, and no edge across steps. Free running feeds "
              "$\\hat o_{t-1} = o_{t-1}$: also $o_{t-1} \\to h_t$, so BPTT crosses every step.",
        "ko": "**어느 간선이 기울기를 나르나.** 교사 강요는 데이터 $\\hat o_{t-1} = y_{t-1}$ 을 넣습니다: "
              "단계 안의 $L_t \\to o_t \\to h_t$ 뿐이고 단계를 건너는 간선은 없습니다. 자유 실행은 "
              "$\\hat o_{t-1} = o_{t-1}$ 을 넣으므로 $o_{t-1} \\to h_t$ 도 있어 BPTT가 모든 단계를 건넙니다."},
    "page5.training": {"en": "Training both modes…", "ko": "두 방식을 학습하는 중…"},
    "page5.mode.teacher": {"en": "teacher forcing", "ko": "교사 강요"},
    "page5.mode.free": {"en": "free running", "ko": "자유 실행"},
    "page5.curve.teacher": {"en": "teacher forcing: its objective (fed y_(t−1))",
                            "ko": "교사 강요: 학습 목표 (y_(t−1) 입력)"},
    "page5.curve.teacher_free": {"en": "teacher forcing: the same model run free",
                                 "ko": "교사 강요: 같은 모델을 자유 실행"},
    "page5.curve.free": {"en": "free running (fed o_(t−1))", "ko": "자유 실행 (o_(t−1) 입력)"},
    "fig.cross.title": {"en": "‖∂L_t/∂h_s‖ of the trained models (grey: exactly 0)",
                        "ko": "학습된 모델의 ‖∂L_t/∂h_s‖ (회색: 정확히 0)"},
    "fig.cross.x": {"en": "state's step s", "ko": "상태의 단계 s"},
    "fig.cross.y": {"en": "loss's step t", "ko": "손실의 단계 t"},
    "fig.cross.z": {"en": "‖∂L_t/∂h_s‖", "ko": "‖∂L_t/∂h_s‖ 크기"},
    "fig.cross.zero": {"en": "exactly 0", "ko": "정확히 0"},
    "cap.cross": {
        "en": "Teacher forcing: every cell below the diagonal (s < t) is exactly 0 — no gradient crosses a "
              "step, only the diagonal is coloured. Free running: the loss at step t reaches every earlier "
              "state. Above the diagonal (s > t) both are 0: a loss never reaches a later state.",
        "ko": "교사 강요: 대각선 아래(s < t)의 모든 칸이 정확히 0 입니다 — 기울기가 단계를 건너지 않고 "
              "대각선만 색이 있습니다. 자유 실행: 단계 t 의 손실이 그 이전의 모든 상태에 닿습니다. "
              "대각선 위(s > t)는 둘 다 0 입니다: 손실은 그 뒤의 상태에 닿지 않습니다."},
    "how.cross": {
        "en": "One backward pass per loss $L_t$ alone. Free running: $\\hat o_{t-1} = o_{t-1}$, so one step of "
              "the chain rule through the edge $o_{t-1} \\to h_t$ gives $\\frac{\\partial L}{\\partial o_{t-1}} "
              "= \\frac{\\partial L_{t-1}}{\\partial o_{t-1}} + U^\\top \\delta_t$ with $\\delta_t = "
              "(1 - h_t^2) \\odot \\frac{\\partial L}{\\partial h_t}$, and $\\frac{\\partial L}{\\partial "
              "h_{t-1}} = V^\\top \\frac{\\partial L}{\\partial o_{t-1}}$. Teacher forcing: $\\hat o_{t-1} = "
              "y_{t-1}$ is data, the edge is absent, the $U^\\top \\delta_t$ term is 0 and "
              "$\\frac{\\partial L}{\\partial h_s} = V^\\top \\frac{\\partial L_s}{\\partial o_s}$ "
              "(Goodfellow et al., §10.2.1): the steps could even be trained in parallel.",
        "ko": "손실 $L_t$ 하나마다 역전파를 한 번 합니다. 자유 실행: $\\hat o_{t-1} = o_{t-1}$ 이므로 간선 "
              "$o_{t-1} \\to h_t$ 를 지나는 연쇄 법칙 한 걸음은 $\\frac{\\partial L}{\\partial o_{t-1}} = "
              "\\frac{\\partial L_{t-1}}{\\partial o_{t-1}} + U^\\top \\delta_t$ ($\\delta_t = (1 - h_t^2) "
              "\\odot \\frac{\\partial L}{\\partial h_t}$), $\\frac{\\partial L}{\\partial h_{t-1}} = V^\\top "
              "\\frac{\\partial L}{\\partial o_{t-1}}$ 입니다. 교사 강요: $\\hat o_{t-1} = y_{t-1}$ 은 데이터라 "
              "간선이 없고 $U^\\top \\delta_t$ 항이 0 이며 $\\frac{\\partial L}{\\partial h_s} = V^\\top "
              "\\frac{\\partial L_s}{\\partial o_s}$ 입니다(Goodfellow 외, §10.2.1). 단계들을 병렬로 학습할 "
              "수도 있습니다."},
    "fig.tloss.title": {"en": "Training loss, a fresh batch each step", "ko": "학습 손실 (단계마다 새 배치)"},
    "fig.tloss.x": {"en": "training step", "ko": "학습 단계"},
    "fig.tloss.y": {"en": "loss (log)", "ko": "손실 (로그)"},
    "cap.tloss": {
        "en": "Solid lines: the loss each mode is trained on. Dotted: the teacher-forced model run free on the "
              "same batch, feeding back its own outputs: what it does on its own.",
        "ko": "실선: 각 방식이 학습하는 손실. 점선: 교사 강요로 학습한 모델을 같은 배치에서 자기 출력을 "
              "되먹이며 자유 실행한 손실, 곧 혼자서 해내는 정도입니다."},
    "how.tloss": {
        "en": "$L = \\sum_t L_t$, $L_t = \\|o_t - y_t\\|^2 / (2TB)$. Each step draws a fresh batch of circles, "
              "computes $\\nabla L$ by BPTT (teacher forcing: within each step only), clips it at norm 1 "
              "($g \\leftarrow g \\min(1, 1/\\|g\\|)$) and takes an SGD step. Both modes start from the same "
              "weights and see the same batches.",
        "ko": "$L = \\sum_t L_t$, $L_t = \\|o_t - y_t\\|^2 / (2TB)$. 단계마다 원의 새 배치를 뽑아 BPTT로 "
              "$\\nabla L$ 을 구하고(교사 강요: 단계 안에서만), 노름 1 에서 클리핑한 뒤($g \\leftarrow g "
              "\\min(1, 1/\\|g\\|)$) SGD 한 걸음을 갑니다. 두 방식은 같은 가중치에서 시작해 같은 배치를 봅니다."},
}
