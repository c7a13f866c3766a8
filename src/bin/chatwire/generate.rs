//! `gen`: the benchmark workloads of `chatwire::workload`.

use std::fs;
use std::io::{self, Write};

use chatwire::workload;

use crate::{Failure, GenArgs};

/// Writes the workload `args` names, byte for byte what
/// `workload::generate` returns.
pub fn run(args: &GenArgs) -> Result<(), Failure> {
    // `workload::generate` builds the whole output in memory (the
    // generator's state is private, so it cannot be resumed in pieces).
    let bytes = workload::generate(args.workload.into(), args.events, args.seed);
    match &args.output {
        Some(path) => fs::write(path, &bytes).map_err(Failure::io(path.display().to_string())),
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(Failure::io("standard output"))
        }
    }
}
