"""The surface's default sampler settings, apart from the sampling code.

``plw-stats surface`` reads them to build its parser; :mod:`.sampling` imports the samplers
(numba, xarray, SciPy), about a second that ``surface --help`` and a usage error need not pay.
"""

from __future__ import annotations

from plw_stats.glmm.backends.settings import SamplerSettings

#: Default sampler settings of a surface: ``fit``'s, with 500 draws per chain instead of 1000
#: and target acceptance 0.95 instead of 0.9.  Measured on the simulated demo (700 rows per
#: dataset): the smallest bulk ESS of the scalar parameters was 1,200-2,200 (3-5x the 400
#: threshold) and R-hat <= 1.007, at half the time; pass ``draws``/``tune`` for more.  At 0.9 the
#: demo's "Conventional" surface diverged 13 times and needed two retries (one at 0.95), so the
#: surface keeps 0.95.
SURFACE_SAMPLER = SamplerSettings(draws=500, tune=500, target_accept=0.95)
