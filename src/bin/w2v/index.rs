//! `w2v index`: build the approximate neighbour index into a native model.

use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use w2v::model::index::{IndexParams, MAX_EF};
use w2v::{Embeddings, Error, Format, Kernels, Result};

#[derive(Args)]
pub struct IndexArgs {
    /// Vectors: native, word2vec binary or text.
    model: PathBuf,
    /// Where to write the native model with its index [default: MODEL itself,
    /// replaced atomically, when it is native; needed otherwise].
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Links per word above the bottom level (2 to 256; the bottom level has twice as many).
    #[arg(long, default_value_t = 16)]
    m: usize,
    /// Breadth of the searches that pick the links (1 to 65536).
    #[arg(long, default_value_t = 200)]
    ef_construction: usize,
    /// Threads [default: one per core]; with one, the index is the same bytes for the same seed.
    #[arg(long)]
    threads: Option<usize>,
    /// Seed of the words' levels.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// `--ef N`: 1 to [`MAX_EF`].
pub fn ef_value(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_EF).contains(&n) => Ok(n),
        Ok(n) => Err(format!("must be between 1 and {MAX_EF}, got {n}")),
        Err(e) => Err(e.to_string()),
    }
}

pub fn run(a: IndexArgs) -> Result<()> {
    let params = IndexParams {
        m: a.m,
        ef_construction: a.ef_construction,
        threads: a.threads.unwrap_or(IndexParams::default().threads),
        seed: a.seed,
    };
    params.check()?;
    let mut emb = Embeddings::load(&a.model)?.with_kernels(Kernels::from_env()?);
    let out = match (&a.output, emb.is_mapped()) {
        (Some(o), _) => o.clone(),
        (None, true) => a.model.clone(),
        (None, false) => {
            return Err(Error::invalid(format!(
                "`{}` is a word2vec file: give -o OUT for the native model with its index",
                a.model.display()
            )));
        }
    };
    crate::check_model_output(&out, Format::Native)?;
    if let Some(m) = emb.mapped() {
        // The file is rewritten whole: refuse to copy a corrupt model.
        m.verify()?;
    }
    let t = Instant::now();
    emb.build_index(&params)?;
    let built = t.elapsed().as_secs_f64();
    emb.save(&out, Format::Native)?;
    let ix = emb.neighbour_index().expect("just built");
    eprintln!(
        "indexed {} words x {} in {built:.2} s on {} threads (m {}, ef-construction {}, {} levels): {} bytes of index -> {}",
        emb.len(),
        emb.dim(),
        params.threads,
        params.m,
        params.ef_construction,
        ix.meta.max_level + 1,
        ix.records.len() + 4 * ix.upper.len() + 64,
        out.display()
    );
    Ok(())
}
