//! Standard evaluations of word vectors, with gensim's conventions so that
//! numbers are comparable: analogies (Google's `questions-words.txt`) and
//! word-pair similarity (WordSim-353 and the like).
//!
//! **Analogies** (`evaluate_word_analogies(restrict_vocab, case_insensitive=True)`):
//! only the `restrict` most frequent words are candidates; words compare in
//! upper case, a case-folded key standing for its most frequent variant; a
//! question with a word outside the restricted vocabulary is skipped (not
//! answered); the answer is the candidate nearest to `b - a + c` (3CosAdd on
//! unit vectors) that is not one of the three question words; the first five
//! sections are semantic, the `gram*` sections syntactic.
//!
//! **Similarity** (`evaluate_word_pairs(case_insensitive=True)`): lines
//! `w1<TAB>w2<TAB>score` (`#` comments skipped; commas also accepted); pairs
//! with an unknown word are skipped and reported; Spearman's rho (ties get
//! their average rank) and Pearson's r between human scores and cosines.

use super::Embeddings;
use crate::error::{Error, ErrorKind, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// Accuracy of one analogy section.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Section name (`capital-common-countries`, `gram1-adjective-to-adverb`, ...).
    pub name: String,
    /// Questions answered correctly.
    pub correct: usize,
    /// Questions answered (all four words known).
    pub answered: usize,
    /// Questions in the file.
    pub questions: usize,
}

/// Analogy results: overall, semantic, syntactic and per section.
#[derive(Debug, Clone, Serialize)]
pub struct AnalogyReport {
    /// Per section, in file order.
    pub sections: Vec<Section>,
    /// Correct answers overall.
    pub correct: usize,
    /// Answered questions overall.
    pub answered: usize,
    /// Questions in the file.
    pub questions: usize,
    /// `correct / answered`, in percent.
    pub accuracy: f64,
    /// Accuracy over semantic sections (not `gram*`), in percent.
    pub semantic_accuracy: f64,
    /// Accuracy over syntactic sections (`gram*`), in percent.
    pub syntactic_accuracy: f64,
}

fn percent(c: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        100.0 * c as f64 / n as f64
    }
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::io(format!("cannot read `{}`", path.display()), e))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::format(format!("`{}` is not valid UTF-8", path.display())))
}

/// Case-folded keys of the first `restrict` words: key -> index of its most
/// frequent variant; and per row, the key id of the row's word (`usize::MAX`
/// for an unreadable word).
fn folded_keys(emb: &Embeddings, restrict: usize) -> (HashMap<String, usize>, Vec<usize>) {
    let n = restrict.min(emb.len());
    let mut keys: HashMap<String, usize> = HashMap::with_capacity(n);
    for i in (0..n).rev() {
        if let Some(w) = emb.word(i) {
            keys.insert(w.to_uppercase(), i);
        }
    }
    let row_key = (0..n)
        .map(|i| emb.word(i).map_or(usize::MAX, |w| keys[&w.to_uppercase()]))
        .collect();
    (keys, row_key)
}

/// Questions answered per batch: one blocked scan of the matrix each.
const BATCH: usize = 64;

