"""Streamed weight distance on a pair of >= 1 GB synthetic checkpoints: speed and peak memory.

Writes a pretrained and a fine-tuned checkpoint (BF16 by default; several tensors, the largest
256 MiB) into a temporary folder, then times, each in its own Python process:

- ``read``: numpy reads the bytes of every tensor pair whole (``np.fromfile``), nothing else;
- ``numpy``: numpy reads every tensor pair whole, converts it to float32 and subtracts — the
  plain read-and-subtract of the same bytes;
- ``numpy-blocks``: the same in blocks of 2**17 elements into reused buffers (``readinto``) —
  no allocation or page faults, the tighter practical limit;
- ``plw-stats``: ``checkpoint_distance`` (p = 2 by default), streamed block by block.

Throughput is (bytes of both checkpoints' tensor data) / (best wall time of the repeats), in
GB/s (10^9 bytes).  Peak memory is measured in separate runs of the same processes: the
tracemalloc peak (numpy buffers included) and the growth of the peak resident set size over
the resident size just before the work, against the largest tensor's size in the file.  The
peak is Linux's VmHWM after resetting it (``/proc/self/clear_refs``), because ``ru_maxrss`` of
a child process starts at its parent's resident size at the fork; elsewhere ``ru_maxrss``.
The files stay in the page cache after writing, so reads are memory-speed.

Usage::

    python benchmarks/weight_distance.py [--dtype BF16|F32] [--repeats 3] [--p 2] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

MIB = 2**20
#: Tensor sizes in MiB of file data (1 GiB in all, plus eight 1 MiB norm vectors).
SIZES_MIB = (256, 192, 128, 128, 128, 96, 64, 32, *([1] * 8))
ROW = 4096
STORAGE = {"BF16": np.dtype("<u2"), "F32": np.dtype("<f4")}


# -- writing -----------------------------------------------------------------------------------


def layout(dtype: str) -> dict[str, tuple[int, int]]:
    itemsize = STORAGE[dtype].itemsize
    return {
        f"model.layers.{i}.weight": (size * MIB // itemsize // ROW, ROW)
        for i, size in enumerate(SIZES_MIB)
    }


def write_pair(folder: Path, dtype: str, seed: int = 0) -> tuple[Path, Path]:
    shapes = layout(dtype)
    base, run = folder / "base.safetensors", folder / "run.safetensors"
    rng, noise = np.random.default_rng(seed), np.random.default_rng(seed + 1)
    with base.open("wb") as b, run.open("wb") as r:
        header = _header(shapes, dtype)
        b.write(header)
        r.write(header)
        for shape in shapes.values():
            for n in _chunks(math.prod(shape), 8 * MIB):
                w0 = rng.normal(0, 0.02, n).astype(np.float32)
                w = w0 + noise.normal(0, 1e-4, n).astype(np.float32)
                b.write(_encode(w0, dtype))
                r.write(_encode(w, dtype))
    return run, base


def _header(shapes: dict[str, tuple[int, int]], dtype: str) -> bytes:
    entries, offset = {}, 0
    for name, shape in shapes.items():
        size = math.prod(shape) * STORAGE[dtype].itemsize
        entries[name] = {
            "dtype": dtype,
            "shape": list(shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    text = json.dumps(entries).encode()
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text


def _chunks(total: int, size: int):
    for first in range(0, total, size):
        yield min(size, total - first)


def _encode(values: np.ndarray, dtype: str) -> bytes:
    if dtype == "BF16":
        return (values.view(np.uint32) >> 16).astype("<u2").tobytes()
    return values.astype("<f4").tobytes()


# -- the measured work (in a child process) ------------------------------------------------------


def numpy_pairs(run: Path, base: Path, subtract: bool) -> None:
    from plw_stats.io.safetensors import open_checkpoint, pair_tensors

    for a, b in pair_tensors(open_checkpoint(run), open_checkpoint(base)):
        x = np.fromfile(a.file, dtype=STORAGE[a.dtype], count=a.size, offset=a.start)
        y = np.fromfile(b.file, dtype=STORAGE[b.dtype], count=b.size, offset=b.start)
        if subtract:
            np.subtract(_as_float32(x), _as_float32(y))


def _as_float32(raw: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if raw.dtype == np.float32:
        return raw
    bits = np.left_shift(raw, 16, dtype=np.uint32, out=None if out is None else out.view(np.uint32))
    return bits.view(np.float32)


def numpy_blocks(run: Path, base: Path, block: int = 1 << 17) -> None:
    from plw_stats.io.safetensors import open_checkpoint, pair_tensors

    for a, b in pair_tensors(open_checkpoint(run), open_checkpoint(base)):
        raw = [np.empty(block, STORAGE[a.dtype]), np.empty(block, STORAGE[b.dtype])]
        floats = [np.empty(block, np.float32) for _ in range(3)]
        with a.file.open("rb") as fa, b.file.open("rb") as fb:
            fa.seek(a.start)
            fb.seek(b.start)
            for first in range(0, a.size, block):
                n = min(block, a.size - first)
                fa.readinto(raw[0][:n])
                fb.readinto(raw[1][:n])
                x, y = (_as_float32(r[:n], f[:n]) for r, f in zip(raw, floats[:2], strict=True))
                np.subtract(x, y, out=floats[2][:n])


def plw_stats_distance(run: Path, base: Path, p: float) -> dict:
    from plw_stats.describe.weights import checkpoint_distance

    return checkpoint_distance(run, base, p=p).summary()


def child(case: str, run: Path, base: Path, p: float, repeats: int, trace: bool) -> dict:
    work = {
        "read": lambda: numpy_pairs(run, base, subtract=False),
        "numpy": lambda: numpy_pairs(run, base, subtract=True),
        "numpy-blocks": lambda: numpy_blocks(run, base),
        "plw-stats": lambda: plw_stats_distance(run, base, p),
    }[case]
    import plw_stats.describe.weights  # noqa: F401  (imports are not part of the timing)

    if trace:
        tracemalloc.start()
        work()
        return {"tracemalloc_peak": tracemalloc.get_traced_memory()[1]}
    rss_before = _reset_peak_rss()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return {"seconds": seconds, "rss_growth": _peak_rss() - rss_before, "result": result}


def _reset_peak_rss() -> int:
    """Reset the peak resident size where Linux allows it; return the current resident size."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _status("VmRSS") or _peak_rss()


