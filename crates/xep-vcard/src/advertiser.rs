//! XEP-0153 §4 as state: what a client advertises in its presence, from
//! what it knows of its own vCard and of its other resources.

use std::collections::{BTreeSet, VecDeque};

use xep_core::{Presence, PresenceType};
use xep_element::jid::FullJid;

use crate::VCard;
use crate::update::{HexHash, OwnResource, Update, UpdateRefusal, own_resource};

/// What the caller does next for an [`Advertiser`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdvertiserEvent {
    /// What to advertise changed: send a presence broadcast with
    /// [`Advertiser::update`] (§4.1: every broadcast carries it).
    Broadcast,
    /// Download the user's vCard ([`crate::request`] with no JID) and
    /// report it with [`Advertiser::vcard_downloaded`].
    FetchVCard,
}

/// The avatar hash a client advertises in its presence (XEP-0153 §4),
/// without I/O: it says what every presence broadcast carries
/// ([`update`](Self::update)) and, through
/// [`poll_event`](Self::poll_event), when to broadcast again or to
/// download the vCard; the caller reports the vCard downloads and uploads
/// and the presences of the account's other resources.
///
/// - §4.1: not ready (`<x/>`) until the vCard is known; then its photo's
///   hash, or `<photo/>` for none.
/// - §4.2: nothing is advertised before the vCard was downloaded, or
///   uploaded with a new image (which is advertised at once); an image
///   is uploaded at most once a session ([`may_upload`](Self::may_upload)).
///   It never polls: downloads happen only at the start and when §4.3
///   asks.
/// - §4.3 and §4.4: a resource without the update element stops the
///   advertising until every such resource is gone (then the hash is
///   reset); an empty photo elsewhere means a download; another hash
///   means a reset: not ready at once, then whatever the downloaded vCard
///   says.
///
/// ```
/// use xep_element::XmlElement;
/// use xep_vcard::{Advertiser, AdvertiserEvent, Photo, Update, VCard};
///
/// let me = "juliet@capulet.example/balcony".parse().unwrap();
/// let mut a = Advertiser::new(me);
/// // At login: not ready, and the vCard is to be downloaded first.
/// assert_eq!(a.update(), Update::not_ready());
/// assert_eq!(a.poll_event(), Some(AdvertiserEvent::FetchVCard));
/// let mut card = VCard::default();
/// card.set_photo(Photo::inline("image/png", b"abc".to_vec()));
/// a.vcard_downloaded(Some(&card));
/// assert_eq!(a.poll_event(), Some(AdvertiserEvent::Broadcast));
/// assert_eq!(a.update(), Update::image(b"abc"));
/// ```
#[derive(Debug, Clone)]
pub struct Advertiser {
    me: FullJid,
    /// The vCard's photo as last downloaded or uploaded: `None` until
    /// then, and while a reset waits for its download.
    known: Option<Update>,
    /// Other resources of the account seen without the update element.
    nonconforming: BTreeSet<String>,
    /// The images uploaded this session.
    uploaded: Vec<HexHash>,
    /// Whether a download was asked for and not reported yet.
    fetching: bool,
    events: VecDeque<AdvertiserEvent>,
}

impl Advertiser {
    /// The state of a new session of `me`: not ready, with the vCard's
    /// download queued ([`AdvertiserEvent::FetchVCard`]).
    pub fn new(me: FullJid) -> Self {
        let mut a = Advertiser {
            me,
            known: None,
            nonconforming: BTreeSet::new(),
            uploaded: Vec::new(),
            fetching: false,
            events: VecDeque::new(),
        };
        a.fetch();
        a
    }

    /// The update element for every presence broadcast (and, §4.1 rule 1,
    /// for directed presence such as MUC joins), e.g. with
    /// [`crate::set_update`].
    pub fn update(&self) -> Update {
        match &self.known {
            Some(u) if self.nonconforming.is_empty() => u.clone(),
            _ => Update::not_ready(),
        }
    }

    /// The next thing to do, if any.
    pub fn poll_event(&mut self) -> Option<AdvertiserEvent> {
        self.events.pop_front()
    }

