//! The table `stats` prints.

use std::io::{self, Write};

use chatwire::stream::Framing;

use crate::input::Input;
use crate::report::Summary;
use crate::run::{self, Job};
use crate::side::Direction;

/// `n` with a comma between groups of three digits.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The name of a framing as the command line spells it.
pub fn framing_name(framing: Framing) -> &'static str {
    match framing {
        Framing::Ndjson => "ndjson",
        Framing::Envelope => "envelope",
        Framing::Concatenated => "concat",
        _ => "auto",
    }
}

/// Prints the statistics of a run over events of side `S` to stdout.
pub fn print<S: Direction>(input: &Input, job: &Job, summary: &Summary) -> io::Result<()> {
    let t = &summary.tally;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "input        {} ({}, {} bytes)",
        input.name,
        framing_name(summary.framing),
        thousands(summary.bytes)
    )?;
    writeln!(out, "side         {}", S::NAME)?;
    writeln!(out, "events       {}", thousands(t.events))?;
    writeln!(out, "errors       {}", thousands(t.errors))?;
    writeln!(out, "by kind")?;
    let rows = S::rows();
    // Names are up to 31 bytes; history's carry their direction too.
    let width = rows
        .iter()
        .map(|(_, label)| label.len())
        .max()
        .unwrap_or(0)
        .max(32);
    for (index, name) in &rows {
        let n = t.kinds[*index];
        let share = if t.events == 0 {
            0.0
        } else {
            100.0 * n as f64 / t.events as f64
        };
        writeln!(out, "  {name:<width$} {:>8} {share:>6.1}%", thousands(n))?;
    }
    let mean = t.bytes.checked_div(t.events).unwrap_or(0);
    writeln!(
        out,
        "event size   total {} bytes, largest {} bytes, mean {} bytes (as they came)",
        thousands(t.bytes),
        thousands(t.largest),
        thousands(mean)
    )?;
    let secs = summary.elapsed.as_secs_f64().max(1e-9);
    let threads = run::threads_used(input.len(), summary.framing, job);
    writeln!(
        out,
        "throughput   {:.1} MB/s, {:.2} M events/s ({:.3} s, {} {}; MB = 10^6 bytes)",
        summary.bytes as f64 / secs / 1e6,
        t.events as f64 / secs / 1e6,
        secs,
        threads,
        if threads == 1 { "thread" } else { "threads" },
    )?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
