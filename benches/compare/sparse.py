"""sparse section of the peer comparison: logreg against LIBLINEAR (liblinear-multicore) and
scikit-learn on sparse text-like data, LIBLINEAR's objective

    f(w) = 0.5·‖w‖² + C·Σ log(1 + exp(−yᵢ·w·xᵢ)),   C = 1, no intercept
         = n·(logreg's mean log-loss + l2/2·‖w‖²) with l2 = 1/n, --no-intercept

    pip install -r benches/compare/requirements.txt liblinear-multicore
    python3 benches/compare/sparse.py                       # rcv1-like and news20-like data
    python3 benches/compare/sparse.py --sizes rcv1:200000x47000x75 --skip-slow   # a quick look

data: `logreg generate --sparse` (power-law term frequencies, tf-idf weighted, l2-normalised rows,
a planted sparse model, 1 % label noise), written once as libsvm; scikit-learn and LIBLINEAR get it
as a scipy csr matrix (load_svmlight_file, not timed). every fit runs in its own process; its fit
alone is timed by the system itself, its peak resident memory read from the kernel (wait4), and
its coefficients scored here by f. "time to 1e-8": each system runs a ladder of tolerances from
loose to tight and the first run whose objective is within 1e-8 (relative) of the best objective
any run reached is reported. logreg's wall time (parse + fit + writing the model) is reported too.

outputs (in --out, default target/compare-sparse): results.csv, summary.md, and the kernel and
parse probes of `logreg-compare` (sparse pass against the csr arrays' read bandwidth; parse MB/s).
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
from run import LOGREG, PEERS, ROOT, build, log, machine, run_process  # noqa: E402

GAP = 1e-8
LOGREG_TOLS = [1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10]
LIBLINEAR_EPS = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8]
SKLEARN_TOLS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-8]


def make(folder, n, d, per_row):
    """the libsvm file and its csr copy for the python peers; written once."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "done").exists():
        log(f"generating {n}×{d}, {per_row} values per row …")
        subprocess.run([LOGREG, "generate", "--sparse", "--samples", str(n), "--features", str(d),
                        "--nnz-per-row", str(per_row), "--seed", "0", "--output", folder / "data.svm"], check=True)
        import scipy.sparse
        from sklearn.datasets import load_svmlight_file
        X, y = load_svmlight_file(str(folder / "data.svm"), n_features=d)
        X = X.tocsr()
        X.indices, X.indptr = X.indices.astype(np.int32), X.indptr.astype(np.int32)
        scipy.sparse.save_npz(folder / "X.npz", X, compressed=False)
        np.save(folder / "y.npy", np.where(y > 0, 1.0, -1.0))
        (folder / "done").touch()
    import scipy.sparse
    return scipy.sparse.load_npz(folder / "X.npz").tocsr(), np.load(folder / "y.npy")


def objective(X, y, w):
    return 0.5 * float(w @ w) + float(np.logaddexp(0.0, -y * (X @ w)).sum())


def child(kind, folder, setting, out):
    """one peer fit in this process: writes {seconds} to out.json and w to out.npy."""
    import scipy.sparse
    X = scipy.sparse.load_npz(Path(folder) / "X.npz").tocsr()
    y = np.load(Path(folder) / "y.npy")
    if kind == "liblinear":
        from liblinear.liblinearutil import parameter, problem, train
        prob = problem(y, X)
        start = time.perf_counter()
        model = train(prob, parameter(setting + " -q"))
        seconds = time.perf_counter() - start
        w = np.array(model.get_decfun()[0][: X.shape[1]])
        if model.get_labels()[0] != 1:
            w = -w
    else:
        from sklearn.linear_model import LogisticRegression
        solver, tol = setting.split()
        m = LogisticRegression(C=1.0, solver=solver, tol=float(tol), max_iter=100000, fit_intercept=False)
        start = time.perf_counter()
        m.fit(X, y)
        seconds = time.perf_counter() - start
        w = m.coef_[0]
    np.save(out + ".npy", np.pad(w, (0, X.shape[1] - len(w))))
    Path(out + ".json").write_text(json.dumps({"seconds": seconds}))


