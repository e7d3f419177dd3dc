"""Wrap a hand-written log density in the model object nutpie samples.

nutpie calls a PyMC model's compiled log density through a C function pointer, from its own
threads; a Python callback (``nutpie.compiled_pyfunc``) instead takes the GIL on every gradient,
which serialises the chains and costs about three quarters of the sampling time here.  The
kernels (:mod:`.callbacks` for the one-knob GLMM, :mod:`.general_callbacks` for the general one)
are therefore compiled into numba ``cfunc`` callbacks that read all their data from one packed
float64 array; :func:`callback_model` hands such a callback to nutpie, and
:func:`python_callback_model` is the slower fallback.

It uses nutpie's internal ``_lib`` classes (stable within the pinned nutpie 0.16.x);
:func:`callback_model` raises :class:`NativeUnavailable` if they are missing, and the caller
falls back to the Python callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numba
import numpy as np
from numba import types

#: Signature of the log-density callback: (dim, x, gradient out, log density out, data).
LOGP_SIG = types.int64(
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


@numba.cfunc(_EXPAND_SIG, cache=True)
def _expand_callback(dim, n_expanded, x_ptr, out_ptr, data_ptr):
    x = numba.carray(x_ptr, (dim,))
    out = numba.carray(out_ptr, (n_expanded,))
    for k in range(dim):
        out[k] = x[k]
    return 0


def callback_model(
    logp_address: int,
    pack: np.ndarray,
    n_dim: int,
    initial_point: Callable[[int], np.ndarray] | None,
):
    """Return a nutpie model whose log density is the C callback at ``logp_address``.

    Parameters
    ----------
    logp_address : int
        Address of a numba ``cfunc`` of signature :data:`LOGP_SIG`.
    pack : numpy.ndarray
        The contiguous float64 array the callback reads its data from (kept alive by the model).
    n_dim : int
        Number of unconstrained parameters; the draws come back as one vector ``theta``.
    initial_point : callable
        ``seed -> theta`` for the chains' starting points.

    Raises
    ------
    NativeUnavailable
        If nutpie's internal classes are not the expected ones.
    """
    return _model_class()(
        dims={"theta": ("parameter",)},
        logp_address=logp_address,
        pack=pack,
        size=n_dim,
        initial_point=initial_point,
    )


@cache
def _model_class():
    """Nutpie's ``CompiledModel`` for a C callback (built once: importing nutpie is slow)."""
    from nutpie.sample import CompiledModel

    try:
        from nutpie import _lib

        required = (_lib.LogpFunc, _lib.ExpandFunc, _lib.PyMcModel, _lib.PySampler.from_pymc)
    except (ImportError, AttributeError) as err:
        raise NativeUnavailable(str(err)) from err
    del required

    @dataclass(frozen=True)
    class CallbackModel(CompiledModel):
        logp_address: int = 0
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
            logp = _lib.LogpFunc(self.logp_address, address, self)
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

    return CallbackModel


def _no_transform_adapter(*args, **kwargs):
    raise NativeUnavailable("normalising-flow adaptation is not supported by the native model")


def python_callback_model(
    n_dim: int,
    log_density: Callable[[np.ndarray], tuple[float, np.ndarray]],
    initial_point: Callable[[int], np.ndarray] | None,
):
    """Wrap ``theta -> (log density, gradient)`` as a Python callback (the GIL serialises chains).

    The fallback of :func:`callback_model`: the same draws, slower.
    """
    from nutpie.compiled_pyfunc import from_pyfunc

    def make_logp_fn():
        return lambda theta, **_: log_density(theta)

    def make_expand_fn(*_):
        return lambda theta, **_: {"theta": theta.copy()}

    return from_pyfunc(
        n_dim,
        make_logp_fn,
        make_expand_fn,
        [np.dtype("float64")],
        [(n_dim,)],
        ["theta"],
        make_initial_point_fn=initial_point,
    )
