//! Conversions between the storages of bookmarks: XEP-0048's single
//! `<storage/>` and XEP-0402's one item per room (the compatibility of
//! XEP-0402 §6.3), and XEP-0411's between XEP-0048 in private XML
//! storage and in PEP.

use xep_core::Iq;
use xep_element::XsdBool;
use xep_element::jid::{BareJid, Jid};
use xep_pubsub::Pubsub;

use crate::legacy::{self, Storage, Url};
use crate::native::{Bookmark, Conference};
use crate::private::PrivateQuery;

/// The account feature of a server that converts XEP-0048 bookmarks
/// between private XML storage and PEP (XEP-0411 §2).
pub const NS_CONVERSION: &str = "urn:xmpp:bookmarks-conversion:0";

/// XEP-0402 bookmarks made from a XEP-0048 storage, and what they cannot
/// hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToNative {
    /// One bookmark per room.
    pub bookmarks: Vec<Bookmark>,
    /// Web page bookmarks, which XEP-0402 does not store (§1).
    pub urls: Vec<Url>,
    /// Rooms that cannot be an item: a JID with a resource (no room's),
    /// or a second bookmark of a room already taken.
    pub skipped: Vec<legacy::Conference>,
}

fn native_of(c: &legacy::Conference, extensions: Option<crate::Extensions>) -> Conference {
    Conference {
        autojoin: c.autojoin,
        name: c.name.clone(),
        nick: c.nick.clone(),
        password: c.password.clone(),
        extensions,
    }
}

/// The XEP-0402 bookmarks of a XEP-0048 storage: each room's JID becomes
/// the item id, the rest is carried over.
pub fn to_native(storage: &Storage) -> ToNative {
    let mut out = ToNative {
        urls: storage.urls.clone(),
        ..ToNative::default()
    };
    for c in &storage.conferences {
        if c.jid.resource().is_some() {
            out.skipped.push(c.clone());
            continue;
        }
        let bare = c.jid.to_bare();
        if out.bookmarks.iter().any(|b| b.jid == bare) {
            out.skipped.push(c.clone());
            continue;
        }
        out.bookmarks.push(Bookmark {
            jid: bare,
            conference: native_of(c, None),
        });
    }
    out
}

/// The XEP-0048 storage of XEP-0402 bookmarks (§6.3.1: each item cast into
/// `storage:bookmarks` with its id as `jid`). Extensions have no place
/// there and are left out; `urls` are the web pages to keep beside.
pub fn to_legacy(bookmarks: &[Bookmark], urls: Vec<Url>) -> Storage {
    Storage {
        conferences: bookmarks
            .iter()
            .map(|b| legacy::Conference {
                autojoin: b.conference.autojoin,
                jid: Jid::from(b.jid.clone()),
                name: b.conference.name.clone(),
                nick: b.conference.nick.clone(),
                password: b.conference.password.clone(),
            })
            .collect(),
        urls,
    }
}

/// What to do to the XEP-0402 node when a client replaces the XEP-0048
/// list (§6.3.2): publish what is new or changed, retract what is gone,
/// nothing for the rest (no notification for unchanged items).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Merge {
    /// Bookmarks to publish, an edited one keeping its extensions.
    pub publish: Vec<Bookmark>,
    /// Rooms whose bookmark to retract.
    pub retract: Vec<BareJid>,
}

fn same(a: &Conference, b: &Conference) -> bool {
    let flag = |x: Option<XsdBool>| x.is_some_and(bool::from);
    flag(a.autojoin) == flag(b.autojoin)
        && a.name == b.name
        && a.nick == b.nick
        && a.password == b.password
}

/// The changes that bring the XEP-0402 bookmarks `current` in line with a
/// XEP-0048 `storage` a client published.
pub fn merge_legacy(current: &[Bookmark], storage: &Storage) -> Merge {
    let new = to_native(storage);
    let mut out = Merge::default();
    for b in new.bookmarks {
        match current.iter().find(|c| c.jid == b.jid) {
            Some(old) if same(&old.conference, &b.conference) => {}
            Some(old) => out.publish.push(Bookmark {
                jid: b.jid,
                conference: Conference {
                    extensions: old.conference.extensions.clone(),
                    ..b.conference
                },
            }),
            None => out.publish.push(b),
        }
    }
    for c in current {
        if !storage.conferences.iter().any(|l| l.jid == c.jid) {
            out.retract.push(c.jid.clone());
        }
    }
    out
}

/// XEP-0411 from private XML to PEP: the storage a private XML set
/// carries and the PEP publication that mirrors it (item `current`,
/// whitelist access, XEP-0411 §5), or `None` when `iq` stores no
/// bookmarks.
pub fn private_to_pep(iq: &Iq) -> Option<Result<(Storage, Iq), xep_element::Error>> {
    let q = match iq.payload::<PrivateQuery>()? {
        Ok(q) => q,
        Err(e) => return Some(Err(e)),
    };
    let storage = q.payloads.iter().find_map(|p| p.get::<Storage>())?;
    Some(storage.map(|s| (s.clone(), legacy::publish(iq.id.clone(), s))))
}

/// XEP-0411 from PEP to private XML: the storage a PEP publication to
/// `storage:bookmarks` carries and the private XML set that mirrors it,
/// or `None` when `iq` publishes no bookmarks.
pub fn pep_to_private(iq: &Iq) -> Option<Result<(Storage, Iq), xep_element::Error>> {
    let p = match iq.payload::<Pubsub>()? {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    let publish = p.publish().filter(|p| p.node == legacy::NODE)?;
    let storage = publish
        .items
        .iter()
        .flat_map(|i| i.payloads.iter())
        .find_map(|p| p.get::<Storage>())?;
    Some(storage.map(|s| (s.clone(), legacy::private_set(iq.id.clone(), s))))
}
