"""scikit-learn's multinomial fits on make_classification data, and the same data for logreg.

    python3 benches/compare/multinomial_sklearn.py N D K

writes /tmp/mn/mc_N_D_K.npy (standardised features + label column, the input of
`logreg train --data … --l2 1/N`) and prints each scikit-learn solver's time, objective
(mean log-loss + 0.5/N·‖W‖², the logreg objective at l2 = 1/N) and iterations, C = 1, tol 1e-10.
A first step towards the harness's multinomial section (issue 11), not yet part of run.py.
"""
import os
import sys
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
n, d, k = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
X, y = make_classification(n_samples=n, n_features=d, n_informative=d//2, n_redundant=0, n_classes=k,
                           n_clusters_per_class=1, random_state=0)
X = (X - X.mean(0)) / X.std(0)
os.makedirs("/tmp/mn", exist_ok=True)
path = f"/tmp/mn/mc_{n}_{d}_{k}.npy"
np.save(path, np.hstack([X, y[:, None].astype(float)]))
res = {}
for solver in ["lbfgs", "newton-cholesky"]:
    t = time.perf_counter()
    m = LogisticRegression(C=1.0, solver=solver, tol=1e-10, max_iter=10000).fit(X, y)
    res[solver] = time.perf_counter() - t
    P = m.predict_proba(X)
    ll = -np.mean(np.log(P[np.arange(n), y]))
    obj = ll + 0.5 / n * (m.coef_ ** 2).sum()
    print(solver, f"{res[solver]:.2f}s", f"objective {obj:.12f}", m.n_iter_, flush=True)
