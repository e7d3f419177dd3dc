"""The one-knob GLMM's log density as a numba C callback that nutpie calls without the GIL.

:func:`plw_stats.glmm.backends.kernel.log_density` is compiled into a ``cfunc`` (cached on disk
by numba) that reads all the data of a problem from one float64 array (:func:`pack_problem`);
:func:`compile_native` hands it to nutpie through :mod:`.nutpie_model`, which says why callbacks
and raises :class:`~.nutpie_model.NativeUnavailable` when nutpie's internals are not the
expected ones.
"""

from __future__ import annotations

import numba
import numpy as np

from plw_stats.glmm.backends.kernel import CELL_ARRAYS, NativeProblem, log_density
from plw_stats.glmm.backends.nutpie_model import LOGP_SIG, callback_model

_LAYOUT = 6  # n_models, n_benchmarks, level_start, slope_start, quadratic, non-centred slopes
_HEADER = 2 + _LAYOUT  # total length, number of cells, layout
_N_CONSTS = 14


@numba.cfunc(LOGP_SIG, cache=True, error_model="numpy")
def _logp_callback(dim, x_ptr, grad_ptr, logp_ptr, data_ptr):
    total = int(numba.carray(data_ptr, (1,), np.float64)[0])
    pack = numba.carray(data_ptr, (total,), np.float64)
    n = int(pack[1])
    layout = np.empty(_LAYOUT, np.int64)
    for k in range(_LAYOUT):
        layout[k] = int(pack[2 + k])
    consts = pack[_HEADER : _HEADER + _N_CONSTS]
    o = _HEADER + _N_CONSTS
    lp, grad = log_density(
        numba.carray(x_ptr, (dim,)),
        pack[o : o + n],
        pack[o + n : o + 2 * n],
        pack[o + 2 * n : o + 3 * n],
        pack[o + 3 * n : o + 4 * n],
        pack[o + 4 * n : o + 5 * n],
        pack[o + 5 * n : o + 6 * n],
        pack[o + 6 * n : o + 7 * n],
        pack[o + 7 * n : o + 8 * n],
        consts,
        layout,
    )
    numba.carray(logp_ptr, (1,))[0] = lp
    out = numba.carray(grad_ptr, (dim,))
    for k in range(dim):
        out[k] = grad[k]
    return 0 if np.isfinite(lp) else 4  # nutpie: 4 = non-finite log density, a divergence


def pack_problem(problem: NativeProblem) -> np.ndarray:
    """All data of ``problem`` in one float64 array that the callbacks read through a pointer."""
    cells = [problem.arrays[name].astype(float) for name in CELL_ARRAYS]
    header = [0.0, float(cells[0].size), *problem.layout.astype(float)]
    pack = np.concatenate([header, problem.consts, *cells])
    pack[0] = pack.size
    return np.ascontiguousarray(pack)


def compile_native(problem: NativeProblem):
    """Return a nutpie model that samples ``problem`` through the C callback.

    Raises
    ------
    NativeUnavailable
        If nutpie's internal classes are not the expected ones.
    """
    return callback_model(
        _logp_callback.address, pack_problem(problem), problem.n_dim, problem.initial_point
    )
