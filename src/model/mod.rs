//! Word vectors and everything done with them once trained: the
//! [`Embeddings`] type (in memory, or mapped from a native file), loading and
//! saving (`io`), queries ([`query`]) over the 8-bit scan copy ([`scan`]),
//! and the standard evaluations ([`eval`]).
//!
//! This is the one layer that turns files ([`crate::format`]) into models
//! and back. It knows nothing of training: a trainer hands it words,
//! counts and rows ([`Embeddings::new`]).

pub mod eval;
pub mod index;
mod io;
pub mod query;
pub mod scan;
mod search;
mod words;

use crate::error::{Error, ErrorKind, Result};
use crate::format::MAX_DIM;
use crate::format::native::{IndexParts, NativeFile, ScanParts};
use crate::simd::Kernels;
use index::{DEFAULT_EF, Index, IndexParams};
use scan::ScanCopy;
use std::sync::{Arc, OnceLock};
use words::WordTable;

/// Word vectors: words with their corpus counts, a `len x dim` row-major
/// matrix, and each row's norm.
///
/// Either owned (trained, or read from a word2vec file) or mapped from a
/// native file ([`Embeddings::open`]), which costs constant time and shares
/// pages between processes. Both behave the same. Queries run on the
/// kernels given by [`with_kernels`](Embeddings::with_kernels), by default
/// [`Kernels::best`]: the caller (the CLI, the C ABI, a Rust program)
/// chooses the SIMD level, the library never reads the environment. A model is immutable and
/// `Sync`: any number of threads may query one at once. Clones of a mapped
/// model share the mapping.
#[derive(Debug, Clone)]
pub struct Embeddings {
    backing: Backing,
    dim: usize,
    /// Row norms computed on first use when the backing has none.
    norms: Arc<OnceLock<Vec<f32>>>,
    /// The scan copy built on first use when the backing has none.
    scan: Arc<OnceLock<Option<ScanCopy>>>,
    /// An index built in memory (it takes the place of a mapped file's).
    index: Option<Arc<Index>>,
    search: Search,
    kernels: Kernels,
}

/// How neighbour queries search ([`Embeddings::with_ef`],
/// [`Embeddings::with_exact`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Search {
    /// The index's search breadth: the candidates found and scored exactly
    /// (at least `k` plus the excluded words are).
    pub ef: usize,
    /// Scan every row even when there is an index.
    pub exact: bool,
}

impl Default for Search {
    fn default() -> Search {
        Search {
            ef: DEFAULT_EF,
            exact: false,
        }
    }
}

#[derive(Debug, Clone)]
enum Backing {
    Owned { words: WordTable, data: Vec<f32> },
    Mapped(Arc<NativeFile>),
}

impl Embeddings {
    /// Word vectors from `words` (index order; no duplicates) with one
    /// corpus count each and a dense `words.len() x dim` matrix.
    pub fn new(
        words: Vec<Box<str>>,
        counts: Vec<u64>,
        dim: usize,
        data: Vec<f32>,
    ) -> Result<Embeddings> {
        if dim == 0 || dim > MAX_DIM {
            return Err(Error::invalid(format!(
                "dimension must be between 1 and {MAX_DIM}, got {dim}"
            )));
        }
        if words.len().checked_mul(dim) != Some(data.len()) {
            return Err(Error::invalid(format!(
                "matrix has {} floats, expected {} words x {dim}",
                data.len(),
                words.len()
            )));
        }
        let words = WordTable::new(words, counts)?;
        Ok(Embeddings::with_backing(
            Backing::Owned { words, data },
            dim,
        ))
    }

    fn with_backing(backing: Backing, dim: usize) -> Embeddings {
        Embeddings {
            backing,
            dim,
            norms: Arc::default(),
            scan: Arc::default(),
            index: None,
            search: Search::default(),
            kernels: Kernels::best(),
        }
    }

    /// The same vectors; neighbour queries through the index search `ef`
    /// candidates (more: higher recall, slower; [`index::DEFAULT_EF`] unless
    /// set). Queries without an index ignore it.
    pub fn with_ef(mut self, ef: usize) -> Embeddings {
        self.search.ef = ef.max(1);
        self
    }

    /// The same vectors; with `exact`, neighbour queries scan every row even
    /// when the model has an index.
    pub fn with_exact(mut self, exact: bool) -> Embeddings {
        self.search.exact = exact;
        self
    }

    /// How neighbour queries search.
    pub fn search(&self) -> Search {
        self.search
    }

