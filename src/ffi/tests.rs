//! In-process tests of the C exports: the `extern "C"` functions called from
//! Rust with real pointers, as a C caller would (`examples-c/test_ffi.c` does
//! the same from C). Out-parameters are pre-filled with sentinels to check
//! that failing calls leave them alone.

mod harness;

use super::boundary::INJECT_PANIC;
use super::boundary::from_c;
use super::*;
use crate::error::ErrorKind;
use crate::train::{LossKind, ModelKind};
use W2vStatus as S;
use harness::{Answers, DIM, Model, Options, SENT, WORDS, c, corpus, expect, message, ok};
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::ptr::{null, null_mut};

#[test]
fn version_constants_match_the_crate() {
    let v = (W2V_VERSION_MAJOR, W2V_VERSION_MINOR, W2V_VERSION_PATCH);
    let crate_version = format!("{}.{}.{}", v.0, v.1, v.2);
    assert_eq!(crate_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(w2v_version_major(), v.0);
    assert_eq!(w2v_version_minor(), v.1);
    assert_eq!(w2v_version_patch(), v.2);
    // SAFETY: w2v_version returns a static NUL-terminated string.
    let s = unsafe { CStr::from_ptr(w2v_version()) };
    assert_eq!(s.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn error_kinds_map_to_statuses() {
    use ErrorKind as K;
    let cases = [
        (K::InvalidArgument, S::InvalidArgument),
        (K::Io, S::Io),
        (K::Format, S::Format),
        (K::Unsupported, S::Unsupported),
        (K::Empty, S::Empty),
        (K::Cancelled, S::Cancelled),
        (K::NotFound, S::NotFound),
        (K::OutOfMemory, S::OutOfMemory),
        (K::WorkerPanicked, S::Panic),
        (K::Internal, S::Panic),
    ];
    for (kind, status) in cases {
        assert_eq!(W2vStatus::from(kind), status, "{kind:?}");
    }
    assert_eq!(S::OutOfMemory as c_int, 12);
}

#[test]
fn c_enums_convert_from_their_declared_values_only() {
    assert_eq!(from_c(0, "m").ok(), Some(W2vModelKind::Sgns));
    assert_eq!(from_c(1, "m").ok(), Some(W2vModelKind::Cbow));
    assert_eq!(from_c(1, "loss").ok(), Some(W2vLoss::Hs));
    assert_eq!(from_c(2, "f").ok(), Some(W2vFormat::Native));
    assert_eq!(from_c(1, "a").ok(), Some(W2vAnalogyMethod::Mul));
    assert_eq!(from_c(3, "s").ok(), Some(W2vSimdLevel::Avx512));
    let Err(e) = from_c::<W2vLoss>(7, "loss") else {
        panic!("7 is not a W2vLoss")
    };
    assert_eq!((e.0, e.1.as_str()), (S::InvalidArgument, "unknown loss 7"));
    for bad in [-1, 2, c_int::MAX, c_int::MIN] {
        assert!(from_c::<W2vModelKind>(bad, "m").is_err(), "{bad}");
        assert!(from_c::<W2vAnalogyMethod>(bad, "a").is_err(), "{bad}");
    }
    assert!(from_c::<W2vFormat>(3, "f").is_err());
    assert!(from_c::<W2vSimdLevel>(4, "s").is_err());
}

#[test]
fn c_enums_carry_the_codes_of_the_librarys_choices() {
    use crate::kinds::{Format, LossKind, ModelKind, Named};
    for (c, k) in [
        (W2vModelKind::Sgns, ModelKind::SkipGram),
        (W2vModelKind::Cbow, ModelKind::Cbow),
    ] {
        assert_eq!((ModelKind::from(c), c as u32), (k, k.code()));
    }
    for (c, k) in [
        (W2vLoss::Ns, LossKind::NegativeSampling),
        (W2vLoss::Hs, LossKind::HierarchicalSoftmax),
    ] {
        assert_eq!((LossKind::from(c), c as u32), (k, k.code()));
    }
    for (c, k) in [
        (W2vFormat::Binary, Format::Binary),
        (W2vFormat::Text, Format::Text),
        (W2vFormat::Native, Format::Native),
    ] {
        assert_eq!((Format::from(c), c as u32), (k, k.code()));
    }
}

/// The enumerators `PREFIX<NAME> = <value>` of `include/w2v.h`.
fn header_enumerators(prefix: &str) -> Vec<(String, c_int)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/w2v.h");
    let header = std::fs::read_to_string(path).unwrap();
    let parse = |line: &str| {
        let (name, value) = line.trim().trim_end_matches(',').split_once(" = ")?;
        Some((name.to_owned(), value.parse().ok()?))
    };
    let lines = header.lines().filter(|l| l.trim().starts_with(prefix));
    lines.filter_map(parse).collect()
}

/// The string `p` points to (static, NUL-terminated).
fn static_str(p: *const c_char) -> &'static str {
    assert!(!p.is_null());
    // SAFETY: the name exports return static NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap()
}

#[test]
fn status_and_simd_level_names_are_the_header_enumerators() {
    let statuses = header_enumerators("W2V_STATUS_");
    assert_eq!(statuses.len(), 13, "{statuses:?}");
    for v in -2..32 {
        let declared = statuses.iter().any(|&(_, x)| x == v);
        assert_eq!(from_c::<W2vStatus>(v, "status").is_ok(), declared, "{v}");
    }
    for (name, value) in &statuses {
        assert_eq!(static_str(w2v_status_str(*value)), name);
    }
    let levels = header_enumerators("W2V_SIMD_LEVEL_");
    assert_eq!(levels.len(), 4, "{levels:?}");
    for (name, value) in &levels {
        let short = name["W2V_SIMD_LEVEL_".len()..].to_lowercase();
        assert_eq!(static_str(w2v_simd_level_name(*value)), short);
        let level = crate::simd::Level::from(from_c::<W2vSimdLevel>(*value, "s").ok().unwrap());
        assert_eq!(short, level.name(), "the name W2V_SIMD takes");
    }
    // Any other int: a fixed string, and no message is recorded.
    // SAFETY: NULL is what is tested.
    expect(
        unsafe { w2v_model_dim(null(), null_mut()) },
        S::NullPointer,
        "",
    );
    let before = message();
    for bad in [-1, 13, 99, c_int::MAX, c_int::MIN] {
        assert_eq!(static_str(w2v_status_str(bad)), "unknown status", "{bad}");
    }
    for bad in [-1, 4, c_int::MAX, c_int::MIN] {
        assert_eq!(static_str(w2v_simd_level_name(bad)), "unknown", "{bad}");
    }
    assert_eq!(
        message(),
        before,
        "the name functions leave the message alone"
    );
    // The same static string every time.
    assert_eq!(w2v_status_str(8), w2v_status_str(S::NotFound as c_int));
}

#[test]
fn setters_set_and_leave_the_options_unchanged_on_error() {
    let o = Options::small();
    let p = o.0;
    // SAFETY: `p` is a live options object, used by this thread only.
    unsafe {
        ok(w2v_train_options_set_loss(p, W2vLoss::Hs as c_int));
        assert_eq!((*p).config.loss, LossKind::HierarchicalSoftmax);
        ok(w2v_train_options_set_model(p, W2vModelKind::Cbow as c_int));
        assert_eq!((*p).config.model, ModelKind::Cbow);
        ok(w2v_train_options_set_max_vocab(p, 10));
        assert_eq!((*p).config.max_vocab, Some(10));
        ok(w2v_train_options_set_max_vocab(p, 0));
        assert_eq!((*p).config.max_vocab, None, "0 means no limit");
        ok(w2v_train_options_set_lr(p, 0.5));
        assert_eq!((*p).config.lr, Some(0.5));
        ok(w2v_train_options_set_lr(p, 0.0));
        assert_eq!((*p).config.lr, None, "0 means the default");
        ok(w2v_train_options_set_min_lr(p, 0.005));
        assert_eq!((*p).config.min_lr, Some(0.005));
        ok(w2v_train_options_set_min_lr(p, 0.0));
        assert_eq!((*p).config.min_lr, Some(0.0), "0 decays to zero");
        ok(w2v_train_options_set_min_lr(p, -1.0));
        assert_eq!(
            (*p).config.min_lr,
            None,
            "negative means the model's default"
        );
        ok(w2v_train_options_set_window(p, 3));
        ok(w2v_train_options_set_negative(p, 7));
        ok(w2v_train_options_set_sample(p, 0.0));
        ok(w2v_train_options_set_seed(p, 9));
        ok(w2v_train_options_set_cbow_mean(p, false));
        let cfg = &(*p).config;
        assert_eq!((cfg.window, cfg.negative, cfg.seed), (3, 7, 9));
        assert_eq!(cfg.sample, 0.0);
        assert!(!cfg.cbow_mean);
        ok(w2v_train_options_set_loss(p, W2vLoss::Ns as c_int));

        let before = o.debug();
        let bad = |status, needle| expect(status, S::InvalidArgument, needle);
        bad(w2v_train_options_set_model(p, 2), "unknown model kind 2");
        bad(w2v_train_options_set_model(p, -1), "unknown model kind -1");
        bad(w2v_train_options_set_loss(p, 7), "unknown loss 7");
        bad(w2v_train_options_set_dim(p, 0), "dimension");
        bad(w2v_train_options_set_dim(p, (1 << 20) + 1), "dimension");
        bad(w2v_train_options_set_window(p, 0), "window");
        bad(w2v_train_options_set_negative(p, 0), "negative");
        bad(w2v_train_options_set_sample(p, -1.0), "sample");
        bad(w2v_train_options_set_sample(p, f64::NAN), "sample");
        bad(w2v_train_options_set_epochs(p, 0), "epochs");
        bad(w2v_train_options_set_lr(p, -1.0), "learning rate");
        bad(w2v_train_options_set_min_lr(p, f64::NAN), "min_lr");
        bad(w2v_train_options_set_min_lr(p, 20.0), "min_lr");
        bad(w2v_train_options_set_threads(p, 0), "threads");
        bad(
            w2v_train_options_set_batch(p, true),
            "skip-gram with negative",
        );
        assert_eq!(o.debug(), before, "a failed setter changed the options");
        ok(w2v_train_options_set_model(p, W2vModelKind::Sgns as c_int));
        ok(w2v_train_options_set_batch(p, true));
        assert!((*p).config.batch);
        ok(w2v_train_options_set_batch(p, false));
        ok(w2v_train_options_set_model(p, W2vModelKind::Cbow as c_int));
        ok(w2v_train_options_set_skip_saturated(p, true));
        assert!((*p).config.skip_saturated);
        let with_skip = o.debug();
        bad(
            w2v_train_options_set_loss(p, W2vLoss::Hs as c_int),
            "negative sampling only",
        );
        assert_eq!(o.debug(), with_skip, "a failed setter changed the options");
        ok(w2v_train_options_set_skip_saturated(p, false));
        assert!(!(*p).config.skip_saturated);

        let null = |status| expect(status, S::NullPointer, "`options`");
        null(w2v_train_options_set_dim(null_mut(), 8));
        null(w2v_train_options_set_loss(null_mut(), 9));
        null(w2v_train_options_set_cbow_mean(null_mut(), true));
        null(w2v_train_options_set_batch(null_mut(), true));
        null(w2v_train_options_set_skip_saturated(null_mut(), true));
        null(w2v_train_options_set_min_lr(null_mut(), 0.0));
        expect(w2v_train_options_new(null_mut()), S::NullPointer, "`out`");
    }
}

#[test]
fn vocabulary_and_vectors() {
    let m = Model::small();
    let (mut n, mut mapped, mut buf) = (SENT, true, [0 as c_char; 64]);
    // SAFETY: `m` is a live model; every buffer is writable for the length passed.
    unsafe {
        ok(w2v_model_vocab_size(m.0, &mut n));
        assert_eq!(n, WORDS.len());
        ok(w2v_model_dim(m.0, &mut n));
        assert_eq!(n, DIM);
        ok(w2v_model_is_mapped(m.0, &mut mapped));
        assert!(!mapped);

        // Word 0 by index, then its index by word.
        let mut needed = SENT;
        let (b, len) = (buf.as_mut_ptr(), buf.len());
        ok(w2v_model_word(m.0, 0, b, len, &mut needed));
        let w0 = CStr::from_ptr(buf.as_ptr()).to_str().unwrap();
        assert_eq!(needed, w0.len() + 1);
        assert_eq!(m.index(w0), 0);
        // A buffer one byte short: the size needed, the buffer untouched.
        let (mut small, short, mut needed) = ([b'x' as c_char; 16], needed - 1, SENT);
        let s = w2v_model_word(m.0, 0, small.as_mut_ptr(), short, &mut needed);
        expect(s, S::BufferTooSmall, "needed");
        assert_eq!(needed, short + 1);
        assert!(small.iter().all(|&b| b == b'x' as c_char));
        let s = w2v_model_word(m.0, WORDS.len(), b, len, null_mut());
        expect(s, S::InvalidArgument, "out of range");
        let (mut i, emperor) = (SENT, c("emperor"));
        let s = w2v_model_index(m.0, emperor.as_ptr(), &mut i);
        expect(s, S::NotFound, "emperor");
        assert_eq!(i, SENT);

        // A vector: copied, into a too-small buffer, by borrowed pointer.
        let (king, v) = (c("king"), m.vector("king"));
        let (mut short, mut needed) = ([7.0f32; DIM - 1], SENT);
        let s = w2v_model_vector(m.0, king.as_ptr(), short.as_mut_ptr(), DIM - 1, &mut needed);
        expect(s, S::BufferTooSmall, "dimension");
        assert_eq!(needed, DIM);
        assert!(short.iter().all(|&x| x == 7.0));
        let mut p: *const f32 = null();
        ok(w2v_model_vector_ptr(m.0, m.index("king"), &mut p));
        assert_eq!(std::slice::from_raw_parts(p, DIM), &v[..]);
        let s = w2v_model_vector_ptr(m.0, WORDS.len(), &mut p);
        expect(s, S::InvalidArgument, "out of range");
    }
}

#[test]
fn queries() {
    let m = Model::small();
    let (king, queen, man, woman) = (c("king"), c("queen"), c("man"), c("woman"));
    let (v, king_i) = (m.vector("king"), m.index("king"));

    let mut a = Answers::new();
    ok(a.most_similar(&m, &[&king, &queen], &[&man], 5));
    assert_eq!(a.found, 5);
    assert!(!a.indices.contains(&king_i));
    assert!(a.scores.windows(2).all(|w| w[0] >= w[1]));
    let mut a = Answers::new();
    ok(a.most_similar(&m, &[&king], &[], 0));
    assert_eq!((a.found, a.indices), (0, [SENT; 5]));

    let mut a = Answers::new();
    ok(a.nearest(&m, &v));
    assert_eq!((a.found, a.indices[0]), (5, king_i));
    assert!((a.scores[0] - 1.0).abs() < 1e-4);
    let mut a = Answers::new();
    expect(a.nearest(&m, &v[1..]), S::InvalidArgument, "dimension");
    assert_eq!(a, Answers::new());

    for method in [W2vAnalogyMethod::Add, W2vAnalogyMethod::Mul] {
        let mut a = Answers::new();
        ok(a.analogy(&m, [&man, &king, &woman], method as c_int));
        assert_eq!(a.found, 3);
    }
    let mut a = Answers::new();
    let s = a.analogy(&m, [&man, &king, &woman], 5);
    expect(s, S::InvalidArgument, "unknown analogy method 5");
    assert_eq!(a, Answers::new());

    // Mean vector: one known word of two gives that word's unit vector.
    let emperor = c("emperor");
    let words = [king.as_ptr(), emperor.as_ptr()];
    let (mut mean, mut known) = ([0.0f32; DIM], SENT);
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let mut sim = f32::NAN;
    // SAFETY: a live model; C strings; outputs writable for the lengths passed.
    unsafe {
        let out = mean.as_mut_ptr();
        let w = words.as_ptr();
        let s = w2v_model_mean_vector(m.0, w, 2, null(), out, DIM, &mut known);
        ok(s);
        assert_eq!(known, 1);
        let unit: Vec<f32> = v.iter().map(|x| x / norm).collect();
        assert!(mean.iter().zip(&unit).all(|(x, y)| (x - y).abs() < 1e-5));
        let s = w2v_model_mean_vector(m.0, w, 2, null(), out, DIM - 1, &mut known);
        expect(s, S::BufferTooSmall, "dimension");
        let s = w2v_model_mean_vector(m.0, &emperor.as_ptr(), 1, null(), out, DIM, &mut known);
        expect(s, S::NotFound, "");
        assert_eq!(known, 1);

        let (k, q) = (king.as_ptr(), queen.as_ptr());
        ok(w2v_model_similarity(m.0, k, k, &mut sim));
        assert!((sim - 1.0).abs() < 1e-5);
        ok(w2v_model_similarity(m.0, k, q, &mut sim));
        assert!((-1.0..=1.0).contains(&sim));
    }
}

#[test]
fn save_and_load_native_and_binary() {
    let (m, dir) = (Model::small(), tempfile::tempdir().unwrap());
    let king = m.vector("king");
    let path = |name: &str| c(dir.path().join(name).to_str().unwrap());
    for (format, name, is_mapped) in [
        (W2vFormat::Native, "m.w2v", true),
        (W2vFormat::Binary, "m.bin", false),
    ] {
        let (p, mut out, mut n, mut mapped) = (path(name), null_mut(), SENT, !is_mapped);
        // SAFETY: a live model; a C string; writable outputs.
        unsafe {
            ok(w2v_model_save(m.0, p.as_ptr(), format as c_int));
            ok(w2v_model_load(p.as_ptr(), &mut out));
            let loaded = Model(out);
            ok(w2v_model_vocab_size(loaded.0, &mut n));
            assert_eq!(n, WORDS.len());
            ok(w2v_model_is_mapped(loaded.0, &mut mapped));
            assert_eq!(mapped, is_mapped, "{name}");
            assert_eq!(loaded.vector("king"), king, "{name}");
        }
    }
    let (bad, missing, mut out) = (path("bad"), path("missing"), null_mut());
    // SAFETY: as above.
    unsafe {
        let s = w2v_model_save(m.0, bad.as_ptr(), 3);
        expect(s, S::InvalidArgument, "unknown format 3");
        assert!(!dir.path().join("bad").exists());
        expect(w2v_model_load(missing.as_ptr(), &mut out), S::Io, "missing");
    }
    assert!(out.is_null());
}

#[test]
fn train_from_a_file_with_progress_and_cancellation() {
    /// Counts its calls in `*user`.
    ///
    /// # Safety
    /// `user` points to a live `usize`.
    unsafe extern "C" fn count(_: f64, _: f64, _: f64, user: *mut c_void) -> c_int {
        // SAFETY: the test passes a live `usize` as user data.
        unsafe { *user.cast::<usize>() += 1 };
        0
    }
    /// Asks to stop.
    ///
    /// # Safety
    /// None: it reads no argument (`unsafe` only to match `W2vProgressFn`).
    unsafe extern "C" fn cancel(_: f64, _: f64, _: f64, _: *mut c_void) -> c_int {
        1
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("corpus.txt");
    std::fs::write(&file, corpus()).unwrap();
    let (path, missing, empty) = (c(file.to_str().unwrap()), c("/nonexistent/corpus"), c(""));
    let (o, mut out, mut calls) = (Options::small(), null_mut(), 0usize);
    let user = (&raw mut calls).cast::<c_void>();
    // SAFETY: live options; C strings; `out` and `calls` writable and alive.
    unsafe {
        let path = path.as_ptr();
        ok(w2v_train_file(o.0, path, Some(count), user, &mut out));
        let m = Model(out);
        assert!(calls > 0);
        assert_eq!(m.vector("king").len(), DIM);
        let mut out = null_mut();
        let s = w2v_train_file(o.0, path, Some(cancel), null_mut(), &mut out);
        expect(s, S::Cancelled, "cancelled");
        let s = w2v_train_file(o.0, missing.as_ptr(), None, null_mut(), &mut out);
        expect(s, S::Io, "nonexistent");
        let s = w2v_train_buffer(o.0, empty.as_ptr(), 0, None, null_mut(), &mut out);
        expect(s, S::Empty, "");
        assert!(out.is_null());
    }
}

#[test]
fn evaluate_on_small_benchmark_files() {
    let (m, dir) = (Model::small(), tempfile::tempdir().unwrap());
    let (qa, ws) = (dir.path().join("questions.txt"), dir.path().join("ws.tsv"));
    let questions =
        ": family\nman woman king queen\nboy girl prince princess\nman woman king empress\n";
    std::fs::write(&qa, questions).unwrap();
    let pairs = "king\tqueen\t8.5\ncat\tdog\t7\nriver\tcity\t2\nking\temperor\t9\n";
    std::fs::write(&ws, pairs).unwrap();
    let (qa, ws) = (c(qa.to_str().unwrap()), c(ws.to_str().unwrap()));
    let mut a = W2vAnalogyReport::default();
    let mut s = W2vSimilarityReport::default();
    // SAFETY: a live model; C strings; writable reports.
    unsafe {
        ok(w2v_eval_analogy(m.0, qa.as_ptr(), 0, &mut a));
        assert_eq!((a.questions, a.answered), (3, 2));
        ok(w2v_eval_similarity(m.0, ws.as_ptr(), &mut s));
        assert_eq!((s.pairs, s.found), (4, 3));
        let s = w2v_eval_similarity(m.0, ws.as_ptr(), null_mut());
        expect(s, S::NullPointer, "`out`");
        let s = w2v_eval_analogy(m.0, null(), 0, &mut a);
        expect(s, S::NullPointer, "`path`");
    }
}

#[test]
fn null_pointers_are_reported_and_outputs_untouched() {
    let (m, o, king) = (Model::small(), Options::small(), c("king"));
    let (mut n, mut f, mut b, mut v) = (SENT, f32::NAN, false, [0.0f32; DIM]);
    let (mut p, mut out): (*const f32, *mut W2vModel) = (null(), null_mut());
    let (words, ab) = ([king.as_ptr(), null()], c("a b"));
    let null_at = |status, name| expect(status, S::NullPointer, &format!("`{name}` is NULL"));
    // SAFETY: NULL where the test says so, else live objects and writable outputs.
    unsafe {
        null_at(w2v_model_vocab_size(null(), &mut n), "model");
        null_at(w2v_model_dim(m.0, null_mut()), "out");
        null_at(w2v_model_is_mapped(null(), &mut b), "model");
        null_at(w2v_model_index(m.0, null(), &mut n), "word");
        null_at(w2v_model_vector_ptr(null(), 0, &mut p), "model");
        let s = w2v_model_similarity(m.0, king.as_ptr(), null(), &mut f);
        null_at(s, "b");
        null_at(w2v_model_load(null(), &mut out), "path");
        null_at(w2v_model_save(m.0, null(), 0), "path");
        let (w, out_v) = (words.as_ptr(), v.as_mut_ptr());
        let s = w2v_model_mean_vector(m.0, w, 2, null(), out_v, DIM, &mut n);
        null_at(s, "words[1]");
        let s = w2v_model_most_similar(m.0, null(), 1, null(), 0, 1, 0, null_mut(), &mut f, &mut n);
        null_at(s, "positive");
        let s = w2v_model_most_similar(m.0, w, 1, null(), 0, 1, 0, null_mut(), &mut f, &mut n);
        null_at(s, "indices");
        let s = w2v_train_buffer(o.0, null(), 3, None, null_mut(), &mut out);
        null_at(s, "text");
        let s = w2v_train_buffer(null(), ab.as_ptr(), 3, None, null_mut(), &mut out);
        null_at(s, "options");
        let s = w2v_train_file(o.0, ab.as_ptr(), None, null_mut(), null_mut());
        null_at(s, "out");
        let s = w2v_eval_analogy(null(), king.as_ptr(), 0, null_mut());
        null_at(s, "model");
    }
    assert_eq!((n, b, p, out), (SENT, false, null(), null_mut()));
    assert!(f.is_nan() && v == [0.0; DIM]);
}

#[test]
fn invalid_utf8_is_reported() {
    let (m, king) = (Model::small(), c("king"));
    let bad = CString::new(vec![b'k', 0xff, 0xfe]).unwrap();
    let (mut n, mut out, pos) = (SENT, null_mut(), [king.as_ptr(), bad.as_ptr()]);
    // SAFETY: a live model; NUL-terminated (invalid UTF-8) strings; writable outputs.
    unsafe {
        let s = w2v_model_index(m.0, bad.as_ptr(), &mut n);
        expect(s, S::InvalidUtf8, "`word`");
        let s = w2v_model_load(bad.as_ptr(), &mut out);
        expect(s, S::InvalidUtf8, "`path`");
        let (pos, none) = (pos.as_ptr(), null_mut());
        let s = w2v_model_most_similar(m.0, pos, 2, null(), 0, 0, 0, none, none.cast(), &mut n);
        expect(s, S::InvalidUtf8, "`positive[1]`");
    }
    assert_eq!((n, out), (SENT, null_mut()));
}

#[test]
fn last_error_message_reports_the_size_it_needs() {
    let (mut small, mut needed) = ([b'x' as c_char; 4], SENT);
    // SAFETY: NULL arguments are what is tested; the buffers are writable.
    unsafe {
        assert_eq!(w2v_model_dim(null(), null_mut()), S::NullPointer);
        let full = message();
        assert_eq!(full, "`model` is NULL");
        let s = w2v_last_error_message(small.as_mut_ptr(), small.len(), &mut needed);
        assert_eq!((s, needed), (S::BufferTooSmall, full.len() + 1));
        assert!(small.iter().all(|&b| b == b'x' as c_char));
        let s = w2v_last_error_message(null_mut(), 0, &mut needed);
        assert_eq!((s, needed), (S::BufferTooSmall, full.len() + 1));
        assert_eq!(message(), full, "a too-small buffer keeps the message");
    }
}

#[test]
fn a_panic_inside_an_export_becomes_the_panic_status() {
    let (m, mut dim) = (Model::small(), SENT);
    INJECT_PANIC.set(true);
    // SAFETY: a live model and a writable output.
    let s = unsafe { w2v_model_dim(m.0, &mut dim) };
    assert_eq!(s, S::Panic);
    let msg = message();
    assert!(msg.starts_with("internal error"), "{msg}");
    assert!(msg.contains("injected by a test"), "{msg}");
    assert_eq!(dim, SENT);
    assert!(!INJECT_PANIC.get(), "an injection is for one call");
    // SAFETY: as above.
    ok(unsafe { w2v_model_dim(m.0, &mut dim) });
    assert_eq!(dim, DIM);
}

#[test]
fn simd_exports() {
    let (a, b) = ([1.0f32, 2.0, 3.0, 4.0, 5.0], [2.0f32, 0.5, -1.0, 1.0, 0.0]);
    let (mut avail, mut level, mut d) = (false, W2vSimdLevel::Avx512, f32::NAN);
    // SAFETY: the arrays are readable (and `y` writable) for the lengths passed.
    unsafe {
        for l in [W2vSimdLevel::Scalar, W2vSimdLevel::Portable] {
            let l = l as c_int;
            ok(w2v_simd_available(l, &mut avail));
            assert!(avail);
            ok(w2v_kernel_dot(l, a.as_ptr(), b.as_ptr(), 5, &mut d));
            assert_eq!(d, 2.0 + 1.0 - 3.0 + 4.0);
            let mut y = b;
            ok(w2v_kernel_axpy(l, 2.0, a.as_ptr(), y.as_mut_ptr(), 5));
            assert_eq!(y, [4.0, 4.5, 5.0, 9.0, 10.0]);
        }
        ok(w2v_kernel_dot(0, null(), null(), 0, &mut d));
        assert_eq!(d, 0.0);
        ok(w2v_kernel_axpy(0, 1.0, null(), null_mut(), 0));
        let s = w2v_kernel_dot(0, a.as_ptr(), null(), 5, &mut d);
        expect(s, S::NullPointer, "`b`");
        let s = w2v_kernel_dot(-1, a.as_ptr(), b.as_ptr(), 5, &mut d);
        expect(s, S::InvalidArgument, "unknown SIMD level -1");
        let s = w2v_simd_available(4, &mut avail);
        expect(s, S::InvalidArgument, "unknown SIMD level 4");

        // Process-wide: this is the only test that forces a level.
        ok(w2v_simd_force(W2vSimdLevel::Scalar as c_int));
        ok(w2v_simd_level(&mut level));
        assert_eq!(level, W2vSimdLevel::Scalar);
        expect(w2v_simd_force(4), S::InvalidArgument, "4");
        ok(w2v_simd_level(&mut level));
        assert_eq!(level, W2vSimdLevel::Scalar, "after a failed force");
        ok(w2v_simd_force(-1));
        expect(w2v_simd_level(null_mut()), S::NullPointer, "`out`");
    }
}

#[test]
fn free_accepts_null() {
    // SAFETY: NULL is documented as accepted.
    unsafe {
        w2v_model_free(null_mut());
        w2v_train_options_free(null_mut());
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "builds a 30,001-word model: minutes under Miri, and no unsafe code of its own"
)]
fn evaluation_restrict_zero_means_every_word_as_in_the_queries() {
    // 30,001 words: with restrict 0 a question on the rarest word is
    // answered, as `w2v_model_most_similar` reads 0 (it used to be 30000).
    let v = 30_001;
    let words: Vec<Box<str>> = (0..v).map(|i| format!("w{i}").into()).collect();
    let counts = (0..v as u64).map(|i| v as u64 - i).collect();
    let data = (0..v * 2)
        .map(|i| ((i * 7919) % 101) as f32 + 1.0)
        .collect();
    let emb = crate::model::Embeddings::new(words, counts, 2, data).unwrap();
    let m = Box::into_raw(Box::new(W2vModel { emb }));
    let dir = tempfile::tempdir().unwrap();
    let qa = dir.path().join("questions.txt");
    std::fs::write(&qa, ": rare\nw1 w2 w3 w30000\n").unwrap();
    let qa = c(qa.to_str().unwrap());
    let mut a = W2vAnalogyReport::default();
    // SAFETY: a live model (from `Box::into_raw`, freed below); a C string;
    // a writable report.
    unsafe {
        ok(w2v_eval_analogy(m, qa.as_ptr(), 0, &mut a));
        assert_eq!((a.questions, a.answered), (1, 1), "0 means every word");
        ok(w2v_eval_analogy(m, qa.as_ptr(), 30_000, &mut a));
        assert_eq!((a.questions, a.answered), (1, 0), "30000 leaves out w30000");
        w2v_model_free(m);
    }
}
