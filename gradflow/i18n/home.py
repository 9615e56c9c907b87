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
}
