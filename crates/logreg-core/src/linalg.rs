//! small dense symmetric linear algebra for the exact solvers: cholesky, solve, inverse.
//!
//! matrices are `k × k`, row-major, in a flat slice; `k` is the parameter count (a few hundred
//! at most), so these are O(k³) in-cache loops next to O(n·k²) passes over the data.

/// cholesky factor `L` (lower, row-major) of a symmetric positive-definite `a`, in place;
/// `false` if `a` is not numerically positive definite.
pub fn cholesky_in_place(a: &mut [f64], k: usize) -> bool {
    for j in 0..k {
        let mut diag = a[j * k + j];
        for p in 0..j {
            diag -= a[j * k + p] * a[j * k + p];
        }
        if !(diag > 0.0 && diag.is_finite()) {
            return false;
        }
        let ljj = diag.sqrt();
        a[j * k + j] = ljj;
        for i in j + 1..k {
            let mut v = a[i * k + j];
            for p in 0..j {
                v -= a[i * k + p] * a[j * k + p];
            }
            a[i * k + j] = v / ljj;
        }
        for i in 0..j {
            a[i * k + j] = 0.0;
        }
    }
    true
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
    fn rejects_indefinite_matrices() {
        let mut a = [1.0, 2.0, 2.0, 1.0];
        assert!(!cholesky_in_place(&mut a, 2));
        assert!(spd_inverse(&[0.0], 1).is_none());
    }
}
