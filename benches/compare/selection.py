"""model-selection comparison: `logreg cv` against scikit-learn's LogisticRegressionCV and glum's
GeneralizedLinearRegressorCV on the same data, folds and penalty grid (issue 14).

    pip install -r benches/compare/requirements.txt
    python3 benches/compare/selection.py                          # 1M×20 and 1M×100
    python3 benches/compare/selection.py --sizes 100000x20        # a quick look
    python3 benches/compare/selection.py --sizes sparse:200000x47000x75   # rcv1-like, l2 only

each dataset: scikit-learn's make_classification(n_informative=d/2, random_state=0), standardised,
as npy (`data.npy`, label last, for logreg; `X.npy`, `y.npy` for python). the folds: scikit-learn's
StratifiedKFold(5, shuffle=True, random_state=0), written as one fold number per row
(`folds.txt`: `logreg cv --fold-ids`, scikit-learn's and glum's PredefinedSplit); with n a multiple
of 5 every training fold has 4n/5 rows. the grid: the 20 penalties λ of `logreg cv`'s default
grid (λ_max down to λ_max·1e-4) for l2 (and for l1, `--l1-ratio 1`), passed to every system:

- logreg minimises mean log-loss + λ/2·‖w‖² (l1: + λ‖w‖₁), intercept unpenalised;
- scikit-learn: C = 1/(λ·4n/5), the same objective on every training fold (l2 only: lbfgs and
  newton-cholesky at their default tol 1e-4, n_jobs = threads, each job one blas thread);
- glum: alpha = λ with family binomial (mean deviance/2 = mean log-loss), l1_ratio 0 or 1, its
  default tolerances, n_jobs = threads.

sparse sizes (`sparse:NxDxK`, K values per row) are `logreg generate --sparse` data (rcv1-like
text: power-law columns, l2-normalised rows) read by logreg as libsvm and by scikit-learn as
CSR; only l2 and only scikit-learn's lbfgs there (newton-cholesky and glum would form a D × D
Hessian).

every run is its own process (threads fixed, peak rss from the kernel). logreg's time is the
cross-validation alone, as it prints it (`time: cross-validation … s`; reading the file and the
refit excluded), the python peers time their `fit` call, which also refits on all rows. the table
also gives each system's chosen penalty and mean held-out log-loss curve, against logreg's, and one
default `logreg train` fit on all rows (the issue's "≤ 10× one default fit" yardstick).

outputs (in --out, default target/compare-selection): selection_results.csv, selection_summary.md.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import LOGREG, build, log, machine, run_process  # noqa: E402

FOLDS = 5


def make_data(folder, n, d):
    """the dataset and its folds (written once)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "folds.txt").exists():
        from sklearn.datasets import make_classification
        from sklearn.model_selection import StratifiedKFold
        log(f"generating {n}×{d} …")
        X, y = make_classification(n_samples=n, n_features=d, n_informative=d // 2, random_state=0)
        X -= X.mean(axis=0)
        X /= X.std(axis=0)
        np.save(folder / "data.npy", np.column_stack([X, y.astype(np.float64)]))
        np.save(folder / "X.npy", X)
        np.save(folder / "y.npy", y.astype(np.float64))
        ids = np.empty(n, dtype=np.int64)
        for f, (_, test) in enumerate(StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(X, y)):
            ids[test] = f
        np.savetxt(folder / "folds.txt", ids, fmt="%d")
    return folder


def make_sparse(folder, n, d, per_row):
    """rcv1-like sparse data (libsvm for logreg, csr for python) and its folds (written once)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "folds.txt").exists():
        import scipy.sparse
        from sklearn.datasets import load_svmlight_file
        from sklearn.model_selection import StratifiedKFold
        log(f"generating sparse {n}×{d}, {per_row} values per row …")
        subprocess.run([str(LOGREG), "generate", "--sparse", "--samples", str(n), "--features", str(d),
                        "--nnz-per-row", str(per_row), "--seed", "0", "--output", str(folder / "data.svm")],
                       check=True)
        X, y = load_svmlight_file(str(folder / "data.svm"), n_features=d)
        scipy.sparse.save_npz(folder / "X.npz", X.tocsr(), compressed=False)
        y = (y > 0).astype(np.float64)
        np.save(folder / "y.npy", y)
        ids = np.empty(n, dtype=np.int64)
        for f, (_, test) in enumerate(StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(np.zeros(n), y)):
            ids[test] = f
        np.savetxt(folder / "folds.txt", ids, fmt="%d")
    return folder


def data_args(folder):
    """how logreg reads the folder's data."""
    if (folder / "data.svm").exists():
        import scipy.sparse
        d = scipy.sparse.load_npz(folder / "X.npz").shape[1]
        return ["--data", str(folder / "data.svm"), "--n-features", str(d)]
    return ["--data", str(folder / "data.npy")]


def logreg_run(folder, args, threads):
    """`logreg` with `args` on the data: its standard output."""
    cmd = [str(LOGREG), *args, *data_args(folder), "--threads", str(threads), "--quiet"]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "RAYON_NUM_THREADS": str(threads)})
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return out.stdout


