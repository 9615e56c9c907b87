"""Widget specs and the checking of raw URL query values."""

import pytest

from gradflow.urlstate import TEXT_URL_LIMIT, Param, check_query, encode_value, option_label, query_for

P = (
    Param("rho", "slider", 1.0, lo=0.0, hi=3.0),
    Param("T", "int", 100, lo=2, hi=500),
    Param("kind", "choice", "orthogonal", options=("orthogonal", "nonnormal")),
    Param("cells", "multi", ["rnn", "lstm"], options=("rnn", "lstm", "gru")),
    Param("present", "toggle", False),
    Param("text", "text", "hi"),
)


def check(raw, lang="en"):
    return check_query(P, raw, lang)


def test_valid_values_parse_without_problems():
    c = check({"rho": ["0.9"], "T": ["150"], "kind": ["non-normal"], "cells": ["RNN", "GRU"], "present": ["true"]})
    assert not c.problems
    assert c.values == {"rho": 0.9, "T": 150, "kind": "nonnormal", "cells": ["rnn", "gru"], "present": True}
    assert c.fixes == {}  # exactly what Streamlit writes: nothing to assign


def test_aliases_become_fixes():
    c = check({"kind": ["NonNormal"], "cells": ["gru", "rnn"], "present": ["1"]})
    assert not c.problems
    assert c.fixes == {"kind": "nonnormal", "cells": ["gru", "rnn"], "present": True}
    ko = check({"kind": ["non-normal"]}, lang="ko")  # English label on a Korean page
    assert ko.fixes == {"kind": "nonnormal"}
    assert check({"kind": ["비정규"]}, lang="ko").fixes == {}


@pytest.mark.parametrize("raw,reason,default", [
    ({"rho": ["5"]}, "range", 1.0), ({"rho": ["nan"]}, "type", 1.0), ({"rho": ["abc"]}, "type", 1.0),
    ({"T": ["1"]}, "range", 100), ({"T": ["12.5"]}, "type", 12), ({"kind": ["<script>"]}, "option", "orthogonal"),
    ({"present": ["maybe"]}, "type", False), ({"zzz": ["1"]}, "unknown", None),
])
def test_problems_name_the_parameter_and_the_default(raw, reason, default):
    c = check(raw)
    assert len(c.problems) == 1
    pr = c.problems[0]
    assert (pr.key, pr.reason, pr.default) == (next(iter(raw)), reason, default)


def test_multi_mixing_labels_and_aliases_keeps_the_labels_only():
    # Streamlit keeps the exact labels of a list; an alias beside them is dropped, with a warning.
    c = check({"cells": ["RNN", "gru"]})
    assert c.values["cells"] == ["rnn"] and c.fixes == {} and [p.value for p in c.problems] == ["gru"]


def test_multi_drops_unknown_options_and_falls_back_to_default():
    c = check({"cells": ["rnn", "xxx"]})
    assert c.values["cells"] == ["rnn"] and [p.value for p in c.problems] == ["xxx"]
    c = check({"cells": ["xxx"]})
    assert "cells" not in c.values and c.problems[0].default == ["rnn", "lstm"]


def test_long_text_is_flagged_and_nothing_raises():
    c = check({"text": ["x" * (TEXT_URL_LIMIT + 1)], "rho": [""], "T": []})
    assert c.long_text == ["text"]
    assert {p.key for p in c.problems} == {"rho", "T"}


def test_query_for_uses_labels_and_leaves_defaults_out():
    q = query_for({"rho": 0.9, "T": 100, "kind": "nonnormal", "cells": ["rnn"], "present": True}, P, "ko")
    assert q == {"rho": "0.9", "kind": option_label("kind", "nonnormal", "ko"), "cells": ["RNN"], "present": "true"}
    # without Params: codes with an i18n label become that label
    assert query_for({"kind": "nonnormal", "x": 2.0}, None, "en") == {"kind": "non-normal", "x": "2"}
    assert encode_value(P[0], 2.0, "en") == "2"


def test_param_rejects_inconsistent_specs():
    with pytest.raises(ValueError):
        Param("x", "slider", 5.0, lo=0.0, hi=1.0)
    with pytest.raises(ValueError):
        Param("x", "choice", "a", options=("b",))
    with pytest.raises(ValueError):
        Param("x", "color", 0)


@pytest.mark.parametrize("value", ["", "  ", "\t"])
def test_an_empty_choice_is_a_problem_with_the_default_as_fix(value):
    c = check({"kind": [value]})
    assert [(p.key, p.reason, p.default) for p in c.problems] == [("kind", "empty", "orthogonal")]
    assert c.fixes == {"kind": "orthogonal"} and "kind" not in c.values
    tabs = check_query((Param("view", "choice", "a", options=("a", "b"), widget="tabs"),), {"view": [value]}, "en")
    assert [p.reason for p in tabs.problems] == ["empty"] and tabs.fixes == {}  # tabs map their label themselves


def test_an_empty_multi_choice_is_nothing_selected_not_a_problem():
    c = check({"cells": [""]})
    assert not c.problems and "cells" not in c.values


@pytest.mark.parametrize("raw,n", [
    ({"kind": ["bad"] * 300}, 1), ({"kind": [""] * 300}, 1), ({"cells": ["xxx"] * 300}, 1),
    ({"cells": ["xxx", "yyy"] * 150}, 2), ({"cells": ["rnn"] + ["xxx"] * 300}, 1), ({"rho": ["9"] * 300}, 1),
])
def test_each_distinct_problem_once_however_often_the_link_repeats_it(raw, n):
    c = check(raw)
    assert len(c.problems) == n, c.problems
    assert len({(p.key, p.value, p.reason) for p in c.problems}) == n