    /// The approximate neighbour index ([`index`]): one built in memory by
    /// [`build_index`](Embeddings::build_index), else the mapped file's.
    pub fn neighbour_index(&self) -> Option<IndexParts<'_>> {
        match (&self.index, &self.backing) {
            (Some(ix), _) => Some(ix.parts()),
            (None, Backing::Mapped(m)) => m.index(),
            (None, Backing::Owned { .. }) => None,
        }
    }

    /// Build the approximate neighbour index over every row (on
    /// `params.threads` threads) and keep it with the vectors: queries use
    /// it, and [`save`](Embeddings::save) as native stores it.
    pub fn build_index(&mut self, params: &IndexParams) -> Result<()> {
        let ix = index::build(self.matrix(), self.dim, self.norms(), &self.kernels, params)?;
        self.index = Some(Arc::new(ix));
        Ok(())
    }

    /// The same vectors, queried with kernels `k`.
    pub fn with_kernels(mut self, k: Kernels) -> Embeddings {
        self.kernels = k;
        self
    }

    /// The kernels queries use.
    pub fn kernels(&self) -> &Kernels {
        &self.kernels
    }

    /// Whether the vectors are mapped from a native file.
    pub fn is_mapped(&self) -> bool {
        matches!(self.backing, Backing::Mapped(_))
    }

    /// The mapped file, for a model from [`Embeddings::open`].
    pub fn mapped(&self) -> Option<&NativeFile> {
        match &self.backing {
            Backing::Mapped(m) => Some(m),
            Backing::Owned { .. } => None,
        }
    }

    /// Vector length.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        match &self.backing {
            Backing::Owned { words, .. } => words.len(),
            Backing::Mapped(m) => m.len(),
        }
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row-major `len x dim` matrix.
    pub fn matrix(&self) -> &[f32] {
        match &self.backing {
            Backing::Owned { data, .. } => data,
            Backing::Mapped(m) => m.matrix(),
        }
    }

    /// The vector of word `i`. Panics if `i >= len()`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.matrix()[i * self.dim..(i + 1) * self.dim]
    }

    /// Word `i`; `None` if `i` is out of range (or, in a mapped file that was
    /// not [verified](NativeFile::verify), if its entry is corrupt).
    pub fn word(&self, i: usize) -> Option<&str> {
        match &self.backing {
            Backing::Owned { words, .. } => words.word(i),
            Backing::Mapped(m) => m.word(i),
        }
    }

    /// The corpus count of word `i` (word2vec files carry none: their words
    /// get `len - i`, which keeps the file's order).
    pub fn count(&self, i: usize) -> Option<u64> {
        match &self.backing {
            Backing::Owned { words, .. } => words.count(i),
            Backing::Mapped(m) => m.count(i),
        }
    }

    /// The index of `word`.
    pub fn index(&self, word: &str) -> Option<usize> {
        match &self.backing {
            Backing::Owned { words, .. } => words.get(word.as_bytes()),
            Backing::Mapped(m) => m.index_of(word.as_bytes()),
        }
    }

    /// The index of `word`, or an error naming it.
    pub fn index_or_err(&self, word: &str) -> Result<usize> {
        self.index(word).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("`{word}` is not in the vocabulary"),
            )
        })
    }

    /// The vector of `word`, if known: its stored row, borrowed.
    pub fn vector(&self, word: &str) -> Option<&[f32]> {
        self.index(word).map(|i| self.row(i))
    }

    /// Write the vector of `word` into `out` (`dim` floats); `false`, with
    /// `out` unchanged, when the model has no vector for it. Today that is
    /// the word's stored row; a model that computes vectors (from subword
    /// rows) writes the computed one here, where [`Embeddings::vector`] can
    /// only borrow what is stored. An `out` of another length is an error.
    /// Allocates nothing.
    pub fn vector_into(&self, word: &str, out: &mut [f32]) -> Result<bool> {
        if out.len() != self.dim {
            return Err(Error::invalid(format!(
                "the buffer holds {} floats; the vectors have {}",
                out.len(),
                self.dim
            )));
        }
        match self.index(word) {
            Some(i) => {
                out.copy_from_slice(self.row(i));
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Each row's Euclidean norm: stored in native files, computed once
    /// otherwise (on first use, `O(len x dim)`).
    pub fn norms(&self) -> &[f32] {
        if let Backing::Mapped(m) = &self.backing
            && let Some(n) = m.norms()
        {
            return n;
        }
        self.norms.get_or_init(|| {
            let k = &self.kernels;
            self.matrix()
                .chunks_exact(self.dim)
                .map(|r| {
                    let n2 = k.dot(r, r);
                    if n2.is_normal() {
                        n2.sqrt()
                    } else {
                        // Underflow (elements near 1e-20 or below) or overflow:
                        // in f64, so a tiny nonzero row has a nonzero norm.
                        r.iter()
                            .map(|&x| (x as f64) * (x as f64))
                            .sum::<f64>()
                            .sqrt() as f32
                    }
                })
                .collect()
        })
    }

    /// The compact scan copy ([`scan`]: unit rows in 8 bits, a
    /// quarter of the matrix's size) that the top-k scan reads first. Stored
    /// in native files; built once otherwise (on first use, `O(len x dim)`).
    /// `None` for vectors wider than [`scan::MAX_SCAN_DIM`].
    pub fn scan_copy(&self) -> Option<ScanParts<'_>> {
        if let Backing::Mapped(m) = &self.backing
            && let Some(s) = m.scan()
        {
            return Some(s);
        }
        self.scan
            .get_or_init(|| {
                scan::supports(self.dim)
                    .then(|| ScanCopy::build(self.matrix(), self.dim, self.norms()))
            })
            .as_ref()
            .map(ScanCopy::view)
    }
}