/// Score `emb` on an analogy file.
pub fn analogies(emb: &Embeddings, path: &Path, restrict: usize) -> Result<AnalogyReport> {
    let text = read_text(path)?;
    let (keys, row_key) = folded_keys(emb, restrict);
    let n = row_key.len();
    // Rows of each key, to exclude every case variant of a question word.
    let mut rows_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &key) in row_key.iter().enumerate() {
        rows_of.entry(key).or_default().push(i);
    }
    let mut sections: Vec<Section> = Vec::new();
    // Answerable questions: (section, [a, b, c, expected] keys).
    let mut asked: Vec<(usize, [usize; 4])> = Vec::new();
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix(':') {
            sections.push(Section {
                name: name.trim().to_string(),
                correct: 0,
                answered: 0,
                questions: 0,
            });
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() != 4 {
            return Err(Error::format(format!(
                "`{}` line {}: expected four words, got {line:?}",
                path.display(),
                lineno + 1
            )));
        }
        if sections.is_empty() {
            sections.push(Section {
                name: "(no section)".into(),
                correct: 0,
                answered: 0,
                questions: 0,
            });
        }
        let section = sections.len() - 1;
        sections[section].questions += 1;
        let ids: Option<Vec<usize>> = words
            .iter()
            .map(|w| keys.get(&w.to_uppercase()).copied())
            .collect();
        if let Some(ids) = ids {
            asked.push((section, [ids[0], ids[1], ids[2], ids[3]]));
        }
    }
    let dim = emb.dim();
    let norms = emb.norms();
    let k = *emb.kernels();
    let mut scratch = super::query::Scratch::new();
    let mut queries = vec![0.0f32; BATCH * dim];
    for chunk in asked.chunks(BATCH) {
        let queries = &mut queries[..chunk.len() * dim];
        queries.fill(0.0);
        let mut excludes: Vec<Vec<usize>> = Vec::with_capacity(chunk.len());
        for ((_, [a, b, c, _]), q) in chunk.iter().zip(queries.chunks_exact_mut(dim)) {
            // b - a + c on unit vectors (the key's row is its most frequent variant).
            for (i, sign) in [(*b, 1.0f32), (*c, 1.0), (*a, -1.0)] {
                if norms[i] > 0.0 {
                    k.axpy(sign / norms[i], emb.row(i), q);
                }
            }
            excludes.push(
                [a, b, c]
                    .iter()
                    .flat_map(|key| rows_of[*key].iter().copied())
                    .collect(),
            );
        }
        let excl: Vec<&[usize]> = excludes.iter().map(Vec::as_slice).collect();
        let top = match emb.nearest_batch_into(queries, 1, Some(n), &excl, &mut scratch) {
            Ok(top) => top,
            // A degenerate query (b - a + c = 0) answers nothing, as gensim's would.
            Err(_) => &[][..],
        };
        for (q, (section, ids)) in chunk.iter().enumerate() {
            let s = &mut sections[*section];
            s.answered += 1;
            if let Some(best) = top.get(q).filter(|b| b.is_some())
                && row_key[best.index] == ids[3]
            {
                s.correct += 1;
            }
        }
    }
    let sum = |f: &dyn Fn(&Section) -> bool| {
        sections
            .iter()
            .filter(|s| f(s))
            .fold((0, 0), |(c, a), s| (c + s.correct, a + s.answered))
    };
    let (correct, answered) = sum(&|_| true);
    let (sem_c, sem_a) = sum(&|s| !s.name.starts_with("gram"));
    let (syn_c, syn_a) = sum(&|s| s.name.starts_with("gram"));
    Ok(AnalogyReport {
        questions: sections.iter().map(|s| s.questions).sum(),
        sections,
        correct,
        answered,
        accuracy: percent(correct, answered),
        semantic_accuracy: percent(sem_c, sem_a),
        syntactic_accuracy: percent(syn_c, syn_a),
    })
}

/// Word-pair similarity results.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarityReport {
    /// Spearman's rho between human scores and cosine similarities.
    pub spearman: f64,
    /// Pearson's r.
    pub pearson: f64,
    /// Pairs with both words known.
    pub found: usize,
    /// Pairs in the file.
    pub pairs: usize,
    /// Percentage of pairs skipped for an unknown word.
    pub oov_percent: f64,
}

/// Average ranks (1-based), ties sharing their mean rank.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &t in &idx[i..=j] {
            r[t] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson's correlation coefficient.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman's rank correlation (Pearson on average ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

/// Score `emb` on a word-pair file.
pub fn similarity(emb: &Embeddings, path: &Path) -> Result<SimilarityReport> {
    let text = read_text(path)?;
    let (keys, _) = folded_keys(emb, emb.len());
    let (mut human, mut model, mut pairs) = (Vec::new(), Vec::new(), 0usize);
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(['\t', ',']).map(str::trim).collect();
        let score = fields.get(2).and_then(|s| s.parse::<f64>().ok());
        let (Some(score), true) = (score, fields.len() >= 3) else {
            if pairs == 0 {
                continue; // a header line such as `Word 1<TAB>Word 2<TAB>Human (mean)`
            }
            return Err(Error::format(format!(
                "`{}` line {}: expected `word1<TAB>word2<TAB>score`, got {line:?}",
                path.display(),
                lineno + 1
            )));
        };
        pairs += 1;
        let (Some(&a), Some(&b)) = (
            keys.get(&fields[0].to_uppercase()),
            keys.get(&fields[1].to_uppercase()),
        ) else {
            continue;
        };
        let cos = emb.similarity_of(a, b);
        human.push(score);
        model.push(cos as f64);
    }
    if human.len() < 2 {
        return Err(Error::new(
            ErrorKind::Empty,
            format!(
                "`{}`: fewer than two pairs with both words known",
                path.display()
            ),
        ));
    }
    Ok(SimilarityReport {
        spearman: spearman(&human, &model),
        pearson: pearson(&human, &model),
        found: human.len(),
        pairs,
        oov_percent: percent(pairs - human.len(), pairs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_averages_ties() {
        // scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) = 0.9486832980505138
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!((r - 0.9486832980505138).abs() < 1e-12, "{r}");
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
    }
}
