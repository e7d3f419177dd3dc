"""Wrap a hand-written log density in the model object nutpie samples.

nutpie calls a PyMC model's compiled log density through a C function pointer, from its own
threads; a Python callback (``nutpie.compiled_pyfunc``) instead takes the GIL on every gradient,
which serialises the chains and costs about three quarters of the sampling time here.  The
kernels (:mod:`.callbacks` for the one-knob GLMM, :mod:`.general_callbacks` for the general one)
are therefore compiled into numba ``cfunc`` callbacks that read all their data from one packed
float64 array; :func:`callback_model` wraps such a callback as a :class:`CallbackModel`, which
:func:`.run.sample_theta` samples, and :func:`python_callback_model` is the slower fallback.

It uses nutpie's compiled core ``nutpie._lib`` (stable within the pinned nutpie 0.16.x), loaded
by :func:`nutpie_lib` without nutpie's Python layer; :func:`callback_model` raises
:class:`NativeUnavailable` if its classes are missing, and the caller falls back to the Python
callback.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

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
) -> CallbackModel:
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
    lib = nutpie_lib()
    missing = [name for name in REQUIRED if not hasattr(lib, name)]
    if missing or not hasattr(lib.PySampler, "from_pymc"):
        raise NativeUnavailable(
            f"nutpie's core lacks {', '.join(missing) or 'PySampler.from_pymc'}"
        )
    return CallbackModel(
        logp_address=logp_address, pack=pack, size=n_dim, initial_point=initial_point
    )


#: The classes of nutpie's compiled core that :class:`CallbackModel` and the sampler use.
REQUIRED = ("LogpFunc", "ExpandFunc", "PyMcModel", "PyVariable", "PySampler", "PyNutsSettings")


@cache
def nutpie_lib():
    """Nutpie's compiled core (``nutpie._lib``), without importing nutpie's Python layer.

    ``import nutpie`` imports ArviZ, arviz-plots and matplotlib (about a second) to convert
    traces this package reads itself; the extension module needs none of them.  If nutpie is
    already imported, its own module object is returned.  The module is registered under its
    own name, so a later ``import nutpie`` uses this one.

    Raises
    ------
    NativeUnavailable
        If nutpie is not installed or its core cannot be loaded.
    """
    if "nutpie._lib" in sys.modules:
        return sys.modules["nutpie._lib"]
    try:
        spec = importlib.util.find_spec("nutpie")
        folder = Path(spec.submodule_search_locations[0])
        path = next(p for p in sorted(folder.glob("_lib*")) if p.suffix in (".so", ".pyd"))
        lib_spec = importlib.util.spec_from_file_location("nutpie._lib", path)
        module = importlib.util.module_from_spec(lib_spec)
        sys.modules["nutpie._lib"] = module
        lib_spec.loader.exec_module(module)
    except (ImportError, AttributeError, StopIteration, TypeError, OSError) as err:
        sys.modules.pop("nutpie._lib", None)
        raise NativeUnavailable(f"cannot load nutpie's core: {err}") from err
    return module


@dataclass(frozen=True)
class CallbackModel:
    """A model nutpie samples through a C log-density callback reading one float64 ``pack``."""

    logp_address: int
    pack: np.ndarray
    size: int
    initial_point: Callable[[int], np.ndarray] | None = None
    dims: dict = field(default_factory=lambda: {"theta": ("parameter",)})

    @property
    def n_dim(self) -> int:
        """Number of unconstrained parameters."""
        return self.size

    @property
    def coords(self) -> dict[str, list[str]]:
        """Labels of the one parameter dimension."""
        return {"parameter": [str(i) for i in range(self.size)]}

    def _make_sampler(self, settings, init_mean, cores, progress_type, *rest):
        """Start nutpie's sampler as ``nutpie.sample`` asks a compiled model to (notebooks)."""
        lib = nutpie_lib()
        return lib.PySampler.from_pymc(settings, cores, self.make_model(), progress_type, *rest)

    def make_model(self):
        """Build nutpie's model object (it keeps ``self`` alive while it samples)."""
        lib = nutpie_lib()
        address = self.pack.ctypes.data
        logp = lib.LogpFunc(self.logp_address, address, self)
        expand = lib.ExpandFunc(self.size, self.size, _expand_callback.address, address, self)
        sizes = {"parameter": self.size}
        variables = lib.PyVariable.new_variables(
            ["theta"], ["float64"], [(self.size,)], sizes, self.dims
        )
        return lib.PyMcModel(
            logp,
            expand,
            variables,
            self.size,
            sizes,
            self.coords,
            self.initial_point,
            _no_transform_adapter,
        )


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
