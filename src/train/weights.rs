//! The weight matrices shared by Hogwild threads.
//!
//! Rows are padded to a multiple of 16 floats and the allocation is 64-byte
//! aligned, so every row starts on a cache line and a row never shares a
//! line with another (no false sharing between threads updating neighbours).
//!
//! Hogwild (Recht et al. 2011) lets threads update shared rows without locks:
//! two threads touching the same row at once lose or mix an update, which
//! stochastic gradient descent tolerates. word2vec.c, gensim and fastText
//! all train this way. In Rust's memory model such concurrent plain accesses
//! are a data race; this module confines them: rows are handed out only
//! through the `unsafe` [`SharedMatrix::row`], whose callers are the training
//! workers, and the matrix is read as a whole only after every worker joined.

#![allow(unsafe_code, reason = "Hogwild: lock-free shared weight rows")]

use std::alloc::{Layout, alloc_zeroed, dealloc};

/// A `rows x dim` f32 matrix with 64-byte-aligned, padded rows.
pub struct SharedMatrix {
    ptr: *mut f32,
    rows: usize,
    dim: usize,
    stride: usize,
    layout: Layout,
}

// SAFETY: the matrix owns its allocation; concurrent row access is the
// documented Hogwild contract of `row` (see the module docs).
unsafe impl Send for SharedMatrix {}
// SAFETY: as above; `&SharedMatrix` only hands out rows through `unsafe fn row`.
unsafe impl Sync for SharedMatrix {}

impl SharedMatrix {
    /// A zeroed matrix. Returns `None` if the size overflows or allocation fails.
    pub fn zeros(rows: usize, dim: usize) -> Option<SharedMatrix> {
        let stride = dim.div_ceil(16).checked_mul(16)?;
        let len = rows.checked_mul(stride)?.max(16);
        let layout = Layout::from_size_align(len.checked_mul(4)?, 64).ok()?;
        // SAFETY: `layout` has non-zero size (at least 64 bytes).
        let ptr = unsafe { alloc_zeroed(layout) } as *mut f32;
        if ptr.is_null() {
            return None;
        }
        Some(SharedMatrix {
            ptr,
            rows,
            dim,
            stride,
            layout,
        })
    }

    /// Floats a row holds (its padding aside).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Floats of the matrix without its padding (`rows x dim`).
    pub fn dense_len(&self) -> usize {
        self.rows * self.dim
    }

    /// Floats between row starts (`dim` rounded up to a multiple of 16).
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Row `i` (its first `dim` floats), mutable.
    ///
    /// # Safety
    /// `i < rows`. Other threads may hold the same row at the same time
    /// (Hogwild, see the module docs); within one thread, the caller must not
    /// hold two overlapping borrows of the same row.
    #[inline(always)]
    #[allow(
        clippy::mut_from_ref,
        reason = "Hogwild rows are shared mutable by design"
    )]
    pub unsafe fn row(&self, i: usize) -> &mut [f32] {
        debug_assert!(i < self.rows);
        // SAFETY: `i < rows`, so `[i * stride, i * stride + dim)` is inside the
        // allocation; aliasing is the caller's contract.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(i * self.stride), self.dim) }
    }

    /// Ask the CPU to start loading row `i` into cache (a hint; `i` is not
    /// dereferenced, so any value is harmless).
    #[inline(always)]
    pub fn prefetch(&self, i: usize) {
        crate::simd::prefetch(self.ptr.wrapping_add(i * self.stride), self.dim * 4);
    }

    /// Exclusive access to the whole padded buffer (no worker running).
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        // SAFETY: `&mut self` excludes every other access; the allocation holds
        // `rows * stride` initialised (zeroed) floats.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.rows * self.stride) }
    }

    /// Copy the rows, densely (`rows x dim`), into `out`.
    ///
    /// # Safety
    /// `out.len() == rows * dim`. No other thread writes rows during the
    /// copy, or the caller accepts Hogwild values (a row being updated may be
    /// read half old, half new), as the training workers do.
    pub unsafe fn copy_dense_into(&self, out: &mut [f32]) {
        assert_eq!(out.len(), self.rows * self.dim, "copy_dense_into: length");
        for (i, dst) in out.chunks_exact_mut(self.dim).enumerate() {
            // SAFETY: `i < rows`; concurrent writers are the caller's contract.
            let src =
                unsafe { std::slice::from_raw_parts(self.ptr.add(i * self.stride), self.dim) };
            dst.copy_from_slice(src);
        }
    }

    /// Set the rows from a dense `rows x dim` slice (no worker running).
    pub fn copy_from_dense(&mut self, src: &[f32]) {
        let (dim, stride) = (self.dim, self.stride);
        assert_eq!(src.len(), self.rows * dim, "copy_from_dense: length");
        for (row, s) in self
            .as_mut_slice()
            .chunks_exact_mut(stride)
            .zip(src.chunks_exact(dim))
        {
            row[..dim].copy_from_slice(s);
        }
    }

    /// Copy into a dense `rows x dim` vector (no worker running).
    pub fn dense_copy(&mut self) -> Vec<f32> {
        let (dim, stride) = (self.dim, self.stride);
        let mut out = Vec::with_capacity(self.rows * dim);
        for row in self.as_mut_slice().chunks_exact(stride) {
            out.extend_from_slice(&row[..dim]);
        }
        out
    }
}

