//! What a long demo run is doing (a city-scale roster takes minutes): a bar on a
//! terminal; elsewhere (a log, CI) a plain line at each phase and every tenth of it.

use std::{io::IsTerminal, time::Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    /// Plain lines instead of a bar (stderr is not a terminal).
    plain: bool,
    what: &'static str,
    len: u64,
    done: u64,
    tenths_shown: u64,
    started: Instant,
}

impl Progress {
    /// Shows progress when `show`; otherwise every call does nothing.
    pub(crate) fn new(show: bool) -> Self {
        let plain = !std::io::stderr().is_terminal();
        let bar = (show && !plain).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} {msg:<28} [{bar:30}] {human_pos}/{human_len} ({per_sec}, eta {eta})",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar
        });
        Self {
            bar,
            plain: show && plain,
            what: "",
            len: 0,
            done: 0,
            tenths_shown: 0,
            started: Instant::now(),
        }
    }

    /// Starts a phase of `len` steps.
    pub(crate) fn phase(&mut self, what: &'static str, len: u64) {
        (self.what, self.len, self.done, self.tenths_shown) = (what, len, 0, 0);
        if let Some(bar) = &self.bar {
            bar.set_length(len);
            bar.set_position(0);
            bar.set_message(what);
        }
        if self.plain {
            eprintln!(
                "demo: {what} ({len}) at {:.1}s",
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    /// `n` more steps of the phase are done.
    pub(crate) fn advance(&mut self, n: u64) {
        self.done += n;
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
        let tenths = self.done * 10 / self.len.max(1);
        if self.plain && tenths > self.tenths_shown {
            self.tenths_shown = tenths;
            eprintln!(
                "demo: {} {}/{} ({}%) at {:.1}s",
                self.what,
                self.done,
                self.len,
                tenths * 10,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
