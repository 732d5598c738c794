//! The training API a caller drives ([`Trainer`]): sentences from a file,
//! from memory or from any iterator train to the same bytes; given weights
//! start a run where the caller says; a run's state taken in memory
//! continues it exactly.

use crate::common::{DEMO_CORPUS, TempDir};
use std::io::BufRead;
use std::sync::Mutex;
use w2v::text::sentences::{Pass, SentenceSource};
use w2v::train::{
    CheckpointParts, Checkpointing, Input, Resume, TraceConfig, TracePoint, Tracing, Trainer,
    Weights,
};
use w2v::{Corpus, Embeddings, ErrorKind, LossKind, ModelKind, TrainConfig, Vocab};

fn config(model: ModelKind, loss: LossKind) -> TrainConfig {
    TrainConfig {
        model,
        loss,
        dim: 16,
        window: 4,
        epochs: 3,
        min_count: 2,
        threads: 1,
        seed: 5,
        sample: 1e-3,
        ..TrainConfig::default()
    }
}

fn bits(e: &Embeddings) -> Vec<u32> {
    e.matrix().iter().map(|x| x.to_bits()).collect()
}

fn lines(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

/// A source that reads its file line by line on every pass: nothing but
/// the current line is held.
struct LinesOf(std::path::PathBuf);

impl SentenceSource for LinesOf {
    fn pass(&self) -> w2v::Result<Pass<'_>> {
        let f = std::fs::File::open(&self.0).map_err(|e| w2v::Error::io("open", e))?;
        Ok(Box::new(std::io::BufReader::new(f).lines().map(|l| {
            l.map(|l| l.split_whitespace().map(String::from).collect())
                .map_err(|e| w2v::Error::io("read", e))
        })))
    }
}

#[test]
fn sentences_from_memory_or_an_iterator_train_to_the_bytes_of_their_file() {
    let dir = TempDir::new();
    let path = dir.path("corpus.txt");
    std::fs::write(&path, DEMO_CORPUS).unwrap();
    let file = Corpus::file(&path).unwrap();
    let in_memory = lines(DEMO_CORPUS);
    let streamed = LinesOf(path.clone());
    let batch = TrainConfig {
        batch: true,
        ..config(ModelKind::SkipGram, LossKind::NegativeSampling)
    };
    let runs = [
        config(ModelKind::SkipGram, LossKind::NegativeSampling),
        config(ModelKind::SkipGram, LossKind::HierarchicalSoftmax),
        config(ModelKind::Cbow, LossKind::NegativeSampling),
        config(ModelKind::Cbow, LossKind::HierarchicalSoftmax),
        batch,
    ];
    for c in runs {
        let c = c.check().unwrap();
        let from_file = Trainer::new(c.clone()).train(Input::Corpus(&file)).unwrap();
        let from_memory = Trainer::new(c.clone())
            .train(Input::Sentences(&in_memory))
            .unwrap();
        let from_iter = Trainer::new(c.clone())
            .train(Input::Sentences(&streamed))
            .unwrap();
        let what = format!("{:?}/{:?} batch {}", c.model, c.loss, c.batch);
        assert!(from_file.embeddings.len() > 100, "{what}");
        let words = |e: &Embeddings| {
            (0..e.len())
                .map(|i| e.word(i).unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            words(&from_memory.embeddings),
            words(&from_file.embeddings),
            "{what}"
        );
        assert!(
            bits(&from_memory.embeddings) == bits(&from_file.embeddings),
            "{what}: memory"
        );
        assert!(
            bits(&from_iter.embeddings) == bits(&from_file.embeddings),
            "{what}: iterator"
        );
        assert_eq!(from_iter.stats.words_trained, from_file.stats.words_trained);
        assert_eq!(
            from_iter.stats.epoch_loss, from_file.stats.epoch_loss,
            "{what}"
        );
    }
}

#[test]
fn a_traced_run_on_sentences_traces_what_its_file_does() {
    let sentences = lines(DEMO_CORPUS);
    let file = Corpus::bytes(DEMO_CORPUS.as_bytes().to_vec());
    let c = config(ModelKind::SkipGram, LossKind::NegativeSampling)
        .check()
        .unwrap();
    let trace = TraceConfig {
        every: 3000,
        k: 4,
        rows: vec![0, 1],
    };
    let traced = |input: Input<'_>| {
        let mut points: Vec<TracePoint> = Vec::new();
        let mut sink = |p: TracePoint| points.push(p);
        Trainer::new(c.clone())
            .tracing(Tracing {
                config: &trace,
                reference: None,
                sink: &mut sink,
            })
            .train(input)
            .unwrap();
        points
    };
    let (a, b) = (
        traced(Input::Corpus(&file)),
        traced(Input::Sentences(&sentences)),
    );
    assert!(a.len() >= 5, "{} points", a.len());
    assert_eq!(a.len(), b.len());
    for (p, q) in a.iter().zip(&b) {
        assert_eq!((p.words, p.epoch), (q.words, q.epoch));
        assert_eq!(p.singular_values, q.singular_values);
        assert_eq!(p.rows, q.rows);
    }
}

