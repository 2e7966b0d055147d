//! A no-I/O cache of verified capabilities (XEP-0115 §5.4, XEP-0390 §4.4
//! and §6.2).
//!
//! Feed it the caps each entity advertises ([`CapsCache::advertised`],
//! [`CapsCache::advertised2`]); it answers with what it knows, or with the
//! `disco#info` query to send. Feed it the results
//! ([`CapsCache::disco_result`]); it verifies them before caching them for
//! every entity that advertises the same hash, and when one fails it names
//! the next entity to ask. Entities whose caps cannot be verified (legacy
//! format, unsupported hash function) get their result cached for their
//! JID only.
//!
//! Lower level, for caches filled from elsewhere (XEP-0390 §6.2.1 allows
//! external sources): [`CapsKey::of_caps`] / [`CapsKey::of_hash`] name a
//! capability set, [`CapsCache::lookup`] finds it, and
//! [`CapsCache::insert_verified`] stores a result only after it hashes to
//! the key.

use std::collections::HashMap;

use xep_disco::DiscoInfo;
use xep_element::jid::Jid;
use xep_hashes::{Algo, Hash};

use crate::{Caps, Caps2, CapsError, hash_input, hash_node};

/// A verified capability set's identity: hash function and digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CapsKey {
    /// The hash function.
    pub algo: Algo,
    /// The digest.
    pub digest: Vec<u8>,
    /// Whether the digest is a XEP-0390 hash (else a XEP-0115 `ver`).
    pub v2: bool,
}

impl CapsKey {
    /// The key of a XEP-0115 `<c/>`; `None` for the legacy format, a hash
    /// function this crate does not compute, or a `ver` that is not Base64
    /// (such caps cannot be verified, so they have no global key).
    pub fn of_caps(caps: &Caps) -> Option<CapsKey> {
        let algo = caps.hash.as_ref().filter(|a| a.is_supported())?;
        let b: xep_element::Base64 = xep_element::XmlValue::from_xml(&caps.ver).ok()?;
        Some(CapsKey {
            algo: algo.clone(),
            digest: b.0,
            v2: false,
        })
    }

    /// The key of one hash of a XEP-0390 hash set.
    pub fn of_hash(h: &Hash) -> CapsKey {
        CapsKey {
            algo: h.algo.clone(),
            digest: h.value.0.clone(),
            v2: true,
        }
    }

    /// Checks that `info` is well-formed (XEP-0115 §5.4 or XEP-0390 §4.1)
    /// and hashes to this key.
    pub fn verify(&self, info: &DiscoInfo) -> Result<(), CapsError> {
        let digest = if self.v2 {
            self.algo.digest(&hash_input(info)?)
        } else {
            self.algo
                .digest(crate::verification_string(info)?.as_bytes())
        }
        .ok_or_else(|| CapsError::UnsupportedAlgo(self.algo.clone()))?;
        if digest == self.digest {
            Ok(())
        } else {
            Err(CapsError::HashMismatch(self.algo.clone()))
        }
    }
}

/// A `disco#info` query to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The entity to ask.
    pub to: Jid,
    /// The node to ask about (`node#ver`, or a XEP-0390 hash node).
    pub node: String,
}

/// What the cache knows of an advertisement.
#[derive(Debug, PartialEq)]
pub enum Lookup<'a> {
    /// The capabilities, already verified.
    Known(&'a DiscoInfo),
    /// Unknown: send this query and pass the result to
    /// [`CapsCache::disco_result`].
    Query(Query),
    /// A query for the same hash is already out; the entity is served when
    /// its result arrives.
    Pending,
}

/// What a `disco#info` result did to the cache.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Verified and cached; these entities now have known capabilities.
    Verified(Vec<Jid>),
    /// Cached for this entity only (its caps cannot be verified).
    Unverified(Jid),
    /// The result does not hash to what was advertised, or is ill-formed:
    /// not cached. `retry` asks another entity that advertised the same
    /// hash, if any.
    Rejected {
        /// Why.
        error: CapsError,
        /// The next query to send, if another entity waits for this hash.
        retry: Option<Query>,
    },
    /// No query to this entity for this node was outstanding.
    Unsolicited,
}

#[derive(Debug)]
struct Pending {
    asked: Jid,
    node: String,
    waiting: Vec<Jid>,
}

/// The cache (see the module docs).
#[derive(Debug, Default)]
pub struct CapsCache {
    verified: HashMap<CapsKey, DiscoInfo>,
    pending: HashMap<CapsKey, Pending>,
    by_jid: HashMap<Jid, CapsKey>,
    unverifiable_pending: HashMap<Jid, String>,
    per_jid: HashMap<Jid, DiscoInfo>,
}

impl CapsCache {
    /// An empty cache.
    pub fn new() -> CapsCache {
        CapsCache::default()
    }

