"""Hand the general GLMM's log density to nutpie as C callbacks, so chains run without the GIL.

The pattern of :mod:`.callbacks` (which see for why): the kernel
(:func:`.general_kernel.general_log_density`) is wrapped in numba ``cfunc`` callbacks cached on
disk, all data travel in one float64 array read through a pointer, and the callbacks are wrapped
in the model object nutpie builds for PyMC models.  The pack is::

    [total length, n_cells, len(layout), len(consts), layout…, consts…, precision…,
     fixed…, level_idx…, term_idx…, term_val…, count…, sum_log_y…, sum_log_1my…]

:func:`compile_general` raises :class:`~.callbacks.NativeUnavailable` when nutpie's internal
classes are not the expected ones; the caller then falls back to a Python callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numba
import numpy as np

from plw_stats.glmm.backends.callbacks import (
    _EXPAND_SIG,
    _LOGP_SIG,
    NativeUnavailable,
    _no_transform_adapter,
)
from plw_stats.glmm.backends.general_kernel import general_log_density, kernel_arguments
from plw_stats.glmm.backends.general_spec import GeneralProblem

_HEADER = 4


@numba.cfunc(_LOGP_SIG, cache=True, error_model="numpy")
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


@numba.cfunc(_EXPAND_SIG, cache=True)
def _expand_callback(dim, n_expanded, x_ptr, out_ptr, data_ptr):
    x = numba.carray(x_ptr, (dim,))
    out = numba.carray(out_ptr, (n_expanded,))
    for k in range(dim):
        out[k] = x[k]
    return 0


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
    """Return a nutpie model that samples ``problem`` through the C callbacks.

    Raises
    ------
    NativeUnavailable
        If nutpie's internal classes are not the expected ones.
    """
    from nutpie.sample import CompiledModel

    try:
        from nutpie import _lib

        required = (_lib.LogpFunc, _lib.ExpandFunc, _lib.PyMcModel, _lib.PySampler.from_pymc)
    except (ImportError, AttributeError) as err:
        raise NativeUnavailable(str(err)) from err
    del required

    @dataclass(frozen=True)
    class GeneralModel(CompiledModel):
        pack: np.ndarray = field(default_factory=lambda: np.empty(0))
        size: int = 0
        initial_point: Callable[[int], np.ndarray] | None = None

        @property
        def n_dim(self) -> int:
            return self.size

        @property
        def shapes(self) -> dict[str, tuple[int, ...]]:
            return {"theta": (self.size,)}

        @property
        def coords(self) -> dict[str, list[str]]:
            return {"parameter": [str(i) for i in range(self.size)]}

        def _make_sampler(self, settings, init_mean, cores, progress_type, *rest):
            model = self._make_model(init_mean)
            return _lib.PySampler.from_pymc(settings, cores, model, progress_type, *rest)

        def _make_model(self, init_mean):
            address = self.pack.ctypes.data
            logp = _lib.LogpFunc(_logp_callback.address, address, self)
            expand = _lib.ExpandFunc(self.size, self.size, _expand_callback.address, address, self)
            sizes = {"parameter": self.size}
            variables = _lib.PyVariable.new_variables(
                ["theta"], ["float64"], [(self.size,)], sizes, self.dims
            )
            return _lib.PyMcModel(
                logp,
                expand,
                variables,
                self.size,
                sizes,
                self.coords,
                self.initial_point,
                _no_transform_adapter,
            )

    return GeneralModel(
        dims={"theta": ("parameter",)},
        pack=pack_problem(problem),
        size=problem.n_dim,
        initial_point=problem.initial_point,
    )


def python_callback_model(problem: GeneralProblem):
    """Wrap the log density as a Python callback (slower: the GIL serialises the chains)."""
    from nutpie.compiled_pyfunc import from_pyfunc

    args = kernel_arguments(problem)

    def make_logp_fn():
        return lambda theta, **_: general_log_density(theta, *args)

    def make_expand_fn(*_):
        return lambda theta, **_: {"theta": theta.copy()}

    return from_pyfunc(
        problem.n_dim,
        make_logp_fn,
        make_expand_fn,
        [np.dtype("float64")],
        [(problem.n_dim,)],
        ["theta"],
        make_initial_point_fn=problem.initial_point,
    )
