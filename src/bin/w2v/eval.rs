//! `w2v eval analogy|similarity`: gensim-compatible scores of a vectors file.

use clap::{Args, Subcommand};
use std::path::PathBuf;
use w2v::{Embeddings, Kernels, Result};

#[derive(Subcommand)]
pub enum EvalCommand {
    /// Analogy accuracy (3CosAdd, case-insensitive, question words excluded).
    Analogy(AnalogyArgs),
    /// Spearman and Pearson correlation with human word-pair scores.
    Similarity(SimilarityArgs),
}

#[derive(Args)]
pub struct AnalogyArgs {
    /// Vectors: native, word2vec binary or text.
    model: PathBuf,
    /// Analogy questions (`questions-words.txt` format).
    file: PathBuf,
    /// Only the N most frequent words are candidates and questions with others are skipped.
    #[arg(long, default_value_t = 30000, value_parser = crate::query::restrict_value)]
    restrict: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct SimilarityArgs {
    /// Vectors: native, word2vec binary or text.
    model: PathBuf,
    /// Word pairs: `word1<TAB>word2<TAB>score` lines.
    file: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: EvalCommand) -> Result<()> {
    let k = Kernels::from_env()?;
    match cmd {
        EvalCommand::Analogy(a) => {
            let emb = Embeddings::load(&a.model)?.with_kernels(k);
            let r = w2v::model::eval::analogies(&emb, &a.file, a.restrict)?;
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&r).expect("serialisable")
                );
            } else {
                for s in &r.sections {
                    println!(
                        "{:<32} {:6.2}% ({}/{}, {} questions)",
                        s.name,
                        if s.answered > 0 {
                            100.0 * s.correct as f64 / s.answered as f64
                        } else {
                            0.0
                        },
                        s.correct,
                        s.answered,
                        s.questions
                    );
                }
                println!("semantic  {:6.2}%", r.semantic_accuracy);
                println!("syntactic {:6.2}%", r.syntactic_accuracy);
                println!(
                    "total     {:6.2}% ({}/{} answered of {} questions)",
                    r.accuracy, r.correct, r.answered, r.questions
                );
            }
        }
        EvalCommand::Similarity(a) => {
            let emb = Embeddings::load(&a.model)?.with_kernels(k);
            let r = w2v::model::eval::similarity(&emb, &a.file)?;
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&r).expect("serialisable")
                );
            } else {
                println!(
                    "spearman {:.4} pearson {:.4} ({} of {} pairs, {:.1}% out of vocabulary)",
                    r.spearman, r.pearson, r.found, r.pairs, r.oov_percent
                );
            }
        }
    }
    Ok(())
}
