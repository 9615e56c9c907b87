"""Texts of the home page (app.py): introduction, its figure, and the lecture presets.

Pure data (no imports); merged into gradflow.i18n.TEXT."""

TEXT = {
    # ---- home page and lecture presets ---------------------------------------
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
              "fastest; the LSTM and the GRU, with the usual gate bias of 1, keep over 1000 times more of it "
              "at t = 0.",
        "ko": "손실은 마지막 단계에 있습니다. 선을 오른쪽에서 왼쪽으로 읽으세요. RNN의 기울기가 가장 빨리 "
              "사라지고, 보통의 게이트 편향 1 을 둔 LSTM과 GRU는 t = 0 에서 그보다 1000배 넘게 더 많이 "
              "유지합니다."},
    "preset.rnn_vanishing": {"en": "RNN vanishing at ρ = 0.9", "ko": "ρ = 0.9 에서 RNN 기울기 소실"},
    "preset.rnn_vanishing.desc": {
        "en": "‖∂L/∂h_t‖ falls at least as fast as 0.9^k (tanh' ≤ 1 only speeds it up): over 100 steps it "
              "drops below 10⁻³ of its value at the loss.",
        "ko": "‖∂L/∂h_t‖ 는 적어도 0.9^k 만큼 빠르게 줄어듭니다(tanh' ≤ 1 은 더 빠르게 할 뿐). 100단계 동안 "
              "손실에서의 값의 10⁻³ 아래로 떨어집니다."},
    "preset.rnn_exploding": {"en": "RNN exploding at ρ = 2", "ko": "ρ = 2 에서 RNN 기울기 폭주"},
    "preset.rnn_exploding.desc": {
        "en": "At ρ = 2 the tanh RNN explodes: ‖∂L/∂h_0‖ is over 10³ × ‖∂L/∂h_(T−1)‖, yet tanh saturation "
              "keeps it far below ρ^k.",
        "ko": "ρ = 2 에서 tanh RNN의 기울기가 폭주합니다. ‖∂L/∂h_0‖ 가 ‖∂L/∂h_(T−1)‖ 의 10³ 배를 넘지만, "
              "tanh 포화 때문에 ρ^k 보다는 훨씬 작습니다."},
    "preset.lstm_cell_path": {"en": "The LSTM cell path staying alive", "ko": "살아 있는 LSTM 셀 경로"},
    "preset.lstm_cell_path.desc": {
        "en": "Forget-gate bias 3: over 200 steps ‖∂L/∂c_t‖ never falls below a tenth of its value at the "
              "loss, although ∏f alone falls below 10⁻³: c is fed through h at every step.",
        "ko": "망각 게이트 편향 3: 200단계 동안 ‖∂L/∂c_t‖ 가 손실에서의 값의 10분의 1 아래로 떨어지지 "
              "않습니다. ∏f 만 보면 10⁻³ 아래로 떨어지는데도, c 가 매 단계 h 를 통해 기울기를 받기 때문입니다."},
    "preset.gru_vs_lstm": {"en": "GRU vs LSTM", "ko": "GRU 대 LSTM"},
    "preset.gru_vs_lstm.desc": {
        "en": "200 steps at ρ = 1 with gate bias 1: both gradients vanish below 10⁻³, the GRU's far more; at "
              "t = 0 the LSTM keeps over 1000 times more.",
        "ko": "게이트 편향 1, ρ = 1 에서 200단계: 두 기울기 모두 10⁻³ 아래로 사라지지만 GRU가 훨씬 더 "
              "사라집니다. t = 0 에서 LSTM이 1000배 넘게 더 많이 유지합니다."},
    "preset.nonnormal": {"en": "Non-normal transient growth (ρ < 1)", "ko": "비정규 행렬의 일시적 증가(ρ < 1)"},
    "preset.nonnormal.desc": {
        "en": "Linear RNN, ρ = 0.9, loss gradient along W_h's most amplified direction: ‖∂L/∂h_t‖ first grows "
              "(about 2×) before ρ^k wins, because σ_max > ρ.",
        "ko": "선형 RNN, ρ = 0.9, 손실 기울기를 W_h 가 가장 크게 키우는 방향으로: σ_max > ρ 이므로 "
              "‖∂L/∂h_t‖ 가 먼저 (약 2배) 커졌다가 ρ^k 에 따라 줄어듭니다."},
    "preset.saturation": {"en": "Saturation also vanishes", "ko": "포화도 기울기를 없앱니다"},
    "preset.saturation.desc": {
        "en": "Input scale 5 saturates tanh (the median f'(a) is below 0.1): at ρ = 1 the gradient vanishes "
              "over a million times more than at input scale 1.",
        "ko": "입력 배율 5가 tanh를 포화시킵니다(f'(a) 의 중앙값이 0.1 미만). ρ = 1 에서 입력 배율 1 일 "
              "때보다 기울기가 백만 배 넘게 더 사라집니다."},
    "preset.truncated": {"en": "Truncated BPTT with T = 35", "ko": "T = 35 단위의 잘린 BPTT"},
    "preset.truncated.desc": {
        "en": "Windows of 35 steps, a loss at every step: no gradient crosses a window boundary (at each "
              "window's last step ∂L/∂h is that step's own loss gradient only).",
        "ko": "35단계 창, 모든 단계에 손실: 창 경계를 넘는 기울기가 없습니다(각 창의 마지막 단계에서 ∂L/∂h 는 "
              "그 단계 자신의 손실 기울기뿐입니다)."},
    "preset.bptt_wave": {"en": "The backward pass, step by step", "ko": "한 단계씩 보는 역전파"},
    "preset.bptt_wave.desc": {
        "en": "The unrolled RNN at ρ = 0.9 with the backward wave stopped 10 steps from the loss: each lit "
              "node holds at most 0.9 × the gradient of the node after it. Press play to go on.",
        "ko": "ρ = 0.9 의 펼친 RNN에서 역전파 물결을 손실로부터 10단계에서 멈춘 모습: 켜진 노드는 각각 바로 "
              "뒤 노드 기울기의 0.9배 이하를 가집니다. 재생을 눌러 이어 보세요."},
    "preset.pascanu_cliff": {"en": "Pascanu's cliff, with and without clipping",
                             "ko": "파스카누의 절벽: 클리핑 있을 때와 없을 때"},
    "preset.pascanu_cliff.desc": {
        "en": "Off the cliff the plain step is over 10 times the clipped one and leaves the drawn plane; the "
              "clipped steps stay at most lr·c long and end at a lower loss.",
        "ko": "절벽에서 그냥 내딛은 걸음은 클리핑한 걸음의 10배가 넘어 그림 밖으로 나가고, 클리핑한 걸음은 "
              "lr·c 이하로 머물며 더 낮은 손실에 닿습니다."},
    "preset.clip_exploding": {"en": "Clipping an exploding RNN gradient", "ko": "폭주하는 RNN 기울기 클리핑"},
    "preset.clip_exploding.desc": {
        "en": "ρ = 2.5: the gradient's norm is above the threshold 1; norm clipping rescales it to 1 and keeps "
              "its direction (cosine 1).",
        "ko": "ρ = 2.5: 기울기 노름이 임계값 1 을 넘습니다. 노름 클리핑은 이를 1 로 줄이고 방향은 그대로 "
              "둡니다(코사인 1)."},
    "preset.gates_trained_vs_random": {"en": "Trained vs untrained gates", "ko": "학습된 게이트 대 학습 전 게이트"},
    "preset.gates_trained_vs_random.desc": {
        "en": "The same sentence through the trained LSTM and a random one of the same shape.",
        "ko": "같은 문장을 학습된 LSTM과 같은 크기의 무작위 LSTM에 넣어 봅니다."},
    "preset.depth_vanishing": {"en": "8 stacked tanh layers vanish through depth",
                               "ko": "tanh 층 8개를 쌓으면 깊이 방향으로 기울기가 사라집니다"},
    "preset.depth_vanishing.desc": {
        "en": "8 plain tanh RNN layers (H = 64, T = 50, ρ = 1 orthogonal), with W_ih at half PyTorch's default "
              "scale: at the last step the bottom layer gets less than 10⁻³ of the top layer's gradient. At "
              "PyTorch's own W_ih scale it keeps about 5·10⁻³: still vanishing, less starkly.",
        "ko": "일반 tanh RNN 층 8개(H = 64, T = 50, ρ = 1 직교), W_ih 는 PyTorch 기본 배율의 절반: 마지막 "
              "단계에서 맨 아래 층은 맨 위 층 기울기의 10⁻³ 보다 적게 받습니다. PyTorch 본래의 W_ih 배율에서는 "
              "약 5·10⁻³ 을 유지합니다: 여전히 사라지지만 덜 극적입니다."},
    "preset.depth_residual": {"en": "Residual connections restore the gradient in depth",
                              "ko": "잔차 연결이 깊이 방향의 기울기를 되살립니다"},
    "preset.depth_residual.desc": {
        "en": "The same 8 layers and weights (W_ih at half PyTorch's default scale), drawn beside the same stack "
              "with residual connections y^(l) = h^(l) + y^(l−1): with them the bottom layer gets more than a "
              "tenth of the top layer's gradient at the last step.",
        "ko": "같은 8개 층과 같은 가중치(W_ih 는 PyTorch 기본 배율의 절반)를 잔차 연결 y^(l) = h^(l) + "
              "y^(l−1) 을 둔 같은 적층 옆에 그립니다: 잔차 연결이 있으면 마지막 단계에서 맨 아래 층이 맨 위 "
              "층 기울기의 10분의 1 보다 많이 받습니다."},
    "how.home": {
        "en": "Each cell runs forward over 100 random inputs with $W_h$ at radius 1, and the gradient of a "
              "loss at the last step is propagated back exactly: one step of the chain rule multiplies it by "
              "the transposed step Jacobian, $\\frac{\\partial L}{\\partial h_{t-1}} = J_t^{\\top} "
              "\\frac{\\partial L}{\\partial h_t}$ (for the RNN $J_t = \\mathrm{diag}(1-h_t^2)W_h$). The LSTM "
              "and the GRU carry part of the gradient through a gate near 1 instead.",
        "ko": "각 셀은 반지름 1 의 $W_h$ 로 무작위 입력 100개를 순전파하고, 마지막 단계 손실의 기울기를 정확히 "
              "역전파합니다. 연쇄 법칙 한 단계는 전치된 단계 야코비안을 곱합니다: "
              "$\\frac{\\partial L}{\\partial h_{t-1}} = J_t^{\\top} \\frac{\\partial L}{\\partial h_t}$ "
              "(RNN은 $J_t = \\mathrm{diag}(1-h_t^2)W_h$). LSTM과 GRU는 기울기의 일부를 1 에 가까운 게이트로 "
              "대신 전달합니다."},
}