#[test]
fn several_threads_share_each_pass_of_the_sentences() {
    let sentences = lines(DEMO_CORPUS);
    let c = TrainConfig {
        threads: 3,
        ..config(ModelKind::SkipGram, LossKind::NegativeSampling)
    };
    let t = Trainer::new(c.check().unwrap())
        .train(Input::Sentences(&sentences))
        .unwrap();
    let vocab = Vocab::count_sentences(&sentences, 2, None).unwrap();
    // Every epoch read every word once, whichever thread took it.
    assert_eq!(t.stats.words_trained, vocab.total() * 3);
    assert_eq!(t.stats.epoch_loss.len(), 3);
    assert!(
        t.stats.epoch_loss[2] < t.stats.epoch_loss[0],
        "{:?}",
        t.stats.epoch_loss
    );
}

#[test]
fn given_weights_start_the_run_there() {
    let corpus = Corpus::bytes(DEMO_CORPUS.as_bytes().to_vec());
    for (model, loss) in [
        (ModelKind::SkipGram, LossKind::NegativeSampling),
        (ModelKind::Cbow, LossKind::HierarchicalSoftmax),
    ] {
        let c = config(model, loss).check().unwrap();
        let vocab = Vocab::count(&corpus, c.min_count, None).unwrap();
        // The weights a run draws when given none, given: the same run.
        let cold = Trainer::new(c.clone())
            .train(Input::Corpus(&corpus))
            .unwrap();
        let start = Weights::random(&c, vocab.len()).unwrap();
        let given = Trainer::new(c.clone())
            .vocab(vocab.clone())
            .weights(start)
            .keep_output()
            .train(Input::Corpus(&corpus))
            .unwrap();
        assert!(
            bits(&given.embeddings) == bits(&cold.embeddings),
            "{model:?}/{loss:?}"
        );
        // A warm start from the trained weights: its first epoch's loss is
        // no higher than where the trained run ended, below a cold start's.
        let trained = Weights {
            input: given.embeddings.matrix().to_vec(),
            output: given.output.clone().unwrap(),
        };
        let warm = Trainer::new(c.clone())
            .vocab(vocab.clone())
            .weights(trained)
            .train(Input::Corpus(&corpus))
            .unwrap();
        let (w, k, end) = (
            warm.stats.epoch_loss[0],
            cold.stats.epoch_loss[0],
            given.stats.final_loss,
        );
        eprintln!("{model:?}/{loss:?}: warm {w}, cold {k}, trained {end}");
        assert!(
            w < k && w < end * 1.05,
            "{model:?}/{loss:?}: warm {w}, cold {k}, trained {end}"
        );
    }
}

#[test]
fn counted_updates_are_the_kept_occurrences_and_a_row_counted_zero_is_the_given_one() {
    let corpus = Corpus::bytes(DEMO_CORPUS.as_bytes().to_vec());
    let sentences = lines(DEMO_CORPUS);
    let sg = || config(ModelKind::SkipGram, LossKind::NegativeSampling);
    // Without subsampling every occurrence is kept: its count per epoch,
    // whichever of 2 threads read it.
    let plain = TrainConfig {
        sample: 0.0,
        threads: 2,
        ..sg()
    };
    let t = Trainer::new(plain.check().unwrap())
        .count_updates()
        .train(Input::Sentences(&sentences))
        .unwrap();
    let u = t.updates.unwrap();
    assert_eq!(u.len(), t.embeddings.len());
    for (i, &n) in u.iter().enumerate() {
        assert_eq!(n, t.embeddings.count(i).unwrap() * 3, "word {i}");
    }
    // Counting changes nothing learned; with subsampling fewer are kept.
    let c = sg().check().unwrap();
    let a = Trainer::new(c.clone())
        .train(Input::Corpus(&corpus))
        .unwrap();
    let b = Trainer::new(c.clone())
        .count_updates()
        .train(Input::Corpus(&corpus))
        .unwrap();
    assert!(a.updates.is_none());
    assert!(bits(&a.embeddings) == bits(&b.embeddings));
    let u = b.updates.unwrap();
    let total: u64 = (0..b.embeddings.len())
        .map(|i| b.embeddings.count(i).unwrap() * 3)
        .sum();
    assert!(
        u.iter()
            .enumerate()
            .all(|(i, &n)| n <= b.embeddings.count(i).unwrap() * 3)
    );
    let kept: u64 = u.iter().sum();
    assert!(kept > total / 4 && kept < total, "{kept} of {total}");
    // A part of the corpus, from the given rows (as a Spark partition
    // trains): a word it never keeps is counted 0 and keeps its row.
    let vocab = Vocab::count(&corpus, c.min_count, None).unwrap();
    let dim = c.dim;
    let start = Weights::random(&c, vocab.len()).unwrap();
    let given = start.input.clone();
    let part = sentences[..sentences.len() / 5].to_vec();
    let t = Trainer::new(c.clone())
        .vocab(vocab)
        .weights(start)
        .count_updates()
        .train(Input::Sentences(&part))
        .unwrap();
    let u = t.updates.unwrap();
    let (mut untouched, mut moved) = (0, 0);
    for (i, &n) in u.iter().enumerate() {
        let same = t.embeddings.row(i) == &given[i * dim..(i + 1) * dim];
        if n == 0 {
            assert!(same, "word {i} was counted 0 yet its row moved");
            untouched += 1;
        } else if !same {
            moved += 1;
        }
    }
    assert!(
        untouched > 0 && moved > 0,
        "{untouched} untouched, {moved} moved"
    );
}

