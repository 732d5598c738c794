//! `w2v similar`, `w2v analogy`, `w2v info`, `w2v convert`: query and move
//! models from the command line.

use clap::{Args, ValueEnum};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Instant;
use w2v::{Analogy, Embeddings, Error, Format, Kernels, Neighbor, Result};

fn load(path: &std::path::Path) -> Result<Embeddings> {
    Ok(Embeddings::load(path)?.with_kernels(Kernels::from_env()?))
}

/// How a query searches: `--ef` and `--exact`.
#[derive(Args, Clone, Copy)]
pub struct SearchArgs {
    /// Search breadth of the neighbour index (1 to 65536) [default: 200]; ignored without one.
    #[arg(long, value_parser = crate::index::ef_value)]
    ef: Option<usize>,
    /// Scan every word even when the model has an index.
    #[arg(long)]
    exact: bool,
}

impl SearchArgs {
    fn apply(self, emb: Embeddings) -> Embeddings {
        let emb = emb.with_exact(self.exact);
        match self.ef {
            Some(ef) => emb.with_ef(ef),
            None => emb,
        }
    }
}

#[derive(Args)]
pub struct SimilarArgs {
    /// Vectors: native, word2vec binary or text.
    model: PathBuf,
    /// Query words (their unit vectors are summed; prefix a word with `-` to subtract it:
    /// `king -man woman`). None: an interactive prompt, one query per line.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true)]
    words: Vec<String>,
    /// Number of neighbours (at least 1; more than the candidates gives them all).
    #[arg(short, long, default_value_t = 10, value_parser = k_value)]
    k: usize,
    /// Only the N most frequent words are candidates (at least 1; default: all).
    #[arg(long, value_parser = restrict_value)]
    restrict: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    search: SearchArgs,
}

