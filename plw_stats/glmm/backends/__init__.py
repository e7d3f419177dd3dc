"""MCMC backends of the beta mixed model, chosen in one place (:mod:`.dispatch`)."""
