"""The tensor-smooth GAM of the paper's Appendix D: from a dataset's ratio R_g to an optimal PLW."""
