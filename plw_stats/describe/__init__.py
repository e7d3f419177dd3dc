"""Descriptive statistics of fine-tuning runs that need no model fit.

``weights`` measures how far fine-tuning moved a model's weights from its pretrained checkpoint
(the paper's Section 5.3.2 and its Fig. 2b), streaming safetensors checkpoints one tensor pair
at a time.
"""