def read_logreg_model(path, d):
    m = json.loads(Path(path).read_text())
    if "sparse_coefficients" in m:
        w = np.zeros(d)
        w[m["sparse_coefficients"]["indices"]] = m["sparse_coefficients"]["values"]
    else:
        w = np.array(m["coefficients"])
    return w, m["convergence"]["fit_seconds"]


def ladders(folder, n, d, skip_slow):
    """(system, setting, threads, [(tolerance, run(out) -> (w, fit seconds, wall seconds, rss))])."""
    svm = folder / "data.svm"

    def logreg(solver, threads, tol):
        def go(out):
            cmd = [LOGREG, "train", "--data", svm, "--n-features", str(d), "--no-intercept", "--l2", repr(1.0 / n),
                   "--solver", solver, "--tol", repr(tol), "--threads", str(threads), "--model-out", out + ".json",
                   "--quiet"]
            start = time.perf_counter()
            rss = run_process([str(c) for c in cmd], threads, out + ".rss")
            wall = time.perf_counter() - start
            w, seconds = read_logreg_model(out + ".json", d)
            return w, seconds, wall, rss
        return go

    def peer(kind, setting, threads):
        def go(out):
            cmd = [sys.executable, __file__, "--child", kind, str(folder), setting, out]
            rss = run_process(cmd, threads, out + ".rss")
            return np.load(out + ".npy"), json.loads(Path(out + ".json").read_text())["seconds"], None, rss
        return go

    out = []
    for threads in (1, 2):
        for solver in ("auto", "newton-cg", "lbfgs", "dual-cd"):
            out.append(("logreg", solver, threads, [(t, logreg(solver, threads, t)) for t in LOGREG_TOLS]))
        out.append(("LIBLINEAR", "-s 0 (primal newton)", threads,
                    [(e, peer("liblinear", f"-s 0 -c 1 -e {e} -n {threads}", threads)) for e in LIBLINEAR_EPS]))
    out.append(("LIBLINEAR", "-s 7 (dual cd)", 1,
                [(e, peer("liblinear", f"-s 7 -c 1 -e {e}", 1)) for e in LIBLINEAR_EPS]))
    sk = ["liblinear", "newton-cg"] + ([] if skip_slow else ["lbfgs", "saga"])
    for solver in sk:
        out.append(("scikit-learn", solver, 1, [(t, peer("sklearn", f"{solver} {t}", 1)) for t in SKLEARN_TOLS]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="rcv1:677000x47000x75,news20:20000x1350000x450",
                    help="comma-separated name:n×d×(values per row)")
    ap.add_argument("--out", type=Path, default=ROOT / "target" / "compare-sparse")
    ap.add_argument("--skip-slow", action="store_true", help="leave out scikit-learn's lbfgs and saga")
    ap.add_argument("--long", type=float, default=300.0, help="stop a ladder after a run longer than this")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    if not args.no_build:
        build()
    rows, probes = [], []
    for spec in args.sizes.split(","):
        name, shape = spec.split(":")
        n, d, per_row = (int(v) for v in shape.split("x"))
        folder = args.out / name
        X, y = make(folder, n, d, per_row)
        csr_bytes = X.nnz * 12 + (n + 1) * 8
        for tool in (["kernels"], ["parse"]):
            lines = subprocess.run([PEERS, *tool, folder / "data.svm"], capture_output=True, text=True, check=True)
            probes += [dict(json.loads(l), dataset=name) for l in lines.stdout.splitlines()]
        runs = []
        all_ladders = ladders(folder, n, d, args.skip_slow)
        # the reference optimum: logreg's newton-cg at a tolerance far below the gap
        reference = next(go for s, st, t, lad in all_ladders if st == "newton-cg" and t == 2 for tol, go in lad
                         if tol == LOGREG_TOLS[-1])
        f_ref = objective(X, y, reference(str(folder / "run"))[0])
        log(f"{name}: reference objective {f_ref:.15g}")
        for system, setting, threads, ladder in all_ladders:
            for tol, go in ladder:
                log(f"{name}: {system} {setting}, {threads} thread(s), tolerance {tol:g} …")
                try:
                    w, seconds, wall, rss = go(str(folder / "run"))
                except RuntimeError as e:
                    log(f"  failed: {str(e)[:400]}")
                    break
                f = objective(X, y, w)
                runs.append(dict(dataset=name, n=n, d=d, nnz=X.nnz, system=system, setting=setting, threads=threads,
                                 tolerance=tol, fit_seconds=seconds, wall_seconds=wall, objective=f,
                                 peak_rss_mb=rss / 1e6, csr_mb=csr_bytes / 1e6))
                log(f"  {seconds:.3f} s, f = {f:.12g}")
                # tighter runs only cost time once this one is at the reference optimum
                if seconds > args.long or (f - f_ref) / f_ref <= GAP:
                    break
        best = min(r["objective"] for r in runs)
        for r in runs:
            r["gap"] = (r["objective"] - best) / best
        # a ladder stops counting once it reaches the gap: its first such run is its time
        for key in sorted({(r["system"], r["setting"], r["threads"]) for r in runs}, key=str):
            ladder = [r for r in runs if (r["system"], r["setting"], r["threads"]) == key]
            hit = next((r for r in ladder if r["gap"] <= GAP), None)
            for r in ladder:
                r["reported"] = r is hit
            if hit is None:
                ladder[-1]["reported"] = True
        rows += runs
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "results.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    (args.out / "probes.json").write_text(json.dumps(probes, indent=1))
    (args.out / "summary.md").write_text(summary(args, rows, probes))
    print((args.out / "summary.md").read_text())


def summary(args, rows, probes):
    import sklearn
    out = [f"# sparse comparison — {time.strftime('%Y-%m-%d')}", "",
           f"machine: {machine()}", f"scikit-learn {sklearn.__version__}, liblinear-multicore "
           f"{_version('liblinear-multicore')}; command: `python3 benches/compare/sparse.py "
           f"--sizes {args.sizes}{' --skip-slow' if args.skip_slow else ''}`", ""]
    for name in dict.fromkeys(r["dataset"] for r in rows):
        rs = [r for r in rows if r["dataset"] == name and r["reported"]]
        r0 = rs[0]
        out += [f"## {name}-like: {r0['n']} × {r0['d']}, {r0['nnz']} stored values (csr {r0['csr_mb']:.0f} MB)", "",
                f"time to reach within {GAP:g} of the best objective (C = 1, no intercept):", "",
                "| system | setting | threads | tolerance | fit s | wall s | gap | peak MB |",
                "|---|---|---|---|---|---|---|---|"]
        for r in sorted(rs, key=lambda r: r["fit_seconds"]):
            wall = f"{r['wall_seconds']:.2f}" if r["wall_seconds"] else ""
            mark = "" if r["gap"] <= GAP else " (not reached)"
            out.append(f"| {r['system']} | {r['setting']} | {r['threads']} | {r['tolerance']:g} | "
                       f"{r['fit_seconds']:.3f} | {wall} | {r['gap']:.1e}{mark} | {r['peak_rss_mb']:.0f} |")
        out += ["", "probes (`logreg-compare kernels` / `parse` on data.svm):", ""]
        for p in (p for p in probes if p["dataset"] == name):
            if p["op"] == "parse":
                grown = (p["peak_rss_bytes"] - p["baseline_rss_bytes"]) / p["csr_bytes"]
                out.append(f"- parse: {p['mb_per_s']:.0f} MB/s of text ({p['threads']} threads), peak memory "
                           f"{grown:.2f}× the csr arrays (above the {p['baseline_rss_bytes'] / 1e6:.0f} MB "
                           f"the probe holds before reading)")
            else:
                out.append(f"- {p['op']} {p['backend']}, {p['threads']} thread(s): {p['seconds'] * 1e3:.2f} ms, "
                           f"{p['gbps']:.1f} GB/s, {p['fraction_of_read']:.0%} of the read")
        out.append("")
    return "\n".join(out)


def _version(package):
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    main()