/// `--restrict N`: at least 1 (leave it out for every word).
pub fn restrict_value(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (leave --restrict out for every word)".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// `-k N`: at least 1 (a larger `k` than the candidates gives them all).
pub fn k_value(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Options written after the words (`w2v similar M king -man woman -k 3`):
/// clap hands every token after the first word to `words`, so that `-man`
/// is a word to subtract; the options among them are taken back out here.
fn options_among_words(a: &mut SimilarArgs) -> Result<()> {
    let mut words = Vec::with_capacity(a.words.len());
    let mut it = std::mem::take(&mut a.words).into_iter();
    let value = |flag: &str, v: Option<String>| -> Result<usize> {
        let v = v.ok_or_else(|| Error::invalid(format!("{flag} needs a value")))?;
        v.parse()
            .map_err(|_| Error::invalid(format!("{flag} {v}: not a number")))
    };
    while let Some(w) = it.next() {
        match w.as_str() {
            "-k" | "--k" => {
                let k = value("-k", it.next())?;
                a.k =
                    k_value(&k.to_string()).map_err(|e| Error::invalid(format!("-k {k}: {e}")))?;
            }
            "--restrict" => {
                let n = value("--restrict", it.next())?;
                let n = restrict_value(&n.to_string())
                    .map_err(|e| Error::invalid(format!("--restrict {n}: {e}")))?;
                a.restrict = Some(n);
            }
            "--json" => a.json = true,
            "--exact" => a.search.exact = true,
            "--ef" => {
                let v = it.next().unwrap_or_default();
                a.search.ef = Some(
                    crate::index::ef_value(&v)
                        .map_err(|e| Error::invalid(format!("--ef {v}: {e}")))?,
                );
            }
            _ if w.starts_with("--") => {
                return Err(Error::invalid(format!(
                    "unknown option `{w}` (a word to subtract has one dash: `-{}`)",
                    &w[2..]
                )));
            }
            _ => words.push(w),
        }
    }
    a.words = words;
    Ok(())
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// 3CosAdd: nearest to b - a + c.
    Add,
    /// 3CosMul (Levy and Goldberg).
    Mul,
}

#[derive(Args)]
pub struct AnalogyArgs {
    /// Vectors: native, word2vec binary or text.
    model: PathBuf,
    /// `A B C` for `A is to B as C is to ?`. None: an interactive prompt, three words per line.
    words: Vec<String>,
    /// Number of answers.
    #[arg(short, long, default_value_t = 10, value_parser = k_value)]
    k: usize,
    /// Scoring method.
    #[arg(long, value_enum, default_value = "add")]
    method: MethodArg,
    /// Only the N most frequent words are candidates (at least 1; default: all).
    #[arg(long, value_parser = restrict_value)]
    restrict: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    search: SearchArgs,
}

#[derive(Args)]
pub struct InfoArgs {
    /// Vectors: native, word2vec binary or text.
    model: PathBuf,
    /// Read the whole file and check every checksum (native models).
    #[arg(long)]
    verify: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ConvertArgs {
    /// Input: native, word2vec binary or text (detected).
    input: PathBuf,
    /// Output file (written atomically).
    output: PathBuf,
    /// Output format.
    #[arg(long, value_parser = crate::choice::<w2v::Format>())]
    to: w2v::Format,
}

fn print_answers(emb: &Embeddings, answers: &[Neighbor], json: bool) {
    if json {
        let list: Vec<_> = answers
            .iter()
            .map(|n| serde_json::json!({"word": emb.word(n.index), "index": n.index, "score": n.score}))
            .collect();
        println!("{}", serde_json::Value::Array(list));
    } else {
        for n in answers {
            println!(
                "{:<24} {:.6}",
                emb.word(n.index).unwrap_or("\u{fffd}"),
                n.score
            );
        }
    }
}

/// Run `answer` on the words given, or on each line of stdin.
fn words_or_prompt(
    words: &[String],
    prompt: &str,
    mut answer: impl FnMut(&[&str]) -> Result<()>,
) -> Result<()> {
    if !words.is_empty() {
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        return answer(&w);
    }
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        eprint!("{prompt} (EXIT to stop): ");
        let _ = std::io::stderr().flush();
        line.clear();
        let n = stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| Error::io("cannot read standard input", e))?;
        let w: Vec<&str> = line.split_whitespace().collect();
        if n == 0 || w == ["EXIT"] {
            return Ok(());
        }
        if w.is_empty() {
            continue;
        }
        // One bad query (an unknown word) does not end the session.
        if let Err(e) = answer(&w) {
            eprintln!("{e}");
        }
    }
}

pub fn similar(mut a: SimilarArgs) -> Result<()> {
    if let Err(e) = options_among_words(&mut a) {
        // A usage error, as clap's own for the options before the words:
        // its message on standard error and exit status 2.
        clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n")).exit();
    }
    let emb = a.search.apply(load(&a.model)?);
    words_or_prompt(&a.words, "Enter words", |words| {
        let (neg, pos): (Vec<&str>, Vec<&str>) = words
            .iter()
            .partition(|w| w.len() > 1 && w.starts_with('-'));
        let neg: Vec<&str> = neg.iter().map(|w| &w[1..]).collect();
        let t = Instant::now();
        let r = emb.most_similar(&pos, &neg, a.k, a.restrict)?;
        let took = t.elapsed().as_secs_f64() * 1e3;
        print_answers(&emb, &r, a.json);
        if !a.json {
            eprintln!("(answered in {took:.3} ms)");
        }
        Ok(())
    })
}

pub fn analogy(a: AnalogyArgs) -> Result<()> {
    let emb = a.search.apply(load(&a.model)?);
    let method = match a.method {
        MethodArg::Add => Analogy::Add,
        MethodArg::Mul => Analogy::Mul,
    };
    words_or_prompt(&a.words, "Enter three words A B C", |words| {
        let [x, y, z] = words else {
            return Err(Error::invalid(format!(
                "an analogy needs three words A B C, got {}",
                words.len()
            )));
        };
        let r = emb.analogy(x, y, z, a.k, method, a.restrict)?;
        print_answers(&emb, &r, a.json);
        Ok(())
    })
}

pub fn info(a: InfoArgs) -> Result<()> {
    let t = Instant::now();
    let emb = load(&a.model)?;
    let open_ms = t.elapsed().as_secs_f64() * 1e3;
    let format = if emb.is_mapped() {
        "native (mapped)"
    } else {
        "word2vec (read into memory)"
    };
    let verified = if a.verify {
        match emb.mapped() {
            Some(m) => {
                m.verify()?;
                Some(true)
            }
            // A word2vec file was fully parsed (and so checked) by loading it:
            // it has no checksums to verify.
            None => Some(true),
        }
    } else {
        None
    };
    let first: Vec<&str> = (0..emb.len().min(10)).filter_map(|i| emb.word(i)).collect();
    // The stored 8-bit scan copy's bound on a row's coding error (native files only).
    let scan_residual = emb.mapped().and_then(|m| m.scan()).map(|s| s.residual);
    // A native file's sections: name, bytes, and whether this build reads it.
    let sections: Vec<(String, u64, bool)> = emb.mapped().map_or_else(Vec::new, |m| {
        let schema = &w2v::format::native::SCHEMA;
        let table = m.table();
        table
            .entries()
            .iter()
            .map(|e| (e.name(), e.length, schema.knows(&e.tag)))
            .collect()
    });
    let version = emb.mapped().map(|m| m.table().version());
    if a.json {
        let sections: Vec<_> = sections
            .iter()
            .map(|(name, bytes, known)| serde_json::json!({"name": name, "bytes": bytes, "known": known}))
            .collect();
        let v = serde_json::json!({
            "path": a.model.display().to_string(),
            "format": format,
            "words": emb.len(),
            "dim": emb.dim(),
            "file_bytes": std::fs::metadata(&a.model).map(|m| m.len()).ok(),
            "open_ms": open_ms,
            "verified": verified,
            "scan_copy_residual": scan_residual,
            "index": emb.mapped().and_then(|m| m.index()).map(|ix| serde_json::json!({
                "m": ix.meta.m, "ef_construction": ix.meta.ef_construction,
                "levels": ix.meta.max_level + 1, "entry": ix.meta.entry, "seed": ix.meta.seed,
            })),
            "version": version,
            "sections": sections,
            "first_words": first,
            "simd": emb.kernels().level().name(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&v).expect("serialisable")
        );
    } else {
        println!("{}", a.model.display());
        println!("  format      {format}");
        println!("  words       {}", emb.len());
        println!("  dimension   {}", emb.dim());
        println!("  opened in   {open_ms:.3} ms");
        if let Some(m) = emb.mapped() {
            println!("  file bytes  {}", m.file_len());
            println!("  version     {}", m.table().version());
            let list: Vec<String> = sections
                .iter()
                .map(|(name, bytes, known)| {
                    let skipped = if *known {
                        ""
                    } else {
                        " (unknown here: skipped)"
                    };
                    format!("{name} {bytes}{skipped}")
                })
                .collect();
            println!("  sections    {}", list.join(", "));
            match scan_residual {
                Some(r) => {
                    println!("  scan copy   8-bit unit rows, coding error at most {r:.5} per row")
                }
                None => println!("  scan copy   none (built in memory on the first top-k query)"),
            }
            match m.index() {
                Some(ix) => println!(
                    "  index       HNSW, m {}, ef-construction {}, {} levels, entry word {}",
                    ix.meta.m,
                    ix.meta.ef_construction,
                    ix.meta.max_level + 1,
                    ix.meta.entry
                ),
                None => {
                    println!("  index       none (queries scan every word; `w2v index` builds one)")
                }
            }
        }
        if a.verify {
            if emb.is_mapped() {
                println!("  verified    every checksum and word entry");
            } else {
                println!("  verified    every row parsed (word2vec files carry no checksums)");
            }
        }
        println!("  first words {}", first.join(" "));
    }
    Ok(())
}

pub fn convert(a: ConvertArgs) -> Result<()> {
    crate::check_model_output(&a.output, a.to)?;
    let emb = load(&a.input)?;
    if let Some(m) = emb.mapped() {
        // Converting is a full read anyway: refuse to copy a corrupt model.
        m.verify()?;
    }
    let to: Format = a.to;
    crate::save_model(&emb, &a.output, to)?;
    let name = match to {
        Format::Binary => "word2vec binary",
        Format::Text => "word2vec text",
        Format::Native => "native",
    };
    eprintln!(
        "{} words x {} -> {} ({name})",
        emb.len(),
        emb.dim(),
        if a.output.as_os_str() == "-" {
            "standard output".to_string()
        } else {
            a.output.display().to_string()
        }
    );
    Ok(())
}
