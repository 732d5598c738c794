//! Saves are atomic: threads saving one path at the same moment all
//! succeed, the file is always one complete model (never a mix or a
//! prefix), and no temporary file is left behind.

use crate::common::TempDir;
use crate::native::model;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use w2v::{Embeddings, Format};

/// The bytes `emb` saves as in `format`.
fn saved(emb: &Embeddings, format: Format, dir: &TempDir, name: &str) -> Vec<u8> {
    let path = dir.path(name);
    emb.save(&path, format).unwrap();
    std::fs::read(&path).unwrap()
}

#[test]
fn two_threads_saving_one_path_both_succeed_and_leave_one_complete_file() {
    // Two different models, large enough (about 1.5 MB native) that the
    // writes overlap in time.
    let (a, b) = (model(3000, 100, 1), model(2500, 100, 2));
    for format in [Format::Native, Format::Binary] {
        let dir = TempDir::new();
        let want = [
            saved(&a, format, &dir, "a.ref"),
            saved(&b, format, &dir, "b.ref"),
        ];
        let path = dir.path("shared.model");
        a.save(&path, format).unwrap();
        let rounds = 8;
        let start = Barrier::new(2);
        let done = AtomicBool::new(false);
        let loads = std::thread::scope(|s| {
            // A reader that keeps loading the file while the writers race.
            let reader = s.spawn(|| {
                let mut loads = 0;
                while !done.load(Ordering::Relaxed) {
                    let bytes = std::fs::read(&path).unwrap();
                    assert!(
                        bytes == want[0] || bytes == want[1],
                        "{format:?}: a reader saw {} bytes that are neither model",
                        bytes.len()
                    );
                    loads += 1;
                }
                loads
            });
            let writers: Vec<_> = [&a, &b]
                .into_iter()
                .map(|emb| {
                    let (start, path) = (&start, &path);
                    s.spawn(move || {
                        (0..rounds)
                            .map(|_| {
                                start.wait();
                                emb.save(path, format)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let results: Vec<_> = writers.into_iter().map(|w| w.join()).collect();
            // Stop the reader before judging, so that a failure cannot hang.
            done.store(true, Ordering::Relaxed);
            let loads = reader.join();
            for (t, r) in results.into_iter().enumerate() {
                for (round, r) in r.unwrap().into_iter().enumerate() {
                    assert!(r.is_ok(), "{format:?} thread {t} round {round}: {r:?}");
                }
            }
            loads.unwrap()
        });
        assert!(loads > 0);
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes == want[0] || bytes == want[1], "{format:?}");
        let loaded = Embeddings::load(&path).unwrap();
        assert!(loaded.len() == a.len() || loaded.len() == b.len());
        let mut names: Vec<String> = std::fs::read_dir(dir.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["a.ref", "b.ref", "shared.model"],
            "{format:?}: temporary files left behind"
        );
    }
}
