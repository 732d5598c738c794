//! Training progress on the terminal: a progress bar when stderr is a
//! terminal, plain periodic lines otherwise, nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use w2v::Progress;

/// How often plain lines are printed when stderr is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(10);

pub struct Reporter {
    bar: Option<ProgressBar>,
    epochs: usize,
    plain: bool,
    last_line: Mutex<Option<Instant>>,
    done: AtomicBool,
}

impl Reporter {
    /// A reporter for a run of `epochs` epochs.
    pub fn new(quiet: bool, epochs: usize) -> Reporter {
        let tty = std::io::stderr().is_terminal();
        let bar = (!quiet && tty).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr_with_hz(4));
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {percent:>3}% {msg} ETA {eta}")
                    .expect("valid template"),
            );
            bar
        });
        Reporter {
            bar,
            epochs,
            plain: !quiet && !tty,
            last_line: Mutex::new(None),
            done: AtomicBool::new(false),
        }
    }

    /// A line of text above the bar (or on its own).
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Show `p`; always returns true (the CLI never cancels).
    pub fn update(&self, p: &Progress) -> bool {
        if p.words == 0 {
            return true; // nothing measured yet: no "0k words/s, loss 0"
        }
        let msg = format!(
            "epoch {}/{} {:.0}k words/s lr {:.6} loss {:.4}",
            p.epoch + 1,
            self.epochs,
            p.words_per_sec / 1000.0,
            p.lr,
            p.loss
        );
        if let Some(bar) = &self.bar {
            bar.set_position((p.fraction * 1000.0) as u64);
            bar.set_message(msg);
        } else if self.plain {
            let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
            let due = last.is_none_or(|t| t.elapsed() >= LINE_EVERY);
            let done = p.fraction >= 1.0 && !self.done.swap(true, Ordering::Relaxed);
            if due || done {
                *last = Some(Instant::now());
                eprintln!(
                    "progress {:5.1}% {msg} elapsed {:.1}s",
                    p.fraction * 100.0,
                    p.elapsed.as_secs_f64()
                );
            }
        }
        true
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
