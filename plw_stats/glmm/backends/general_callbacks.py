"""Hand the general GLMM's log density to nutpie as C callbacks, so chains run without the GIL.

The pattern of :mod:`.callbacks` (which see for why): the kernel
(:func:`.general_kernel.general_log_density`) is wrapped in numba ``cfunc`` callbacks cached on
disk, all data travel in one float64 array read through a pointer, and the callbacks are wrapped
by :mod:`.nutpie_model` in the model object nutpie builds for PyMC models.  The pack is::

    [total length, n_cells, len(layout), len(consts), layout…, consts…, precision…,
     fixed…, level_idx…, term_idx…, term_val…, count…, sum_log_y…, sum_log_1my…]

:func:`compile_general` raises :class:`~.nutpie_model.NativeUnavailable` when nutpie's internal
classes are not the expected ones; the caller then falls back to a Python callback.
"""

from __future__ import annotations

import numba
import numpy as np

from plw_stats.glmm.backends.general_kernel import general_log_density, kernel_arguments
from plw_stats.glmm.backends.general_spec import GeneralProblem
from plw_stats.glmm.backends.nutpie_model import LOGP_SIG, callback_model
from plw_stats.glmm.backends.nutpie_model import python_callback_model as _pyfunc_model

_HEADER = 4


@numba.cfunc(LOGP_SIG, cache=True, error_model="numpy")
def _logp_callback(dim, x_ptr, grad_ptr, logp_ptr, data_ptr):
    total = int(numba.carray(data_ptr, (1,), np.float64)[0])
    pack = numba.carray(data_ptr, (total,), np.float64)
    n, n_layout, n_consts = int(pack[1]), int(pack[2]), int(pack[3])
    layout = np.empty(n_layout, np.int64)
    for k in range(n_layout):
        layout[k] = int(pack[_HEADER + k])
    o = _HEADER + n_layout
    consts = pack[o : o + n_consts]
    o += n_consts
    p, k_terms = layout[0], layout[2]
    precision = pack[o : o + p * p]
    o += p * p
    fixed = pack[o : o + n * p]
    o += n * p
    level_idx = pack[o : o + n]
    o += n
    term_idx = pack[o : o + n * k_terms]
    o += n * k_terms
    term_val = pack[o : o + n * k_terms]
    o += n * k_terms
    lp, grad = general_log_density(
        numba.carray(x_ptr, (dim,)),
        fixed,
        level_idx,
        term_idx,
        term_val,
        pack[o : o + n],
        pack[o + n : o + 2 * n],
        pack[o + 2 * n : o + 3 * n],
        precision,
        consts,
        layout,
    )
    numba.carray(logp_ptr, (1,))[0] = lp
    out = numba.carray(grad_ptr, (dim,))
    for k in range(dim):
        out[k] = grad[k]
    return 0 if np.isfinite(lp) else 4  # nutpie: 4 = non-finite log density, a divergence


def pack_problem(problem: GeneralProblem) -> np.ndarray:
    """All data of ``problem`` in one float64 array, laid out as the module docstring says."""
    (fixed, level_idx, term_idx, term_val, count, s1, s2, precision, consts, layout) = (
        kernel_arguments(problem)
    )
    header = [0.0, float(count.size), float(layout.size), float(consts.size)]
    parts = [header, layout.astype(float), consts, precision, fixed, level_idx, term_idx]
    pack = np.concatenate([*parts, term_val, count, s1, s2])
    pack[0] = pack.size
    return np.ascontiguousarray(pack)


def compile_general(problem: GeneralProblem):
    """Return a nutpie model that samples ``problem`` through the C callback.

    Raises
    ------
    NativeUnavailable
        If nutpie's internal classes are not the expected ones.
    """
    return callback_model(
        _logp_callback.address, pack_problem(problem), problem.n_dim, problem.initial_point
    )


def python_callback_model(problem: GeneralProblem):
    """Wrap the log density as a Python callback (slower: the GIL serialises the chains)."""
    args = kernel_arguments(problem)
    return _pyfunc_model(
        problem.n_dim, lambda theta: general_log_density(theta, *args), problem.initial_point
    )
