//! What `decode`, `check` and `stats` need of the side they read (`--side`):
//! where each kind is counted, the labels `stats` prints, and how to tell
//! one whole event from the bytes an envelope's head leaves before it.

use chatwire::{
    Client, ClientEvent, EventKind, History, HistoryEvent, HistoryKind, Server, ServerEvent,
    ServerKind, Side, Status,
};

/// Counters per kind: enough for every side (history's kinds are the
/// client's and the server's, one after the other).
pub const KINDS: usize = HistoryKind::ALL.len();

/// A side the command reads, on the public API only.
pub trait Direction: Side {
    /// The side's name as `--side` spells it.
    const NAME: &'static str;

    /// The counter of `kind`, below [`KINDS`].
    fn index(kind: Self::Kind) -> usize;

    /// The rows `stats` prints: each kind's counter and label, unknown
    /// kinds last.
    fn rows() -> Vec<(usize, String)>;

    /// Whether `bytes` are exactly one event of the side.
    fn whole(bytes: &[u8]) -> bool;
}

const UNKNOWN: &str = "(unknown kinds)";

/// One direction's rows: each kind's index and its name, or
/// [`UNKNOWN`] where `name` gives none.
fn rows_of<K: Copy>(
    all: &[K],
    index: fn(K) -> usize,
    name: impl Fn(K) -> Option<&'static str>,
) -> Vec<(usize, String)> {
    all.iter()
        .map(|&kind| (index(kind), name(kind).unwrap_or(UNKNOWN).to_string()))
        .collect()
}

fn is_whole<T>(parsed: Result<Status<(T, usize)>, chatwire::Error>, len: usize) -> bool {
    matches!(parsed, Ok(Status::Complete((_, n))) if n == len)
}

impl Direction for Client {
    const NAME: &'static str = "client";

    fn index(kind: EventKind) -> usize {
        kind.index()
    }

    fn rows() -> Vec<(usize, String)> {
        rows_of(EventKind::ALL, EventKind::index, |kind| {
            (kind != EventKind::Unknown).then(|| kind.name())
        })
    }

    fn whole(bytes: &[u8]) -> bool {
        is_whole(ClientEvent::parse(bytes), bytes.len())
    }
}

impl Direction for Server {
    const NAME: &'static str = "server";

    fn index(kind: ServerKind) -> usize {
        kind.index()
    }

    fn rows() -> Vec<(usize, String)> {
        rows_of(ServerKind::ALL, ServerKind::index, |kind| {
            (kind != ServerKind::Unknown).then(|| kind.name())
        })
    }

    fn whole(bytes: &[u8]) -> bool {
        is_whole(ServerEvent::parse(bytes), bytes.len())
    }
}

impl Direction for History {
    const NAME: &'static str = "history";

    fn index(kind: HistoryKind) -> usize {
        kind.index()
    }

    /// The client's kinds, then the server's, each labelled with its
    /// direction; unknown names are the server's, so the client's unknown
    /// is left out.
    fn rows() -> Vec<(usize, String)> {
        HistoryKind::ALL
            .iter()
            .filter_map(|&kind| match kind {
                HistoryKind::Client(EventKind::Unknown) => None,
                HistoryKind::Server(ServerKind::Unknown) => {
                    Some((kind.index(), UNKNOWN.to_string()))
                }
                HistoryKind::Client(k) => Some((kind.index(), format!("{} (client)", k.name()))),
                HistoryKind::Server(k) => Some((kind.index(), format!("{} (server)", k.name()))),
            })
            .collect()
    }

    fn whole(bytes: &[u8]) -> bool {
        is_whole(HistoryEvent::parse(bytes), bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_are_in_range_and_distinct<S: Direction>() {
        let rows = S::rows();
        let mut seen = [false; KINDS];
        for (index, label) in &rows {
            assert!(*index < KINDS, "{label}");
            assert!(!seen[*index], "{label} twice");
            seen[*index] = true;
        }
        assert_eq!(rows.last().map(|r| r.1.as_str()), Some(UNKNOWN));
    }

    #[test]
    fn every_sides_rows_fit_the_counters() {
        rows_are_in_range_and_distinct::<Client>();
        rows_are_in_range_and_distinct::<Server>();
        rows_are_in_range_and_distinct::<History>();
        assert_eq!(
            History::rows().len(),
            EventKind::ALL.len() + ServerKind::ALL.len() - 1
        );
    }
}
