//! The protocol table: every event of both directions, declared once.
//!
//! Each entry is an event's name and its fields, in the order the writer
//! (and serde) writes them, each with its type and whether it is required
//! (`req`) or optional (`opt`). The macros of `declare.rs` make the event
//! enums, their kinds, the decoder's checks, the writer, the owned layout,
//! the reference serde model and the schema ([`CLIENT_EVENTS`],
//! [`SERVER_EVENTS`]) from these entries; adding an event is one entry here.
//!
//! The field types:
//!
//! | type | JSON | Rust |
//! |---|---|---|
//! | `Text` | a string | [`Text`](crate::Text) |
//! | `Id` | a string or an integer, kept as it came | [`Id`](crate::Id) |
//! | `Scalar` | a string or a number, kept as it came | [`Scalar`](crate::Scalar) |
//! | `Raw` | any JSON value, kept as it came | [`Raw`](crate::Raw) |
//! | `Form` | an object | [`FormFields`](crate::FormFields) |
//! | `FileType` | `"image"` or `"attachment"` | [`FileType`](crate::FileType) |
//!
//! An optional field is an `Option`: absent or `null` in the input is
//! `None`, and `None` is not written. Keys an event does not list are
//! validated and skipped.

use crate::declare::{events, fields};

/// The type of a field in the protocol table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldType {
    /// A JSON string ([`Text`](crate::Text)).
    Text,
    /// A JSON string or integer ([`Id`](crate::Id)).
    Id,
    /// A JSON string or number ([`Scalar`](crate::Scalar)).
    Scalar,
    /// Any JSON value ([`Raw`](crate::Raw)).
    Raw,
    /// A JSON object ([`FormFields`](crate::FormFields)).
    Form,
    /// `"image"` or `"attachment"` ([`FileType`](crate::FileType)).
    FileType,
}

/// One field of an event, as the protocol table declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldSchema {
    /// The field.
    pub field: Field,
    /// The Rust field's name (the key's, but for `type`: `party_type`).
    pub rust_name: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// Whether an event without it is rejected.
    pub required: bool,
}

/// One event, as the protocol table declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventSchema {
    /// The `"event"` value.
    pub name: &'static str,
    /// The enum variant's name.
    pub variant: &'static str,
    /// The fields, in the order they are written.
    pub fields: &'static [FieldSchema],
}

fields! {
    /// A key of an event of either direction, named in errors.
    pub enum Field {
        /// `"event"`, the tag naming the event's kind.
        Event = "event",
        /// `"msg_id"`.
        MsgId = "msg_id",
        /// `"msg"`.
        Msg = "msg",
        /// `"form_request_id"`.
        FormRequestId = "form_request_id",
        /// `"form_name"`.
        FormName = "form_name",
        /// `"data"`.
        Data = "data",
        /// `"destination_party_id"`.
        DestinationPartyId = "destination_party_id",
        /// `"file_type"`.
        FileType = "file_type",
        /// `"file_id"`.
        FileId = "file_id",
        /// `"file_name"`.
        FileName = "file_name",
        /// `"channel"`.
        Channel = "channel",
        /// `"party_id"`.
        PartyId = "party_id",
        /// `"timestamp"`.
        Timestamp = "timestamp",
        /// `"ref_msg_id"`.
        RefMsgId = "ref_msg_id",
        /// `"latitude"`.
        Latitude = "latitude",
        /// `"longitude"`.
        Longitude = "longitude",
        /// `"url"`.
        Url = "url",
        /// `"page"`.
        Page = "page",
        /// `"title"`.
        Title = "title",
        /// `"state"`.
        State = "state",
        /// `"ewt"`.
        Ewt = "ewt",
        /// `"first_name"`.
        FirstName = "first_name",
        /// `"last_name"`.
        LastName = "last_name",
        /// `"display_name"`.
        DisplayName = "display_name",
        /// `"type"`.
        Type = "type",
        /// `"form_timeout"`.
        FormTimeout = "form_timeout",
        /// `"form_id"`.
        FormId = "form_id",
        /// `"case_id"`.
        CaseId = "case_id",
        /// `"service_name"`.
        ServiceName = "service_name",
    }
}

