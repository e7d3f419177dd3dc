"""Statistics of instruction data and training runs: R_g, inversion, loss RSD, BLEU, weights."""
