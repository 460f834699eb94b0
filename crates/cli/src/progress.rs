//! The progress bar of long runs: paths done, rate and time left, on
//! standard error when it is a terminal; nothing otherwise or with
//! `--quiet`. It never touches standard output, so `--json | jq` is safe.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for `total` paths (it grows if more are simulated, as with
    /// `--target-se`).
    pub fn new(total: u64, quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(Some(total.max(1)), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40.cyan/blue}] {human_pos}/{human_len} paths  {per_sec}  {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        Progress(Some(bar))
    }

    /// Counts one path done.
    pub fn tick(&self) {
        if let Some(b) = &self.0 {
            if b.length().is_some_and(|len| b.position() + 1 > len) {
                b.set_length(b.position() + 1);
            }
            b.inc(1);
        }
    }

    /// Whether a bar is shown.
    pub fn active(&self) -> bool {
        self.0.is_some()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
