"""Agreement and speed of plw-stats' ML (Laplace) beta GLMM against recorded glmmTMB fits.

Usage: python benchmarks/ml_vs_glmmtmb.py [--repeats N]

For every design in tests/reference/glmmtmb/ (inputs and glmmTMB 1.1.5 results, made by
tests/reference/glmmtmb_beta.R) it fits the quadratic and the null model and prints, as a
Markdown table: the largest |Δ estimate| / glmmTMB SE over b0, b1, b2; the largest relative SE
difference; both LRT p-values; the log-likelihood difference; the SD and kappa agreement; and
the best-of-N wall time of one dataset's whole ML answer (quadratic fit, null fit, Hessian,
checks).  Then it times a whole new Python process that imports plw-stats and fits one design.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from plw_stats.glmm.ml import fit_ml

FIXTURES = Path(__file__).parents[1] / "tests" / "reference" / "glmmtmb"
ONE_PROCESS = """
import time; t0 = time.perf_counter()
import pandas as pd
from plw_stats.glmm.ml import fit_ml
t1 = time.perf_counter()
d = pd.read_csv({path!r}); b = pd.Categorical(d.benchmark); m = pd.Categorical(d.model)
fit_ml(d.wp, d.y, b.codes, m.codes, len(b.categories), len(m.categories))
print(t1 - t0, time.perf_counter() - t1)
"""


def fit_design(rows: pd.DataFrame):
    bench, model = pd.Categorical(rows["benchmark"]), pd.Categorical(rows["model"])
    return fit_ml(
        rows["wp"],
        rows["y"],
        bench.codes,
        model.codes,
        len(bench.categories),
        len(model.categories),
    )


def sd_agreement(fit, reference) -> str:
    parts = []
    for key in ("sd_slope", "sd_model"):
        ours, theirs = getattr(fit, key), reference[key]
        if theirs is None:
            parts.append("dropped")
        elif theirs < 1e-3:
            parts.append(f"both ≈0 ({ours:.0e}, {theirs:.0e})")
        else:
            parts.append(f"{abs(ours / theirs - 1):.1e}")
    return " / ".join(parts)


def compare(name: str, repeats: int) -> str:
    rows = pd.read_csv(FIXTURES / f"{name}.csv")
    reference = json.loads((FIXTURES / f"{name}.json").read_text())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit = fit_design(rows)
        times.append(time.perf_counter() - start)
    quad = reference["quadratic"]
    est, se = [], []
    for key, expected in quad["coefficients"].items():
        est.append(abs(fit.coefficients[key].estimate - expected["estimate"]) / expected["se"])
        se.append(abs(fit.coefficients[key].se / expected["se"] - 1))
    return (
        f"| {name} | {len(rows)} | {max(est):.1e} | {max(se):.1e} | {fit.lrt.p_value:.3g} | "
        f"{reference['lrt']['p_value']:.3g} | {fit.loglik - quad['loglik']:+.1e} | "
        f"{sd_agreement(fit, quad)} | {abs(fit.kappa / quad['phi'] - 1):.1e} | "
        f"{'yes' if fit.converged else '; '.join(p.split(':')[0] for p in fit.problems)} | "
        f"{min(times):.3f} |"
    )


def whole_process(name: str) -> tuple[float, float, float]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", ONE_PROCESS.format(path=str(FIXTURES / f"{name}.csv"))],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return time.perf_counter() - start, float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    names = sorted(path.stem for path in FIXTURES.glob("*.json"))
    fit_design(pd.read_csv(FIXTURES / f"{names[0]}.csv"))  # warm up imports and caches
    print(
        "| design | rows | max abs Δest/SE | max SE rel. diff | LRT p (ours) | LRT p (glmmTMB) | "
        "Δ loglik | sd_slope / sd_model rel. diff | kappa rel. diff | converged | s per dataset |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        print(compare(name, args.repeats))
    wall, imports, fitting = np.median([whole_process("demo_AlpacaDataShort") for _ in range(3)], 0)
    print(
        f"\nWhole process, demo_AlpacaDataShort (median of 3): {wall:.2f} s wall, "
        f"{imports:.2f} s imports, {fitting:.2f} s fit (quadratic + null)."
    )


if __name__ == "__main__":
    main()
