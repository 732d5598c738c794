//! What word2vec converges to, computed directly: closed-form embeddings
//! from the top eigenvectors of a target matrix built from co-occurrence
//! counts (QWEM's M*, or shifted positive PMI).
//!
//! [`lanczos`] finds the top eigenpairs of a symmetric operator given only
//! its matrix-vector product, so a `V x V` target is never stored dense.

pub mod lanczos;
