//! Top eigenpairs of a symmetric linear operator, matrix-free (to be written).
