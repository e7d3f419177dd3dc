"""Two-knob response surfaces: prompt (PLW) and completion (CLW) loss weights together.

For one fine-tuning dataset, with ``wp = plw ** p``, ``wc = clw ** q`` and relative scores::

    logit(mu) = b0 + b1·wp + b2·wp² + b3·wc + b4·wc² + b5·wp·wc
                + u[benchmark]·wp + w[benchmark]·wc + v[model]

fitted by Bayes (the general beta GLMM backends of :mod:`plw_stats.glmm.backends`) or by maximum
likelihood (Laplace, :mod:`plw_stats.glmm.marginal`); see ``docs/surface.md``.
"""
