"""Texts of page 1, vanishing and exploding gradients: its widgets and options,
messages, read-outs, figure titles and axes, and captions.

Pure data (no imports); merged into gradflow.i18n.TEXT."""

TEXT = {
    # ---- widgets -------------------------------------------------------------
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
    "w.kind": {"en": "Spectrum of W_h", "ko": "W_h 의 스펙트럼 종류"},
    "w.kind.help": {"en": "Orthogonal: all singular values equal ρ. Non-normal: eigenvalues inside ρ but "
                          "σ_max larger, so ‖W^k‖ can grow for a while.",
                    "ko": "직교: 모든 특이값이 ρ. 비정규: 고유값은 ρ 안에 있지만 σ_max 가 더 커서 ‖W^k‖ 가 "
                          "한동안 커질 수 있습니다."},
    "opt.kind.orthogonal": {"en": "orthogonal", "ko": "직교"},
    "opt.kind.gaussian": {"en": "Gaussian", "ko": "가우스"},
    "opt.kind.symmetric": {"en": "symmetric", "ko": "대칭"},
    "opt.kind.nonnormal": {"en": "non-normal", "ko": "비정규"},
    "w.H": {"en": "Hidden size H", "ko": "은닉 크기 H"},
    "w.H.help": {"en": "Units per cell. With the trained model, H is the model's own.",
                 "ko": "셀의 유닛 수입니다. 학습된 모델을 쓰면 모델의 H를 씁니다."},
    "w.variant": {"en": "GRU variant", "ko": "GRU 변형"},
    "w.variant.help": {"en": "PyTorch applies r after the recurrent matmul, Cho et al. (2014) before it.",
                       "ko": "PyTorch는 순환 행렬곱 뒤에, Cho 외(2014)는 앞에 r을 곱합니다."},
    "opt.variant.pytorch": {"en": "PyTorch", "ko": "PyTorch"},
    "opt.variant.cho": {"en": "Cho 2014", "ko": "Cho 2014"},
    "w.fbias": {"en": "Gate bias (LSTM forget gate, GRU update gate)", "ko": "게이트 편향(LSTM 망각 게이트, GRU 업데이트 게이트)"},
    "w.fbias.help": {"en": "Added at init to the LSTM's forget-gate bias and to the GRU's update-gate (z) bias, its "
                           "equivalent: the GRU keeps h_(t−1) when z → 1 as the LSTM keeps c_(t−1) when f → 1. "
                           "1 is the practice default (Jozefowicz et al. 2015; Gers et al. 2000); 0 shows why it "
                           "matters.",
                     "ko": "초기화 때 LSTM 망각 게이트 편향과, 그에 해당하는 GRU 업데이트 게이트(z) 편향에 더합니다. "
                           "LSTM이 f → 1 일 때 c_(t−1) 을 유지하듯 GRU는 z → 1 일 때 h_(t−1) 을 유지합니다. 1 이 "
                           "실무의 기본값(Jozefowicz 외 2015; Gers 외 2000)이고, 0 으로 두면 왜 중요한지 보입니다."},
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
    "w.weights.help": {"en": "Random initialisation with the chosen spectrum, or the trained PTB models: each "
                             "cell keeps its own weight_hh (and its own radius), scaled by the factor below.",
                       "ko": "고른 스펙트럼의 무작위 초기화, 또는 학습된 PTB 모델. 각 셀은 자기 weight_hh(와 자기 "
                             "반지름)를 그대로 쓰고, 아래 배율만큼 조정됩니다."},
    "w.wscale": {"en": "Scale of the trained W_h", "ko": "학습된 W_h 의 배율"},
    "w.wscale.help": {"en": "Trained weights only: weight_hh × this factor, for every cell (1 = as trained).",
                      "ko": "학습된 가중치에만 적용: 모든 셀의 weight_hh × 이 배율(1 = 학습된 그대로)."},
    "w.up": {"en": "Loss gradient direction", "ko": "손실 기울기 방향"},
    "w.up.help": {"en": "The direction of ∂L/∂h at the last step: a random unit vector, or the direction that "
                        "W_h's powers amplify most (for a non-normal W_h this shows transient growth).",
                  "ko": "마지막 단계의 ∂L/∂h 방향: 무작위 단위 벡터, 또는 W_h 의 거듭제곱이 가장 크게 키우는 "
                        "방향(비정규 W_h 에서는 일시적 증가가 보입니다)."},
    "opt.up.random": {"en": "random", "ko": "무작위"},
    "opt.up.top": {"en": "most amplified", "ko": "가장 증폭되는 방향"},
    "opt.view.curves": {"en": "Gradient norm", "ko": "기울기 노름"},
    "opt.view.dw": {"en": "Weight gradient by step", "ko": "단계별 가중치 기울기"},
    "opt.view.graph": {"en": "Unrolled graph", "ko": "펼친 그래프"},
    "w.frame": {"en": "Backward pass, frame by frame (− / + step back and forward; −1: every step lit)",
                "ko": "프레임별 역전파(− / + 로 한 단계 뒤로·앞으로; −1: 모든 단계 켜짐)"},
    "w.frame.help": {"en": "Frame k shows the backward wave k steps back from the loss; the link keeps it, so a "
                           "lecture can open the graph mid-way.",
                     "ko": "프레임 k 는 손실에서 k 단계 거슬러 간 역전파 물결을 보여 줍니다. 링크에 저장되므로 강의에서 "
                           "그래프를 중간부터 열 수 있습니다."},
    "w.bidir": {"en": "Bidirectional layer", "ko": "양방향 층"},
    "w.bidir.help": {"en": "Two chains over the same inputs, a forward one and a backward one (each with its own "
                           "random weights), with the loss at one position p. Full BPTT: the loss setting and "
                           "truncation apply to the one-directional graph only.",
                     "ko": "같은 입력을 읽는 두 사슬(순방향과 역방향, 각자 무작위 가중치)과 위치 p 의 손실. 완전한 "
                           "BPTT 이며, 손실 설정과 잘린 BPTT는 단방향 그래프에만 적용됩니다."},
    "w.pos1": {"en": "Loss position p (−1: the middle)", "ko": "손실 위치 p (−1: 가운데)"},
    "w.pos1.help": {"en": "The step whose output carries the loss; capped at T − 1. −1 puts it at T // 2.",
                    "ko": "손실이 걸린 출력의 단계입니다(T − 1 까지). −1 이면 T // 2 입니다."},
    "opt.view.paths": {"en": "LSTM paths", "ko": "LSTM 경로"},
    "opt.view.spectrum": {"en": "Spectrum", "ko": "스펙트럼"},
    "opt.view.phase": {"en": "Phase map", "ko": "위상도"},
    "opt.view.inputs": {"en": "Input attribution", "ko": "입력 기여도"},
    "opt.view.jacobian": {"en": "Step Jacobian", "ko": "단계 야코비안"},
    "w.jcell": {"en": "Jacobian of cell", "ko": "야코비안을 볼 셀"},
    "w.jcell.help": {"en": "Click a point of the gradient curve to pick a cell and a step.",
                     "ko": "기울기 곡선의 점을 누르면 셀과 단계를 고릅니다."},
    "opt.jcell.rnn": {"en": "RNN", "ko": "RNN"},
    "opt.jcell.lstm": {"en": "LSTM", "ko": "LSTM"},
    "opt.jcell.gru": {"en": "GRU", "ko": "GRU"},
    "w.jstep": {"en": "Step t", "ko": "단계 t"},
    "w.jstep.help": {"en": "The step whose Jacobian ∂h_t/∂h_{t−1} is shown (capped at T − 1).",
                     "ko": "야코비안 ∂h_t/∂h_{t−1} 을 볼 단계입니다(T − 1 까지)."},

    # ---- messages and read-outs ----------------------------------------------
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
    "page1.trained_note": {"en": "Trained PTB models: D and H are the models' ({sizes}). Each cell keeps its own "
                                 "weight_hh, × {scale}; their own largest block radii: {radius}.",
                           "ko": "학습된 PTB 모델: D와 H는 모델의 값({sizes})입니다. 각 셀은 자기 weight_hh 를 "
                                 "× {scale} 로 씁니다. 모델 고유의 최대 블록 반지름: {radius}."},
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

    # ---- figures -------------------------------------------------------------
    "fig.curves.title": {"en": "Gradient norm ‖∂L/∂h_t‖ through time", "ko": "시간에 따른 기울기 노름 ‖∂L/∂h_t‖"},
    "fig.curves.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.curves.y": {"en": "‖∂L/∂h_t‖ (log)", "ko": "‖∂L/∂h_t‖ (로그)"},
    "fig.curves.overflow": {"en": "overflow", "ko": "오버플로"},
    "fig.curves.theory_rho_exact": {"en": "ρ^k: exact here ({cell}: linear, orthogonal W_h)",
                                    "ko": "ρ^k: 여기서는 정확함({cell}: 선형, 직교 W_h)"},
    "fig.curves.theory_pascanu_rho": {"en": "bound (γσ_max)^k = ρ^k ({cell}: σ_max = ρ)",
                                      "ko": "상한 (γσ_max)^k = ρ^k ({cell}: σ_max = ρ)"},
    "fig.curves.theory_pascanu": {"en": "bound (γσ_max)^k ({cell})", "ko": "상한 (γσ_max)^k ({cell})"},
    "cap.curves": {
        "en": "Read from right (the loss) to left. A straight line on this log axis is geometric decay or "
              "growth. The grey lines, drawn for a loss at the last step only, start where the curve starts: "
              "ρ^k where it is exact (a linear RNN with orthogonal W_h), else Pascanu's bound (γσ_max)^k for "
              "the RNN, which the curve never crosses. The gated cells' own bounds are on their tabs: ∏f on "
              "LSTM paths, the measured step-Jacobian norms on Step Jacobian. Click a point to open that "
              "step's Jacobian.",
        "ko": "오른쪽(손실)에서 왼쪽으로 읽으세요. 로그 축의 직선은 기하급수적 감소나 증가입니다. 회색 선은 "
              "손실이 마지막 단계에만 있을 때 곡선과 같은 점에서 시작합니다. 정확한 경우(직교 W_h 의 선형 RNN)"
              "에는 ρ^k, 그 밖의 RNN은 곡선이 결코 넘지 않는 파스카누 상한 (γσ_max)^k 입니다. 게이트 셀의 "
              "상한은 각 탭에 있습니다: LSTM 경로 탭의 ∏f, 단계 야코비안 탭의 측정된 야코비안 노름. 점을 누르면 "
              "그 단계의 야코비안이 열립니다."},
    "fig.dw.title": {"en": "Which steps ∂L/∂W_h learns from", "ko": "∂L/∂W_h 가 배우는 단계"},
    "fig.dw.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.dw.y": {"en": "‖step-t term of ∂L/∂W_h‖ (log)", "ko": "∂L/∂W_h 의 t 단계 항 노름 (로그)"},
    "cap.dw": {"en": "The weight gradient is a sum over steps; when ‖∂L/∂h_t‖ has vanished, the early steps add "
                     "nothing and long-range dependencies are not learned.",
               "ko": "가중치 기울기는 단계별 항의 합입니다. ‖∂L/∂h_t‖ 가 사라지면 앞쪽 단계는 아무것도 "
                     "보태지 못해 장기 의존성을 배우지 못합니다."},
    "fig.paths.title": {"en": "LSTM: ∂L/∂c_t = carried by ∏f + injected through h",
                        "ko": "LSTM: ∂L/∂c_t = ∏f 로 전달된 부분 + h 를 통해 주입된 부분"},
    "fig.paths.x": {"en": "time step t", "ko": "시간 단계 t"},
    "fig.paths.y": {"en": "norm (log)", "ko": "노름 (로그)"},
    "fig.paths.dc": {"en": "‖∂L/∂c_t‖", "ko": "‖∂L/∂c_t‖"},
    "fig.paths.prodf": {"en": "∏ f (mean over units)", "ko": "∏ f (유닛 평균)"},
    "fig.paths.carried": {"en": "carried: ∏f ⊙ ∂L/∂c_(T−1)", "ko": "전달분: ∏f ⊙ ∂L/∂c_(T−1)"},
    "fig.paths.injected": {"en": "injected through h on the way", "ko": "도중에 h 를 통해 주입된 부분"},
    "cap.paths": {"en": "An exact split: ∂L/∂c_t = carried + injected. The carried part is what the cell path "
                        "brings back from the loss through the forget gates alone (∏f); the injected part enters c at "
                        "every step through h_t = o_t ⊙ tanh(c_t). This is why ∏f alone is not ∂L/∂c_t.",
                  "ko": "정확한 분해: ∂L/∂c_t = 전달분 + 주입분. 전달분은 셀 경로가 망각 게이트만으로(∏f) 손실에서 "
                        "가져오는 부분이고, 주입분은 h_t = o_t ⊙ tanh(c_t) 를 통해 매 단계 c 로 들어오는 부분입니다. "
                        "그래서 ∏f 만으로는 ∂L/∂c_t 가 되지 않습니다."},
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
    "fig.jac.title_lstm": {"en": "{cell}: state Jacobian ∂(h_t, c_t)/∂(h_(t−1), c_(t−1)) at t = {t} (2H × 2H, h first)",
                           "ko": "{cell}: t = {t} 의 상태 야코비안 ∂(h_t, c_t)/∂(h_(t−1), c_(t−1)) (2H × 2H, h 먼저)"},
    "fig.jac.J": {"en": "J_t (H × H)", "ko": "J_t (H × H)"},
    "fig.jac.J_lstm": {"en": "J_t (2H × 2H: h, then c)", "ko": "J_t (2H × 2H: h 다음 c)"},
    "fig.jac.sv": {"en": "singular values of J_t", "ko": "J_t 의 특이값"},
    "fig.jac.factors": {"en": "factors at step t (per unit)", "ko": "단계 t 의 인자(유닛별)"},
    "fig.jac.product": {"en": "norms: ‖J_s‖ and ‖J_t ⋯ J_s‖", "ko": "노름: ‖J_s‖ 와 ‖J_t ⋯ J_s‖"},
    "fig.jac.x": {"en": "step s", "ko": "단계 s"},
    "fig.jac.unit": {"en": "unit", "ko": "유닛"},
    "fig.jac.step_norm": {"en": "‖J_s‖ per step", "ko": "단계별 ‖J_s‖"},
    "fig.jac.running": {"en": "running product ‖J_t ⋯ J_s‖", "ko": "누적 곱 ‖J_t ⋯ J_s‖"},
    "cap.jac": {"en": "The Jacobian of one step is the activation derivatives (and gates) times the blocks of "
                      "W_h. The LSTM's state is (h, c), so its step Jacobian is the 2H × 2H matrix of both: "
                      "the c → c block is diag(f_t), the cell path. The transposed running product of these "
                      "Jacobians, applied to the loss gradient at the last step, gives exactly ∂L/∂h at every "
                      "earlier step.",
                "ko": "한 단계의 야코비안은 활성 함수의 도함수(와 게이트)에 W_h 블록을 곱한 것입니다. LSTM 의 "
                      "상태는 (h, c) 이므로 단계 야코비안은 둘을 합친 2H × 2H 행렬이고, c → c 블록은 셀 경로인 "
                      "diag(f_t) 입니다. 이 야코비안들의 누적 곱(전치)을 마지막 단계의 손실 기울기에 적용하면 "
                      "앞선 모든 단계의 ∂L/∂h 가 정확히 나옵니다."},
    # ---- "how is this computed?" (one step of the chain rule, DLFS2 ch. 6 / CS224N notation) --------
    "how.curves": {
        "en": "Forward, the RNN stores every state: $h_t = \\tanh(W_h h_{t-1} + W_x x_t + b)$. Backward, "
              "one step of the chain rule is\n\n"
              "$$\\frac{\\partial L}{\\partial h_{t-1}} = W_h^{\\top}\\Big(\\frac{\\partial L}{\\partial h_t}"
              "\\odot (1 - h_t^2)\\Big) + \\frac{\\partial L_{t-1}}{\\partial h_{t-1}}$$\n\n"
              "so each step back multiplies the gradient by $J_t^{\\top} = W_h^{\\top}\\,\\mathrm{diag}(1-h_t^2)$, "
              "whose norm is at most $\\gamma\\,\\sigma_{\\max}$ ($\\gamma = 1$ for tanh). After $k$ steps: "
              "at most $(\\gamma\\sigma_{\\max})^k$. gradflow runs this loop exactly, from $t = T-1$ down to 0, "
              "in float64; the LSTM and the GRU do the same with their gates (see the Jacobian tab).",
        "ko": "순전파에서 RNN은 모든 상태 $h_t = \\tanh(W_h h_{t-1} + W_x x_t + b)$ 를 저장합니다. 역전파에서 "
              "연쇄 법칙 한 단계는\n\n"
              "$$\\frac{\\partial L}{\\partial h_{t-1}} = W_h^{\\top}\\Big(\\frac{\\partial L}{\\partial h_t}"
              "\\odot (1 - h_t^2)\\Big) + \\frac{\\partial L_{t-1}}{\\partial h_{t-1}}$$\n\n"
              "이므로, 한 단계 거슬러 갈 때마다 기울기에 $J_t^{\\top} = W_h^{\\top}\\,\\mathrm{diag}(1-h_t^2)$ 가 "
              "곱해지고 그 노름은 최대 $\\gamma\\,\\sigma_{\\max}$ (tanh 는 $\\gamma = 1$) 입니다. $k$ 단계 뒤에는 "
              "최대 $(\\gamma\\sigma_{\\max})^k$. gradflow는 이 반복을 $t = T-1$ 부터 0 까지 float64 로 정확히 "
              "계산하며, LSTM과 GRU도 게이트와 함께 같은 일을 합니다(야코비안 탭 참고)."},
    "how.dw": {
        "en": "$W_h$ is shared by every step, so its gradient is a sum over steps: "
              "$\\frac{\\partial L}{\\partial W_h} = \\sum_t \\delta_t\\, h_{t-1}^{\\top}$ with "
              "$\\delta_t = \\frac{\\partial L}{\\partial h_t} \\odot (1 - h_t^2)$ (RNN; for the gated cells "
              "$\\delta_t$ holds the gradients of the gate pre-activations). The chart draws each term's size "
              "$\\|\\delta_t h_{t-1}^{\\top}\\|_F$: a step whose $\\delta_t$ has vanished teaches $W_h$ nothing.",
        "ko": "$W_h$ 는 모든 단계가 공유하므로 그 기울기는 단계별 항의 합입니다: "
              "$\\frac{\\partial L}{\\partial W_h} = \\sum_t \\delta_t\\, h_{t-1}^{\\top}$, "
              "$\\delta_t = \\frac{\\partial L}{\\partial h_t} \\odot (1 - h_t^2)$ (RNN; 게이트 셀은 "
              "$\\delta_t$ 가 게이트 사전 활성의 기울기). 그림은 각 항의 크기 $\\|\\delta_t h_{t-1}^{\\top}\\|_F$ "
              "를 그립니다. $\\delta_t$ 가 사라진 단계는 $W_h$ 에 아무것도 가르치지 못합니다."},
    "how.paths": {
        "en": "The LSTM: $c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$, $h_t = o_t \\odot \\tanh(c_t)$. "
              "The chain rule through $c$ gives\n\n"
              "$$\\frac{\\partial L}{\\partial c_t} = f_{t+1} \\odot \\frac{\\partial L}{\\partial c_{t+1}} + "
              "\\frac{\\partial L}{\\partial h_t} \\odot o_t \\odot (1 - \\tanh^2 c_t)$$\n\n"
              "Unrolled from the last step, the first term alone gives the carried part "
              "$(\\prod_{s>t} f_s) \\odot \\frac{\\partial L}{\\partial c_{T-1}}$; the second term, added at "
              "every step and carried back by the later forget gates, is the injected part. Their sum is "
              "exactly the drawn $\\|\\partial L/\\partial c_t\\|$.",
        "ko": "LSTM: $c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$, $h_t = o_t \\odot \\tanh(c_t)$. "
              "$c$ 를 거치는 연쇄 법칙은\n\n"
              "$$\\frac{\\partial L}{\\partial c_t} = f_{t+1} \\odot \\frac{\\partial L}{\\partial c_{t+1}} + "
              "\\frac{\\partial L}{\\partial h_t} \\odot o_t \\odot (1 - \\tanh^2 c_t)$$\n\n"
              "입니다. 마지막 단계부터 첫 항만 펼치면 전달분 "
              "$(\\prod_{s>t} f_s) \\odot \\frac{\\partial L}{\\partial c_{T-1}}$ 이 되고, 매 단계 더해져 이후의 "
              "망각 게이트로 전달되는 둘째 항이 주입분입니다. 둘의 합이 그려진 $\\|\\partial L/\\partial c_t\\|$ "
              "와 정확히 같습니다."},
    "how.eig": {
        "en": "Each gate block of $W_h$ (one for the RNN, $i, f, g, o$ for the LSTM, $r, z, n$ for the GRU) "
              "is an $H \\times H$ matrix; its eigenvalues come from `numpy.linalg.eigvals`, "
              "$\\rho = \\max_i |\\lambda_i|$, and $\\sigma_{\\max}$ is its largest singular value (SVD). "
              "$\\|W^k\\|_2$ is computed power by power; for a normal matrix it equals $\\rho^k$.",
        "ko": "$W_h$ 의 각 게이트 블록(RNN 1개, LSTM $i, f, g, o$, GRU $r, z, n$)은 $H \\times H$ 행렬입니다. "
              "고유값은 `numpy.linalg.eigvals` 로, $\\rho = \\max_i |\\lambda_i|$, $\\sigma_{\\max}$ 는 최대 "
              "특이값(SVD)입니다. $\\|W^k\\|_2$ 는 거듭제곱마다 계산하며, 정규 행렬이면 $\\rho^k$ 와 같습니다."},
    "how.phase": {
        "en": "The same experiment (same seed, inputs and loss) is run for 31 radii at once: with "
              "$W_h = \\rho W_1$, every step's $h W_h^{\\top} = \\rho\\,(h W_1^{\\top})$, so all radii share one "
              "matrix product per step. Each column is one radius; the colour at row $k$ is "
              "$\\log_{10}\\|\\partial L/\\partial h_{T-1-k}\\|$.",
        "ko": "같은 실험(같은 시드, 입력, 손실)을 31개의 반지름에 대해 한 번에 돌립니다. $W_h = \\rho W_1$ 이면 "
              "각 단계의 $h W_h^{\\top} = \\rho\\,(h W_1^{\\top})$ 이므로 모든 반지름이 단계마다 행렬곱 하나를 "
              "공유합니다. 열 하나가 반지름 하나이고, $k$ 행의 색은 $\\log_{10}\\|\\partial L/\\partial h_{T-1-k}\\|$ "
              "입니다."},
    "how.attr": {
        "en": "The input enters through $W_x$: $\\frac{\\partial L}{\\partial x_t} = W_x^{\\top} \\delta_t$ with "
              "$\\delta_t$ the gradient of step $t$'s pre-activation. A word whose $\\delta_t$ vanished gets "
              "no credit for the loss.",
        "ko": "입력은 $W_x$ 로 들어옵니다: $\\frac{\\partial L}{\\partial x_t} = W_x^{\\top} \\delta_t$, "
              "$\\delta_t$ 는 $t$ 단계 사전 활성의 기울기입니다. $\\delta_t$ 가 사라진 단어는 손실에 대한 "
              "기여를 인정받지 못합니다."},
    "how.jac": {
        "en": "RNN: $J_t = \\partial h_t/\\partial h_{t-1} = \\mathrm{diag}(1 - h_t^2)\\, W_h$. GRU: the same "
              "with its gates, $h_t = (1-z_t) \\odot n_t + z_t \\odot h_{t-1}$. LSTM: the state is $(h, c)$, so "
              "$J_t$ is $2H \\times 2H$ with blocks $\\partial c_t/\\partial c_{t-1} = \\mathrm{diag}(f_t)$, "
              "$\\partial c_t/\\partial h_{t-1}$ (through $i, f, g$), $\\partial h_t/\\partial h_{t-1}$ and "
              "$\\partial h_t/\\partial c_{t-1}$ (through $o$ and $\\tanh c_t$). The gradient of the state obeys "
              "$\\lambda_{t-1} = J_t^{\\top} \\lambda_t$; the running product $\\|J_t \\cdots J_s\\|_2$ bounds how "
              "much of it survives from $t$ back to $s$.",
        "ko": "RNN: $J_t = \\partial h_t/\\partial h_{t-1} = \\mathrm{diag}(1 - h_t^2)\\, W_h$. GRU: 게이트를 "
              "포함해 같으며 $h_t = (1-z_t) \\odot n_t + z_t \\odot h_{t-1}$. LSTM: 상태가 $(h, c)$ 이므로 $J_t$ "
              "는 $2H \\times 2H$ 이고 블록은 $\\partial c_t/\\partial c_{t-1} = \\mathrm{diag}(f_t)$, "
              "$\\partial c_t/\\partial h_{t-1}$ ($i, f, g$ 경유), $\\partial h_t/\\partial h_{t-1}$, "
              "$\\partial h_t/\\partial c_{t-1}$ ($o$ 와 $\\tanh c_t$ 경유) 입니다. 상태의 기울기는 "
              "$\\lambda_{t-1} = J_t^{\\top} \\lambda_t$ 를 따르고, 누적 곱 $\\|J_t \\cdots J_s\\|_2$ 는 $t$ 에서 "
              "$s$ 까지 살아남는 양의 상한입니다."},
    "how.pow": {
        "en": "$W^k$ is built by repeated multiplication, $W^{k} = W\\,W^{k-1}$, and $\\|W^k\\|_2$ is its "
              "largest singular value. Without an input or a nonlinearity, $k$ steps back multiply the "
              "gradient by $(W^{\\top})^k$, so this curve is the linear RNN's worst case; $\\rho^k$ is its "
              "limit rate ($\\|W^k\\|^{1/k} \\to \\rho$, Gelfand's formula).",
        "ko": "$W^k$ 는 반복 곱 $W^{k} = W\\,W^{k-1}$ 으로 만들고, $\\|W^k\\|_2$ 는 그 최대 특이값입니다. 입력과 "
              "비선형이 없으면 $k$ 단계 거슬러 갈 때 기울기에 $(W^{\\top})^k$ 가 곱해지므로 이 곡선은 선형 RNN의 "
              "최악의 경우이고, $\\rho^k$ 는 그 극한 비율입니다($\\|W^k\\|^{1/k} \\to \\rho$, 겔판트 공식)."},
}