def logreg_grid(folder, l1_ratio, threads):
    """the default grid of `logreg cv` (λ, largest first)."""
    out = logreg_run(folder, ["path", "--l1-ratio", str(l1_ratio), "--max-iter", "1"], threads)
    return [float(line.split()[0]) for line in out.splitlines() if re.match(r"^\s+\d\.\d+e-?\d+\s", line)]


def logreg_cv(folder, grid, l1_ratio, threads, extra=()):
    """`logreg cv` on the folds and grid (with `extra` flags): seconds, mean curve, chosen index."""
    model = folder / "cv_model.json"
    out = logreg_run(folder, ["cv", "--fold-ids", str(folder / "folds.txt"), "--l1-ratio", str(l1_ratio),
                              "--lambdas", ",".join(repr(g) for g in grid), "--model-out", str(model), *extra],
                     threads)
    seconds = float(re.search(r"time: cross-validation ([0-9.]+) s", out).group(1))
    record = json.loads(model.read_text())["cross_validation"]
    return {"seconds": seconds, "mean": record["mean"], "chosen": record["best"]}


def default_fit_seconds(folder, threads):
    """one default `logreg train` fit on all rows (fit time as it prints it)."""
    out = logreg_run(folder, ["train"], threads)
    return float(re.search(r"converged: [^(]*\(([0-9.]+) s\)", out).group(1))


def peer(argv):
    """child process: one python system's cross-validation; writes its result as json."""
    system, solver, folder, grid_file, l1_ratio, n_jobs, out_file = argv
    folder, n_jobs, l1_ratio = Path(folder), int(n_jobs), float(l1_ratio)
    from sklearn.model_selection import PredefinedSplit
    if (folder / "X.npz").exists():
        import scipy.sparse
        X = scipy.sparse.load_npz(folder / "X.npz").tocsr()
    else:
        X = np.load(folder / "X.npy")
    y = np.load(folder / "y.npy")
    ids = np.loadtxt(folder / "folds.txt", dtype=np.int64)
    grid = np.array(json.loads(Path(grid_file).read_text()))
    n_train = len(y) - len(y) // FOLDS
    if system == "scikit-learn":
        import warnings
        from sklearn.linear_model import LogisticRegressionCV
        warnings.simplefilter("ignore")
        Cs = 1.0 / (grid * n_train)  # ascending
        m = LogisticRegressionCV(Cs=Cs, l1_ratios=(0.0,), cv=PredefinedSplit(ids), scoring="neg_log_loss",
                                 solver=solver, n_jobs=n_jobs, use_legacy_attributes=True)
        start = time.perf_counter()
        m.fit(X, y)
        seconds = time.perf_counter() - start
        mean = (-m.scores_[1].reshape(FOLDS, len(grid))).mean(axis=0)
        chosen = int(np.flatnonzero(Cs == m.C_[0])[0])
    else:
        from glum import GeneralizedLinearRegressorCV
        m = GeneralizedLinearRegressorCV(family="binomial", alphas=grid, l1_ratio=l1_ratio, cv=PredefinedSplit(ids),
                                         n_jobs=n_jobs)
        start = time.perf_counter()
        m.fit(X, y)
        seconds = time.perf_counter() - start
        # glum's path is its alphas in the order given (largest first): deviance_path_ is [fold][alpha]
        # (per l1 ratio); mean deviance / 2 = mean log-loss
        dev = np.asarray(m.deviance_path_).reshape(FOLDS, len(grid))
        mean = dev.mean(axis=0) / 2.0
        chosen = int(np.argmin(np.abs(grid - m.alpha_)))
    Path(out_file).write_text(json.dumps({"seconds": seconds, "mean": list(map(float, mean)), "chosen": chosen}))


