"""cells.init_params accepts floating-point dtypes only."""

import numpy as np
import pytest

from gradflow import cells


@pytest.mark.parametrize("dtype", [int, np.int32, bool, "U3", object, complex, "not a dtype"])
def test_init_params_refuses_non_float_dtypes(dtype):
    """dtype=int rounded every U(−1/√H, 1/√H) weight to 0; dtype='U3' returned arrays of strings."""
    with pytest.raises(ValueError, match="dtype must be a floating-point dtype"):
        cells.init_params("lstm", 3, 4, 0, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, "float32"])
def test_init_params_keeps_float_dtypes(dtype):
    p = cells.init_params("gru", 3, 4, 0, dtype=dtype)
    assert all(v.dtype == np.dtype(dtype) for v in p.values())
    ref = cells.init_params("gru", 3, 4, 0)
    tol = {2: 1e-3, 4: 1e-7, 8: 0}[np.dtype(dtype).itemsize]  # the same draw, rounded to the dtype
    for k in p:
        np.testing.assert_allclose(p[k].astype(np.float64), ref[k], rtol=tol, atol=0)
        assert np.abs(p[k]).max() > 0
