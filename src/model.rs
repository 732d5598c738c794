//! Word vectors, in memory or mapped from a native file, and how to load and
//! save them. Queries are in [`crate::query`].

use crate::error::{Error, ErrorKind, Result};
use crate::io::{Format, write_word2vec};
use crate::native::MappedModel;
use crate::scan::{self, ScanCopy, ScanView};
use crate::simd::Kernels;
use crate::vocab::Vocab;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The largest vector dimension a model may have (files claiming more are
/// rejected as corrupt before anything is allocated).
pub const MAX_DIM: usize = 1 << 20;

/// Word vectors: a vocabulary, a `len x dim` row-major matrix, and each row's
/// norm.
///
/// Either owned (trained, or read from a word2vec file) or mapped from a
/// native file ([`Embeddings::open`]), which costs constant time and shares
/// pages between processes. Both behave the same. A model is immutable and
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
    kernels: Kernels,
}

#[derive(Debug, Clone)]
enum Backing {
    Owned { vocab: Vocab, data: Vec<f32> },
    Mapped(Arc<MappedModel>),
}

impl Embeddings {
    /// Wrap a vocabulary and a dense `vocab.len() x dim` matrix. Queries use
    /// [`Kernels::from_env`] (falling back to the default level).
    pub fn new(vocab: Vocab, dim: usize, data: Vec<f32>) -> Result<Embeddings> {
        if dim == 0 || dim > MAX_DIM {
            return Err(Error::invalid(format!(
                "dimension must be between 1 and {MAX_DIM}, got {dim}"
            )));
        }
        if vocab.len().checked_mul(dim) != Some(data.len()) {
            return Err(Error::invalid(format!(
                "matrix has {} floats, expected {} words x {dim}",
                data.len(),
                vocab.len()
            )));
        }
        Ok(Embeddings {
            backing: Backing::Owned { vocab, data },
            dim,
            norms: Arc::default(),
            scan: Arc::default(),
            kernels: Kernels::from_env().unwrap_or_else(|_| Kernels::best()),
        })
    }

    /// Map a native model file (constant time: see [`crate::native`]).
    pub fn open(path: &Path) -> Result<Embeddings> {
        let m = MappedModel::open(path)?;
        Ok(Embeddings {
            dim: m.dim(),
            backing: Backing::Mapped(Arc::new(m)),
            norms: Arc::default(),
            scan: Arc::default(),
            kernels: Kernels::from_env().unwrap_or_else(|_| Kernels::best()),
        })
    }

    /// Load any supported file: a native model (mapped), or word2vec binary or
    /// text (read into memory), recognised by its first bytes.
    pub fn load(path: &Path) -> Result<Embeddings> {
        use std::io::BufRead;
        let file = std::fs::File::open(path)
            .map_err(|e| Error::io(format!("cannot open `{}`", path.display()), e))?;
        // Look at the first bytes without consuming them, so that a pipe can
        // still be read as word2vec (a native file is mapped, so it must be a
        // regular file, whose first read fills the buffer).
        let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
        let native = loop {
            match reader.fill_buf() {
                Ok(head) => break crate::native::has_magic(head),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::io(format!("cannot read `{}`", path.display()), e));
                }
            }
        };
        if native {
            Embeddings::open(path)
        } else {
            crate::io::read_word2vec_from(reader, path)
        }
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
    pub fn mapped(&self) -> Option<&MappedModel> {
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
            Backing::Owned { vocab, .. } => vocab.len(),
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
    /// not [verified](MappedModel::verify), if its entry is corrupt).
    pub fn word(&self, i: usize) -> Option<&str> {
        match &self.backing {
            Backing::Owned { vocab, .. } => (i < vocab.len()).then(|| vocab.word(i)),
            Backing::Mapped(m) => m.word(i),
        }
    }

    /// The corpus count of word `i` (word2vec files carry none: their words
    /// get `len - i`, which keeps the file's order).
    pub fn count(&self, i: usize) -> Option<u64> {
        match &self.backing {
            Backing::Owned { vocab, .. } => vocab.counts().get(i).copied(),
            Backing::Mapped(m) => m.count(i),
        }
    }

    /// The index of `word`.
    pub fn index(&self, word: &str) -> Option<usize> {
        match &self.backing {
            Backing::Owned { vocab, .. } => vocab.get(word.as_bytes()).map(|i| i as usize),
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

    /// The vector of `word`, if known.
    pub fn vector(&self, word: &str) -> Option<&[f32]> {
        self.index(word).map(|i| self.row(i))
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

    /// The compact scan copy ([`crate::scan`]: unit rows in 8 bits, a
    /// quarter of the matrix's size) that the top-k scan reads first. Stored
    /// in native files; built once otherwise (on first use, `O(len x dim)`).
    /// `None` for vectors wider than [`scan::MAX_SCAN_DIM`].
    pub fn scan_copy(&self) -> Option<ScanView<'_>> {
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

    /// Save as word2vec binary or text, or native (with the compact scan
    /// copy, [`scan_copy`](Embeddings::scan_copy)).
    pub fn save(&self, path: &Path, format: Format) -> Result<()> {
        self.save_with(path, format, true)
    }

    /// [`save`](Embeddings::save); for native files, `scan_copy` says
    /// whether to store [`scan_copy`](Embeddings::scan_copy) (a quarter of
    /// the matrix's size; without it, a process builds it in memory on its
    /// first top-k query).
    pub fn save_with(&self, path: &Path, format: Format, scan_copy: bool) -> Result<()> {
        let words: Vec<&str> = (0..self.len())
            .map(|i| {
                self.word(i).ok_or_else(|| {
                    Error::format(format!("word {i} of the model is corrupt: cannot save"))
                })
            })
            .collect::<Result<_>>()?;
        match format {
            Format::Binary | Format::Text => {
                write_word2vec(path, format, &words, self.dim, self.dim, self.matrix())
            }
            Format::Native => {
                let counts: Vec<u64> = (0..self.len())
                    .map(|i| self.count(i).unwrap_or(0))
                    .collect();
                crate::native::write(
                    path,
                    &words,
                    &counts,
                    self.dim,
                    self.matrix(),
                    self.norms(),
                    if scan_copy { self.scan_copy() } else { None },
                )
            }
        }
    }
}
