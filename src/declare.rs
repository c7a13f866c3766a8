//! The macros that turn the protocol table (`protocol.rs`) into code.
//!
//! The table names each event once, with its fields, their types and
//! whether they are required; from that one entry come the enum variant,
//! the kind, the name dispatch, the decoder's field checks, the writer, the
//! owned layout, the reference serde model and the schema that the property
//! tests generate events from. Each piece of generated code calls a trait
//! of the module that owns the concern (`decode::FieldValue`,
//! `write::WriteValue`, `owned::Spanned`, `reference::ToReference`), so the
//! macros only wire the table to them.
//!
//! A field is written `name: req Type` or `name: opt Type`, where `Type` is
//! one of `Text`, `Id`, `Scalar`, `Raw`, `Form` and `FileType`; `name as
//! "key"` gives a field whose JSON key is not a Rust identifier (`type`).

/// The borrowed Rust type of a table field.
macro_rules! field_type {
    ($lt:lifetime, req, $T:ident) => { $crate::declare::borrowed!($lt, $T) };
    ($lt:lifetime, opt, $T:ident) => { Option<$crate::declare::borrowed!($lt, $T)> };
}

/// The borrowed Rust type of a table type name.
macro_rules! borrowed {
    ($lt:lifetime, Text) => { $crate::text::Text<$lt> };
    ($lt:lifetime, Id) => { $crate::text::Id<$lt> };
    ($lt:lifetime, Scalar) => { $crate::text::Scalar<$lt> };
    ($lt:lifetime, Raw) => { $crate::raw::Raw<$lt> };
    ($lt:lifetime, Form) => { $crate::raw::FormFields<$lt> };
    ($lt:lifetime, FileType) => { $crate::event::FileType };
}

/// The reference model's (owned) type of a table field.
#[cfg(feature = "serde")]
macro_rules! reference_type {
    (req, $T:ident) => { $crate::declare::owned_reference!($T) };
    (opt, $T:ident) => { Option<$crate::declare::owned_reference!($T)> };
}

/// The reference model's type of a table type name.
#[cfg(feature = "serde")]
macro_rules! owned_reference {
    (Text) => {
        alloc::string::String
    };
    (Id) => {
        $crate::reference::RefId
    };
    (Scalar) => {
        $crate::reference::RefScalar
    };
    (Raw) => {
        $crate::reference::RefJson
    };
    (Form) => {
        $crate::reference::RefForm
    };
    (FileType) => {
        $crate::reference::RefFileType
    };
}

/// The schema's name for a table type.
macro_rules! schema_type {
    (Text) => {
        $crate::protocol::FieldType::Text
    };
    (Id) => {
        $crate::protocol::FieldType::Id
    };
    (Scalar) => {
        $crate::protocol::FieldType::Scalar
    };
    (Raw) => {
        $crate::protocol::FieldType::Raw
    };
    (Form) => {
        $crate::protocol::FieldType::Form
    };
    (FileType) => {
        $crate::protocol::FieldType::FileType
    };
}

/// A field's JSON key: its name, or the key given with `as`.
macro_rules! field_key {
    ($f:ident) => {
        stringify!($f)
    };
    ($f:ident, $key:literal) => {
        $key
    };
}

/// The index of the byte of an event's shortest form `{"event":"<name>"}`
/// that tells it apart soonest: the first after `chat_session_` when the
/// name starts so, else the first that differs from it.
pub(crate) const fn lead_byte(template: &[u8]) -> usize {
    const PREFIX: &[u8] = b"{\"event\":\"chat_session_";
    let mut i = 0;
    while i < PREFIX.len() && i + 1 < template.len() && template[i] == PREFIX[i] {
        i += 1;
    }
    i
}

/// Whether a field is required.
macro_rules! required {
    (req) => {
        true
    };
    (opt) => {
        false
    };
}

