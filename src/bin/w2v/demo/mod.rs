//! `w2v demo`: the README's main job. Trains on the built-in teaching corpus
//! in about a second, prints neighbours and analogies, and says which land.

mod lesson;
#[allow(
    dead_code,
    reason = "the lesson page: `w2v demo --html` calls it once the demo gathers its data"
)]
mod page;

use w2v::{Kernels, Result};

pub fn run() -> Result<()> {
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
    Ok(())
}
