"""Statistics of instruction data and training runs: R_g, prompt inversion, loss RSD, BLEU."""
