"""strong-rule screening of l1 paths (issue 14): `logreg path --l1-ratio 1` with screening (the
default) against `--no-screening`, the same 20-point grid (λ_max down to λ_max·1e-4), median of
3 runs each, every run its own process.

    python3 benches/compare/screening.py                 # the four datasets below
    python3 benches/compare/screening.py --sets wide     # a quick look

datasets (written once into --out, default target/compare-screening):
- `harness`: the model-selection harness's 1M × 100 (make_classification, n_informative = 50,
  standardised; made by `selection.py`, which must have run first), where the lasso keeps
  45–96 of the 100 features along most of the path;
- `sparse-truth`: 1M × 100 from `logreg generate` with 10 informative features;
- `wide`: 50k × 2000 from `logreg generate` with 20 informative features (the grid down to
  λ_max·1e-2: below, the lasso fits noise);
- `rcv1`: 200k × 47k rcv1-like text from `logreg generate --sparse` (75 values per row; grid
  down to λ_max·1e-3).

the time is the path alone as logreg prints it (`time: path … s`: reading the file excluded);
both runs' objectives are compared point by point (they must agree to 1e-9 relative).
"""
import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import LOGREG, ROOT, build, log, machine  # noqa: E402

SETS = {
    "harness": {"file": ROOT / "target" / "compare-selection" / "1000000x100" / "data.npy", "ratio": 1e-4},
    "sparse-truth": {"generate": ["--samples", "1000000", "--features", "100", "--informative", "10"],
                     "file": "sparse-truth.npy", "ratio": 1e-4},
    "wide": {"generate": ["--samples", "50000", "--features", "2000", "--informative", "20"],
             "file": "wide.npy", "ratio": 1e-2},
    "rcv1": {"generate": ["--sparse", "--samples", "200000", "--features", "47000", "--nnz-per-row", "75"],
             "file": "rcv1.svm", "ratio": 1e-3},
}


def data_file(name, out):
    spec = SETS[name]
    path = Path(spec["file"]) if "generate" not in spec else out / spec["file"]
    if "generate" in spec and not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        log(f"generating {name} …")
        subprocess.run([str(LOGREG), "generate", *spec["generate"], "--seed", "4", "--output", str(path)], check=True)
    if not path.exists():
        raise SystemExit(f"{path} is missing: run benches/compare/selection.py --sizes 1000000x100 first")
    return path


def path_run(path, ratio, threads, screening):
    """one `logreg path` run: seconds and the objectives of its points."""
    cmd = [str(LOGREG), "path", "--data", str(path), "--l1-ratio", "1", "--n-lambdas", "20",
           "--lambda-ratio", str(ratio), "--threads", str(threads), "--quiet"]
    if not screening:
        cmd.append("--no-screening")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    seconds = float(re.search(r"time: path ([0-9.]+) s", out).group(1))
    rows = [line.split() for line in out.splitlines() if re.match(r"^\s+\d\.\d+e-?\d+\s", line)]
    return seconds, [float(r[3]) for r in rows], [int(r[4]) for r in rows]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", default=str(ROOT / "target" / "compare-screening"))
    p.add_argument("--skip-build", action="store_true")
    args = p.parse_args()
    if not args.skip_build:
        build()
    out = Path(args.out)
    text = [f"measured {time.strftime('%Y-%m-%d')} on {machine()}; {args.threads} threads, median of {args.runs} "
            f"runs; command: `python3 benches/compare/screening.py"
            f"{'' if args.sets == ','.join(SETS) else ' --sets ' + args.sets}`", "",
            "| data | grid down to | nonzeros along the path | screened s | unscreened s | speed-up |",
            "|---|---:|---|---:|---:|---:|"]
    for name in args.sets.split(","):
        path = data_file(name, out)
        ratio = SETS[name]["ratio"]
        times = {True: [], False: []}
        results = {}
        for _ in range(args.runs):
            for screening in (True, False):
                seconds, objectives, nonzeros = path_run(path, ratio, args.threads, screening)
                times[screening].append(seconds)
                results[screening] = (objectives, nonzeros)
        (a, nz), (b, _) = results[True], results[False]
        gap = max(abs(x - y) / abs(y) for x, y in zip(a, b))
        assert gap <= 1e-9, f"{name}: screened and unscreened objectives differ by {gap:.1e}"
        s, u = statistics.median(times[True]), statistics.median(times[False])
        log(f"{name}: screened {s:.2f} s, unscreened {u:.2f} s")
        text.append(f"| {name} | λ_max·{ratio:g} | {nz[1]} … {nz[-1]} | {s:.2f} | {u:.2f} | {u / s:.1f}× |")
    out.mkdir(parents=True, exist_ok=True)
    (out / "screening_summary.md").write_text("\n".join(text) + "\n")
    print("\n".join(text))


if __name__ == "__main__":
    main()
