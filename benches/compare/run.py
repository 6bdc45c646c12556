"""peer comparison: logreg (every backend and solver) against scikit-learn, linfa-logistic and
smartcore on identical data and the identical objective, plus the machine's read bandwidth.

    pip install -r benches/compare/requirements.txt
    python3 benches/compare/run.py                      # 1M×20 and 1M×100, 3 repeats
    python3 benches/compare/run.py --sizes 100000x20 --repeats 1 --skip-slow   # a quick look
    python3 benches/compare/run.py --sections multinomial   # only the K-class section
    python3 benches/compare/run.py --simd native,avx2   # kernel probes also at forced avx2 (LOGREG_SIMD)

the multinomial section (`--multinomial-sizes`, default 1M×20 with 5 classes and 1M×100 with 10)
fits make_classification(n_informative=d/2, n_clusters_per_class=1) data, standardised, with every
system minimising the same objective

    J(W, b) = mean(logsumexp(z) − z_y) + l2/2·‖W‖²_F,   z = X·W + b,   l2 = 1/n   (C = 1, all K
    classes penalised, intercepts not)

and also times the multinomial pass of every backend against the machine's read bandwidth and
measured fma throughput (`logreg-compare softmax-kernels`). a configuration whose first fit takes
more than --long seconds is not repeated.

each dataset is generated once (scikit-learn's make_classification, standardised) and written as
npy: `data.npy` (features, label last) for logreg and the rust peers, `X.npy`/`y.npy` for
scikit-learn, `test.npy` for accuracy. every fit runs in its own process; its fit alone is timed
(by the system itself, around the fit call), its peak resident memory is read from the kernel
(wait4), and its coefficients are scored by one objective function here:

    J(w, b) = mean(log(1 + e^z) − y·z) + l2/2·‖w‖²,   z = X·w + b,   l2 = 1/n  (scikit-learn's C = 1)

outputs (in --out, default target/compare): results.csv, kernels.csv, summary.md, chart.png.
"""
import argparse
import csv
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LOGREG = ROOT / "target" / "release" / "logreg"
PEERS = HERE / "peers" / "target" / "release" / "logreg-compare"
TARGET_GAP = 1e-9


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def build():
    log("building logreg (release) and the rust peers …")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "logreg-cli"],
                   cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=HERE / "peers", check=True)


