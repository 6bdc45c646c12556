//! the two products of a tile of rows with several classes' coefficients, `Z ← X·W + 1·bᵀ` and
//! `G ← G + Xᵀ·R`, with register-blocked avx-512 / avx2 kernels on x86-64 (class-by-class
//! [`crate::row_kernels`] loops elsewhere). layouts as in [`crate::Backend::class_logits`].
//!
//! `Z` (avx-512): a vector's worth of rows at a time, their features transposed in registers a
//! block at a time, so a feature of those rows is one vector and meets each class's coefficient
//! in one fma, one accumulator per class. `Z` (avx2): the same with four rows for rows of at most
//! 64 features; for wider rows, where the transposes cost more than they save, four rows at a
//! time against a group of classes, one accumulator per (row, class) along the features, so each
//! loaded slice of a row serves every class of the group and each slice of a class's
//! coefficients every row. either way a row's
//! logit depends only on the row and the coefficients (a short last group of rows repeats its
//! final row). `G`: a slice of the features of a group of
//! classes stays in registers while every row of the tile is added to it, in row order, so the
//! result depends on the tile alone, never on the thread count.

use crate::view::DenseRows;

/// `Z ← X·W + 1·bᵀ` for the rows of `x`: `coefs` in class blocks `[b_c, w_c…]`, `z` column-major
/// `rows × classes`.
pub fn class_logits(x: &DenseRows<'_>, coefs: &[f64], z: &mut [f64]) {
    let (m, d) = (x.n_rows(), x.n_cols());
    assert!(coefs.len().is_multiple_of(d + 1) && z.len() >= m * (coefs.len() / (d + 1)), "class blocks and tile");
    if m == 0 {
        return;
    }
    match crate::simd::level() {
        // SAFETY: `level` checked the cpu has avx-512f (and the shapes are checked above)
        #[cfg(target_arch = "x86_64")]
        crate::simd::Level::Avx512 => unsafe { avx512::class_logits(x, coefs, z) },
        // SAFETY: `level` checked the cpu has avx2 and fma
        #[cfg(target_arch = "x86_64")]
        crate::simd::Level::Avx2 => unsafe { avx2::class_logits(x, coefs, z) },
        _ => {
            for (block, zc) in coefs.chunks_exact(d + 1).zip(z.chunks_exact_mut(m)) {
                crate::row_kernels::linear_predictor(x, &block[1..], block[0], zc);
            }
        }
    }
}

/// `G ← G + Xᵀ·R` for the rows of `x`: `r` column-major `rows × classes`, `g` in class blocks of
/// `d + 1` whose first (intercept) entries are left untouched.
pub fn add_xt_times_classes(x: &DenseRows<'_>, r: &[f64], g: &mut [f64]) {
    add_xt_times_classes_ahead(x, r, g, &[])
}

/// [`add_xt_times_classes`], asking meanwhile for `ahead` (the features the caller reads next)
/// to be brought into cache.
pub fn add_xt_times_classes_ahead(x: &DenseRows<'_>, r: &[f64], g: &mut [f64], ahead: &[f64]) {
    let (m, d) = (x.n_rows(), x.n_cols());
    assert!(g.len().is_multiple_of(d + 1) && r.len() >= m * (g.len() / (d + 1)), "class blocks and tile");
    if m == 0 {
        return;
    }
    match crate::simd::level() {
        // SAFETY: `level` checked the cpu has avx-512f (and the shapes are checked above)
        #[cfg(target_arch = "x86_64")]
        crate::simd::Level::Avx512 => unsafe { avx512::add_xt_times_classes(x, r, g, ahead) },
        // SAFETY: `level` checked the cpu has avx2 and fma
        #[cfg(target_arch = "x86_64")]
        crate::simd::Level::Avx2 => unsafe { avx2::add_xt_times_classes(x, r, g, ahead) },
        _ => {
            for (block, rc) in g.chunks_exact_mut(d + 1).zip(r.chunks_exact(m)) {
                crate::row_kernels::add_xt_times(x, rc, &mut block[1..]);
            }
        }
    }
}

