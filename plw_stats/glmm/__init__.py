"""The paper's beta generalised linear mixed model: specification, fitting and results."""