def make_dataset(folder, n, d, n_test, **shape):
    """make_classification (n_informative = d/2, and `shape`'s other arguments), standardised with
    the training rows' statistics; written once."""
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / "done"
    if done.exists():
        return
    from sklearn.datasets import make_classification

    log(f"generating {n}×{d} {shape} (+{n_test} test rows) …")
    X, y = make_classification(n_samples=n + n_test, n_features=d, n_informative=d // 2, random_state=0, **shape)
    mean = X[:n].mean(axis=0)
    std = X[:n].std(axis=0)
    X -= mean
    X /= std
    y = y.astype(np.float64)
    np.save(folder / "X.npy", np.ascontiguousarray(X[:n]))
    np.save(folder / "y.npy", y[:n])
    np.save(folder / "data.npy", np.column_stack([X[:n], y[:n]]))
    np.save(folder / "test.npy", np.column_stack([X[n:], y[n:]]))
    done.touch()


# forks and execs the command from a small process and reports the child's peak rss: a child forked
# straight from this (large) python process would inherit its peak rss as a floor on linux.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss * 1024))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(cmd, threads, rss_file):
    """run cmd with the thread count fixed; returns its peak rss in bytes."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
        env[var] = str(threads)
    proc = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, rss_file, *cmd], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return int(Path(rss_file).read_text())


def logreg_cmd(data, l2, backend, solver, threads, extra=()):
    """`logreg train` on `data` with the given settings, writing its model to the path it is given."""
    def cmd(path):
        return [LOGREG, "train", "--data", data, "--format", "npy", "--backend", backend, "--solver", solver,
                "--l2", repr(l2), "--threads", str(threads), "--model-out", path, "--quiet", *extra]
    return cmd


def sk_cmd(X, y, l2, estimator, solver, tol):
    """one scikit-learn fit by sklearn_fit.py."""
    def cmd(path):
        return [sys.executable, HERE / "sklearn_fit.py", X, y, estimator, solver, repr(l2), repr(tol), path]
    return cmd


def peer_cmd(data, l2, name):
    """one fit of a rust peer (`logreg-compare NAME`)."""
    def cmd(path):
        return [PEERS, name, data, repr(l2), path]
    return cmd


def systems(folder, n, l2, skip_slow):
    """every configuration: (system, config, threads, default?, command(out) -> argv, reader)."""
    data, X, y = folder / "data.npy", folder / "X.npy", folder / "y.npy"
    out = []
    logreg = functools.partial(logreg_cmd, data, l2)
    sk = functools.partial(sk_cmd, X, y, l2)
    peer = functools.partial(peer_cmd, data, l2)

    def read_logreg(path):
        m = json.loads(Path(path).read_text())
        return m["coefficients"], m["intercept"], m["convergence"]["fit_seconds"]

    def read_plain(path):
        m = json.loads(Path(path).read_text())
        return m["coefficients"], m["intercept"], m["fit_seconds"]

    for threads in (2, 1):
        out.append(("logreg", "default (auto, reference)", threads, True, logreg("reference", "auto", threads),
                    read_logreg))
    out.append(("logreg", "default, tol 1e-5", 2, True, logreg("reference", "auto", 2, ("--tol", "1e-5")), read_logreg))
    for backend in ("reference", "faer", "ndarray", "nalgebra"):
        for solver in ("newton", "lbfgs"):
            out.append(("logreg", f"{solver}, {backend}", 2, False, logreg(backend, solver, 2), read_logreg))
    # the remaining solvers on the default backend only: the backends differ in their kernels alone
    if not skip_slow:
        out.append(("logreg", "cd, reference", 2, False, logreg("reference", "cd", 2), read_logreg))
    out.append(("logreg", "sgd, reference (10 epochs)", 2, False,
                logreg("reference", "sgd", 2, ("--epochs", "10")), read_logreg))

    for solver in ("lbfgs", "newton-cholesky"):
        for tol in (1e-4, 1e-8):
            for threads in (1, 2):
                out.append(("scikit-learn", f"{solver}, tol {tol:g}", threads, tol == 1e-4,
                            sk("logistic", solver, tol), read_plain))
    if not skip_slow:
        out.append(("scikit-learn", "saga, tol 0.0001", 1, True, sk("logistic", "saga", 1e-4), read_plain))
    out.append(("scikit-learn", "SGDClassifier, tol 0.001", 1, True, sk("sgd", "-", 1e-3), read_plain))

    if not skip_slow:
        out.append(("smartcore", "lbfgs (defaults)", 1, True, peer("smartcore"), read_plain))
        out.append(("linfa-logistic", "lbfgs (max 1000 iterations)", 1, True, peer("linfa"), read_plain))
    return out


def multinomial_systems(folder, n, d, k, l2, skip_slow):
    """the K-class configurations, as `systems`; readers return (K × d coefficients, K intercepts, s)."""
    data, X, y = folder / "data.npy", folder / "X.npy", folder / "y.npy"
    out = []
    logreg = functools.partial(logreg_cmd, data, l2)
    sk = functools.partial(sk_cmd, X, y, l2, "multinomial")
    peer = functools.partial(peer_cmd, data, l2)

    def read_logreg(path):
        m = json.loads(Path(path).read_text())
        part = m["multinomial"]
        return part["coefficients"], part["intercepts"], m["convergence"]["fit_seconds"]

    def read_plain(path):
        m = json.loads(Path(path).read_text())
        return m["coefficients"], m["intercepts"], m["fit_seconds"]

    for threads in (2, 1):
        out.append(("logreg", "default (auto, reference)", threads, True, logreg("reference", "auto", threads),
                    read_logreg))
    out.append(("logreg", "auto, faer", 2, False, logreg("faer", "auto", 2), read_logreg))
    # newton's hessian is ((d+1)·K)² too: wide K-class data leave it to `auto`'s newton-cg
    solvers = ("newton", "newton-cg", "lbfgs") if (d + 1) * k <= 300 else ("newton-cg", "lbfgs")
    for backend in ("faer", "ndarray", "nalgebra", "reference"):
        for solver in solvers:
            out.append(("logreg", f"{solver}, {backend}", 2, False, logreg(backend, solver, 2), read_logreg))
    if (d + 1) * k > 300 and not skip_slow:
        out.append(("logreg", "newton, faer", 2, False, logreg("faer", "newton", 2), read_logreg))

    for tol in (1e-4, 1e-8):
        for threads in (1, 2):
            out.append(("scikit-learn", f"lbfgs, tol {tol:g}", threads, True, sk("lbfgs", tol), read_plain))
    out.append(("scikit-learn", "newton-cg, tol 1e-08", 2, True, sk("newton-cg", 1e-8), read_plain))
    # newton-cholesky's hessian is ((d+1)·K)² per row: 692.8 s at 1M × 100 × 10 (2026-11-22)
    if (d + 1) * k <= 300 or not skip_slow:
        out.append(("scikit-learn", "newton-cholesky, tol 1e-08", 2, True, sk("newton-cholesky", 1e-8),
                    read_plain))

    if not skip_slow:
        out.append(("smartcore", "lbfgs (defaults)", 1, True, peer("smartcore-multi"), read_plain))
        out.append(("linfa-logistic", "lbfgs (max 1000 iterations)", 1, True, peer("linfa-multi"), read_plain))
    return out


def multinomial_objective(X, y, W, b, l2):
    """the K-class objective with a stable log-sum-exp, in blocks; W is K × d."""
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    labels = y.astype(np.int64)
    total = 0.0
    for s in range(0, X.shape[0], 1 << 16):
        z = X[s:s + (1 << 16)] @ W.T + b
        top = z.max(axis=1)
        lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
        total += float(np.sum(lse - z[np.arange(z.shape[0]), labels[s:s + (1 << 16)]]))
    return total / X.shape[0] + 0.5 * l2 * float((W * W).sum())


def multinomial_accuracy(test, W, b):
    z = test[:, :-1] @ np.asarray(W).T + np.asarray(b)
    return float(np.mean(z.argmax(axis=1) == test[:, -1].astype(np.int64)))


def probe(command, folder, levels):
    """a logreg-compare kernel probe at each simd level (`native`: LOGREG_SIMD unset)."""
    rows = []
    for level in levels:
        env = {k: v for k, v in os.environ.items() if k != "LOGREG_SIMD"}
        if level != "native":
            env["LOGREG_SIMD"] = level
        lines = subprocess.run([PEERS, command, folder / "data.npy"], check=True, capture_output=True, text=True,
                               env=env)
        rows += [json.loads(line) for line in lines.stdout.splitlines()]
    return rows


def time_configs(args, label, configs, score):
    """fit every configuration (median of --repeats, one fit when the first is longer than --long);
    `score(coef, intercept)` gives (objective, accuracy)."""
    results = []
    for system, config, threads, default, cmd, read in configs:
        fit_times, peaks = [], []
        for rep in range(args.repeats):
            path = args.out / "fit.json"
            peaks.append(run_process([str(a) for a in cmd(path)], threads, args.out / "rss"))
            coef, intercept, seconds = read(path)
            fit_times.append(seconds)
            log(f"{label} {system} [{config}] {threads}t: {seconds:.3f} s")
            if seconds > args.long:
                break
        objective_value, acc = score(coef, intercept)
        results.append(dict(system=system, config=config, threads=threads, default=default,
                            fit_seconds=statistics.median(fit_times), repeats=len(fit_times),
                            objective=objective_value, accuracy=acc, peak_mb=max(peaks) / 1e6))
    best = min(r["objective"] for r in results)
    for r in results:
        r["gap"] = (r["objective"] - best) / abs(best)
        r["time_to_target"] = r["fit_seconds"] if r["gap"] <= TARGET_GAP else None
    return results


def objective(X, y, w, b, l2):
    """logreg's objective, evaluated in blocks with the stable softplus form."""
    total = 0.0
    for s in range(0, X.shape[0], 1 << 16):
        z = X[s:s + (1 << 16)] @ w + b
        total += float(np.sum(np.logaddexp(0.0, z) - y[s:s + (1 << 16)] * z))
    return total / X.shape[0] + 0.5 * l2 * float(w @ w)


def accuracy(test, w, b):
    z = test[:, :-1] @ w + b
    return float(np.mean((z >= 0) == (test[:, -1] == 1.0)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000x20,1000000x100", help="comma-separated n×d (e.g. 1000000x20)")
    ap.add_argument("--multinomial-sizes", default="1000000x20x5,1000000x100x10",
                    help="comma-separated n×d×classes of the multinomial section")
    ap.add_argument("--sections", default="binary,multinomial", help="binary, multinomial or both")
    ap.add_argument("--repeats", type=int, default=3, help="fits per configuration (median reported)")
    ap.add_argument("--long", type=float, default=120.0, help="a first fit longer than this is not repeated")
    ap.add_argument("--test-rows", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=ROOT / "target" / "compare")
    ap.add_argument("--skip-slow", action="store_true",
                    help="leave out saga, cd, smartcore, linfa-logistic and (wide K-class data) newton-cholesky")
    ap.add_argument("--simd", default="native",
                    help="simd levels of the kernel probes, comma-separated: native (the cpu's widest), avx512, "
                         "avx2, scalar (LOGREG_SIMD)")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    sections = set(args.sections.split(","))
    if not args.no_build:
        build()
    args.out.mkdir(parents=True, exist_ok=True)
    rows, kernel_rows, mn_rows, mn_kernel_rows = [], [], [], []
    for size in (args.sizes.split(",") if "binary" in sections else []):
        n, d = (int(v) for v in size.lower().split("x"))
        folder = args.out / f"data-{n}x{d}"
        make_dataset(folder, n, d, args.test_rows, n_redundant=d // 10)
        l2 = 1.0 / n
        kernel_rows += probe("kernels", folder, args.simd.split(","))
        X = np.load(folder / "X.npy", mmap_mode="r")
        y = np.load(folder / "y.npy")
        test = np.load(folder / "test.npy")

        def score(coef, intercept):
            w = np.asarray(coef, dtype=np.float64)
            return objective(X, y, w, intercept, l2), accuracy(test, w, intercept)

        for r in time_configs(args, f"{n}x{d}", systems(folder, n, l2, args.skip_slow), score):
            rows.append(dict(n=n, d=d, x_mb=n * d * 8 / 1e6, **r))
    for size in (args.multinomial_sizes.split(",") if "multinomial" in sections else []):
        n, d, k = (int(v) for v in size.lower().split("x"))
        folder = args.out / f"data-{n}x{d}x{k}"
        make_dataset(folder, n, d, args.test_rows, n_redundant=0, n_classes=k, n_clusters_per_class=1)
        l2 = 1.0 / n
        mn_kernel_rows += probe("softmax-kernels", folder, args.simd.split(","))
        X = np.load(folder / "X.npy", mmap_mode="r")
        y = np.load(folder / "y.npy")
        test = np.load(folder / "test.npy")

        def score(coef, intercepts):
            return multinomial_objective(X, y, coef, intercepts, l2), multinomial_accuracy(test, coef, intercepts)

        for r in time_configs(args, f"{n}x{d}x{k}", multinomial_systems(folder, n, d, k, l2, args.skip_slow), score):
            mn_rows.append(dict(n=n, d=d, k=k, x_mb=n * d * 8 / 1e6, **r))
    write_outputs(args, rows, kernel_rows, mn_rows, mn_kernel_rows)


def write_outputs(args, rows, kernel_rows, mn_rows, mn_kernel_rows):
    fields = ["n", "d", "system", "config", "threads", "default", "fit_seconds", "repeats", "time_to_target",
              "gap", "objective", "accuracy", "peak_mb", "x_mb"]
    if rows:
        with open(args.out / "results.csv", "w", newline="") as f:
            wr = csv.DictWriter(f, fieldnames=fields)
            wr.writeheader()
            wr.writerows(rows)
        with open(args.out / "kernels.csv", "w", newline="") as f:
            # the probe's rows carry more fields (bytes, sparse) than this table keeps
            wr = csv.DictWriter(f, extrasaction="ignore",
                                fieldnames=["n", "d", "simd", "op", "backend", "threads", "seconds", "gbps",
                                            "fraction_of_read"])
            wr.writeheader()
            wr.writerows(kernel_rows)
        chart(rows, args.out / "chart.png")
    if mn_rows:
        with open(args.out / "multinomial.csv", "w", newline="") as f:
            wr = csv.DictWriter(f, fieldnames=fields[:2] + ["k"] + fields[2:])
            wr.writeheader()
            wr.writerows(mn_rows)
        with open(args.out / "multinomial_kernels.csv", "w", newline="") as f:
            wr = csv.DictWriter(f, extrasaction="ignore",
                                fieldnames=["n", "d", "k", "simd", "op", "backend", "threads", "seconds", "gbps",
                                            "gflops", "fraction", "binds"])
            wr.writeheader()
            wr.writerows(mn_kernel_rows)
    text = summary(args, rows, kernel_rows) if rows else ""
    if mn_rows:
        text += multinomial_summary(args, mn_rows, mn_kernel_rows)
    (args.out / "summary.md").write_text(text)
    log(f"wrote {args.out}: csv files, summary.md{', chart.png' if rows else ''}")
    print(text)


def multinomial_summary(args, rows, kernel_rows):
    import sklearn

    out = [f"## more than two classes", "",
           f"measured {time.strftime('%Y-%m-%d')} on {machine()}; scikit-learn {sklearn.__version__}, "
           f"median of {args.repeats} (one fit when longer than {args.long:g} s); "
           f"command: `python3 benches/compare/run.py --sections multinomial"
           f"{'' if args.multinomial_sizes == '1000000x20x5,1000000x100x10' else ' --multinomial-sizes ' + args.multinomial_sizes}"
           f"{'' if args.repeats == 3 else f' --repeats {args.repeats}'}{' --skip-slow' if args.skip_slow else ''}`", ""]
    for (n, d, k) in dict.fromkeys((r["n"], r["d"], r["k"]) for r in rows):
        here = [r for r in rows if (r["n"], r["d"], r["k"]) == (n, d, k)]
        out += [f"**{n:,} × {d}, {k} classes** (X = {n * d * 8 / 1e6:.0f} MB)", "",
                "| system | configuration | threads | fit s | fits | to 1e-9 s | objective gap | accuracy | peak MB |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in here:
            ttt = f"{r['time_to_target']:.3f}" if r["time_to_target"] is not None else "not reached"
            name = f"**{r['config']}**" if r["system"] == "logreg" and r["default"] else r["config"]
            out.append(f"| {r['system']} | {name} | {r['threads']} | {r['fit_seconds']:.3f} | {r['repeats']} | {ttt} | "
                       f"{r['gap']:.1e} | {r['accuracy']:.4f} | {r['peak_mb']:.0f} |")
        out.append("")
        default = [r for r in here if r["system"] == "logreg" and r["config"].startswith("default (auto, reference)")
                   and r["threads"] == 2]
        reached = [r["time_to_target"] for r in default if r["time_to_target"] is not None]
        if reached:
            t = min(reached)
            peak = max(r["peak_mb"] for r in default)
            out.append(f"- default logreg (auto, reference, 2 threads): {t:.3f} s, peak memory {peak:.0f} MB = "
                       f"{peak / (n * d * 8 / 1e6):.2f}× X")
            for system in ("scikit-learn", "smartcore", "linfa-logistic"):
                theirs = [r for r in here if r["system"] == system]
                got = [r["time_to_target"] for r in theirs if r["time_to_target"] is not None]
                if got:
                    out.append(f"- vs {system}'s fastest to 1e-9: {min(got) / t:.1f}× faster")
                elif theirs:
                    fastest = min(theirs, key=lambda r: r["fit_seconds"])
                    out.append(f"- {system} did not reach 1e-9 (best gap {min(r['gap'] for r in theirs):.1e}); "
                               f"default logreg is {fastest['fit_seconds'] / t:.1f}× faster than its fit")
        ks = [q for q in kernel_rows if (q["n"], q["d"], q["k"]) == (n, d, k)]
        for simd, threads in dict.fromkeys((q["simd"], q["threads"]) for q in ks):
            at = [q for q in ks if (q["simd"], q["threads"]) == (simd, threads)]
            read = next((q for q in at if q["op"] == "read"), None)
            fma = next((q for q in at if q["op"] == "fma"), None)
            if read and fma:
                parts = [f"{q['backend']} {q['seconds'] * 1e3:.1f} ms ({q['fraction']:.0%})"
                         for q in at if q["op"] == "softmax_pass"]
                out.append(f"- multinomial pass, {simd} kernels, {threads} thread(s): read of X {read['seconds'] * 1e3:.1f} ms "
                           f"({read['gbps']:.1f} GB/s), products at the measured fma peak {fma['seconds'] * 1e3:.1f} ms "
                           f"({fma['gflops']:.0f} GFLOP/s); {read['binds']} binds; " + ", ".join(parts))
        out.append("")
    return "\n".join(out)


def machine():
    info = open("/proc/cpuinfo").read().splitlines()
    cpu = next((l.split(":", 1)[1].strip() for l in info if l.startswith("model name")), "?")
    flags = set(next((l.split(":", 1)[1].split() for l in info if l.startswith("flags")), []))
    isa = ("avx-512 (" + "/".join(f for f in ("avx512f", "avx512dq", "avx512vl", "avx512bw") if f in flags) + ")"
           if "avx512f" in flags else "avx2 + fma, no avx-512" if {"avx2", "fma"} <= flags else "no avx2")
    return f"{cpu} ({isa}), {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def summary(args, rows, kernel_rows):
    import sklearn

    out = [f"measured {time.strftime('%Y-%m-%d')} on {machine()}; scikit-learn {sklearn.__version__}, "
           f"median of {args.repeats}; command: `python3 benches/compare/run.py"
           f"{'' if args.sizes == '1000000x20,1000000x100' else ' --sizes ' + args.sizes}"
           f"{'' if args.repeats == 3 else f' --repeats {args.repeats}'}{' --skip-slow' if args.skip_slow else ''}`", ""]
    for (n, d) in dict.fromkeys((r["n"], r["d"]) for r in rows):
        out += [f"**{n:,} × {d}** (X = {n * d * 8 / 1e6:.0f} MB)", "",
                "| system | configuration | threads | fit s | to 1e-9 s | objective gap | accuracy | peak MB |",
                "|---|---|---:|---:|---:|---:|---:|---:|"]
        for r in (r for r in rows if (r["n"], r["d"]) == (n, d)):
            ttt = f"{r['time_to_target']:.3f}" if r["time_to_target"] is not None else "not reached"
            name = f"**{r['config']}**" if r["system"] == "logreg" and r["default"] else r["config"]
            out.append(f"| {r['system']} | {name} | {r['threads']} | {r['fit_seconds']:.3f} | {ttt} | "
                       f"{r['gap']:.1e} | {r['accuracy']:.4f} | {r['peak_mb']:.0f} |")
        out.append("")
        ours = [r for r in rows if (r["n"], r["d"]) == (n, d) and r["system"] == "logreg" and r["default"]
                and r["threads"] == 2]
        reached_ours = [r["time_to_target"] for r in ours if r["time_to_target"] is not None]
        if reached_ours:
            # the default backend and solver at either tolerance, as each peer gets its fastest setting
            t = min(reached_ours)
            for system in ("scikit-learn", "smartcore", "linfa-logistic"):
                theirs = [r for r in rows if (r["n"], r["d"]) == (n, d) and r["system"] == system]
                reached = [r["time_to_target"] for r in theirs if r["time_to_target"] is not None]
                if reached:
                    out.append(f"- default logreg (2 threads) vs {system}'s fastest to 1e-9: "
                               f"{min(reached) / t:.1f}× faster")
                elif theirs:
                    fastest = min(theirs, key=lambda r: r["fit_seconds"])
                    out.append(f"- {system} did not reach 1e-9 (best gap {min(r['gap'] for r in theirs):.1e}); "
                               f"default logreg is {fastest['fit_seconds'] / t:.1f}× faster than its fit")
        ks = [k for k in kernel_rows if (k["n"], k["d"]) == (n, d)]
        for simd, threads in dict.fromkeys((k["simd"], k["threads"]) for k in ks):
            at = [k for k in ks if (k["simd"], k["threads"]) == (simd, threads)]
            read = next((k["gbps"] for k in at if k["op"] == "read"), None)
            parts = [f"{k['backend']} {k['gbps']:.1f} GB/s ({k['fraction_of_read']:.0%})"
                     for k in at if k["op"] == "loss_grad"]
            if read:
                out.append(f"- loss-and-gradient pass, {simd} kernels, {threads} thread(s): read {read:.1f} GB/s; "
                           + ", ".join(parts))
        out.append("")
    return "\n".join(out)


def chart(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = list(dict.fromkeys((r["n"], r["d"]) for r in rows))
    colors = {"logreg": "#1f77b4", "scikit-learn": "#ff7f0e", "smartcore": "#2ca02c", "linfa-logistic": "#d62728"}
    fig, axes = plt.subplots(1, len(sizes), figsize=(7 * len(sizes), 0.32 * max(len(rows) // len(sizes), 8) + 1.5),
                             squeeze=False)
    for ax, (n, d) in zip(axes[0], sizes):
        rs = sorted((r for r in rows if (r["n"], r["d"]) == (n, d)), key=lambda r: r["fit_seconds"], reverse=True)
        labels = [f"{r['system']}: {r['config']} ({r['threads']}t)" for r in rs]
        bars = ax.barh(labels, [r["fit_seconds"] for r in rs], color=[colors[r["system"]] for r in rs])
        for bar, r in zip(bars, rs):
            if r["time_to_target"] is None:
                bar.set_hatch("//")
                bar.set_alpha(0.5)
        ax.set_xscale("log")
        ax.set_xlabel("fit seconds (log scale)")
        ax.set_title(f"{n:,} × {d}")
        ax.tick_params(axis="y", labelsize=7)
    fig.suptitle("time to fit; hatched: did not reach within 1e-9 of the best objective", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