/// The keys of every event of both directions: the [`Field`] enum, the
/// decoder's slots (one per key) and the key dispatch.
///
/// [`Field`]: crate::Field
macro_rules! fields {
    (
        $(#[$meta:meta])*
        pub enum Field {
            $( $(#[$fmeta:meta])* $Field:ident = $key:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Field {
            $( $(#[$fmeta])* $Field, )*
        }

        impl Field {
            /// Every field, in the table's order.
            pub const ALL: &'static [Field] = &[ $( Field::$Field, )* ];

            /// The number of fields: the decoder's slots.
            pub(crate) const COUNT: usize = Field::ALL.len();

            /// The key dispatch.
            const TABLE: $crate::dispatch::NameTable<{ Field::COUNT }> =
                $crate::dispatch::NameTable::new([ $( $key, )* ]);

            /// The field's key as it appears in JSON.
            ///
            /// ```
            /// assert_eq!(chatwire::Field::MsgId.name(), "msg_id");
            /// ```
            pub const fn name(self) -> &'static str {
                match self {
                    $( Field::$Field => $key, )*
                }
            }

            /// The field whose key is `key` (unescaped).
            ///
            /// ```
            /// use chatwire::Field;
            /// assert_eq!(Field::from_key("party_id"), Some(Field::PartyId));
            /// assert_eq!(Field::from_key("partyId"), None);
            /// ```
            #[inline]
            pub fn from_key(key: &str) -> Option<Field> {
                Field::from_key_bytes(key.as_bytes())
            }

            /// [`Field::from_key`] on bytes.
            #[inline(always)]
            pub(crate) fn from_key_bytes(key: &[u8]) -> Option<Field> {
                Field::ALL.get(Field::TABLE.find(key)?).copied()
            }

            /// Recognises a key written without escapes where it lies, from
            /// the byte after its opening quote: the field and the offset
            /// after its closing quote.
            #[inline(always)]
            pub(crate) fn sniff(input: &[u8], at: usize) -> Option<(Field, usize)> {
                let (index, end) = Field::TABLE.find_at(input, at)?;
                Some((*Field::ALL.get(index)?, end))
            }

            /// The field whose key is `key`, in a `const` context; panics
            /// (failing the build) when the table has no such key.
            pub(crate) const fn of(key: &str) -> Field {
                match Field::TABLE.position(key) {
                    Some(i) => Field::ALL[i],
                    None => panic!("a field of an event is missing from the `Field` table"),
                }
            }
        }
    };
}

/// One direction's events: the event enum, its kind, the name dispatch, the
/// decoder, the writer, the owned layout, the schema and (feature `serde`)
/// the reference model.
macro_rules! events {
    (
        $(#[$meta:meta])*
        pub enum $Event:ident<$lt:lifetime>;
        $(#[$kmeta:meta])*
        pub enum $Kind:ident;
        $(#[$rmeta:meta])*
        reference $Ref:ident;
        schema $SCHEMA:ident;
        {
            $(
                $(#[$vmeta:meta])*
                $Variant:ident = $name:literal $( {
                    $( $(#[$fmeta:meta])* $f:ident $(as $fkey:literal)? : $req:ident $T:ident, )*
                } )?,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $Event<$lt> {
            $(
                $(#[$vmeta])*
                $Variant $( {
                    $( $(#[$fmeta])* $f: $crate::declare::field_type!($lt, $req, $T), )*
                } )?,
            )*
            /// An event whose name chatwire does not know (a later API
            /// version's, say), kept whole.
            Unknown {
                /// The `"event"` value.
                name: $crate::text::Text<$lt>,
                /// The whole event object, as it came.
                raw: $crate::raw::Raw<$lt>,
            },
        }

        $(#[$kmeta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $Kind {
            $(
                #[doc = concat!("`", $name, "`")]
                $Variant,
            )*
            /// An event name chatwire does not know.
            Unknown,
        }

        impl $Kind {
            /// Every kind, in the table's order, `Unknown` last.
            pub const ALL: &'static [$Kind] = &[ $( $Kind::$Variant, )* $Kind::Unknown ];

            /// The name dispatch.
            const TABLE: $crate::dispatch::NameTable<{ $Kind::ALL.len() - 1 }> =
                $crate::dispatch::NameTable::new([ $( $name, )* ]);

            /// The `"event"` value of a known kind; `"unknown"` for `Unknown`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( $Kind::$Variant => $name, )*
                    $Kind::Unknown => "unknown",
                }
            }

            /// The known kind named `name` (the unescaped `"event"` value).
            #[inline]
            pub fn from_name(name: &str) -> Option<$Kind> {
                $Kind::from_name_bytes(name.as_bytes())
            }

            /// [`Self::from_name`] on bytes.
            #[inline(always)]
            pub(crate) fn from_name_bytes(name: &[u8]) -> Option<$Kind> {
                $Kind::ALL.get($Kind::TABLE.find(name)?).copied()
            }

            /// Recognises a name written without escapes where it lies, from
            /// the byte after its opening quote: the kind and the offset
            /// after its closing quote.
            #[inline(always)]
            pub(crate) fn sniff(input: &[u8], at: usize) -> Option<($Kind, usize)> {
                let (index, end) = $Kind::TABLE.find_at(input, at)?;
                Some((*$Kind::ALL.get(index)?, end))
            }

            /// The kind's place in [`Self::ALL`].
            #[inline(always)]
            pub const fn index(self) -> usize {
                self as usize
            }
        }

        impl core::fmt::Display for $Kind {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl<$lt> $Event<$lt> {
            /// The event's kind.
            #[allow(clippy::unneeded_struct_pattern)]
            pub const fn kind(&self) -> $Kind {
                match self {
                    $( $Event::$Variant { .. } => $Kind::$Variant, )*
                    $Event::Unknown { .. } => $Kind::Unknown,
                }
            }

            /// Decodes the event at the start of `input`, which may hold
            /// more bytes after it: the event and the bytes it used, or
            /// [`Status::Partial`](crate::Status::Partial) when the input
            /// ends before the event does (see [`crate::parse`]).
            #[inline]
            pub fn parse(
                input: &$lt [u8],
            ) -> Result<$crate::Status<($Event<$lt>, usize)>, $crate::Error> {
                $crate::decode::parse_as(input)
            }

            /// Decodes one event that makes up the whole of `input`
            /// (whitespace around it allowed; see [`crate::from_slice`]).
            #[inline]
            pub fn from_slice(input: &$lt [u8]) -> Result<$Event<$lt>, $crate::Error> {
                $crate::decode::from_slice_as(input)
            }
        }

        impl<$lt> $crate::decode::Decode<$lt> for $Event<$lt> {
            type Kind = $Kind;

            const UNKNOWN: $Kind = $Kind::Unknown;

            type Slots = [$crate::decode::Slot; $crate::decode::slots_for($SCHEMA)];

            #[inline(always)]
            fn kind_of(name: &[u8]) -> Option<$Kind> {
                $Kind::from_name_bytes(name)
            }

            #[inline(always)]
            fn sniff_name(input: &[u8], at: usize) -> Option<($Kind, usize)> {
                $Kind::sniff(input, at)
            }

            #[inline(always)]
            #[allow(unused_variables, clippy::unneeded_struct_pattern)]
            fn build(
                kind: $Kind,
                fields: &$crate::decode::Fields<'_, $lt>,
            ) -> Result<Self, $crate::Error> {
                use $crate::decode::FieldValue;
                Ok(match kind {
                    $(
                        $Kind::$Variant => {
                            $( $(
                                fields.no_repeat(const {
                                    $crate::Field::of($crate::declare::field_key!($f $(, $fkey)?))
                                })?;
                            )* )?
                            $Event::$Variant $( {
                                $( $f: FieldValue::from_slot(fields, const {
                                    $crate::Field::of($crate::declare::field_key!($f $(, $fkey)?))
                                })?, )*
                            } )?
                        }
                    )*
                    $Kind::Unknown => {
                        let (name, raw) = fields.unknown_parts()?;
                        $Event::Unknown { name, raw }
                    }
                })
            }

            #[inline(always)]
            #[allow(clippy::unneeded_struct_pattern)]
            fn unit_at(input: &[u8], at: usize) -> Option<(Self, usize)> {
                #[allow(unused_imports)]
                use $crate::decode::FieldValue;
                let rest = input.get(at..)?;
                // One whole-template compare per event whose fields are all
                // optional, in the table's order, each behind a look at the
                // one byte after `chat_session_` (or wherever the templates
                // first differ from `{"event":"`), so an event that is not
                // one of them costs a few instructions per candidate.
                $(
                    {
                        const TEMPLATE: &[u8] = concat!("{\"event\":\"", $name, "\"}").as_bytes();
                        const ALL_OPTIONAL: bool =
                            true $( $( && !$crate::declare::required!($req) )* )?;
                        const LEAD: usize = $crate::declare::lead_byte(TEMPLATE);
                        if ALL_OPTIONAL
                            && rest.get(LEAD) == Some(&TEMPLATE[LEAD])
                            && $crate::dispatch::starts_with_const(rest, TEMPLATE)
                        {
                            let event = $Event::$Variant $( {
                                $( $f: FieldValue::absent()?, )*
                            } )?;
                            return Some((event, at + TEMPLATE.len()));
                        }
                    }
                )*
                None
            }
        }

        impl $crate::write::Encode for $Event<'_> {
            #[allow(clippy::unneeded_struct_pattern)]
            fn put<O: $crate::write::Out>(&self, out: &mut O) {
                #[allow(unused_imports)]
                use $crate::write::WriteValue;
                match self {
                    $(
                        $Event::$Variant $( { $( $f, )* } )? => {
                            out.put(concat!("{\"event\":\"", $name, "\"").as_bytes());
                            $( $(
                                $f.put_field(
                                    concat!(",\"", $crate::declare::field_key!($f $(, $fkey)?), "\":")
                                        .as_bytes(),
                                    out,
                                );
                            )* )?
                            out.put(b"}");
                        }
                    )*
                    $Event::Unknown { raw, .. } => $crate::write::put_raw(raw, out),
                }
            }
        }

        $crate::write::writer_methods!($Event);

        #[cfg(feature = "alloc")]
        impl<$lt> $crate::owned::Spanned<$lt> for $Event<$lt> {
            type Kind = $Kind;

            #[allow(clippy::unneeded_struct_pattern, unused_mut, unused_variables)]
            fn layout(&self, base: &[u8]) -> Option<$crate::owned::Layout> {
                use $crate::owned::SpanValue;
                let mut layout = $crate::owned::Layout::new(self.kind().index());
                match self {
                    $(
                        $Event::$Variant $( { $( $f, )* } )? => {
                            let mut at = 0..;
                            $( $(
                                layout.set(at.next().unwrap_or_default(), $f.span(base)?);
                            )* )?
                        }
                    )*
                    $Event::Unknown { name, raw } => {
                        layout.set(0, name.span(base)?);
                        layout.set(1, raw.span(base)?);
                    }
                }
                Some(layout)
            }

            #[allow(clippy::unneeded_struct_pattern, unused_mut, unused_variables)]
            fn from_layout(layout: &$crate::owned::Layout, bytes: &$lt [u8]) -> Option<Self> {
                use $crate::owned::SpanValue;
                let kind = *$Kind::ALL.get(layout.kind_index())?;
                Some(match kind {
                    $(
                        $Kind::$Variant => {
                            let mut at = 0..;
                            $Event::$Variant $( {
                                $( $f: SpanValue::from_span(
                                    layout.get(at.next().unwrap_or_default()),
                                    bytes,
                                )?, )*
                            } )?
                        }
                    )*
                    $Kind::Unknown => $Event::Unknown {
                        name: SpanValue::from_span(layout.get(0), bytes)?,
                        raw: SpanValue::from_span(layout.get(1), bytes)?,
                    },
                })
            }

            fn kind_of_layout(layout: &$crate::owned::Layout) -> $Kind {
                $Kind::ALL.get(layout.kind_index()).copied().unwrap_or($Kind::Unknown)
            }

            #[inline(always)]
            fn kind_index(kind: $Kind) -> usize {
                kind.index()
            }

            fn shortest(kind: $Kind) -> Option<&'static [u8]> {
                match kind {
                    $(
                        $Kind::$Variant => {
                            // Only an event whose fields are all optional
                            // has a shortest form without fields.
                            let all_optional = true $( $( && !$crate::declare::required!($req) )* )?;
                            all_optional.then_some(concat!("{\"event\":\"", $name, "\"}").as_bytes())
                        }
                    )*
                    $Kind::Unknown => None,
                }
            }
        }

        /// The schema of this direction's events, from the protocol table:
        /// each event's name and fields, for documentation and for
        /// generating events in tests.
        pub const $SCHEMA: &[$crate::protocol::EventSchema] = &[
            $(
                $crate::protocol::EventSchema {
                    name: $name,
                    variant: stringify!($Variant),
                    fields: &[ $( $(
                        $crate::protocol::FieldSchema {
                            field: $crate::Field::of($crate::declare::field_key!($f $(, $fkey)?)),
                            rust_name: stringify!($f),
                            ty: $crate::declare::schema_type!($T),
                            required: $crate::declare::required!($req),
                        },
                    )* )? ],
                },
            )*
        ];

        #[cfg(feature = "serde")]
        $crate::declare::reference_model! {
            $(#[$rmeta])*
            reference $Ref for $Event<$lt>, $Kind;
            {
                $(
                    $Variant = $name $( {
                        $( $f $(as $fkey)? : $req $T, )*
                    } )?,
                )*
            }
        }
    };
}

/// The reference model of one direction (feature `serde`): an owned enum
/// internally tagged on `"event"`, derived by serde.
#[cfg(feature = "serde")]
macro_rules! reference_model {
    (
        $(#[$rmeta:meta])*
        reference $Ref:ident for $Event:ident<$lt:lifetime>, $Kind:ident;
        {
            $(
                $Variant:ident = $name:literal $( {
                    $( $f:ident $(as $fkey:literal)? : $req:ident $T:ident, )*
                } )?,
            )*
        }
    ) => {
        $(#[$rmeta])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(remote = "Self", tag = "event")]
        pub enum $Ref {
            $(
                #[allow(missing_docs)]
                #[serde(rename = $name)]
                $Variant $( {
                    $(
                        #[allow(missing_docs)]
                        $( #[serde(rename = $fkey)] )?
                        #[serde(skip_serializing_if = "crate::reference::absent")]
                        $f: $crate::declare::reference_type!($req, $T),
                    )*
                } )?,
            )*
            /// An event of a name the model does not know, kept whole.
            #[serde(skip)]
            Unknown {
                /// The `"event"` value.
                name: alloc::string::String,
                /// The whole event.
                raw: $crate::reference::RefJson,
            },
        }

        impl<'de> serde::Deserialize<'de> for $Ref {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::reference::deserialize_tagged(
                    deserializer,
                    |name| $Kind::from_name(name).is_some(),
                    |json| {
                        let mut de = serde_json::Deserializer::from_str(json);
                        $Ref::deserialize(&mut de)
                    },
                    |name, raw| $Ref::Unknown { name, raw },
                )
            }
        }

        impl serde::Serialize for $Ref {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $Ref::Unknown { raw, .. } => raw.serialize(serializer),
                    _ => $Ref::serialize(self, serializer),
                }
            }
        }

        impl From<&$Event<'_>> for $Ref {
            #[allow(clippy::unneeded_struct_pattern)]
            fn from(event: &$Event<'_>) -> $Ref {
                #[allow(unused_imports)]
                use $crate::reference::ToReference;
                match event {
                    $(
                        $Event::$Variant $( { $( $f, )* } )? => $Ref::$Variant $( {
                            $( $f: $f.to_reference(), )*
                        } )?,
                    )*
                    $Event::Unknown { name, raw } => $Ref::Unknown {
                        name: name.to_reference(),
                        raw: raw.to_reference(),
                    },
                }
            }
        }

        impl From<$Event<'_>> for $Ref {
            fn from(event: $Event<'_>) -> $Ref {
                $Ref::from(&event)
            }
        }

        /// Serializes with the reference model's shape: internally tagged on
        /// `"event"`, the table's field order, absent optional fields left
        /// out, an unknown event as its raw object. Raw values go through
        /// the serializer as maps, sequences, strings and numbers, so the
        /// serializer formats them its own way; the writer keeps them as
        /// they came. With serde_json both read back as the same value.
        impl serde::Serialize for $Event<'_> {
            #[allow(clippy::unneeded_struct_pattern)]
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[allow(unused_imports)]
                use serde::ser::SerializeMap;
                match self {
                    $(
                        $Event::$Variant $( { $( $f, )* } )? => {
                            let mut map = serializer.serialize_map(None)?;
                            map.serialize_entry("event", $name)?;
                            $( $(
                                if !$crate::reference::absent($f) {
                                    map.serialize_entry(
                                        $crate::declare::field_key!($f $(, $fkey)?),
                                        $f,
                                    )?;
                                }
                            )* )?
                            map.end()
                        }
                    )*
                    $Event::Unknown { raw, .. } => raw.serialize(serializer),
                }
            }
        }
    };
}

pub(crate) use {borrowed, events, field_key, field_type, fields, required, schema_type};
#[cfg(feature = "serde")]
pub(crate) use {owned_reference, reference_model, reference_type};
