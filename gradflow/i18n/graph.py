"""Texts of the unrolled graph (page 1's graph view): its title, lanes, legend, readout, controls,
caption and "how is this computed?" text.

Pure data (no imports); merged into gradflow.i18n.TEXT. The figure takes the
"fig.graph.<part>" entries as its labels (see plots.graph.fig_unrolled_graph)."""

TEXT = {
    "fig.graph.title": {"en": "The unrolled graph: the backward pass, step by step",
                        "ko": "펼친 계산 그래프: 한 단계씩 거슬러 가는 역전파"},
    "fig.graph.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.graph.x_hidden": {"en": "(⋯: {n} of {T} steps not drawn)", "ko": "(⋯: 전체 {T}단계 중 {n}단계 생략)"},
    "fig.graph.z": {"en": "log₁₀‖∂L/∂h_t‖ (node colour)", "ko": "log₁₀‖∂L/∂h_t‖ (노드 색)"},
    "fig.graph.z_c": {"en": "log₁₀‖∂L/∂h_t‖ (c lane: ‖∂L/∂c_t‖)", "ko": "log₁₀‖∂L/∂h_t‖ (c 줄: ‖∂L/∂c_t‖)"},
    "fig.graph.lane_x": {"en": "input x_t", "ko": "입력 x_t"},
    "fig.graph.lane_h": {"en": "hidden h_t", "ko": "은닉 h_t"},
    "fig.graph.lane_c": {"en": "cell c_t", "ko": "셀 상태 c_t"},
    "fig.graph.lane_loss": {"en": "loss L_t", "ko": "손실 L_t"},
    "fig.graph.edge": {"en": "Edge width: ‖∂h_t/∂h_(t−1)‖₂", "ko": "선 굵기: ‖∂h_t/∂h_(t−1)‖₂"},
    "fig.graph.edge_state": {"en": "h edge width: ‖∂(h_t,c_t)/∂(h_(t−1),c_(t−1))‖₂",
                             "ko": "h 선 굵기: ‖∂(h_t,c_t)/∂(h_(t−1),c_(t−1))‖₂"},
    "fig.graph.edge_c": {"en": "c edge width: ‖∂c_t/∂c_(t−1)‖₂ = max f_t",
                         "ko": "c 선 굵기: ‖∂c_t/∂c_(t−1)‖₂ = max f_t"},
    "fig.graph.edge_none": {"en": "recurrent edge (Jacobian norms skipped: too large)",
                            "ko": "순환 연결(야코비안 노름 생략: 너무 큼)"},
    "fig.graph.cut": {"en": "cut by truncated BPTT: no gradient", "ko": "잘린 BPTT로 끊김: 기울기 없음"},
    "fig.graph.zero": {"en": "0: no gradient", "ko": "0: 기울기 없음"},
    "fig.graph.hidden": {"en": "steps {lo}–{hi} not drawn ({n} steps)", "ko": "{lo}–{hi}단계 생략({n}단계)"},
    "fig.graph.readout": {"en": "Wave front t = {t}:  ‖∂L/∂h_t‖ = {dh},  ∏‖J‖ from its block's end = {prod}",
                          "ko": "파면 t = {t}:  ‖∂L/∂h_t‖ = {dh},  블록 끝부터의 ∏‖J‖ = {prod}"},
    "fig.graph.readout_noprod": {"en": "Wave front t = {t}:  ‖∂L/∂h_t‖ = {dh}",
                                 "ko": "파면 t = {t}:  ‖∂L/∂h_t‖ = {dh}"},
    "fig.graph.readout_c": {"en": ",  ‖∂L/∂c_t‖ = {dc}", "ko": ",  셀 ‖∂L/∂c_t‖ = {dc}"},
    "fig.graph.play": {"en": "▶ Play", "ko": "▶ 재생"},
    "fig.graph.pause": {"en": "❚❚ Pause", "ko": "❚❚ 일시정지"},
    "fig.graph.step": {"en": "wave front", "ko": "파면"},
    "fig.graph.title_bidir": {"en": "Bidirectional layer: the loss at p = {p}, the backward pass in both chains",
                              "ko": "양방향 층: 위치 p = {p} 의 손실, 두 사슬의 역전파"},
    "fig.graph.lane_f": {"en": "forward h→_t", "ko": "순방향 h→_t"},
    "fig.graph.lane_b": {"en": "backward h←_t", "ko": "역방향 h←_t"},
    "fig.graph.lane_loss_p": {"en": "loss L at p", "ko": "p 의 손실 L"},
    "fig.graph.edge_bidir": {"en": "Edge width: ‖∂h_t/∂h_(t∓1)‖₂ of its chain (→: t−1 to t, ←: t+1 to t)",
                             "ko": "선 굵기: 각 사슬의 ‖∂h_t/∂h_(t∓1)‖₂ (→: t−1 에서 t, ←: t+1 에서 t)"},
    "fig.graph.edge_bidir_state": {"en": "Edge width: ‖∂(h_t,c_t)/∂(h_(t∓1),c_(t∓1))‖₂ of its chain "
                                         "(→: t−1 to t, ←: t+1 to t)",
                                   "ko": "선 굵기: 각 사슬의 ‖∂(h_t,c_t)/∂(h_(t∓1),c_(t∓1))‖₂ "
                                         "(→: t−1 에서 t, ←: t+1 에서 t)"},
    "fig.graph.readout_bidir": {"en": "Wave fronts:  h→ at t = {tf}: ‖∂L/∂h_t→‖ = {dhf}   ·   "
                                      "h← at t = {tb}: ‖∂L/∂h_t←‖ = {dhb}",
                                "ko": "파면:  h→ 의 t = {tf}: ‖∂L/∂h_t→‖ = {dhf}   ·   "
                                      "h← 의 t = {tb}: ‖∂L/∂h_t←‖ = {dhb}"},
    "fig.graph.step_bidir": {"en": "lit", "ko": "켜진 단계"},
    "cap.graph_bidir": {
        "en": "A bidirectional layer with the loss at position p: the gradient reaches h_t of the forward chain "
              "only for t ≤ p and h_t of the backward chain only for t ≥ p; elsewhere it is exactly 0 "
              "(white: “0: no gradient”).",
        "ko": "위치 p 에 손실이 있는 양방향 층: 기울기는 순방향 사슬의 h_t 에는 t ≤ p 일 때만, 역방향 사슬의 "
              "h_t 에는 t ≥ p 일 때만 도달합니다. 그 밖에서는 정확히 0 입니다(흰색: “0: 기울기 없음”).",
    },
    "cap.graph_bidir_trained": {
        "en": "The bidirectional graph needs random weights (the trained models read one direction only): "
              "the one-directional graph is shown.",
        "ko": "양방향 그래프는 무작위 가중치가 필요합니다(학습된 모델은 한 방향만 읽습니다). 단방향 그래프를 "
              "보여 줍니다.",
    },
    "cap.graph": {
        "en": "The network unrolled over time. Each node is coloured by log₁₀‖∂L/∂h_t‖ (on the LSTM's c lane "
              "log₁₀‖∂L/∂c_t‖): the same numbers as the curve. A recurrent edge is wider the larger the norm of "
              "the step Jacobian it carries. Press play: the wave moves back one drawn step per frame, from the "
              "last step to the first. A dashed line with ✂ marks an edge cut by truncated BPTT: no gradient "
              "crosses it. Beyond 60 steps only some steps are drawn; “⋯” stands for the others.",
        "ko": "시간 방향으로 펼친 신경망입니다. 각 노드의 색은 log₁₀‖∂L/∂h_t‖ (LSTM의 c 줄은 log₁₀‖∂L/∂c_t‖)로, "
              "곡선 그래프와 같은 값입니다. 순환 연결선은 그 선이 나르는 한 단계 야코비안의 노름이 클수록 "
              "굵습니다. 재생을 누르면 역전파의 파면이 마지막 단계에서 첫 단계까지 프레임마다 그려진 단계를 "
              "하나씩 거슬러 갑니다. ✂ 표시가 있는 점선은 잘린 BPTT가 끊은 연결로, 기울기가 건너가지 않습니다. "
              "60단계를 넘으면 일부 단계만 그리고 나머지는 “⋯”로 표시합니다.",
    },
    "how.graph": {
        "en": "One step of the chain rule, for the tanh RNN h_t = tanh(W_h h_(t−1) + W_x x_t + b): the gradient "
              "arriving at h_t goes back through tanh, whose derivative is 1 − h_t², and then through W_h:\n\n"
              "∂L/∂h_(t−1) = (direct term of the loss at t−1) + W_hᵀ(∂L/∂h_t ⊙ (1 − h_t²)).\n\n"
              "The backward pass applies this from the last step to the first; the animation shows it one "
              "step per frame. The factor is the step Jacobian J_t = ∂h_t/∂h_(t−1) = diag(1 − h_t²) W_h, whose "
              "spectral norm ‖J_t‖₂ sets the edge's width. Hence, for a loss at the last step, "
              "‖∂L/∂h_t‖ ≤ ‖∂L/∂h_(T−1)‖ · ∏_(s=t+1)^(T−1) ‖J_s‖: the product in the readout. For the LSTM the "
              "state is (h_t, c_t) and J_t is its 2H × 2H Jacobian; on the c lane the edge carries "
              "∂c_t/∂c_(t−1) = diag(f_t), of norm max f_t. Truncated BPTT sets the gradient that would cross a "
              "block start to zero, so the product starts again at 1 at each block's last step.",
        "ko": "tanh RNN h_t = tanh(W_h h_(t−1) + W_x x_t + b) 에서 연쇄 법칙 한 단계: h_t 에 도착한 기울기는 "
              "도함수가 1 − h_t² 인 tanh 를 거쳐, 다시 W_h 를 거쳐 되돌아갑니다.\n\n"
              "∂L/∂h_(t−1) = (t−1 단계 손실의 직접 항) + W_hᵀ(∂L/∂h_t ⊙ (1 − h_t²)).\n\n"
              "역전파는 이것을 마지막 단계부터 첫 단계까지 적용하며, 애니메이션은 프레임마다 한 단계씩 "
              "보여 줍니다. 곱해지는 인자는 한 단계 야코비안 J_t = ∂h_t/∂h_(t−1) = diag(1 − h_t²) W_h 이고, "
              "그 스펙트럼 노름 ‖J_t‖₂ 가 연결선의 굵기입니다. 따라서 손실이 마지막 단계에만 있으면 "
              "‖∂L/∂h_t‖ ≤ ‖∂L/∂h_(T−1)‖ · ∏_(s=t+1)^(T−1) ‖J_s‖ 이고, 이 곱이 판독값의 ∏‖J‖ 입니다. "
              "LSTM의 상태는 (h_t, c_t) 이고 J_t 는 그 2H × 2H 야코비안입니다. c 줄의 연결선은 "
              "∂c_t/∂c_(t−1) = diag(f_t) 를 나르며 노름은 max f_t 입니다. 잘린 BPTT는 블록 시작을 건너는 "
              "기울기를 0으로 만들므로, 곱은 각 블록의 마지막 단계에서 다시 1부터 시작합니다.",
    },
}
