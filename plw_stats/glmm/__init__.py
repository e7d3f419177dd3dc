"""The beta-regression mixed model of the paper: specification, samplers, results, evidence."""
