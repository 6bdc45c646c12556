"""input comparison: from a data file to a fitted model, logreg against python's readers.

    pip install -r benches/compare/requirements.txt
    python3 benches/compare/input.py                     # 1M×100, as in issue 13
    python3 benches/compare/input.py --size 100000x100   # a quick look

one dataset (scikit-learn's make_classification, standardised; label `y` last) is written as
csv with 17 significant digits, as npy, as the features alone (`x.npy`) with the labels beside
them (`y.npy`), and (when pyarrow is installed) as snappy parquet. then,
each in its own process on --threads threads, with its wall time and peak resident memory:

- logreg: reading alone (`logreg-compare parse FILE`, best of 3) and `logreg train` end to end
  (`--l2 1/n`, scikit-learn's C = 1), per format (`x.npy` with `--labels y.npy`: mapped in place);
- python: polars `read_csv` + `to_numpy`, pandas `read_csv(engine="pyarrow")`, numpy `loadtxt`
  (skipped with --skip-slow), `np.load`, pyarrow `read_table`; and polars + scikit-learn's
  fastest fit (lbfgs, C = 1, one thread as it runs) in one process, read and fit timed apart.

outputs (in --out, default target/compare-input): input_results.csv, input_summary.md.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import LOGREG, PEERS, build, log, machine, run_process  # noqa: E402


def make_files(folder, n, d):
    """the dataset as csv, npy and parquet (each written once)."""
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, npy_path, pq_path = folder / "data.csv", folder / "data.npy", folder / "data.parquet"
    if not npy_path.exists():
        from sklearn.datasets import make_classification
        log(f"generating {n}×{d} …")
        X, y = make_classification(n_samples=n, n_features=d, n_informative=d // 2, random_state=0)
        X -= X.mean(axis=0)
        X /= X.std(axis=0)
        np.save(npy_path, np.column_stack([X, y.astype(np.float64)]))
    data = np.load(npy_path, mmap_mode="r")
    x_path, y_path = folder / "x.npy", folder / "y.npy"
    if not x_path.exists():
        # features alone and labels beside them, as a numpy user saves X and y
        np.save(y_path, data[:, d].astype(np.int64))
        np.save(x_path, np.ascontiguousarray(data[:, :d]))
    if not csv_path.exists():
        log("writing csv (17 significant digits) …")
        tmp = csv_path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            f.write(",".join([f"x{j}" for j in range(1, d + 1)] + ["y"]) + "\n")
            fmt = ",".join(["%.17g"] * d + ["%d"])
            for start in range(0, n, 100_000):
                np.savetxt(f, data[start:start + 100_000], fmt=fmt)
        tmp.rename(csv_path)
    if not pq_path.exists():
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            log("pyarrow not installed: no parquet file")
            return csv_path, npy_path, None
        log("writing parquet (snappy) …")
        cols = {f"x{j}": np.ascontiguousarray(data[:, j - 1]) for j in range(1, d + 1)}
        cols["y"] = data[:, d].astype(np.int64)
        pq.write_table(pa.table(cols), pq_path, compression="snappy", row_group_size=128 * 1024)
    return csv_path, npy_path, pq_path


# python readers, each run in its own process: prints a json line with its seconds
PY_READERS = {
    "polars read_csv": "import polars as pl\ndf = pl.read_csv(P)\nX = df",
    "polars read_csv + to_numpy": "import polars as pl\ndf = pl.read_csv(P)\nX = df.drop('y').to_numpy(); y = df['y'].to_numpy()",
    "pandas read_csv (pyarrow engine) + to_numpy": "import pandas as pd\ndf = pd.read_csv(P, engine='pyarrow')\nX = df.drop(columns='y').to_numpy(); y = df['y'].to_numpy()",
    "numpy loadtxt": "import numpy as np\nA = np.loadtxt(P, delimiter=',', skiprows=1)",
    "numpy load": "import numpy as np\nA = np.load(P); X = A[:, :-1]",
    "pyarrow read_table + to_numpy": "import pyarrow.parquet as pq, numpy as np\nt = pq.read_table(P)\nX = np.column_stack([t[c].to_numpy() for c in t.column_names[:-1]])",
    "polars read_parquet + to_numpy": "import polars as pl\ndf = pl.read_parquet(P)\nX = df.drop('y').to_numpy(); y = df['y'].to_numpy()",
}

CHILD = """
import json, sys, time
P = sys.argv[1]
start_ = time.perf_counter()
exec(sys.argv[2])
read_ = time.perf_counter() - start_
out = {"read_s": read_, "shape": list((X if "X" in dir() else A).shape)}
if sys.argv[3] == "fit":
    from sklearn.linear_model import LogisticRegression
    start_ = time.perf_counter()
    LogisticRegression(solver="lbfgs", C=1.0, max_iter=1000, tol=1e-6).fit(X, y)
    out["fit_s"] = time.perf_counter() - start_
