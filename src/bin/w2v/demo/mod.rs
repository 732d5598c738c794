//! `w2v demo`: the README's main job. Trains on the built-in teaching corpus
//! in about a second, prints neighbours and analogies, and says which land.
//! With `--html FILE` it also writes the lesson page: a training player of
//! the same corpus from a small initialisation, and the closed form beside it.

use clap::Args;
use std::path::PathBuf;
use w2v::lesson::{self, page, player};
use w2v::{Kernels, Result};

/// `w2v demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Also write the lesson page here: one self-contained HTML file (no network) to open in a browser.
    #[arg(long)]
    html: Option<PathBuf>,
}

pub fn run(args: DemoArgs) -> Result<()> {
    if let Some(path) = &args.html {
        crate::check_output(path)?;
    }
    let cfg = lesson::config(Kernels::from_env()?);
    println!(
        "Training skip-gram (dim {}, window {}, {} negatives, {} epochs) on the built-in corpus ({} sentences)...",
        cfg.dim,
        cfg.window,
        cfg.negative,
        cfg.epochs,
        lesson::CORPUS.lines().count()
    );
    let (_, report) = lesson::run(&cfg, &|_| true)?;
    let s = &report.stats;
    println!(
        "{} words in the vocabulary, {} corpus words x {} epochs in {:.2}s ({:.0} words/s, SIMD {}), final loss {:.3}\n",
        s.vocab_size,
        s.corpus_words,
        cfg.epochs,
        s.train_seconds,
        s.words_per_sec,
        s.simd_level,
        s.final_loss
    );
    println!("Nearest neighbours (cosine):");
    for (word, ns) in &report.neighbours {
        let list: Vec<String> = ns
            .iter()
            .map(|n| format!("{} {:.2}", n.word, n.score))
            .collect();
        println!("  {word:<9} {}", list.join(", "));
    }
    println!("\nAnalogies (b - a + c, question words excluded):");
    for a in &report.analogies {
        let [qa, qb, qc, expected] = a.question;
        let top = a.answers.first().map_or("-", |n| n.word.as_str());
        let verdict = match a.rank {
            Some(1) => "lands".to_string(),
            Some(r) => format!("misses: {expected} is answer #{r}"),
            None => format!("misses: {expected} is not in the top {}", a.answers.len()),
        };
        println!("  {qb} - {qa} + {qc} = {top:<9} (expected {expected}): {verdict}");
    }
    let landed = report.analogies.iter().filter(|a| a.landed()).count();
    println!(
        "\n{landed} of {} analogies land. A corpus this small teaches only the contrasts it was written around;\ntrain on real text with `w2v train` for general-purpose vectors.",
        report.analogies.len()
    );
    if let Some(path) = &args.html {
        let data = player::data(&cfg)?;
        page::write(path, &data.to_string())?;
        let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        println!(
            "\nThe lesson page is {}: open it in a browser (file://{}) to watch the map of these words\norganise itself during training, one direction at a time, beside the closed form.",
            path.display(),
            shown.display()
        );
    }
    Ok(())
}
