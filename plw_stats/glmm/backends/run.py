"""The one call into nutpie's NUTS, shared by the native and the PyMC-graph backends."""

from __future__ import annotations

from plw_stats.glmm.backends.settings import SamplerSettings


def run_nutpie(compiled, settings: SamplerSettings, seed: int, *, progress: bool, **extra):
    """Run nutpie's NUTS on an already compiled model and return its DataTree.

    ``extra`` options go to ``nutpie.sample`` unchanged (``return_raw_trace=True`` returns
    nutpie's raw trace instead of a DataTree: the studies' fast path).
    """
    import nutpie

    return nutpie.sample(
        compiled,
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=settings.n_cores,
        seed=seed,
        target_accept=settings.target_accept,
        progress_bar=progress,
        save_warmup=False,
        adaptation=settings.adaptation,
        **extra,
    )
