//! small dense symmetric linear algebra for the exact solvers: cholesky, solve, inverse.
//!
//! matrices are `k × k`, row-major, in a flat slice; `k` is the parameter count (a few hundred
//! at most), so these are O(k³) in-cache loops next to O(n·k²) passes over the data.

/// column `j` of the cholesky factor of `a` in place, given columns `0..j` already factored:
/// `false` (and the column left as it was) when `usable` rejects its pivot.
fn factor_column(a: &mut [f64], k: usize, j: usize, usable: impl Fn(f64) -> bool) -> bool {
    let mut pivot = a[j * k + j];
    for p in 0..j {
        pivot -= a[j * k + p] * a[j * k + p];
    }
    if !usable(pivot) {
        return false;
    }
    let ljj = pivot.sqrt();
    a[j * k + j] = ljj;
    for i in j + 1..k {
        let mut v = a[i * k + j];
        for p in 0..j {
            v -= a[i * k + p] * a[j * k + p];
        }
        a[i * k + j] = v / ljj;
    }
    true
}

/// cholesky factor `L` (lower, row-major) of a symmetric positive-definite `a`, in place;
/// `false` if `a` is not numerically positive definite.
pub fn cholesky_in_place(a: &mut [f64], k: usize) -> bool {
    for j in 0..k {
        if !factor_column(a, k, j, |pivot| pivot > 0.0 && pivot.is_finite()) {
            return false;
        }
        for i in 0..j {
            a[i * k + j] = 0.0;
        }
    }
    true
}

/// indices of the columns of a symmetric positive semi-definite `a` that depend linearly on the
/// columns before them: a cholesky factorisation that skips every column whose pivot falls
/// below `relative_pivot` times its diagonal entry. empty when `a` is positive definite.
pub fn dependent_columns(a: &[f64], k: usize, relative_pivot: f64) -> Vec<usize> {
    let mut l = a.to_vec();
    let mut dependent = Vec::new();
    for j in 0..k {
        let diagonal = a[j * k + j].abs();
        if !factor_column(&mut l, k, j, |pivot| pivot > relative_pivot * diagonal) {
            dependent.push(j);
            for i in j..k {
                l[i * k + j] = 0.0;
            }
        }
    }
    // a factorisation that succeeded outright has no dependent column
    debug_assert!(!dependent.is_empty() || cholesky_in_place(&mut a.to_vec(), k));
    dependent
}

/// solve `L·Lᵀ·x = b` in place given the cholesky factor `l`.
pub fn cholesky_solve(l: &[f64], k: usize, b: &mut [f64]) {
    for i in 0..k {
        let mut v = b[i];
        for p in 0..i {
            v -= l[i * k + p] * b[p];
        }
        b[i] = v / l[i * k + i];
    }
    for i in (0..k).rev() {
        let mut v = b[i];
        for p in i + 1..k {
            v -= l[p * k + i] * b[p];
        }
        b[i] = v / l[i * k + i];
    }
}

/// inverse of a symmetric positive-definite `a` (`None` if it is not), as a full row-major matrix.
pub fn spd_inverse(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = a.to_vec();
    if !cholesky_in_place(&mut l, k) {
        return None;
    }
    let mut inv = vec![0.0; k * k];
    let mut col = vec![0.0; k];
    for j in 0..k {
        col.fill(0.0);
        col[j] = 1.0;
        cholesky_solve(&l, k, &mut col);
        for i in 0..k {
            inv[i * k + j] = col[i];
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_inverts_a_known_system() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let mut l = a;
        assert!(cholesky_in_place(&mut l, 3));
        let mut b = [1.0, 2.0, 3.0];
        cholesky_solve(&l, 3, &mut b);
        for i in 0..3 {
            let ax: f64 = (0..3).map(|j| a[i * 3 + j] * b[j]).sum();
            assert!((ax - [1.0, 2.0, 3.0][i]).abs() < 1e-14);
        }
        let inv = spd_inverse(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|p| a[i * 3 + p] * inv[p * 3 + j]).sum();
                assert!((v - f64::from(u8::from(i == j))).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn dependent_columns_are_found_after_the_columns_they_depend_on() {
        // parameters: intercept, a, b = 2a, c — gram of [1, a, 2a, c] over four rows
        let rows = [[1.0, 1.0, 2.0, 0.5], [1.0, -1.0, -2.0, 1.5], [1.0, 0.5, 1.0, -1.0], [1.0, 2.0, 4.0, 0.0]];
        let k = 4;
        let mut h = vec![0.0; k * k];
        for r in &rows {
            for a in 0..k {
                for b in 0..k {
                    h[a * k + b] += r[a] * r[b];
                }
            }
        }
        assert_eq!(dependent_columns(&h, k, 1e-9), [2]);
        let identity: Vec<f64> = (0..9).map(|i| f64::from(u8::from(i % 4 == 0))).collect();
        assert!(dependent_columns(&identity, 3, 1e-9).is_empty());
    }

    #[test]
    fn rejects_indefinite_matrices() {
        let mut a = [1.0, 2.0, 2.0, 1.0];
        assert!(!cholesky_in_place(&mut a, 2));
        assert!(spd_inverse(&[0.0], 1).is_none());
    }
}
