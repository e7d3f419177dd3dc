"""The paper's benchmarks, declared once: task type, default metric and the metric's scale.

Each entry says which lm-evaluation-harness task (v0.4 and v0.3 names) and which metric give the
paper's score, and whether that metric is reported on a 0-100 scale.  Loaders divide 0-100
values by 100 so that every ``score`` in the tidy table is a proportion, and keep the divisor in
a ``scale`` column and the untouched number in ``raw_score``.
"""

from __future__ import annotations

from dataclasses import dataclass

from plw_stats.errors import DataSchemaError


@dataclass(frozen=True)
class Benchmark:
    """How one benchmark's score is read.

    Attributes
    ----------
    name : str
        Benchmark name in the tidy table (the lm-eval v0.4 task name where there is one).
    task_type : str
        ``"MC"`` (multiple choice), ``"GS"`` (short generation) or ``"GL"`` (long generation).
    metric : str
        Default metric in lm-eval v0.4 (without the ``,filter`` suffix).
    task_v03, metric_v03 : str
        Task and metric names in lm-eval v0.3 files.
    """

    name: str
    task_type: str
    metric: str
    task_v03: str = ""
    metric_v03: str = ""

    @property
    def old_task(self) -> str:
        """Return the v0.3 task name."""
        return self.task_v03 or self.name

    @property
    def old_metric(self) -> str:
        """Return the v0.3 metric name."""
        return self.metric_v03 or self.metric


_WMT = ("wmt14-en-fr", "wmt14-fr-en", "wmt16-en-de", "wmt16-de-en", "wmt16-en-ro", "wmt16-ro-en")

#: The paper's 13 benchmarks plus TruthfulQA-MC1 (reported by lm-eval next to MC2).
BENCHMARKS: dict[str, Benchmark] = {
    b.name: b
    for b in (
        Benchmark("arc_challenge", "MC", "acc_norm"),
        Benchmark("piqa", "MC", "acc"),
        Benchmark("truthfulqa_mc2", "MC", "acc", task_v03="truthfulqa_mc", metric_v03="mc2"),
        Benchmark("truthfulqa_mc1", "MC", "acc", task_v03="truthfulqa_mc", metric_v03="mc1"),
        Benchmark("winogrande", "MC", "acc"),
        Benchmark("truthfulqa_gen", "GS", "bleu_max"),
        *(Benchmark(name, "GS", "bleu") for name in _WMT),
        Benchmark("alpaca_eval", "GL", "win_rate"),
        Benchmark("pandalm", "GL", "win_tie_score"),
    )
}

#: Metrics bounded by [0, 1] whose values are checked on load.
PROPORTION_METRICS: frozenset[str] = frozenset(
    {"acc", "acc_norm", "mc1", "mc2", "exact_match", "accuracy"}
)

#: Metrics for which a smaller value is better.  Loaders turn them around (``scale < 0``,
#: ``score = -raw / |scale|``) unless the file itself says which way is better.
LOWER_IS_BETTER: frozenset[str] = frozenset(
    {"perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte", "ter", "loss"}
)

#: lm-evaluation-harness ``output_type`` → task type.  Log-likelihood scoring of given answers
#: is multiple choice; ``generate_until`` tasks are scored against reference answers (exact
#: match, BLEU, ...), which is the paper's short-generation type.  Long, judged generation (GL)
#: comes from AlpacaEval, PandaLM and MT-Bench.  ``loglikelihood_rolling`` (perplexity of whole
#: documents) is none of the three and stays untyped.
OUTPUT_TYPES: dict[str, str] = {
    "multiple_choice": "MC",
    "loglikelihood": "MC",
    "generate_until": "GS",
}

_PERCENT_EXACT = frozenset({"bleu", "chrf", "ter", "win_rate", "length_controlled_winrate"})


def metric_scale(metric: str) -> float:
    """Return the divisor that maps a metric onto proportions: 100 for 0-100 metrics, else 1.

    0-100 metrics are sacreBLEU's ``bleu``, ``chrf`` and ``ter``, TruthfulQA-Gen's
    ``bleu_*``/``rouge*_`` ``max`` and ``diff`` values, and AlpacaEval's win rates.
    """
    base = metric.split(",")[0]
    if base in _PERCENT_EXACT:
        return 100.0
    if base.startswith(("bleu_", "rouge")) and base.endswith(("_max", "_diff")):
        return 100.0
    return 1.0


def task_type(benchmark: str) -> str | None:
    """Return the task type of a known benchmark, or ``None``."""
    known = BENCHMARKS.get(benchmark)
    return known.task_type if known else None


def lower_is_better(metric: str) -> bool:
    """Return True for metrics (``perplexity``, ``ter`` ...) where a smaller value is better."""
    return metric.split(",")[0] in LOWER_IS_BETTER


def check_proportion(value: float, metric: str, *, where: str) -> None:
    """Raise :class:`DataSchemaError` if a [0, 1] metric lies outside [0, 1]."""
    if metric.split(",")[0] in PROPORTION_METRICS and not 0.0 <= value <= 1.0:
        raise DataSchemaError(
            f"{where}: metric {metric!r} is {value:g} but must lie in [0, 1]; was the file "
            "edited to percentages? divide by 100"
        )