events! {
    /// A client event of the Mobile/Web API, borrowed from the bytes it was
    /// decoded from.
    ///
    /// It owns nothing on the heap: every field is a slice of the input
    /// ([`Text`](crate::Text), [`Id`](crate::Id), [`Scalar`](crate::Scalar),
    /// [`Raw`](crate::Raw), [`FormFields`](crate::FormFields)). On 64-bit
    /// targets it is 64 bytes (a test asserts it).
    ///
    /// Fields an event does not list (`party_id`, `timestamp`, ...) are
    /// validated and skipped. An event whose name chatwire does not know is
    /// kept whole as [`ClientEvent::Unknown`], so a server can log or
    /// forward it.
    ///
    /// ```
    /// use chatwire::ClientEvent;
    ///
    /// let input = br#"{"event":"chat_session_message","msg_id":"4f1c2a:7","msg":"Hello"}"#;
    /// match chatwire::from_slice(input)? {
    ///     ClientEvent::Message { msg_id, msg, channel } => {
    ///         assert!(msg_id == "4f1c2a:7");
    ///         assert_eq!(msg.as_str(), Some("Hello"));
    ///         assert!(channel.is_none());
    ///     }
    ///     other => panic!("unexpected {other:?}"),
    /// }
    /// # Ok::<(), chatwire::Error>(())
    /// ```
    pub enum ClientEvent<'a>;
    /// The kind of a [`ClientEvent`], without its fields.
    ///
    /// ```
    /// use chatwire::EventKind;
    /// assert_eq!(EventKind::NotTyping.name(), "chat_session_not_typing");
    /// assert_eq!(EventKind::from_name("chat_session_end"), Some(EventKind::End));
    /// assert_eq!(EventKind::from_name("chat_session_status"), None);
    /// ```
    pub enum EventKind;
    /// The reference model of client events: what a careful user would
    /// derive with serde (see the module documentation).
    reference ReferenceEvent;
    schema CLIENT_EVENTS;
    {
        /// `chat_session_message`: a new chat message.
        Message = "chat_session_message" {
            /// Unique per message; `<chatId>:<n>` in the spec, often a UUID.
            msg_id: req Id,
            /// The text.
            msg: req Text,
            /// The channel (`web`, a messenger's name), sent by v2 clients.
            channel: opt Text,
        },
        /// `chat_session_typing`: the user started typing.
        Typing = "chat_session_typing" {
            /// The text typed so far, sent by the web chat client.
            msg: opt Text,
        },
        /// `chat_session_not_typing`: the user stopped typing.
        NotTyping = "chat_session_not_typing",
        /// `chat_session_form_data`: answers a server's `chat_session_form_show`.
        FormData = "chat_session_form_data" {
            /// The id from the `chat_session_form_show` event.
            form_request_id: req Id,
            /// The form's name.
            form_name: req Text,
            /// The form's fields, an object.
            data: req Form,
        },
        /// `chat_session_end`: ends the chat session.
        End = "chat_session_end",
        /// `chat_session_disconnect`: ends the conversation, keeps the session.
        Disconnect = "chat_session_disconnect",
        /// `chat_session_signaling`: WebRTC signaling addressed to a party.
        Signaling = "chat_session_signaling" {
            /// The message id.
            msg_id: req Id,
            /// The agent's party id.
            destination_party_id: req Id,
            /// The signaling payload: a string in the spec, an object (an SDP
            /// offer, an ICE candidate) in the field; any JSON value is kept.
            data: req Raw,
        },
        /// `chat_session_file`: the client uploaded a file.
        File = "chat_session_file" {
            /// The message id.
            msg_id: req Id,
            /// `image` or `attachment`.
            file_type: req FileType,
            /// Names the upload.
            file_id: req Id,
            /// The file's name, sent though not documented.
            file_name: opt Text,
        },
        /// `chat_session_message_delivered` (v2): the client received a
        /// message. The v2 docs send `ref_msg_id`, the SDKs `msg_id`; both are
        /// kept, apart.
        MessageDelivered = "chat_session_message_delivered" {
            /// The message received, as the v2 docs name it.
            ref_msg_id: opt Id,
            /// The message received, as the SDKs name it.
            msg_id: opt Id,
        },
        /// `chat_session_message_read` (v2): the user read a message.
        MessageRead = "chat_session_message_read" {
            /// The message read, as the v2 docs name it.
            ref_msg_id: opt Id,
            /// The message read, as the SDKs name it.
            msg_id: opt Id,
        },
        /// `chat_session_location`: shares the device's position.
        Location = "chat_session_location" {
            /// The message id.
            msg_id: opt Id,
            /// Latitude: a number, or a string holding one.
            latitude: req Scalar,
            /// Longitude: a number, or a string holding one.
            longitude: req Scalar,
        },
        /// `chat_session_navigation`: the visitor moved to another web page.
        Navigation = "chat_session_navigation" {
            /// The message id.
            msg_id: opt Id,
            /// The page's URL.
            page: req Text,
            /// The page's title.
            title: opt Text,
        },
        /// `chat_session_secure_form_data`: answers `chat_session_secure_form_show`.
        SecureFormData = "chat_session_secure_form_data" {
            /// The id from the `chat_session_secure_form_show` event.
            form_request_id: req Id,
            /// The form's name.
            form_name: req Text,
            /// The form's fields, an object.
            data: req Form,
        },
        /// `chat_session_secure_form_cancel`: the user cancelled the secure form.
        SecureFormCancel = "chat_session_secure_form_cancel" {
            /// The id from the `chat_session_secure_form_show` event.
            form_request_id: req Id,
            /// The form's name.
            form_name: req Text,
        },
    }
}

