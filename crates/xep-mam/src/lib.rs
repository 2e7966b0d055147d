//! XEP-0313 Message Archive Management: querying an archive (a user's or
//! a room's) for the messages it stored, page by page, and XEP-0441's
//! archiving preferences.
//!
//! - Elements ([`Query`], [`ArchiveResult`], [`Fin`], [`Metadata`],
//!   [`Prefs`]) in `urn:xmpp:mam:2`.
//! - [`Filter`]: the query's XEP-0004 form (§4.1: `with`, `start`, `end`,
//!   `before-id`, `after-id`, `ids`, `include-groupchat`), written and
//!   read back; a field it does not know is an error the server answers
//!   with `feature-not-implemented`.
//! - [`Walk`]: a sans-IO machine that walks an archive forwards or
//!   backwards to its end with RSM, following the state-machine contract
//!   of ARCHITECTURE.md. It believes a result only from the archive it
//!   queried and with the query id it gave (§9.2, "Sender
//!   Impersonation"); anything else is refused with an event, never
//!   delivered.
//!
//! ```
//! use std::time::Instant;
//! use xep_core::{Iq, Message};
//! use xep_element::XmlElement;
//! use xep_mam::{Config, Event, Filter, Walk};
//!
//! let now = Instant::now();
//! let account = "juliet@capulet.example".parse().unwrap();
//! // Our own archive (no `to`), everything with Romeo, oldest first.
//! let filter = Filter { with: Some("romeo@montague.example".parse().unwrap()), ..Filter::default() };
//! let mut walk = Walk::new(account, None, filter, Config::default());
//! walk.start(now).unwrap();
//! let query: Iq = walk.poll_transmit().unwrap();
//! let qid = walk.query_id().unwrap().to_string();
//!
//! // The server sends the page's results, then the iq result with <fin/>.
//! let result = format!(
//!     "<message xmlns='jabber:client' to='juliet@capulet.example/balcony'>\
//!      <result xmlns='urn:xmpp:mam:2' queryid='{qid}' id='28482-98726-73623'>\
//!      <forwarded xmlns='urn:xmpp:forward:0'>\
//!      <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
//!      <message xmlns='jabber:client' from='romeo@montague.example/orchard' \
//!       to='juliet@capulet.example/balcony' type='chat'><body>Call me but love</body></message>\
//!      </forwarded></result></message>"
//! );
//! assert!(walk.handle_message(now, &Message::from_xml(result.as_bytes()).unwrap()));
//! let Some(Event::Result(archived)) = walk.poll_event() else { panic!() };
//! assert_eq!(archived.message.body(None), Some("Call me but love"));
//!
//! let fin = format!(
//!     "<iq xmlns='jabber:client' type='result' id='{}'>\
//!      <fin xmlns='urn:xmpp:mam:2' complete='true'><set xmlns='http://jabber.org/protocol/rsm'>\
//!      <first index='0'>28482-98726-73623</first><last>28482-98726-73623</last></set></fin></iq>",
//!     query.id
//! );
//! assert!(walk.handle_iq(now, &Iq::from_xml(fin.as_bytes()).unwrap()));
//! assert!(matches!(walk.poll_event(), Some(Event::PageEnd { .. })));
//! assert!(matches!(walk.poll_event(), Some(Event::Complete { results: 1 })));
//! ```

#![warn(missing_docs)]

mod filter;
#[cfg(any(test, feature = "sim"))]
pub mod sim;
mod walk;

use xep_element::jid::Jid;
use xep_element::{DateTime82, Error, XmlElement, XmlValue, XsdBool};
use xep_forms::DataForm;
pub use xep_forward::Forwarded;
use xep_rsm::Set;

pub use filter::{Filter, FilterError};
pub use walk::{
    ArchivedMessage, Config, Direction, Event, Failure, MamError, Refusal, State, Walk,
    is_archive_result,
};

/// `urn:xmpp:mam:2`.
pub const NS: &str = "urn:xmpp:mam:2";
/// `urn:xmpp:mam:2#extended`: the archive supports `before-id`,
/// `after-id`, `ids`, flipped pages and metadata (§7).
pub const NS_EXTENDED: &str = "urn:xmpp:mam:2#extended";
/// `urn:xmpp:mam:2#groupchat-field`: the archive understands
/// `include-groupchat`.
pub const NS_GROUPCHAT_FIELD: &str = "urn:xmpp:mam:2#groupchat-field";
/// `urn:xmpp:mam:2#groupchat-available`: the user archive stores group
/// chat messages.
pub const NS_GROUPCHAT_AVAILABLE: &str = "urn:xmpp:mam:2#groupchat-available";

/// `<query/>`: a request for an archive's messages (§4), with its filter
/// form, its RSM page and, with the extended feature, a flipped page.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "query")]
pub struct Query {
    /// The client's id for this query, repeated in every result.
    #[xml(attr)]
    pub queryid: Option<String>,
    /// The pubsub node whose archive is queried.
    #[xml(attr)]
    pub node: Option<String>,
    /// The filter (XEP-0004, FORM_TYPE `urn:xmpp:mam:2`); see [`Filter`].
    #[xml(child)]
    pub form: Option<DataForm>,
    /// The page wanted (XEP-0059).
    #[xml(child)]
    pub set: Option<Set>,
    /// Send the page's results newest first (§4.3.4).
    #[xml(flag(name = "flip-page"))]
    pub flip_page: bool,
    /// Children of other namespaces that other specifications add to a
    /// query (XEP-0413's `<order/>`, say), kept.
    #[xml(children(foreign))]
    pub extensions: Vec<xep_element::Payload>,
}

