"""Hand the native log density to nutpie as a C callback, so chains run without the GIL.

nutpie calls a PyMC model's compiled log density through a C function pointer, from its own
threads; a Python callback (``nutpie.compiled_pyfunc``) instead takes the GIL on every gradient,
which serialises the chains and costs about three quarters of the sampling time here.  This
module compiles :func:`plw_stats.glmm.backends.kernel.log_density` into such C callbacks
(cached on disk by numba) and wraps them in the same model object nutpie builds for PyMC models.

It uses nutpie's internal ``_lib`` classes (stable within the pinned nutpie 0.16.x);
:func:`compile_native` raises :class:`NativeUnavailable` if they are missing, and the caller
falls back to the Python callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numba
import numpy as np
from numba import types

from plw_stats.glmm.backends.kernel import CELL_ARRAYS, NativeProblem, log_density

_LAYOUT = 6  # n_models, n_benchmarks, level_start, slope_start, quadratic, non-centred slopes
_HEADER = 2 + _LAYOUT  # total length, number of cells, layout
_N_CONSTS = 14
_LOGP_SIG = types.int64(
    types.uint64,
    types.CPointer(types.double),
    types.CPointer(types.double),
    types.CPointer(types.double),
    types.voidptr,
)
_EXPAND_SIG = types.int64(
    types.uint64,
    types.uint64,
    types.CPointer(types.double),
    types.CPointer(types.double),
    types.voidptr,
)


class NativeUnavailable(RuntimeError):
    """nutpie's internals differ from what this module was written against."""


@numba.cfunc(_LOGP_SIG, cache=True, error_model="numpy")
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


@numba.cfunc(_EXPAND_SIG, cache=True)
def _expand_callback(dim, n_expanded, x_ptr, out_ptr, data_ptr):
    x = numba.carray(x_ptr, (dim,))
    out = numba.carray(out_ptr, (n_expanded,))
    for k in range(dim):
        out[k] = x[k]
    return 0


def pack_problem(problem: NativeProblem) -> np.ndarray:
    """All data of ``problem`` in one float64 array that the callbacks read through a pointer."""
    cells = [problem.arrays[name].astype(float) for name in CELL_ARRAYS]
    header = [0.0, float(cells[0].size), *problem.layout.astype(float)]
    pack = np.concatenate([header, problem.consts, *cells])
    pack[0] = pack.size
    return np.ascontiguousarray(pack)


def compile_native(problem: NativeProblem):
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
    class NativeModel(CompiledModel):
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

    return NativeModel(
        dims={"theta": ("parameter",)},
        pack=pack_problem(problem),
        size=problem.n_dim,
        initial_point=problem.initial_point,
    )


def _no_transform_adapter(*args, **kwargs):
    raise NativeUnavailable("normalising-flow adaptation is not supported by the native model")
