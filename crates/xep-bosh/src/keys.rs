//! Key sequencing (XEP-0124 §15 "Protecting Insecure Sessions"): the
//! client's key chains and the connection manager's check.

use sha1::{Digest, Sha1};

/// The longest key sequence a client generates at once: a session that
/// outlives it switches to a new sequence (§15.5), so a longer one only
/// costs memory (20 bytes a key).
pub const MAX_KEY_SEQUENCE: u32 = 1 << 16;

/// What is hashed before a client's current seed to derive the seed of its
/// next key sequence when the caller supplied none (see [`KeyConfig`]).
/// Hashing the seed alone would give the bytes of K(1), which the client
/// reveals.
const NEXT_SEED_PREFIX: &[u8] = b"xep-bosh next key seed\0";

/// The lowercase hex encoding of SHA-1 of `data`: `hex(SHA-1(data))` of
/// §15.3.
pub(crate) fn hex_sha1(data: &[u8]) -> String {
    hex(&Sha1::digest(data).into())
}

fn hex(digest: &[u8; 20]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(40);
    for b in digest {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Whether `s` has the form of a key: 40 hexadecimal digits (a SHA-1
/// digest in hex, either case).
pub(crate) fn is_key(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Key sequencing for a client session (XEP-0124 §15): how the first key
/// sequence is generated.
///
/// The client computes `K(1) = hex(SHA-1(seed))`, `K(i) =
/// hex(SHA-1(K(i-1)))` up to `K(length)` (§15.3, lowercase hex), sends
/// `newkey = K(length)` in the session creation request, then `key =
/// K(length-1)`, `K(length-2)`, ... one per request, in `rid` order
/// (§15.4). The request that carries the last key `K(1)` also carries the
/// `newkey` of a new sequence (§15.5). Its seed is the one given to
/// [`client::Session::supply_key_seed`](crate::client::Session::supply_key_seed)
/// if the caller supplied one since the last switch; otherwise it is
/// derived from the current seed as `SHA-1("xep-bosh next key seed\0" ||
/// seed)` (20 bytes; unknown to anyone who does not know the current seed,
/// since the client only ever reveals `SHA-1(seed)` in hex), with the same
/// `length`.
///
/// This crate draws no randomness: **the caller must supply an
/// unpredictable seed** (e.g. 32 bytes from the operating system's
/// random source) and should choose a high, preferably unpredictable,
/// `length` (§15.3, §15.5). A predictable seed makes the protection
/// worthless. Keys only help on sessions not fully carried over TLS
/// (§15.1).
///
/// ```
/// use xep_bosh::{KeyConfig, client};
///
/// # let seed_from_os_rng = vec![7u8; 32];
/// let mut config = client::Config::xmpp("example.com");
/// config.keys = Some(KeyConfig::new(seed_from_os_rng, 1000));
/// let mut client = client::Session::new(config, 1_234_567).unwrap();
/// let creation = client.poll_request(std::time::Instant::now()).unwrap().body;
/// let creation = xep_bosh::Body::from_bytes(&creation, 65536).unwrap();
/// assert_eq!(creation.newkey.map(|k| k.len()), Some(40));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct KeyConfig {
    /// The unpredictable seed of the first key sequence (not empty).
    pub seed: Vec<u8>,
    /// The number of keys of each sequence, `n` of §15.3, in
    /// `2..=`[`MAX_KEY_SEQUENCE`]: `K(n)` goes in a `newkey`, the `n - 1`
    /// others in the `key` of as many requests.
    pub length: u32,
}

impl KeyConfig {
    /// Keys from `seed`, `length` per sequence.
    pub fn new(seed: impl Into<Vec<u8>>, length: u32) -> Self {
        KeyConfig {
            seed: seed.into(),
            length,
        }
    }
}

impl std::fmt::Debug for KeyConfig {
    /// The seed is secret: only its length is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyConfig")
            .field("seed", &format_args!("<{} bytes>", self.seed.len()))
            .field("length", &self.length)
            .finish()
    }
}

/// The client's keys: the current sequence, what is left of it, and the
/// seed of the next one.
pub(crate) struct ClientKeys {
    /// The keys not sent yet, `K(1)` first: the next one is the last.
    left: Vec<[u8; 20]>,
    /// The seed of the current sequence.
    seed: Vec<u8>,
    length: u32,
    /// The seed and length the caller supplied for the next sequence.
    supplied: Option<(Vec<u8>, u32)>,
}

impl std::fmt::Debug for ClientKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKeys")
            .field("left", &self.left.len())
            .field("length", &self.length)
            .field("supplied", &self.supplied.is_some())
            .finish_non_exhaustive()
    }
}

/// Why a seed and length cannot make a key sequence.
pub(crate) enum BadKeys {
    Length(u32),
    EmptySeed,
}

pub(crate) fn validate(seed: &[u8], length: u32) -> Result<(), BadKeys> {
    if !(2..=MAX_KEY_SEQUENCE).contains(&length) {
        return Err(BadKeys::Length(length));
    }
    if seed.is_empty() {
        return Err(BadKeys::EmptySeed);
    }
    Ok(())
}

/// `K(1)..=K(length)` as digests (their hex is the key).
fn sequence(seed: &[u8], length: u32) -> Vec<[u8; 20]> {
    let mut keys: Vec<[u8; 20]> = Vec::with_capacity(length as usize);
    let mut k: [u8; 20] = Sha1::digest(seed).into();
    keys.push(k);
    for _ in 1..length {
        k = Sha1::digest(hex(&k).as_bytes()).into();
        keys.push(k);
    }
    keys
}

impl ClientKeys {
    /// A validated configuration (see [`validate`]).
    pub(crate) fn new(config: &KeyConfig) -> Self {
        ClientKeys {
            left: sequence(&config.seed, config.length),
            seed: config.seed.clone(),
            length: config.length,
            supplied: None,
        }
    }

    /// The seed and length of the next sequence (validated).
    pub(crate) fn supply(&mut self, seed: Vec<u8>, length: u32) {
        self.supplied = Some((seed, length));
    }

    /// Switches to a new sequence.
    fn renew(&mut self) {
        let (seed, length) = self.supplied.take().unwrap_or_else(|| {
            let mut h = Sha1::new();
            h.update(NEXT_SEED_PREFIX);
            h.update(&self.seed);
            (h.finalize().to_vec(), self.length)
        });
        self.left = sequence(&seed, length);
        self.seed = seed;
        self.length = length;
    }

    fn pop(&mut self) -> String {
        if self.left.is_empty() {
            // Not reached: a sequence has two keys at least, and `next`
            // renews it as soon as it is used up.
            self.renew();
        }
        let k = self.left.pop().unwrap_or_default();
        hex(&k)
    }

    /// The `newkey` of the session creation request: `K(n)` (§15.4).
    pub(crate) fn first(&mut self) -> String {
        self.pop()
    }

    /// The `key` of the next request, and the `newkey` of a new sequence
    /// when that key is the last one, `K(1)` (§15.5).
    pub(crate) fn next(&mut self) -> (String, Option<String>) {
        let key = self.pop();
        if !self.left.is_empty() {
            return (key, None);
        }
        self.renew();
        (key, Some(self.pop()))
    }
}