impl Drop for SharedMatrix {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `alloc_zeroed(self.layout)` and is freed once.
        unsafe { dealloc(self.ptr as *mut u8, self.layout) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The unsafe parts (the allocation, rows handed out by pointer, the
    // dense copy, the free) run under Miri in CI: `scripts/miri.sh`.
    #[test]
    fn rows_are_padded_aligned_and_copied_densely() {
        for (rows, dim) in [(3, 5), (2, 16), (4, 17), (1, 1), (0, 3)] {
            let mut m = SharedMatrix::zeros(rows, dim).expect("a small matrix");
            assert_eq!(m.stride(), dim.div_ceil(16) * 16);
            assert_eq!(m.as_mut_slice().len(), rows * m.stride());
            for i in 0..rows {
                // SAFETY: `i < rows`, one borrow at a time, one thread.
                let row = unsafe { m.row(i) };
                assert_eq!(row.len(), dim);
                assert_eq!(row.as_ptr() as usize % 64, 0, "row {i} not on a cache line");
                assert!(row.iter().all(|&x| x == 0.0));
                for (j, x) in row.iter_mut().enumerate() {
                    *x = (i * 100 + j) as f32;
                }
            }
            let want: Vec<f32> = (0..rows)
                .flat_map(|i| (0..dim).map(move |j| (i * 100 + j) as f32))
                .collect();
            let mut out = vec![f32::NAN; rows * dim];
            // SAFETY: the right length, no other thread.
            unsafe { m.copy_dense_into(&mut out) };
            assert_eq!(out, want);
            assert_eq!(m.dense_copy(), want);
            // The padding stays zero.
            let stride = m.stride();
            for row in m.as_mut_slice().chunks_exact(stride) {
                assert!(row[dim..].iter().all(|&x| x == 0.0));
            }
        }
        assert!(SharedMatrix::zeros(usize::MAX / 8, 16).is_none());
        assert!(SharedMatrix::zeros(2, usize::MAX - 8).is_none());
    }

    #[test]
    fn threads_update_their_own_rows_of_one_matrix() {
        let (rows, dim, threads) = (8, 5, 4);
        let mut m = SharedMatrix::zeros(rows, dim).expect("a small matrix");
        std::thread::scope(|s| {
            for t in 0..threads {
                let m = &m;
                s.spawn(move || {
                    for i in (t..rows).step_by(threads) {
                        for _ in 0..3 {
                            // SAFETY: `i < rows`; each row belongs to one thread.
                            let row = unsafe { m.row(i) };
                            for x in row.iter_mut() {
                                *x += (i + 1) as f32;
                            }
                        }
                    }
                });
            }
        });
        let dense = m.dense_copy();
        for (i, row) in dense.chunks_exact(dim).enumerate() {
            assert!(
                row.iter().all(|&x| x == 3.0 * (i + 1) as f32),
                "row {i}: {row:?}"
            );
        }
    }
}