def peer_cv(folder, system, solver, grid, l1_ratio, threads):
    grid_file, out_file, rss_file = folder / "grid.json", folder / "peer.json", folder / "rss.txt"
    grid_file.write_text(json.dumps(grid))
    # each job one blas thread: the folds are the parallelism
    run_process([sys.executable, __file__, "--peer", system, solver, str(folder), str(grid_file), str(l1_ratio),
                 str(threads), str(out_file)], 1, str(rss_file))
    return json.loads(out_file.read_text())


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--peer":
        return peer(sys.argv[2:])
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1000000x20,1000000x100")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default=str(Path(__file__).resolve().parents[2] / "target" / "compare-selection"))
    p.add_argument("--skip-build", action="store_true")
    p.add_argument("--skip-slow", action="store_true", help="no scikit-learn lbfgs")
    args = p.parse_args()
    if not args.skip_build:
        build()
    out = Path(args.out)
    rows = []
    for size in args.sizes.split(","):
        sparse = size.startswith("sparse:")
        if sparse:
            n, d, per_row = map(int, size.split(":")[1].split("x"))
            folder = make_sparse(out / size.replace(":", "-"), n, d, per_row)
        else:
            n, d = map(int, size.split("x"))
            folder = make_data(out / size, n, d)
        one_fit = default_fit_seconds(folder, args.threads)
        log(f"{size}: one default fit {one_fit:.3f} s")
        for penalty, l1_ratio in [("l2", 0.0)] + ([] if sparse else [("l1", 1.0)]):
            grid = logreg_grid(folder, l1_ratio, args.threads)
            assert len(grid) == 20, grid
            # logreg at its default tolerance (1e-8), and at 1e-5: a curve still closer to the
            # default one than the peers' (the gap column) in fewer iterations per point
            runs = [("logreg", "auto", lambda: logreg_cv(folder, grid, l1_ratio, args.threads)),
                    ("logreg", "auto, --tol 1e-5",
                     lambda: logreg_cv(folder, grid, l1_ratio, args.threads, ["--tol", "1e-5"]))]
            if penalty == "l2":
                if not args.skip_slow or sparse:
                    runs.append(("scikit-learn", "lbfgs", None))
                if not sparse:
                    runs.append(("scikit-learn", "newton-cholesky", None))
            if not sparse:
                runs.append(("glum", "auto", None))
            base = None
            for system, solver, run in runs:
                log(f"{size} {penalty}: {system} {solver} …")
                r = run() if run else peer_cv(folder, system, solver, grid, l1_ratio, args.threads)
                base = base or r
                rows.append({"n": n, "d": d, "sparse": sparse, "penalty": penalty, "system": system, "solver": solver,
                             "threads": args.threads, "seconds": r["seconds"], "chosen": r["chosen"],
                             "chosen_lambda": grid[r["chosen"]],
                             "curve_gap": max(abs(a - b) for a, b in zip(r["mean"], base["mean"])),
                             "one_fit": one_fit})
                log(f"  {r['seconds']:.2f} s, chosen λ #{r['chosen']}")
    write(args, rows, out)


def write(args, rows, out):
    import glum
    import sklearn
    with open(out / "selection_results.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    text = [f"measured {time.strftime('%Y-%m-%d')} on {machine()}; scikit-learn {sklearn.__version__}, "
            f"glum {glum.__version__}; one run each; command: `python3 benches/compare/selection.py"
            f"{'' if args.sizes == '1000000x20,1000000x100' else ' --sizes ' + args.sizes}`", ""]
    for (n, d, sparse) in dict.fromkeys((r["n"], r["d"], r["sparse"]) for r in rows):
        sel = [r for r in rows if (r["n"], r["d"], r["sparse"]) == (n, d, sparse)]
        kind = " sparse (rcv1-like, libsvm / csr)" if sparse else ""
        text += [f"**{n:,} × {d:,}{kind}**, 5 folds × 20 penalties, {args.threads} threads; one default `logreg train` "
                 f"fit on all rows: {sel[0]['one_fit']:.3f} s", "",
                 "| penalty | system | solver | seconds | × logreg | × one fit | chosen λ | max gap of mean log-loss curve |",
                 "|---|---|---|---:|---:|---:|---:|---:|"]
        for penalty in dict.fromkeys(r["penalty"] for r in sel):
            ours = next(r for r in sel if r["penalty"] == penalty and r["system"] == "logreg")
            # (× logreg: against logreg at its default tolerance, the first row)
            for r in (r for r in sel if r["penalty"] == penalty):
                text.append(f"| {penalty} | {r['system']} | {r['solver']} | {r['seconds']:.2f} | "
                            f"{r['seconds'] / ours['seconds']:.1f} | {r['seconds'] / r['one_fit']:.1f} | "
                            f"{r['chosen_lambda']:.3e} (#{r['chosen']}) | {r['curve_gap']:.1e} |")
        text.append("")
    (out / "selection_summary.md").write_text("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
