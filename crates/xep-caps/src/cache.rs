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
        let key = caps
            .hash
            .as_ref()
            .filter(|a| a.is_supported())
            .and_then(|algo| {
                xep_element::XmlValue::from_xml(&caps.ver)
                    .ok()
                    .map(|b: xep_element::Base64| CapsKey {
                        algo: algo.clone(),
                        digest: b.0,
                        v2: false,
                    })
            });
        match key {
            Some(key) => self.lookup(from, key, caps.disco_node()),
            None => self.unverifiable(from, caps.disco_node()),
        }
    }

    /// `from` advertises a XEP-0390 hash set.
    pub fn advertised2(&mut self, from: Jid, caps: &Caps2) -> Lookup<'_> {
        let key_of = |h: &Hash| CapsKey {
            algo: h.algo.clone(),
            digest: h.value.0.clone(),
            v2: true,
        };
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
            Some(h) => self.lookup(from, key_of(h), hash_node(h)),
            None => match caps.hashes.first() {
                Some(h) => self.unverifiable(from, hash_node(h)),
                None => Lookup::Pending,
            },
        }
    }

    fn lookup(&mut self, from: Jid, key: CapsKey, node: String) -> Lookup<'_> {
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

    /// The `disco#info` result `info` arrived from `from` (its `node` tells
    /// which query it answers).
    pub fn disco_result(&mut self, from: &Jid, info: DiscoInfo) -> Outcome {
        let node = info.node.clone().unwrap_or_default();
        if self.unverifiable_pending.get(from) == Some(&node) {
            self.unverifiable_pending.remove(from);
            self.per_jid.insert(from.clone(), info);
            return Outcome::Unverified(from.clone());
        }
        let Some(key) = self
            .pending
            .iter()
            .find(|(_, p)| &p.asked == from && p.node == node)
            .map(|(k, _)| k.clone())
        else {
            return Outcome::Unsolicited;
        };
        let check = if key.v2 {
            hash_input(&info)
                .map(|input| key.algo.digest(&input).as_deref() == Some(&key.digest[..]))
        } else {
            crate::verification_string(&info)
                .map(|s| key.algo.digest(s.as_bytes()).as_deref() == Some(&key.digest[..]))
        };
        let mut p = self.pending.remove(&key).expect("found above");
        match check {
            Ok(true) => {
                let mut jids = vec![p.asked];
                jids.append(&mut p.waiting);
                self.verified.insert(key, info);
                Outcome::Verified(jids)
            }
            other => {
                let error = match other {
                    Err(e) => e,
                    _ => CapsError::HashMismatch(key.algo.clone()),
                };
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