/// the kernels of one instruction set, written once over its vector helpers (`V`, `LANES`,
/// `zero`, `load`, `load_part`, `store`, `store_part`, `fmadd`, `splat`, `prefetch`, and for the
/// logits kernel chosen `transpose`, or `add`, `reduce` and `store_rows`, defined by the module
/// that invokes it): the logits kernels listed, `transposed(tc)` (`class_logits_transposed`, at
/// most `tc` ≤ 10 classes a group) and `by_feature(zc)` (`class_logits_by_feature`, `zc` ≤ 5);
/// `$gv` vectors of features × `$gc` classes held in registers by the gradient kernel.
#[cfg(target_arch = "x86_64")]
macro_rules! class_kernels {
    ($feature:literal, logits = [$($logits:ident($lw:literal)),+], gv = $gv:literal, gc = $gc:literal) => {
        /// rows ahead of the current group whose features the logits kernel prefetches.
        const PREFETCH_ROWS: usize = 2 * LANES;
        /// rows whose pointers are gathered at once by the gradient kernel.
        const CHUNK: usize = crate::backend::MAX_TILE_ROWS;

        /// every chunk of at most CHUNK rows of `x` (pointers to their features, and the index of
        /// its first row) with every group of at most `width` of `k` classes (its first class and
        /// size).
        #[inline(always)]
        fn chunks_and_groups(
            x: &DenseRows<'_>,
            k: usize,
            width: usize,
            mut each: impl FnMut(&[*const f64], usize, usize, usize),
        ) {
            let m = x.n_rows();
            let mut rows = [std::ptr::null::<f64>(); CHUNK];
            let mut start = 0;
            while start < m {
                let len = (m - start).min(CHUNK);
                for (i, p) in rows[..len].iter_mut().enumerate() {
                    *p = x.row(start + i).as_ptr();
                }
                let mut c0 = 0;
                while c0 < k {
                    let group = (k - c0).min(width);
                    each(&rows[..len], start, c0, group);
                    c0 += group;
                }
                start += len;
            }
        }

        $(class_kernels!(@logits $logits, $feature, $lw);)+

        /// rows of a tile (pointers to `d` features each), the coefficients, and where the
        /// tile's logits go in `z` (row `i` of class `c` at `c·z_stride + z_start + i`).
        struct Logits<'t> {
            rows: &'t [*const f64],
            d: usize,
            coefs: &'t [f64],
            z_stride: usize,
            z_start: usize,
        }

        impl Logits<'_> {
            /// the coefficients' start and the intercept of classes `c0..c0 + C`.
            #[inline(always)]
            fn class_blocks<const C: usize>(&self, c0: usize) -> ([*const f64; C], [f64; C]) {
                let q = self.d + 1;
                let mut w = [std::ptr::null::<f64>(); C];
                let mut b = [0.0; C];
                for c in 0..C {
                    let block = &self.coefs[(c0 + c) * q..(c0 + c + 1) * q];
                    b[c] = block[0];
                    w[c] = block[1..].as_ptr();
                }
                (w, b)
            }

            /// the features of rows `i0..i0 + R` and of the rows PREFETCH_ROWS further (the last
            /// row where these run out).
            #[inline(always)]
            fn row_pointers<const R: usize>(&self, i0: usize) -> ([*const f64; R], [*const f64; R]) {
                let last = self.rows.len() - 1;
                let mut xp = [std::ptr::null::<f64>(); R];
                let mut ahead = [std::ptr::null::<f64>(); R];
                for r in 0..R {
                    xp[r] = self.rows[(i0 + r).min(last)];
                    ahead[r] = self.rows[(i0 + PREFETCH_ROWS + r).min(last)];
                }
                (xp, ahead)
            }
        }

        /// see [`super::add_xt_times_classes`]; `r` and `g` of matching shapes.
        #[target_feature(enable = $feature)]
        pub(super) unsafe fn add_xt_times_classes(x: &DenseRows<'_>, r: &[f64], g: &mut [f64], ahead: &[f64]) {
            let (m, d) = (x.n_rows(), x.n_cols());
            let k = g.len() / (d + 1);
            // the cache lines of `ahead`, spread evenly over the rows the product visits
            let mut ahead = Ahead::of(ahead);
            let per_row = ahead.per_step(m * d.div_ceil($gv * LANES) * k.div_ceil($gc));
            chunks_and_groups(x, k, $gc, |rows, start, c0, group| {
                let mut tile = Tile { rows, r, r_stride: m, r_start: start, d, ahead: &mut ahead, per_row };
                // SAFETY: classes c0..c0 + group exist; the caller checked the shapes
                unsafe {
                    match group {
                        1 => tile.add::<1>(c0, g),
                        2 => tile.add::<2>(c0, g),
                        3 => tile.add::<3>(c0, g),
                        4 => tile.add::<4>(c0, g),
                        _ => tile.add::<5>(c0, g),
                    }
                }
            });
        }

        /// rows of a tile (pointers to `d` features each), their residual columns, and the lines to
        /// request meanwhile (`per_row` as each row is visited).
        struct Tile<'t, 'a> {
            rows: &'t [*const f64],
            r: &'t [f64],
            r_stride: usize,
            r_start: usize,
            d: usize,
            ahead: &'t mut Ahead<'a>,
            per_row: usize,
        }

        impl Tile<'_, '_> {
            /// `G ← G + Xᵀ·R` for classes `c0..c0 + C`, a slice of `$gv` vectors of features at a
            /// time.
            #[target_feature(enable = $feature)]
            unsafe fn add<const C: usize>(&mut self, c0: usize, g: &mut [f64]) {
                let q = self.d + 1;
                let mut gp = [std::ptr::null_mut::<f64>(); C];
                let mut rp = [std::ptr::null::<f64>(); C];
                for c in 0..C {
                    gp[c] = g[(c0 + c) * q + 1..(c0 + c + 1) * q].as_mut_ptr();
                    rp[c] = self.r[(c0 + c) * self.r_stride + self.r_start..].as_ptr();
                }
                let width = $gv * LANES;
                let mut j0 = 0;
                // SAFETY: the slices j0..j0 + width lie within the d features, the last one masked
                unsafe {
                    while j0 + width <= self.d {
                        self.slice::<C, $gv, false>(&rp, &gp, j0);
                        j0 += width;
                    }
                    // the last slice with as many vectors as its features need
                    match (self.d - j0).div_ceil(LANES) {
                        0 => {}
                        1 => self.slice::<C, 1, true>(&rp, &gp, j0),
                        2 => self.slice::<C, 2, true>(&rp, &gp, j0),
                        3 => self.slice::<C, 3, true>(&rp, &gp, j0),
                        _ => self.slice::<C, $gv, true>(&rp, &gp, j0),
                    }
                }
            }

            /// one slice of features `j0..j0 + VECS·LANES` (cut at `d` when `PART`).
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn slice<const C: usize, const VECS: usize, const PART: bool>(
                &mut self,
                rp: &[*const f64; C],
                gp: &[*mut f64; C],
                j0: usize,
            ) {
                let mut count = [LANES; VECS];
                if PART {
                    for (v, n) in count.iter_mut().enumerate() {
                        *n = (self.d - j0).saturating_sub(v * LANES).min(LANES);
                    }
                }
                let mut acc = [[zero(); C]; VECS];
                // SAFETY (every access): lanes j0 + v·LANES.. within d, masked to `count` when PART;
                // residual columns hold a value per row of the tile
                unsafe {
                    for v in 0..VECS {
                        for c in 0..C {
                            let p = gp[c].wrapping_add(j0 + v * LANES);
                            acc[v][c] = if PART { load_part(p, count[v]) } else { load(p) };
                        }
                    }
                    for (i, &row) in self.rows.iter().enumerate() {
                        self.ahead.request(self.per_row);
                        let mut xv = [zero(); VECS];
                        for v in 0..VECS {
                            let p = row.wrapping_add(j0 + v * LANES);
                            xv[v] = if PART { load_part(p, count[v]) } else { load(p) };
                        }
                        for c in 0..C {
                            let rc = splat(*rp[c].add(i));
                            for v in 0..VECS {
                                acc[v][c] = fmadd(xv[v], rc, acc[v][c]);
                            }
                        }
                    }
                    for v in 0..VECS {
                        for c in 0..C {
                            let p = gp[c].wrapping_add(j0 + v * LANES);
                            if PART { store_part(p, acc[v][c], count[v]) } else { store(p, acc[v][c]) }
                        }
                    }
                }
            }
        }
    };
    // logits by transposing the rows' features, groups of at most $tc classes as even as they come
    (@logits transposed, $feature:literal, $tc:literal) => {
        /// see [`super::class_logits`]; `coefs` and `z` of matching shapes.
        #[target_feature(enable = $feature)]
        pub(super) unsafe fn class_logits_transposed(x: &DenseRows<'_>, coefs: &[f64], z: &mut [f64]) {
            let (m, d) = (x.n_rows(), x.n_cols());
            let k = coefs.len() / (d + 1);
            let width = k.div_ceil(k.div_ceil($tc));
            chunks_and_groups(x, k, width, |rows, start, c0, group| {
                let tile = Logits { rows, d, coefs, z_stride: m, z_start: start };
                // SAFETY: classes c0..c0 + group exist; the caller checked the shapes
                unsafe {
                    match group {
                        1 => tile.group_t::<1>(c0, z),
                        2 => tile.group_t::<2>(c0, z),
                        3 => tile.group_t::<3>(c0, z),
                        4 => tile.group_t::<4>(c0, z),
                        5 => tile.group_t::<5>(c0, z),
                        6 => tile.group_t::<6>(c0, z),
                        7 => tile.group_t::<7>(c0, z),
                        8 => tile.group_t::<8>(c0, z),
                        9 => tile.group_t::<9>(c0, z),
                        _ => tile.group_t::<10>(c0, z),
                    }
                }
            });
        }

        impl Logits<'_> {
            /// the logits of classes `c0..c0 + C` for every row of the tile, LANES rows at a
            /// time: their features transposed in registers, LANES at a time, so each feature of
            /// the rows is one vector that meets each class's coefficient (one fma per class); a
            /// row's logit is its intercept plus its terms in feature order.
            #[target_feature(enable = $feature)]
            unsafe fn group_t<const C: usize>(&self, c0: usize, z: &mut [f64]) {
                let (m, d) = (self.rows.len(), self.d);
                let (w, b) = self.class_blocks::<C>(c0);
                let full = d / LANES * LANES;
                let mut i0 = 0;
                while i0 < m {
                    let (xp, ahead) = self.row_pointers::<LANES>(i0);
                    let mut acc = [zero(); C];
                    for c in 0..C {
                        acc[c] = splat(b[c]);
                    }
                    let mut j = 0;
                    // SAFETY (every load): j + LANES ≤ d, or the d − j left of a row / block of d
                    unsafe {
                        while j < full {
                            let mut v = [zero(); LANES];
                            for r in 0..LANES {
                                v[r] = load(xp[r].add(j));
                                // the first class group reads the rows from memory: ask for later rows now
                                if c0 == 0 {
                                    prefetch(ahead[r].add(j));
                                }
                            }
                            let t = transpose(v);
                            for f in 0..LANES {
                                for c in 0..C {
                                    acc[c] = fmadd(t[f], splat(*w[c].add(j + f)), acc[c]);
                                }
                            }
                            j += LANES;
                        }
                        if j < d {
                            let left = d - j;
                            let mut v = [zero(); LANES];
                            for r in 0..LANES {
                                v[r] = load_part(xp[r].add(j), left);
                            }
                            let t = transpose(v);
                            for f in 0..LANES {
                                if f < left {
                                    for c in 0..C {
                                        acc[c] = fmadd(t[f], splat(*w[c].add(j + f)), acc[c]);
                                    }
                                }
                            }
                        }
                    }
                    let rows = (m - i0).min(LANES);
                    for c in 0..C {
                        let at = (c0 + c) * self.z_stride + self.z_start + i0;
                        // SAFETY: rows i0..i0 + rows of class c0 + c lie within z
                        unsafe {
                            if rows == LANES {
                                store(z[at..at + LANES].as_mut_ptr(), acc[c]);
                            } else {
                                store_part(z[at..at + rows].as_mut_ptr(), acc[c], rows);
                            }
                        }
                    }
                    i0 += LANES;
                }
            }
        }
    };
    // logits by row-by-feature products, ROWS rows × at most $zc (≤ 5) classes at a time
    (@logits by_feature, $feature:literal, $zc:literal) => {
        /// rows per group of the logits kernel.
        const ROWS: usize = 4;

        /// see [`super::class_logits`]; `coefs` and `z` of matching shapes.
        #[target_feature(enable = $feature)]
        pub(super) unsafe fn class_logits_by_feature(x: &DenseRows<'_>, coefs: &[f64], z: &mut [f64]) {
            let (m, d) = (x.n_rows(), x.n_cols());
            let k = coefs.len() / (d + 1);
            chunks_and_groups(x, k, $zc, |rows, start, c0, group| {
                let tile = Logits { rows, d, coefs, z_stride: m, z_start: start };
                // SAFETY: classes c0..c0 + group exist; the caller checked the shapes
                unsafe {
                    match group {
                        1 => tile.group::<1>(c0, z),
                        2 => tile.group::<2>(c0, z),
                        3 => tile.group::<3>(c0, z),
                        4 => tile.group::<4>(c0, z),
                        _ => tile.group::<5>(c0, z),
                    }
                }
            });
        }

        impl Logits<'_> {
            /// the logits of classes `c0..c0 + C` for every row of the tile.
            #[target_feature(enable = $feature)]
            unsafe fn group<const C: usize>(&self, c0: usize, z: &mut [f64]) {
                let (m, d) = (self.rows.len(), self.d);
                let (w, b) = self.class_blocks::<C>(c0);
                // the intercepts in the order of the reduced sums below (at most 5 classes × ROWS
                // rows, LANES ≥ ROWS at a time)
                let mut bias = [zero(); 5];
                for (k, v) in bias.iter_mut().enumerate().take((C * ROWS).div_ceil(LANES)) {
                    let mut lanes = [0.0; LANES];
                    for (s, l) in lanes.iter_mut().enumerate() {
                        *l = b.get((k * LANES + s) / ROWS).copied().unwrap_or(0.0);
                    }
                    // SAFETY: `lanes` holds LANES values
                    *v = unsafe { load(lanes.as_ptr()) };
                }
                let full = d / LANES * LANES;
                let mut i0 = 0;
                while i0 < m {
                    let (xp, ahead) = self.row_pointers::<ROWS>(i0);
                    let mut acc = [[zero(); C]; ROWS];
                    let mut j = 0;
                    // SAFETY (every load): j + LANES ≤ d, or the d − j left of a row / block of d
                    unsafe {
                        while j < full {
                            let mut xv = [zero(); ROWS];
                            for r in 0..ROWS {
                                xv[r] = load(xp[r].add(j));
                                // the first class group reads the rows from memory: ask for later rows now
                                if c0 == 0 {
                                    prefetch(ahead[r].add(j));
                                }
                            }
                            for c in 0..C {
                                let wv = load(w[c].add(j));
                                for r in 0..ROWS {
                                    acc[r][c] = fmadd(xv[r], wv, acc[r][c]);
                                }
                            }
                            j += LANES;
                        }
                        if j < d {
                            let left = d - j;
                            let mut xv = [zero(); ROWS];
                            for r in 0..ROWS {
                                xv[r] = load_part(xp[r].add(j), left);
                            }
                            for c in 0..C {
                                let wv = load_part(w[c].add(j), left);
                                for r in 0..ROWS {
                                    acc[r][c] = fmadd(xv[r], wv, acc[r][c]);
                                }
                            }
                        }
                    }
                    // the accumulators class by class, row by row, LANES at a time: one vector of
                    // their sums each (LANES / ROWS classes × ROWS rows), plus the intercepts
                    let full_rows = m - i0 >= ROWS;
                    for k in 0..(C * ROWS).div_ceil(LANES) {
                        let mut part = [zero(); LANES];
                        for (s, p) in part.iter_mut().enumerate() {
                            let (c, r) = ((k * LANES + s) / ROWS, (k * LANES + s) % ROWS);
                            if c < C {
                                *p = acc[r][c];
                            }
                        }
                        let sums = add(reduce(part), bias[k]);
                        for q in 0..LANES / ROWS {
                            let c = (k * LANES) / ROWS + q;
                            if c >= C {
                                break;
                            }
                            let at = (c0 + c) * self.z_stride + self.z_start + i0;
                            if full_rows {
                                // SAFETY: rows i0..i0 + ROWS of class c0 + c lie within z
                                unsafe { store_rows(z[at..at + ROWS].as_mut_ptr(), sums, q) };
                            } else {
                                let mut tmp = [0.0; ROWS];
                                // SAFETY: `tmp` holds ROWS values
                                unsafe { store_rows(tmp.as_mut_ptr(), sums, q) };
                                z[at..at + m - i0].copy_from_slice(&tmp[..m - i0]);
                            }
                        }
                    }
                    i0 += ROWS;
                }
            }
        }
    };
}