    /// The user's vCard as downloaded (`None`: there is none, as
    /// [`crate::vcard_of`] reads it). Advertises its photo's hash, or no
    /// image when its BINVAL is empty or missing (§4.4 steps 3 and 4).
    pub fn vcard_downloaded(&mut self, vcard: Option<&VCard>) {
        self.fetching = false;
        let known = vcard.map_or_else(Update::no_image, Update::from_vcard);
        self.set_known(Some(known));
    }

    /// The download failed: nothing is advertised until a later one
    /// succeeds (§4.2 rule 1), and none is asked for (rule 3: no
    /// polling).
    pub fn vcard_download_failed(&mut self) {
        self.fetching = false;
    }

    /// Whether the session may upload `image` as the avatar: not one it
    /// uploaded already (§4.2 rule 2; the user changing the avatar is a
    /// new image).
    pub fn may_upload(&self, image: &[u8]) -> bool {
        !self.uploaded.iter().any(|h| h.is_hash_of(image))
    }

    /// The vCard the server accepted from this client (the result of
    /// [`crate::set`]): advertised at once (§4.2 rule 1), without
    /// downloading it again.
    pub fn vcard_uploaded(&mut self, vcard: &VCard) {
        if let Some(data) = vcard.photo_data() {
            let hash = HexHash::of(data);
            if !self.uploaded.contains(&hash) {
                self.uploaded.push(hash);
            }
        }
        self.set_known(Some(Update::from_vcard(vcard)));
    }

    /// A presence from another resource of the account (§4.3); an
    /// unavailable one ends that resource's part. Presences from anyone
    /// else, or with a malformed update element, are refused and change
    /// nothing.
    pub fn own_presence(&mut self, presence: &Presence) -> Result<(), UpdateRefusal> {
        if presence.type_ == Some(PresenceType::Unavailable) {
            let resource = self.other_resource(presence)?;
            self.conforms(&resource);
            return Ok(());
        }
        let advertised = self.known.as_ref().and_then(Update::hash).cloned();
        let verdict = own_resource(presence, &self.me, advertised.as_ref())?;
        let resource = self.other_resource(presence)?;
        match verdict {
            OwnResource::StopAdvertising => {
                let before = self.update();
                self.nonconforming.insert(resource);
                self.broadcast_if_changed(&before);
            }
            OwnResource::Ignore => self.conforms(&resource),
            OwnResource::RetrieveVCard => {
                self.conforms(&resource);
                self.fetch();
            }
            OwnResource::ResetHash => {
                self.conforms(&resource);
                self.reset();
            }
        }
        Ok(())
    }

    /// The resource of a presence from another resource of the account.
    fn other_resource(&self, presence: &Presence) -> Result<String, UpdateRefusal> {
        match presence.from.as_ref() {
            Some(f) if f.to_bare() == self.me.to_bare() => match f.resource() {
                Some(r) if r != self.me.resource() => Ok(r.to_string()),
                _ => Err(UpdateRefusal::NotOwnResource),
            },
            _ => Err(UpdateRefusal::NotOwnResource),
        }
    }

    /// A resource gone, or one that sent the update element: it no
    /// longer holds the advertising back. When it was the last one that
    /// did, the hash is reset (§4.3 rule 1): the vCard may have changed
    /// meanwhile, so the advertising stays held back until the download.
    fn conforms(&mut self, resource: &str) {
        let before = self.update();
        let reset = self.nonconforming.remove(resource) && self.nonconforming.is_empty();
        if reset {
            self.known = None;
        }
        self.broadcast_if_changed(&before);
        if reset {
            self.fetch();
        }
    }

    /// §4.4: not ready at once, then the downloaded vCard.
    fn reset(&mut self) {
        self.set_known(None);
        self.fetch();
    }

    fn set_known(&mut self, known: Option<Update>) {
        let before = self.update();
        self.known = known;
        self.broadcast_if_changed(&before);
    }

    fn broadcast_if_changed(&mut self, before: &Update) {
        if self.update() != *before && !self.events.contains(&AdvertiserEvent::Broadcast) {
            self.events.push_back(AdvertiserEvent::Broadcast);
        }
    }

    fn fetch(&mut self) {
        if !self.fetching {
            self.fetching = true;
            self.events.push_back(AdvertiserEvent::FetchVCard);
        }
    }
}
