//! Opening an input: a regular file is memory-mapped; standard input, pipes
//! and other files that cannot be mapped are read as a stream.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use memmap2::{Advice, Mmap, UncheckedAdvice};

/// Where the bytes come from.
pub enum Source {
    /// A regular file, mapped; `None` when it is empty (an empty file cannot
    /// be mapped).
    Mapped(Option<Mmap>),
    /// Standard input, a pipe, a device: read as it comes.
    Stream(Box<dyn Read>),
}

/// An opened input.
pub struct Input {
    /// The name error lines give: the path as given, `-` for standard input.
    pub name: String,
    /// The bytes.
    pub source: Source,
}

impl Input {
    /// The input's length, when it is known in advance.
    pub fn len(&self) -> Option<u64> {
        match &self.source {
            Source::Mapped(map) => Some(map.as_ref().map_or(0, |m| m.len() as u64)),
            Source::Stream(_) => None,
        }
    }
}

/// Opens `path`; `-` is standard input.
pub fn open(path: &Path) -> io::Result<Input> {
    if path.as_os_str() == "-" {
        return Ok(Input {
            name: "-".into(),
            source: Source::Stream(Box::new(io::stdin().lock())),
        });
    }
    let name = path.display().to_string();
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Input {
            name,
            source: Source::Stream(Box::new(file)),
        });
    }
    if meta.len() == 0 {
        return Ok(Input {
            name,
            source: Source::Mapped(None),
        });
    }
    // SAFETY: `Mmap::map` is unsafe because Rust assumes that the bytes
    // behind the `&[u8]` it gives do not change while they are borrowed, and
    // only the file's other users can keep that promise: the map is a shared
    // view of the file's pages. This one is read-only and outlives every
    // borrow of it (it lives in `Input`). The usual mmap caveat remains: the
    // file must not be truncated or rewritten while `chatwire` reads it.
    // Reading a page cut off by a truncation raises SIGBUS (the process
    // dies), and bytes rewritten under the decoder could change between its
    // validating them and its using them. Appending is harmless: the map
    // covers the length the file had when it was opened. ripgrep and git map
    // their inputs on the same terms.
    #[allow(unsafe_code)]
    let map = unsafe { Mmap::map(&file)? };
    // A hint only: read ahead, and let pages go once passed.
    let _ = map.advise(Advice::Sequential);
    Ok(Input {
        name,
        source: Source::Mapped(Some(map)),
    })
}

/// Lets the pages of a mapped input go once the decoder has passed them, so
/// that a large file does not stay resident in full: the process's memory
/// stays about the decoding window however long the file is.
pub struct Pager<'a> {
    map: Option<&'a Mmap>,
    released: usize,
}

impl<'a> Pager<'a> {
    /// Pages are released in steps of at least this many bytes.
    const STEP: usize = 4 << 20;

    /// A pager over `map` (`None`: an empty input, nothing to release).
    pub fn new(map: Option<&'a Mmap>) -> Pager<'a> {
        Pager { map, released: 0 }
    }

    /// Says that the bytes before `offset` are done with; whole pages of
    /// them are given back once there are `STEP` bytes of them.
    pub fn passed(&mut self, offset: usize) {
        let Some(map) = self.map else { return };
        let page = page_size();
        let end = offset.min(map.len()) / page * page;
        if end < self.released + Self::STEP {
            return;
        }
        // SAFETY: `MADV_DONTNEED` drops the process's copies of these pages.
        // The map is a read-only shared map of a file, so a later access
        // faults the page in again from the file, with the same bytes: the
        // contents behind any live borrow of the map do not change (the
        // caveat of mapping at all, a file rewritten under the reader,
        // stays what it was). The range is page-aligned and inside the map.
        #[allow(unsafe_code)]
        let released = unsafe {
            map.unchecked_advise_range(
                UncheckedAdvice::DontNeed,
                self.released,
                end - self.released,
            )
        };
        // A hint: should the kernel refuse it, the pages simply stay.
        let _ = released;
        self.released = end;
    }
}

/// The size of a memory page.
fn page_size() -> usize {
    // Every Linux target chatwire is built for has pages of 4 KiB or a
    // multiple of it; 64 KiB covers them all and keeps ranges aligned.
    64 << 10
}