/// avx-512: 8 lanes, 32 registers — logits transposed, 8 rows × up to 10 classes (10
/// accumulators, 8 transposed features), gradient 4 vectors × 5 classes (20). measured in cache
/// (2026-11-23, AMD EPYC): 4.6 ns a row at 20 features × 5 classes and 23.5 ns at 100 × 10,
/// against 5.3 and 27.8 ns for 4 rows × 5 classes row by feature.
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512 {
    use std::arch::x86_64::*;

    use crate::ahead::Ahead;
    use crate::view::DenseRows;

    type V = __m512d;
    const LANES: usize = 8;

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn zero() -> V {
        _mm512_setzero_pd()
    }

    /// SAFETY: `p..p + 8` readable.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load(p: *const f64) -> V {
        unsafe { _mm512_loadu_pd(p) }
    }

    /// the first `n ≤ 8` lanes from `p` (the rest 0). SAFETY: `p..p + n` readable.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load_part(p: *const f64, n: usize) -> V {
        unsafe { _mm512_maskz_loadu_pd(((1u16 << n) - 1) as u8, p) }
    }

    /// SAFETY: `p..p + 8` writable.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn store(p: *mut f64, v: V) {
        unsafe { _mm512_storeu_pd(p, v) }
    }

    /// the first `n ≤ 8` lanes to `p`. SAFETY: `p..p + n` writable.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn store_part(p: *mut f64, v: V, n: usize) {
        unsafe { _mm512_mask_storeu_pd(p, ((1u16 << n) - 1) as u8, v) }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn fmadd(a: V, b: V, c: V) -> V {
        _mm512_fmadd_pd(a, b, c)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn splat(v: f64) -> V {
        _mm512_set1_pd(v)
    }

    /// the 8 × 8 block whose rows are `r` by columns: lane `i` of vector `f` is lane `f` of `r[i]`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn transpose(r: [V; 8]) -> [V; 8] {
        // neighbouring rows interleaved: pairs of their even lanes, and of their odd ones
        let (t0, t1) = (_mm512_unpacklo_pd(r[0], r[1]), _mm512_unpackhi_pd(r[0], r[1]));
        let (t2, t3) = (_mm512_unpacklo_pd(r[2], r[3]), _mm512_unpackhi_pd(r[2], r[3]));
        let (t4, t5) = (_mm512_unpacklo_pd(r[4], r[5]), _mm512_unpackhi_pd(r[4], r[5]));
        let (t6, t7) = (_mm512_unpacklo_pd(r[6], r[7]), _mm512_unpackhi_pd(r[6], r[7]));
        // even 128-bit lanes of two vectors, and odd ones
        let even = |x: V, y: V| _mm512_shuffle_f64x2::<0b10_00_10_00>(x, y);
        let odd = |x: V, y: V| _mm512_shuffle_f64x2::<0b11_01_11_01>(x, y);
        let (u0, u1, u2, u3) = (even(t0, t2), odd(t0, t2), even(t1, t3), odd(t1, t3));
        let (u4, u5, u6, u7) = (even(t4, t6), odd(t4, t6), even(t5, t7), odd(t5, t7));
        [even(u0, u4), even(u2, u6), even(u1, u5), even(u3, u7), odd(u0, u4), odd(u2, u6), odd(u1, u5), odd(u3, u7)]
    }

    /// a hint to bring `p`'s cache line into l1.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn prefetch(p: *const f64) {
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }

    class_kernels!("avx512f,avx512dq,avx512vl,avx2,fma", logits = [transposed(10)], gv = 4, gc = 5);

    pub(super) use class_logits_transposed as class_logits;
}