    /// `from` advertises XEP-0115 `caps`.
    pub fn advertised(&mut self, from: Jid, caps: &Caps) -> Lookup<'_> {
        match CapsKey::of_caps(caps) {
            Some(key) => self.advertise_key(from, key, caps.disco_node()),
            None => self.unverifiable(from, caps.disco_node()),
        }
    }

    /// `from` advertises a XEP-0390 hash set.
    pub fn advertised2(&mut self, from: Jid, caps: &Caps2) -> Lookup<'_> {
        let key_of = CapsKey::of_hash;
        if let Some(h) = caps
            .hashes
            .iter()
            .find(|h| self.verified.contains_key(&key_of(h)))
        {
            let key = key_of(h);
            self.by_jid.insert(from, key.clone());
            return Lookup::Known(&self.verified[&key]);
        }
        // The strongest supported hash of the set.
        let best = Algo::SUPPORTED
            .iter()
            .find_map(|a| caps.hashes.iter().find(|h| &h.algo == a));
        match best {
            Some(h) => self.advertise_key(from, key_of(h), hash_node(h)),
            None => match caps.hashes.first() {
                Some(h) => self.unverifiable(from, hash_node(h)),
                None => Lookup::Pending,
            },
        }
    }

    fn advertise_key(&mut self, from: Jid, key: CapsKey, node: String) -> Lookup<'_> {
        self.by_jid.insert(from.clone(), key.clone());
        if self.verified.contains_key(&key) {
            return Lookup::Known(&self.verified[&key]);
        }
        if let Some(p) = self.pending.get_mut(&key) {
            if p.asked != from && !p.waiting.contains(&from) {
                p.waiting.push(from);
            }
            return Lookup::Pending;
        }
        self.pending.insert(
            key,
            Pending {
                asked: from.clone(),
                node: node.clone(),
                waiting: Vec::new(),
            },
        );
        Lookup::Query(Query { to: from, node })
    }

    fn unverifiable(&mut self, from: Jid, node: String) -> Lookup<'_> {
        self.by_jid.remove(&from);
        if self.per_jid.contains_key(&from) {
            return Lookup::Known(&self.per_jid[&from]);
        }
        self.unverifiable_pending.insert(from.clone(), node.clone());
        Lookup::Query(Query { to: from, node })
    }

    /// The `disco#info` result `info` arrived from `from`. Its `node` tells
    /// which query it answers; a result without `node` answers the only
    /// query outstanding to `from`, and is unsolicited when there are
    /// several.
    pub fn disco_result(&mut self, from: &Jid, info: DiscoInfo) -> Outcome {
        let unverifiable = match (&info.node, self.unverifiable_pending.get(from)) {
            (Some(node), Some(asked)) => node == asked,
            // No node echoed: this query, unless a verifiable one is out too.
            (None, Some(_)) => !self.pending.values().any(|p| &p.asked == from),
            (_, None) => false,
        };
        if unverifiable {
            self.unverifiable_pending.remove(from);
            self.per_jid.insert(from.clone(), info);
            return Outcome::Unverified(from.clone());
        }
        let Some(key) = self.pending_key(from, info.node.as_deref()) else {
            return Outcome::Unsolicited;
        };
        let check = key.verify(&info);
        let Some(mut p) = self.pending.remove(&key) else {
            return Outcome::Unsolicited;
        };
        match check {
            Ok(()) => {
                let mut jids = vec![p.asked];
                jids.append(&mut p.waiting);
                self.store(key, info);
                Outcome::Verified(jids)
            }
            Err(error) => {
                self.by_jid.remove(&p.asked);
                let retry = if p.waiting.is_empty() {
                    None
                } else {
                    let next = p.waiting.remove(0);
                    let q = Query {
                        to: next.clone(),
                        node: p.node.clone(),
                    };
                    self.pending.insert(
                        key,
                        Pending {
                            asked: next,
                            node: p.node,
                            waiting: p.waiting,
                        },
                    );
                    Some(q)
                };
                Outcome::Rejected { error, retry }
            }
        }
    }

    /// The outstanding query a result from `from` for `node` answers. A
    /// result without a `node` (some entities do not echo it) is matched
    /// only when exactly one query to `from` is outstanding.
    fn pending_key(&self, from: &Jid, node: Option<&str>) -> Option<CapsKey> {
        let mut candidates = self
            .pending
            .iter()
            .filter(|(_, p)| &p.asked == from && node.is_none_or(|n| n == p.node));
        let (key, _) = candidates.next()?;
        if node.is_none() && candidates.next().is_some() {
            return None;
        }
        Some(key.clone())
    }

    /// The verified capability set named `key`, if cached.
    pub fn lookup(&self, key: &CapsKey) -> Option<&DiscoInfo> {
        self.verified.get(key)
    }

    /// Stores `info` as the capability set named `key` after checking that
    /// it is well-formed and hashes to `key` (a mismatched or poisoned
    /// result is refused and nothing is stored). Entities waiting for `key`
    /// stay registered; [`CapsCache::get`] serves them from now on.
    pub fn insert_verified(&mut self, key: CapsKey, info: DiscoInfo) -> Result<(), CapsError> {
        key.verify(&info)?;
        self.pending.remove(&key);
        self.store(key, info);
        Ok(())
    }

    /// Caches a verified result, keeping only what its hash covers: the
    /// extended forms XEP-0115 §5.4 ignores are dropped (XEP-0390 rejects
    /// such forms, so its results need nothing dropped).
    fn store(&mut self, key: CapsKey, mut info: DiscoInfo) {
        if !key.v2 {
            crate::strip_unhashed_forms(&mut info);
        }
        self.verified.insert(key, info);
    }

    /// The known capabilities of `jid`.
    pub fn get(&self, jid: &Jid) -> Option<&DiscoInfo> {
        match self.by_jid.get(jid) {
            Some(k) => self.verified.get(k),
            None => self.per_jid.get(jid),
        }
    }

    /// Forgets what `jid` advertised (e.g. when it goes offline); verified
    /// capability sets stay cached for others.
    pub fn forget(&mut self, jid: &Jid) {
        self.by_jid.remove(jid);
        self.per_jid.remove(jid);
        self.unverifiable_pending.remove(jid);
        for p in self.pending.values_mut() {
            p.waiting.retain(|j| j != jid);
        }
    }

    /// Number of verified capability sets.
    pub fn len(&self) -> usize {
        self.verified.len()
    }

    /// Whether no capability set is verified yet.
    pub fn is_empty(&self) -> bool {
        self.verified.is_empty()
    }
}
