//! The progress bar on stderr: drawn only when stderr is a terminal and the
//! input is large enough for it to matter.

use std::io::{self, IsTerminal};

use indicatif::{ProgressBar, ProgressStyle};

/// Files smaller than this finish before a bar would be worth drawing.
const MIN_LEN: u64 = 16 << 20;

/// A bar over `len` bytes of input (`None`: standard input or a pipe),
/// hidden unless stderr is a terminal.
pub fn bar(len: Option<u64>, stdin_is_input: bool) -> ProgressBar {
    let show = io::stderr().is_terminal()
        && match len {
            Some(len) => len >= MIN_LEN,
            // A person typing events does not need a spinner.
            None => !(stdin_is_input && io::stdin().is_terminal()),
        };
    if !show {
        return ProgressBar::hidden();
    }
    match len {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("a valid template"),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bytes} read, {bytes_per_sec}")
                .expect("a valid template"),
        ),
    }
}