events! {
    /// A server event of the Mobile/Web API, borrowed from the bytes it was
    /// decoded from: what a chat server sends its clients, and what Get New
    /// Chat Events and Get Chat History answer.
    ///
    /// Like [`ClientEvent`], it owns nothing on the heap and keeps an event
    /// of a name it does not know whole. Fields that real servers omit are
    /// optional; `timestamp` and the other values that arrive as strings or
    /// numbers keep their form ([`Scalar`](crate::Scalar)). On 64-bit
    /// targets it is 104 bytes (a test asserts it).
    ///
    /// ```
    /// use chatwire::ServerEvent;
    ///
    /// let input = br#"{"ewt":"","event":"chat_session_status","state":"queued"}"#;
    /// let ServerEvent::Status { state, ewt, timestamp } = ServerEvent::from_slice(input)? else {
    ///     unreachable!()
    /// };
    /// assert!(state == "queued");
    /// assert!(ewt.is_some_and(|ewt| ewt == ""));
    /// assert!(timestamp.is_none());
    /// # Ok::<(), chatwire::Error>(())
    /// ```
    pub enum ServerEvent<'a>;
    /// The kind of a [`ServerEvent`], without its fields.
    ///
    /// ```
    /// use chatwire::ServerKind;
    /// assert_eq!(ServerKind::from_name("chat_session_party_joined"), Some(ServerKind::PartyJoined));
    /// assert_eq!(ServerKind::PartyJoined.name(), "chat_session_party_joined");
    /// ```
    pub enum ServerKind;
    /// The reference model of server events (see the module documentation).
    reference ReferenceServerEvent;
    schema SERVER_EVENTS;
    {
        /// `chat_session_status`: the session changed state.
        Status = "chat_session_status" {
            /// `queued`, `connecting`, `connected`, `failed`, `completed`
            /// (and `ivr` in the field).
            state: req Text,
            /// Estimated waiting time while queued; may be `""`.
            ewt: opt Scalar,
            /// When it happened.
            timestamp: opt Scalar,
        },
        /// `chat_session_ended`: the session ended normally.
        Ended = "chat_session_ended",
        /// `chat_session_party_joined`: an agent or the scenario joined.
        PartyJoined = "chat_session_party_joined" {
            /// The party's id.
            party_id: req Id,
            /// First name.
            first_name: opt Text,
            /// Last name.
            last_name: opt Text,
            /// The name to show.
            display_name: opt Text,
            /// `scenario`, `external` or `internal`.
            party_type as "type": req Text,
            /// When it happened.
            timestamp: opt Scalar,
        },
        /// `chat_session_party_left`: a party left the session.
        PartyLeft = "chat_session_party_left" {
            /// The party's id.
            party_id: req Id,
            /// The party's type, sent by real servers though not documented.
            party_type as "type": opt Text,
            /// When it happened.
            timestamp: opt Scalar,
        },
        /// `chat_session_message`: a new chat message.
        Message = "chat_session_message" {
            /// The message id.
            msg_id: req Id,
            /// The sender.
            party_id: req Id,
            /// The text.
            msg: req Text,
            /// The channel, seen as `web`.
            channel: opt Text,
            /// When it was sent.
            timestamp: opt Scalar,
        },
        /// `chat_session_typing`: a party started typing.
        Typing = "chat_session_typing" {
            /// The party typing.
            party_id: opt Id,
        },
        /// `chat_session_not_typing`: a party stopped typing.
        NotTyping = "chat_session_not_typing" {
            /// The party.
            party_id: opt Id,
        },
        /// `chat_session_form_show`: asks the client to show a form.
        FormShow = "chat_session_form_show" {
            /// Echoed in the client's `chat_session_form_data`.
            form_request_id: req Id,
            /// The form's name; `""` asks for the next typed message.
            form_name: req Text,
            /// How long the form stays open.
            form_timeout: opt Scalar,
            /// The channel.
            channel: opt Text,
            /// When it was sent.
            timestamp: opt Scalar,
        },
        /// `chat_session_file`: a party shared a file.
        File = "chat_session_file" {
            /// The sender (some servers omit it).
            party_id: opt Id,
            /// The message id.
            msg_id: req Id,
            /// Fetch it from `.../chats/{chatId}/files/{file_id}`.
            file_id: req Id,
            /// `image` or `attachment`.
            file_type: req FileType,
            /// The file's name.
            file_name: opt Text,
            /// When it was sent.
            timestamp: opt Scalar,
        },
        /// `chat_session_signaling`: WebRTC signaling from an agent.
        Signaling = "chat_session_signaling" {
            /// The sender.
            party_id: opt Id,
            /// The message id.
            msg_id: opt Id,
            /// The signaling payload, an object with a `type`; kept as it came.
            data: req Raw,
            /// When it was sent.
            timestamp: opt Scalar,
        },
        /// `chat_session_timeout_warning`: a message to show, normally an
        /// inactivity warning.
        TimeoutWarning = "chat_session_timeout_warning" {
            /// The text (clients fall back to their own).
            msg: opt Text,
            /// When it was sent.
            timestamp: opt Scalar,
        },
        /// `chat_session_inactivity_timeout`: the session ended for inactivity.
        InactivityTimeout = "chat_session_inactivity_timeout" {
            /// The text (clients fall back to their own).
            msg: opt Text,
            /// When it was sent.
            timestamp: opt Scalar,
        },
        /// `chat_session_message_delivered` (v2): the other side received a
        /// message. `ref_msg_id` (v2 docs) and `msg_id` (SDKs) are kept apart.
        MessageDelivered = "chat_session_message_delivered" {
            /// The message, as the SDKs name it.
            msg_id: opt Id,
            /// The message, as the v2 docs name it.
            ref_msg_id: opt Id,
            /// The party that received it.
            party_id: opt Id,
            /// When it happened.
            timestamp: opt Scalar,
        },
        /// `chat_session_message_read` (v2): the other side read a message.
        MessageRead = "chat_session_message_read" {
            /// The message, as the SDKs name it.
            msg_id: opt Id,
            /// The message, as the v2 docs name it.
            ref_msg_id: opt Id,
            /// The party that read it.
            party_id: opt Id,
            /// When it happened.
            timestamp: opt Scalar,
        },
        /// `chat_session_case_set` (v2): a CRM case was attached to the session.
        CaseSet = "chat_session_case_set" {
            /// The case (iOS treats it as optional).
            case_id: opt Id,
            /// When it happened.
            timestamp: opt Scalar,
        },
        /// `chat_session_location`: a location shared in the chat.
        Location = "chat_session_location" {
            /// The sender.
            party_id: opt Id,
            /// The message id.
            msg_id: opt Id,
            /// A map link.
            url: opt Text,
            /// Latitude: a number, or a string holding one.
            latitude: req Scalar,
            /// Longitude: a number, or a string holding one.
            longitude: req Scalar,
            /// When it was sent.
            timestamp: opt Scalar,
        },
        /// `chat_session_info`: the service's name.
        Info = "chat_session_info" {
            /// The service's name.
            service_name: req Text,
        },
        /// `chat_session_secure_form_show`: asks the client to show a secure form.
        SecureFormShow = "chat_session_secure_form_show" {
            /// Echoed in the client's answer.
            form_request_id: req Id,
            /// The secure form.
            form_id: req Id,
            /// The form's name.
            form_name: opt Text,
        },
    }
}