#[test]
fn a_runs_state_taken_in_memory_continues_it_exactly() {
    let corpus = Corpus::bytes(DEMO_CORPUS.as_bytes().to_vec());
    for (model, loss) in [
        (ModelKind::SkipGram, LossKind::NegativeSampling),
        (ModelKind::Cbow, LossKind::NegativeSampling),
    ] {
        let c = config(model, loss).check().unwrap();
        let taken = Mutex::new(Vec::new());
        let mut sink = |p: &CheckpointParts<'_>| {
            taken.lock().unwrap().push(p.to_checkpoint());
            Ok(())
        };
        let full = Trainer::new(c.clone())
            .checkpoints(Checkpointing {
                every: 4000,
                sink: &mut sink,
            })
            .train(Input::Corpus(&corpus))
            .unwrap();
        let states = taken.into_inner().unwrap();
        assert!(states.len() >= 3, "{} states", states.len());
        for state in states {
            let words = state.run.words;
            let from = Resume::new(state, &corpus, c.kernels).unwrap();
            let rest = Trainer::resume(from).train(Input::Corpus(&corpus)).unwrap();
            assert!(
                bits(&rest.embeddings) == bits(&full.embeddings),
                "{model:?}: continued from {words} words"
            );
        }
    }
}

#[test]
fn what_a_run_cannot_take_is_refused_before_any_work() {
    let corpus = Corpus::bytes(DEMO_CORPUS.as_bytes().to_vec());
    let c = config(ModelKind::SkipGram, LossKind::NegativeSampling)
        .check()
        .unwrap();
    let vocab = Vocab::count(&corpus, c.min_count, None).unwrap();
    let wrong = Weights {
        input: vec![0.0; 3],
        output: vec![0.0; 3],
    };
    let e = Trainer::new(c.clone())
        .vocab(vocab.clone())
        .weights(wrong.clone())
        .train(Input::Corpus(&corpus))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("given weights have 3 input"), "{e}");
    let e = Trainer::new(c.clone())
        .weights(wrong)
        .train(Input::Corpus(&corpus))
        .unwrap_err();
    assert!(e.to_string().contains("need the vocabulary"), "{e}");
    let mut nan = Weights::random(&c, vocab.len()).unwrap();
    nan.input[7] = f32::NAN;
    let e = Trainer::new(c.clone())
        .vocab(vocab)
        .weights(nan)
        .train(Input::Corpus(&corpus))
        .unwrap_err();
    assert!(e.to_string().contains("NaN"), "{e}");
    let sentences = lines(DEMO_CORPUS);
    let mut sink = |_: &CheckpointParts<'_>| Ok(());
    let e = Trainer::new(c.clone())
        .checkpoints(Checkpointing {
            every: 100,
            sink: &mut sink,
        })
        .train(Input::Sentences(&sentences))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    let spaced = vec![vec!["two words".to_string()]];
    let e = Trainer::new(c.clone())
        .train(Input::Sentences(&spaced))
        .unwrap_err();
    assert!(e.to_string().contains("sentence 1"), "{e}");
    // A checkpoint carries its own vocabulary and weights.
    let taken = Mutex::new(None);
    let mut keep = |p: &CheckpointParts<'_>| {
        *taken.lock().unwrap() = Some(p.to_checkpoint());
        Ok(())
    };
    Trainer::new(c.clone())
        .checkpoints(Checkpointing {
            every: 3000,
            sink: &mut keep,
        })
        .train(Input::Corpus(&corpus))
        .unwrap();
    let state = taken.into_inner().unwrap().unwrap();
    let resume = || Resume::new(state.clone(), &corpus, c.kernels).unwrap();
    let vocab = Vocab::count(&corpus, c.min_count, None).unwrap();
    let e = Trainer::resume(resume())
        .vocab(vocab)
        .train(Input::Corpus(&corpus))
        .unwrap_err();
    assert!(e.to_string().contains("not both"), "{e}");
    let mut sink = |_: &CheckpointParts<'_>| Ok(());
    let e = Trainer::resume(resume())
        .checkpoints(Checkpointing {
            every: 17,
            sink: &mut sink,
        })
        .train(Input::Corpus(&corpus))
        .unwrap_err();
    assert!(
        e.to_string().contains("keeps its checkpoint interval"),
        "{e}"
    );
    let empty: Vec<Vec<String>> = vec![vec![], vec![]];
    let e = Trainer::new(c).train(Input::Sentences(&empty)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Empty);
}
