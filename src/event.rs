//! The data model's own types. The event enums themselves
//! ([`ClientEvent`](crate::ClientEvent), [`ServerEvent`](crate::ServerEvent))
//! and their kinds are made from the protocol table (`protocol.rs`); the
//! borrowed field values are in `text.rs` and `raw.rs`. It knows nothing of
//! parsing or writing.

/// `file_type` of a `chat_session_file` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    /// `"image"`
    Image,
    /// `"attachment"`
    Attachment,
}

impl FileType {
    /// The value as it appears in JSON.
    pub const fn name(self) -> &'static str {
        match self {
            FileType::Image => "image",
            FileType::Attachment => "attachment",
        }
    }
}