def _peak_rss() -> int:
    return _status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _status(key: str) -> int:
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else []:
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) * 1024  # kB
    return 0


def spawn(case: str, run: Path, base: Path, args, trace: bool) -> dict:
    command = [sys.executable, __file__, "--child", case, str(run), str(base)]
    command += ["--p", str(args.p), "--repeats", str(args.repeats)] + (["--trace"] if trace else [])
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


# -- the report ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=sorted(STORAGE), default="BF16")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--p", type=float, default=2.0)
    parser.add_argument("--dir", type=Path, help="folder for the checkpoints (default: a temp)")
    parser.add_argument("--child", nargs=3, metavar=("CASE", "RUN", "BASE"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, run, base = args.child
        print(json.dumps(child(case, Path(run), Path(base), args.p, args.repeats, args.trace)))
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        report(Path(folder), args)


def report(folder: Path, args) -> None:
    start = time.perf_counter()
    run, base = write_pair(folder, args.dtype)
    total = run.stat().st_size + base.stat().st_size
    largest = max(SIZES_MIB) * MIB
    print(
        f"wrote 2 x {run.stat().st_size / 1e9:.2f} GB ({args.dtype}, {len(SIZES_MIB)} tensors, "
        f"largest {largest / MIB:.0f} MiB) in {time.perf_counter() - start:.0f} s"
    )
    print(
        "| case | best s | GB/s | tracemalloc peak MiB | RSS growth MiB | peak / largest tensor |"
    )
    print("|---|---|---|---|---|---|")
    for case in ("read", "numpy", "numpy-blocks", "plw-stats"):
        timing = spawn(case, run, base, args, trace=False)
        traced = spawn(case, run, base, args, trace=True)["tracemalloc_peak"]
        best = min(timing["seconds"])
        peak = max(traced, timing["rss_growth"])
        print(
            f"| {case} | {best:.2f} | {total / best / 1e9:.2f} | {traced / MIB:.1f} | "
            f"{timing['rss_growth'] / MIB:.1f} | {peak / largest:.2f}x |"
        )
    print(f"plw-stats times: {', '.join(f'{s:.2f}' for s in timing['seconds'])} s")
    print(f"plw-stats result (p = {args.p:g}): {timing['result']}")


if __name__ == "__main__":
    main()
