"""one scikit-learn fit, timed alone; run in its own process by run.py (threads are set there).

usage: sklearn_fit.py X.npy y.npy ESTIMATOR SOLVER L2 TOL OUT.json
  ESTIMATOR: logistic (LogisticRegression with SOLVER), sgd (SGDClassifier, SOLVER ignored) or
  multinomial (LogisticRegression with SOLVER on K > 2 classes: writes K × d coefficients and K
  intercepts; the penalty ‖W‖²/2 over all K classes, as logreg's symmetric parametrisation)

the objective is logreg's `mean logloss + l2/2·|w|^2` with the intercept unpenalised:
LogisticRegression minimises `C·Σ logloss + |w|^2/2`, so C = 1/(n·l2); SGDClassifier minimises
`mean logloss + alpha·|w|^2/2`, so alpha = l2.
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier


def main():
    x_path, y_path, estimator, solver, l2, tol, out = sys.argv[1:8]
    l2, tol = float(l2), float(tol)
    X = np.load(x_path)
    y = np.load(y_path)
    n = X.shape[0]
    if estimator in ("logistic", "multinomial"):
        model = LogisticRegression(solver=solver, C=1.0 / (n * l2), tol=tol, max_iter=1000)
    elif estimator == "sgd":
        model = SGDClassifier(loss="log_loss", penalty="l2", alpha=l2, tol=tol, random_state=0)
    else:
        raise SystemExit(f"unknown estimator {estimator!r}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    if estimator == "multinomial":
        with open(out, "w") as f:
            json.dump({"coefficients": model.coef_.tolist(), "intercepts": model.intercept_.tolist(),
                       "fit_seconds": seconds, "converged": converged}, f)
        return
    with open(out, "w") as f:
        json.dump(
            {
                "coefficients": model.coef_.ravel().tolist(),
                "intercept": float(model.intercept_.ravel()[0]),
                "fit_seconds": seconds,
                "converged": converged,
            },
            f,
        )


if __name__ == "__main__":
    main()