/// The table's promise, kept by a test: an event declared in a table gets
/// its decoder, writer, owned layout, reference model and schema with no
/// other code. This table holds one event that exists only here (its keys
/// are keys of the `Field` table, as every event's are).
#[cfg(test)]
#[allow(dead_code)]
mod single_source {
    use crate::declare::events;

    events! {
        /// A test-only direction.
        pub enum TestEvent<'a>;
        /// Its kinds.
        pub enum TestKind;
        /// Its reference model.
        reference ReferenceTestEvent;
        schema TEST_EVENTS;
        {
            /// `chat_session_ping`, declared only here.
            Ping = "chat_session_ping" {
                /// Required text.
                msg: req Text,
                /// An optional number or string.
                timestamp: opt Scalar,
                /// An optional id under a key that is a Rust keyword.
                by as "type": opt Id,
            },
        }
    }

    #[test]
    fn an_event_declared_only_in_a_table_decodes_writes_and_round_trips() {
        let input = br#" {"timestamp":1.5e3,"type":7,"msg":"caf\u00e9","x":[1]} "#;
        assert!(
            TestEvent::from_slice(input).is_err(),
            "no \"event\": rejected"
        );
        let input =
            br#" {"timestamp":1.5e3,"event":"chat_session_ping","type":7,"msg":"caf\u00e9","x":[1]} "#;
        let event = TestEvent::from_slice(input).unwrap();
        let TestEvent::Ping { msg, timestamp, by } = event else {
            panic!("{event:?}")
        };
        assert!(msg == "café");
        assert!(timestamp.unwrap() == "1.5e3");
        assert_eq!(by.unwrap().as_u64(), Some(7));
        assert_eq!(event.kind(), TestKind::Ping);
        // Written in the table's order, the number as it came.
        let written = event.to_vec();
        assert_eq!(
            written,
            r#"{"event":"chat_session_ping","msg":"café","timestamp":1.5e3,"type":7}"#.as_bytes()
        );
        assert_eq!(TestEvent::from_slice(&written).unwrap(), event);
        // Required and typed like every other event.
        let err = TestEvent::from_slice(br#"{"event":"chat_session_ping"}"#).unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::MissingField(super::Field::Msg)
        );
        // Its schema.
        assert_eq!(TEST_EVENTS[0].name, "chat_session_ping");
        assert_eq!(TEST_EVENTS[0].fields.len(), 3);
        // Its owned layout.
        #[cfg(feature = "alloc")]
        {
            use crate::owned::Spanned;
            let layout = event.layout(input).unwrap();
            assert_eq!(TestEvent::from_layout(&layout, input), Some(event));
        }
        // Its reference model, against serde_json.
        #[cfg(feature = "serde")]
        {
            let oracle: ReferenceTestEvent = serde_json::from_slice(input).unwrap();
            assert_eq!(ReferenceTestEvent::from(&event), oracle);
            assert_eq!(
                serde_json::to_vec(&ReferenceTestEvent::from(&event)).unwrap(),
                written
            );
        }
    }
}