/// avx2: 4 lanes, 16 registers — logits transposed, 4 rows × up to 8 classes, for rows of at most
/// [`avx2::TRANSPOSED_WIDEST`] features, else 4 rows × 2 classes (8 accumulators) row by feature;
/// gradient 2 vectors × 5 classes (10).
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use crate::ahead::Ahead;
    use crate::view::DenseRows;

    type V = __m256d;
    const LANES: usize = 4;

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn zero() -> V {
        _mm256_setzero_pd()
    }

    /// SAFETY: `p..p + 4` readable.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn load(p: *const f64) -> V {
        unsafe { _mm256_loadu_pd(p) }
    }

    /// lanes `< n` all ones.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn mask(n: usize) -> __m256i {
        let lane = |k: usize| if k < n { -1i64 } else { 0 };
        _mm256_setr_epi64x(lane(0), lane(1), lane(2), lane(3))
    }

    /// the first `n ≤ 4` lanes from `p` (the rest 0). SAFETY: `p..p + n` readable.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn load_part(p: *const f64, n: usize) -> V {
        unsafe { _mm256_maskload_pd(p, mask(n)) }
    }

    /// SAFETY: `p..p + 4` writable.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn store(p: *mut f64, v: V) {
        unsafe { _mm256_storeu_pd(p, v) }
    }

    /// the first `n ≤ 4` lanes to `p`. SAFETY: `p..p + n` writable.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn store_part(p: *mut f64, v: V, n: usize) {
        unsafe { _mm256_maskstore_pd(p, mask(n), v) }
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn fmadd(a: V, b: V, c: V) -> V {
        _mm256_fmadd_pd(a, b, c)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn splat(v: f64) -> V {
        _mm256_set1_pd(v)
    }

    /// a hint to bring `p`'s cache line into l1.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn prefetch(p: *const f64) {
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn add(a: V, b: V) -> V {
        _mm256_add_pd(a, b)
    }

    /// the sums of four vectors' lanes, in their order; each summed as `(l0 + l1) + (l2 + l3)`
    /// wherever it stands.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn reduce(a: [V; 4]) -> V {
        // neighbouring lanes, two vectors interleaved in each 128-bit lane
        let pairs = |x: V, y: V| _mm256_add_pd(_mm256_unpacklo_pd(x, y), _mm256_unpackhi_pd(x, y));
        let (b0, b1) = (pairs(a[0], a[1]), pairs(a[2], a[3]));
        _mm256_add_pd(_mm256_permute2f128_pd::<0x20>(b0, b1), _mm256_permute2f128_pd::<0x31>(b0, b1))
    }

    /// the four lanes of `v` to `p` (`q` is 0: a vector holds one class's four rows). SAFETY:
    /// `p..p + 4` writable.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn store_rows(p: *mut f64, v: V, q: usize) {
        debug_assert_eq!(q, 0);
        unsafe { _mm256_storeu_pd(p, v) }
    }

    /// the 4 × 4 block whose rows are `r` by columns: lane `i` of vector `f` is lane `f` of `r[i]`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn transpose(r: [V; 4]) -> [V; 4] {
        // neighbouring rows interleaved: pairs of their even lanes, and of their odd ones
        let (t0, t1) = (_mm256_unpacklo_pd(r[0], r[1]), _mm256_unpackhi_pd(r[0], r[1]));
        let (t2, t3) = (_mm256_unpacklo_pd(r[2], r[3]), _mm256_unpackhi_pd(r[2], r[3]));
        // low 128-bit halves of two vectors, and high ones
        let low = |x: V, y: V| _mm256_permute2f128_pd::<0x20>(x, y);
        let high = |x: V, y: V| _mm256_permute2f128_pd::<0x31>(x, y);
        [low(t0, t2), low(t1, t3), high(t0, t2), high(t1, t3)]
    }

    class_kernels!("avx2,fma", logits = [transposed(8), by_feature(2)], gv = 2, gc = 5);

    /// the widest row for which the transposed logits kernel runs: wider rows go feature by
    /// feature. measured in cache on the AMD EPYC (Zen 3, 2026-11-25, one 256-row tile),
    /// transposed against by feature: 8.6 / 10.1 ns a row at 20 features × 5 classes, 18.7 /
    /// 20.6 at 50 × 5, 41.5 / 41.3 at 100 × 5, 71 / 68 at 100 × 10.
    pub(super) const TRANSPOSED_WIDEST: usize = 64;

    /// see [`super::class_logits`]; `coefs` and `z` of matching shapes.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn class_logits(x: &DenseRows<'_>, coefs: &[f64], z: &mut [f64]) {
        // SAFETY: the caller's
        unsafe {
            if x.n_cols() <= TRANSPOSED_WIDEST {
                class_logits_transposed(x, coefs, z)
            } else {
                class_logits_by_feature(x, coefs, z)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::view::{MatrixRef, Selection};

    type Logits = unsafe fn(&DenseRows<'_>, &[f64], &mut [f64]);
    type Grad = unsafe fn(&DenseRows<'_>, &[f64], &mut [f64], &[f64]);

    /// a kernel pair against scalar sums, for widths 1–40 and 100 (every remainder of the
    /// vector loops), 1–13 classes (every group size), row counts 1–9 and 300 (short last groups,
    /// more rows than a chunk) and scattered rows: to 1e-14·Σ|terms| (fma and order differ); the
    /// gradient kernel prefetching a slice meanwhile (which must change nothing).
    fn check(logits: Logits, grad: Grad, seed: u64) {
        let mut rng = Rng::new(seed);
        for d in (1..=40).chain([100]) {
            for k in [1, 2, 3, 5, 7, 10, 13] {
                for m in [1, 2, 3, 4, 5, 9, 300] {
                    let data: Vec<f64> = (0..m * d).map(|_| rng.normal()).collect();
                    let coefs: Vec<f64> = (0..k * (d + 1)).map(|_| rng.normal()).collect();
                    let r: Vec<f64> = (0..m * k).map(|_| rng.normal()).collect();
                    let x = MatrixRef::new(&data, m, d).unwrap();
                    let order: Vec<usize> = (0..m).rev().collect();
                    for rows in [DenseRows::all(x), DenseRows::new(x, Selection::Indices(&order))] {
                        let mut z = vec![f64::NAN; m * k];
                        // SAFETY: the callers checked the cpu features of the kernels
                        unsafe { logits(&rows, &coefs, &mut z) };
                        for c in 0..k {
                            let (b, w) = (coefs[c * (d + 1)], &coefs[c * (d + 1) + 1..(c + 1) * (d + 1)]);
                            for i in 0..m {
                                let row = rows.row(i);
                                let exact = b + row.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
                                let scale = b.abs() + row.iter().zip(w).map(|(a, b)| (a * b).abs()).sum::<f64>();
                                let got = z[c * m + i];
                                assert!((got - exact).abs() <= 1e-14 * scale, "logits d={d} k={k} m={m} c={c} i={i}");
                            }
                        }
                        let mut g = coefs.clone();
                        // SAFETY: as above
                        unsafe { grad(&rows, &r, &mut g, &data[m * d / 2..]) };
                        for c in 0..k {
                            let q = c * (d + 1);
                            assert_eq!(g[q].to_bits(), coefs[q].to_bits(), "intercept entries untouched");
                            for j in 0..d {
                                let terms = (0..m).map(|i| r[c * m + i] * rows.row(i)[j]);
                                let exact = coefs[q + 1 + j] + terms.clone().sum::<f64>();
                                let scale = coefs[q + 1 + j].abs() + terms.map(f64::abs).sum::<f64>();
                                let got = g[q + 1 + j];
                                assert!((got - exact).abs() <= 1e-14 * scale, "grad d={d} k={k} m={m} c={c} j={j}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn dispatched_kernels_match_scalar_sums() {
        check(class_logits, add_xt_times_classes_ahead, 11);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_kernels_match_scalar_sums() {
        if !crate::simd::cpu_offers(crate::simd::Level::Avx2) {
            eprintln!("skipped: this cpu has no avx2 + fma");
            return;
        }
        check(avx2::class_logits, avx2::add_xt_times_classes, 12);
        check(avx2::class_logits_transposed, avx2::add_xt_times_classes, 14);
        check(avx2::class_logits_by_feature, avx2::add_xt_times_classes, 15);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx512_kernels_match_scalar_sums() {
        if !crate::simd::cpu_offers(crate::simd::Level::Avx512) {
            eprintln!("skipped: this cpu has no avx-512");
            return;
        }
        check(avx512::class_logits, avx512::add_xt_times_classes, 13);
    }
}