/// `<result/>`: one archived message, sent in its own `<message/>`
/// (§4.2).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "result", validate = ArchiveResult::check)]
pub struct ArchiveResult {
    /// The query this result answers.
    #[xml(attr)]
    pub queryid: Option<String>,
    /// The message's id in the archive (its RSM id).
    #[xml(attr)]
    pub id: String,
    /// The archived stanza, with the time it was received.
    #[xml(child)]
    pub forwarded: Forwarded,
}

impl ArchiveResult {
    fn check(&self) -> Result<(), Error> {
        if self.id.is_empty() {
            return Err(Error::bad_attribute(
                "id",
                "",
                "an archive id is never empty (XEP-0313 §4.2)",
            ));
        }
        Ok(())
    }
}

/// `<fin/>`: the end of a query's results, in the iq result (§4.3).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "fin")]
pub struct Fin {
    /// The page reaches the end of the results (absent: `false`).
    #[xml(attr)]
    pub complete: Option<XsdBool>,
    /// `false` when the ids may not be stable (absent: `true`).
    #[xml(attr)]
    pub stable: Option<XsdBool>,
    /// The page's RSM summary (first, last, count).
    #[xml(child)]
    pub set: Option<Set>,
}

impl Fin {
    /// Whether the last page was reached.
    pub fn is_complete(&self) -> bool {
        self.complete.is_some_and(|b| b.value)
    }

    /// Whether the archive ids can be kept to resume later.
    pub fn is_stable(&self) -> bool {
        self.stable.is_none_or(|b| b.value)
    }
}

/// `<metadata/>`: the archive's first and last messages (§5); both absent
/// for an empty archive, and an empty `<metadata/>` is also the query.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "metadata", validate = Metadata::check)]
pub struct Metadata {
    /// The first message in the archive.
    #[xml(child)]
    pub start: Option<ArchiveStart>,
    /// The last message in the archive.
    #[xml(child)]
    pub end: Option<ArchiveEnd>,
}

impl Metadata {
    fn check(&self) -> Result<(), Error> {
        if self.start.is_some() != self.end.is_some() {
            return Err(Error::invalid(
                "an archive's metadata has both <start/> and <end/>, or neither for an empty archive (XEP-0313 §5)",
            ));
        }
        Ok(())
    }
}

/// `<start/>` of [`Metadata`]: the archive's first message.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "start")]
pub struct ArchiveStart {
    /// Its archive id.
    #[xml(attr)]
    pub id: String,
    /// When it was archived (XEP-0082).
    #[xml(attr)]
    pub timestamp: DateTime82,
}

/// `<end/>` of [`Metadata`]: the archive's last message.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "end")]
pub struct ArchiveEnd {
    /// Its archive id.
    #[xml(attr)]
    pub id: String,
    /// When it was archived (XEP-0082).
    #[xml(attr)]
    pub timestamp: DateTime82,
}

/// The archiving default of XEP-0441 for a JID not listed.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefaultBehaviour {
    /// Archive every message.
    Always,
    /// Archive nothing.
    Never,
    /// Archive messages with contacts in the roster only.
    Roster,
}

/// `<prefs/>`: the archiving preferences (XEP-0441). Empty (no default)
/// in a request for the current preferences.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "prefs")]
pub struct Prefs {
    /// What happens to JIDs in neither list.
    #[xml(attr(name = "default"))]
    pub default: Option<DefaultBehaviour>,
    /// JIDs whose messages are always archived.
    #[xml(child)]
    pub always: Option<Always>,
    /// JIDs whose messages are never archived.
    #[xml(child)]
    pub never: Option<Never>,
}

/// `<always/>` of [`Prefs`].
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "always")]
pub struct Always {
    /// The JIDs.
    #[xml(text_child(name = "jid"))]
    pub jids: Vec<Jid>,
}

/// `<never/>` of [`Prefs`].
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "never")]
pub struct Never {
    /// The JIDs.
    #[xml(text_child(name = "jid"))]
    pub jids: Vec<Jid>,
}

impl Prefs {
    /// What the preferences say about archiving messages with `jid`
    /// (XEP-0441 §2.2: compared by bare JID; a JID in both lists is
    /// never archived); `in_roster` answers for [`DefaultBehaviour::Roster`].
    /// `None` when no default is set.
    pub fn archives(&self, jid: &Jid, in_roster: bool) -> Option<bool> {
        let bare = jid.to_bare();
        let listed = |jids: &[Jid]| jids.iter().any(|j| j.to_bare() == bare);
        if self.never.as_ref().is_some_and(|n| listed(&n.jids)) {
            return Some(false);
        }
        if self.always.as_ref().is_some_and(|a| listed(&a.jids)) {
            return Some(true);
        }
        Some(match self.default? {
            DefaultBehaviour::Always => true,
            DefaultBehaviour::Never => false,
            DefaultBehaviour::Roster => in_roster,
        })
    }
}

xep_element::elements! {
    "XEP-0313" => [Query, ArchiveResult, Fin, Metadata, ArchiveStart, ArchiveEnd],
    "XEP-0441" => [Prefs, Always, Never],
}

#[cfg(test)]
mod tests;