open(sys.argv[4], "w").write(json.dumps(out))
"""


def timed(cmd, threads, out):
    """wall seconds and peak rss of cmd."""
    t = time.perf_counter()
    rss = run_process(cmd, threads, str(out / "rss.txt"))
    return time.perf_counter() - t, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1000000x100")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=2, help="runs per configuration (best reported)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "target" / "compare-input")
    ap.add_argument("--skip-slow", action="store_true", help="leave out numpy loadtxt")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    n, d = map(int, args.size.split("x"))
    if not args.no_build:
        build()
    folder = args.out / f"{n}x{d}"
    csv_path, npy_path, pq_path = make_files(folder, n, d)
    files = {"csv": csv_path, "npy": npy_path}
    if pq_path is not None:
        files["parquet"] = pq_path
    x_bytes = n * d * 8
    rows = []

    def record(system, fmt, what, seconds, rss, **extra):
        row = {"system": system, "format": fmt, "what": what, "seconds": round(seconds, 3),
               "peak_rss_mb": round(rss / 1e6), "rss_over_x": round(rss / x_bytes, 2), **extra}
        log(json.dumps(row))
        rows.append(row)

    def train_end_to_end(fmt, path, extra):
        best = None
        for _ in range(args.repeats):
            cmd = [LOGREG, "train", "--data", str(path), "--l2", repr(1.0 / n), "--threads", str(args.threads),
                   "--model-out", str(folder / "model.json"), "--quiet"] + extra
            s, rss = timed(cmd, args.threads, folder)
            fit = json.loads((folder / "model.json").read_text())["convergence"]["fit_seconds"]
            best = (s, rss, fit) if best is None or s < best[0] else best
        record("logreg", fmt, "train end to end", best[0], best[1], fit_s=round(best[2], 3),
               beyond_fit_s=round(best[0] - best[2], 3))

    for fmt, path in files.items():
        size = path.stat().st_size
        # logreg: reading alone, then train end to end
        try:
            proc = subprocess.run([PEERS, "parse", path], capture_output=True, text=True, check=True,
                                  env={**os.environ, "RAYON_NUM_THREADS": str(args.threads)})
            p = json.loads(proc.stdout.strip().splitlines()[-1])
            record("logreg", fmt, "read", p["seconds"], p["peak_rss_bytes"], mb_per_s=round(size / p["seconds"] / 1e6))
        except subprocess.CalledProcessError as e:
            log(f"logreg cannot read {fmt}: {e.stderr.strip()[:300]}")
            continue
        train_end_to_end(fmt, path, ["--target", "y"] if fmt == "csv" else [])
    # features alone (np.save of X) with --labels: mapped and viewed in place, not read
    train_end_to_end("npy features + labels", folder / "x.npy", ["--labels", str(folder / "y.npy")])

    readers = [("polars read_csv", "csv"), ("polars read_csv + to_numpy", "csv"), ("pandas read_csv (pyarrow engine) + to_numpy", "csv"),
               ("numpy load", "npy")]
    if not args.skip_slow:
        readers.append(("numpy loadtxt", "csv"))
    if pq_path is not None:
        readers += [("pyarrow read_table + to_numpy", "parquet"), ("polars read_parquet + to_numpy", "parquet")]
    for name, fmt in readers:
        best = None
        for _ in range(1 if name == "numpy loadtxt" else args.repeats):
            s, rss = timed([sys.executable, "-c", CHILD, str(files[fmt]), PY_READERS[name], "read",
                            str(folder / "child.json")], args.threads, folder)
            r = json.loads((folder / "child.json").read_text())
            best = (r["read_s"], rss) if best is None or r["read_s"] < best[0] else best
        record(name.split(" ")[0], fmt, name, best[0], best[1], mb_per_s=round(files[fmt].stat().st_size / best[0] / 1e6))
    # polars + scikit-learn in one process: read (2 threads) then the fit (lbfgs runs on one)
    best = None
    for _ in range(args.repeats):
        wall, rss = timed([sys.executable, "-c", CHILD, str(csv_path), PY_READERS["polars read_csv + to_numpy"],
                           "fit", str(folder / "child.json")], args.threads, folder)
        r = json.loads((folder / "child.json").read_text())
        total = r["read_s"] + r["fit_s"]
        best = (total, rss, r) if best is None or total < best[0] else best
    record("polars + scikit-learn", "csv", "read + fit (lbfgs)", best[0], best[1],
           read_s=round(best[2]["read_s"], 3), fit_s=round(best[2]["fit_s"], 3))

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "input_results.csv", "w", newline="") as f:
        keys = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    m = machine()
    lines = [f"# input: {n} × {d}, {args.threads} threads", "", f"measured {time.strftime('%Y-%m-%d')} on {m}", "",
             "| system | format | what | seconds | MB/s | fit s (beyond fit) | peak RSS / X |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        fit = f"{r['fit_s']} ({r['beyond_fit_s']})" if "fit_s" in r and "beyond_fit_s" in r else r.get("fit_s", "")
        lines.append(f"| {r['system']} | {r['format']} | {r['what']} | {r['seconds']} | {r.get('mb_per_s', '')} | "
                     f"{fit} | {r['rss_over_x']} |")
    (args.out / "input_summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
