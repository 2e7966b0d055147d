//! The scenarios, each run against one server. A scenario passes only on
//! what it checked; a feature the server does not offer is reported as
//! not offered, never as a pass.

use std::time::{Duration, Instant};

use xep_core::{
    ContentNs, Iq, IqType, Item, Message, Presence, PresenceType, Roster, SaslCondition, Stanza,
    StreamEvent, Subscription,
};

use xep_element::jid::{BareJid, Jid};

use xep_element::{Payload, XmlElement};

use xep_forms::{FormType, FormView};

use xep_hashes::{Algo, Hash};

use xep_jingle::file_transfer::{Description as FtDescription, File as FtFile};

use xep_jingle::ibb::{
    Close as IbbClose, Data as IbbData, Open as IbbOpen, Transport as IbbTransport,
};

use xep_jingle::{
    Content, Creator, Endpoint as JingleEndpoint, Event as JingleEvent, Reason, ReasonCondition,
    State as JingleState,
};

use xep_mam::{Config as MamConfig, Direction, Event as MamEvent, Filter, Refusal, Walk};

use xep_muc::forms::RoomConfig;

use xep_muc::{
    Creation, Departure, Event as RoomEvent, MessageKind, Role as MucRole, Room, RoomOptions,
    State as RoomState, StatusCode,
};

use xep_negotiation::client::{self, TlsPolicy};

use xep_negotiation::{Failure, component};

use xep_pubsub::forms::{Limit, NodeConfig};

use xep_pubsub::request::{self as ps_req, Outcome as PsOutcome, Reply as PsReply};

use xep_pubsub::{Item as PsItem, PubsubAction, SubscriptionState};

use xep_sasl::{Mechanism, ScramMechanism, SelectError};

use xep_sm::{AckPolicy, Event as SmEvent, SmElement, StreamManager, Transmit as SmTransmit};

use crate::pki;

use crate::servers::{self, ACCOUNTS, DOMAIN, Server};

use crate::session::{
    self, ConnectError, Endpoint, Link, Receive, Session, SessionError, bytes_of,
};

use crate::transport::Transport;

/// A scenario's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Everything checked held; what was checked.
    Pass(String),
    /// Something did not hold: what, with the evidence.
    Fail(String),
    /// The server does not offer what the scenario needs.
    NotOffered(String),
    /// A failure triaged as the server's fault ([`KNOWN`]): the
    /// evidence, then what the scenario saw.
    ServerBug(String),
}

/// A failure triaged as a server's fault.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    /// The server (`Kind::name`).
    pub server: &'static str,
    /// The scenario.
    pub scenario: &'static str,
    /// Text the failure must contain to be this one: any other failure of
    /// the scenario stays a failure, so a triage cannot hide a new bug.
    pub signature: &'static str,
    /// What is wrong, with the evidence.
    pub why: &'static str,
}

/// Failures triaged as the server's fault. The run fails on any other
/// failure, and on an entry here whose scenario passes (the triage is
/// stale).
pub const KNOWN: &[Known] = &[
    Known {
        server: "ejabberd",
        scenario: "pep-retract",
        signature: "the retraction's notification",
        why: "ejabberd 23.01 delivers the publication to the +notify contact, answers a PEP \
         <retract notify='true'/> with a result and deletes the item, but sends no retraction \
         notification to that contact; \
         XEP-0060 §7.2.2.1: with notify true the service MUST notify all subscribers.",
    },
    Known {
        server: "ejabberd",
        scenario: "connect-scram-plus",
        signature: "Invalid channel binding",
        why: "ejabberd 23.01 (p1_xmpp 1.6.1) offers SCRAM-*-PLUS over TLS 1.3 without XEP-0440's \
     channel-binding list, yet accepts only p=tls-unique (its xmpp_sasl_scram has no other \
     type), which RFC 9266 leaves undefined for TLS 1.3, where tls-exporter is the default \
     (RFC 9266 §3). Our client sends p=tls-exporter and the server answers not-authorized \
     'Invalid channel binding'. Callers facing this server leave -PLUS out of \
     client::Config::mechanisms.",
    },
    Known {
        server: "ejabberd",
        scenario: "blocking",
        signature: "lacks XEP-0191 §3.3's <blocked/>",
        why: "ejabberd 23.01 (mod_blocking over mod_privacy) bounces a message to a blocked JID with \
         not-acceptable and the text 'Your active privacy list has denied the routing of this \
         stanza', without the <blocked xmlns='urn:xmpp:blocking:errors'/> that XEP-0191 §3.3 \
         says the error MUST contain; the list, the pushes and unblocking work.",
    },
];

/// The entry of [`KNOWN`] for `server` and `scenario`, if any.
pub fn known(server: &str, scenario: &str) -> Option<&'static Known> {
    KNOWN
        .iter()
        .find(|k| k.server == server && k.scenario == scenario)
}

/// The triage of `outcome` for `server` and `scenario`: a failure listed
/// in [`KNOWN`], with its signature, becomes [`Outcome::ServerBug`].
pub fn triage(server: &str, scenario: &str, outcome: Outcome) -> Outcome {
    match (outcome, known(server, scenario)) {
        (Outcome::Fail(saw), Some(k)) if saw.contains(k.signature) => {
            Outcome::ServerBug(format!("{} Seen: {saw}", k.why))
        }
        (o, _) => o,
    }
}

impl Outcome {
    /// `pass`, `fail` or `not offered`.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass(_) => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::NotOffered(_) => "not offered",
            Outcome::ServerBug(_) => "server bug",
        }
    }

    /// The detail.
    pub fn detail(&self) -> &str {
        match self {
            Outcome::Pass(s)
            | Outcome::Fail(s)
            | Outcome::NotOffered(s)
            | Outcome::ServerBug(s) => s,
        }
    }
}

/// What a scenario gets: the server and how to reach it.
pub struct Ctx<'a> {
    /// The server under test.
    pub server: &'a Server,
    /// Its c2s endpoint, with the run's CA trusted.
    pub endpoint: Endpoint,
}

impl<'a> Ctx<'a> {
    /// The context of `server`: its c2s address, and a TLS client
    /// configuration that trusts the run's CA and nothing else.
    pub fn new(server: &'a Server) -> Result<Ctx<'a>, rustls::Error> {
        Ok(Ctx {
            endpoint: Endpoint {
                addr: server.c2s(),
                tls: server.pki.client_config()?,
            },
            server,
        })
    }
}

/// One scenario.
pub struct Scenario {
    /// Its name on the command line.
    pub name: &'static str,
    /// What it checks.
    pub what: &'static str,
    /// The run.
    pub run: fn(&Ctx) -> Outcome,
}

/// Every scenario, in the order they run.
pub const ALL: &[Scenario] = &[
    Scenario {
        name: "connect-scram-sha-1",
        what: "STARTTLS, SCRAM-SHA-1, bind",
        run: |c| connect_with(c, &[Mechanism::Scram(ScramMechanism::SHA_1)]),
    },
    Scenario {
        name: "connect-scram-sha-256",
        what: "STARTTLS, SCRAM-SHA-256, bind",
        run: |c| connect_with(c, &[Mechanism::Scram(ScramMechanism::SHA_256)]),
    },
    Scenario {
        name: "connect-scram-sha-512",
        what: "STARTTLS, SCRAM-SHA-512, bind",
        run: |c| connect_with(c, &[Mechanism::Scram(ScramMechanism::SHA_512)]),
    },
    Scenario {
        name: "connect-scram-plus",
        what: "STARTTLS, a SCRAM -PLUS mechanism with the channel binding the server offers",
        run: |c| {
            connect_with(
                c,
                &[
                    Mechanism::Scram(ScramMechanism::SHA_512_PLUS),
                    Mechanism::Scram(ScramMechanism::SHA_256_PLUS),
                    Mechanism::Scram(ScramMechanism::SHA_1_PLUS),
                ],
            )
        },
    },
    Scenario {
        name: "connect-plain",
        what: "STARTTLS, PLAIN over TLS, bind",
        run: |c| connect_with(c, &[Mechanism::Plain]),
    },
    Scenario {
        name: "connect-anonymous",
        what: "SASL ANONYMOUS on a second host: temporary accounts of its domain, one per session, which can write to other accounts",
        run: connect_anonymous,
    },
    Scenario {
        name: "wrong-password",
        what: "a wrong password gives SASL not-authorized, typed",
        run: wrong_password,
    },
    Scenario {
        name: "resource-conflict",
        what: "a second session binding the same resource (RFC 6120 §7.7.2.2)",
        run: resource_conflict,
    },
    Scenario {
        name: "messages",
        what: "chat messages both ways between two accounts",
        run: messages,
    },
    Scenario {
        name: "message-extensions",
        what: "receipts, origin-id and the server's stanza-id (believed from the account only), a correction, a reaction and a retraction through real servers; a third party's correction refused",
        run: message_extensions,
    },
    Scenario {
        name: "bosh",
        what: "XEP-0206: the negotiation machine over the BOSH ClientSession machine, a message each way with a TCP client",
        run: bosh_scenario,
    },
    Scenario {
        name: "websocket",
        what: "RFC 7395: the negotiation machine over a WebSocket (<open/>, <close/>), a message each way with a TCP client",
        run: websocket_scenario,
    },
    Scenario {
        name: "roster",
        what: "roster get, add (push + result), remove, versioning (RFC 6121 §2)",
        run: roster,
    },
    Scenario {
        name: "presence-subscription",
        what: "subscribe / subscribed between two accounts, with the roster pushes",
        run: subscription,
    },
    Scenario {
        name: "sm-acks",
        what: "XEP-0198 through StreamManager: enable with resumption, acks for every stanza, each delivered once",
        run: sm_acks,
    },
    Scenario {
        name: "sm-resume",
        what: "XEP-0198: the TCP connection cut at a random point, resumed between authentication and binding; every stanza delivered exactly once both ways",
        run: sm_resume,
    },
    Scenario {
        name: "sm-resume-expired",
        what: "XEP-0198: resuming after the server's timeout fails cleanly (<failed/>), a resource is bound anew and the session goes on",
        run: sm_resume_expired,
    },
    Scenario {
        name: "muc",
        what: "XEP-0045 through the Room machine: create, a second occupant, groupchat, subject, nick change, private message, kick, ban, destroy",
        run: muc,
    },
    Scenario {
        name: "muc-moderated",
        what: "XEP-0045 through the Room machine: a reserved room configured through the muc#roomconfig view (moderated), a visitor's voice request approved, a self-ping (XEP-0410)",
        run: muc_moderated,
    },
    Scenario {
        name: "muc-register",
        what: "XEP-0045 §7.10 through the Room machine: registering with a room before joining (the muc#register view), registered on asking again, the reserved nickname (§7.12)",
        run: muc_register,
    },
    Scenario {
        name: "jingle-file",
        what: "XEP-0234 over XEP-0261 between two of our clients through the server: the Endpoint machine on both ends, 300 KiB in IBB, SHA-256 checked",
        run: jingle_file,
    },
    Scenario {
        name: "mam",
        what: "XEP-0313 through the Walk machine: 12 archived messages paged by 5, forwards and backwards; a forged result from another user refused",
        run: mam,
    },
    Scenario {
        name: "carbons",
        what: "XEP-0280: enable, a received and a sent copy unwrapped and believed; a forged copy from another user refused",
        run: carbons,
    },
    Scenario {
        name: "pubsub",
        what: "XEP-0060 on the pubsub service: create, configure through the node_config view, subscribe, publish with notifications, items, items paged with RSM, retract, affiliations, purge, a typed error, delete",
        run: pubsub,
    },
    Scenario {
        name: "pep",
        what: "XEP-0163: a contact advertising +notify in its caps gets the account's publication (publish-options, presence access)",
        run: pep,
    },
    Scenario {
        name: "pep-retract",
        what: "XEP-0163/XEP-0060 §7.2.2.1: the same with a fresh pair of accounts, then a retraction with notify='true' notified to the +notify contact",
        run: pep_retract,
    },
    Scenario {
        name: "upload",
        what: "XEP-0363: a slot typed, the PUT with only the allowed headers, the GET gives the bytes back; a file over the limit gets the typed file-too-large",
        run: upload,
    },
    Scenario {
        name: "caps",
        what: "XEP-0115 with a second implementation (slixmpp): it verifies our caps, we verify its",
        run: caps,
    },
    Scenario {
        name: "caps2",
        what: "XEP-0390: a hash set in a directed presence routed by the server, its hash node asked and verified by CapsCache",
        run: caps2,
    },
    Scenario {
        name: "blocking",
        what: "XEP-0191: the block list, a forged push from another user refused, block with its push, the <blocked/> bounce, unblock all",
        run: blocking,
    },
    Scenario {
        name: "csi",
        what: "XEP-0352: <csi/> offered after binding, inactive and active through the Indicator, a message delivered while inactive",
        run: csi,
    },
    Scenario {
        name: "disco-server",
        what: "the server's disco#info typed (XEP-0030) without loss",
        run: disco_server,
    },
    Scenario {
        name: "component",
        what: "an XEP-0114 component logs in and exchanges messages with a client",
        run: component_scenario,
    },
    Scenario {
        name: "s2s-external",
        what: "the Initiator machine as a remote server: STARTTLS with a client certificate, SASL EXTERNAL (XEP-0178), a message from a remote user delivered, the reply on the bidirectional stream (XEP-0288) where offered, a forged sender domain not delivered",
        run: s2s_external,
    },
    Scenario {
        name: "s2s-dialback",
        what: "XEP-0220 dialback both ways with the Initiator and Receiver machines: the driver's key verified by the server through the driver's authoritative end, a message delivered, the reply on the server's own stream, whose key the driver verifies by asking the server",
        run: s2s_dialback,
    },
];

const T: Duration = Duration::from_secs(10);

fn soon() -> Instant {
    Instant::now() + T
}

/// The client configuration for account `n` of [`ACCOUNTS`].
pub fn config(n: usize, mechanisms: &[Mechanism]) -> client::Config {
    let (user, password) = ACCOUNTS[n];
    let mut c = client::Config::new(
        DOMAIN.parse().expect("a domain"),
        user,
        password.to_owned(),
        pki::random(24),
    );
    c.mechanisms = mechanisms.to_vec();
    c.tls = TlsPolicy::Required;
    c
}

fn fail_connect(e: ConnectError) -> Outcome {
    Outcome::Fail(format!(
        "{}; received:\n    {}",
        e.error,
        e.transcript.join("\n    ")
    ))
}

/// SCRAM without channel binding: the logins of the scenarios that test
/// something else (channel binding has its own scenario, and one server's
/// defect there should be reported once, not in every row).
const SCRAM_NO_CB: [Mechanism; 3] = [
    Mechanism::Scram(ScramMechanism::SHA_512),
    Mechanism::Scram(ScramMechanism::SHA_256),
    Mechanism::Scram(ScramMechanism::SHA_1),
];

fn login(c: &Ctx, n: usize, resource: Option<&str>) -> Result<Session, Outcome> {
    let mut cfg = config(n, &SCRAM_NO_CB);
    cfg.resource = resource.map(str::to_owned);
    session::connect(&c.endpoint, DOMAIN, cfg).map_err(fail_connect)
}

macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Outcome::Fail(format!($($msg)+));
        }
    };
}

macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Outcome::Fail(format!("(scenarios.rs line {}) {e}", line!())),
        }
    };
}

macro_rules! logged_in {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(o) => return o,
        }
    };
}

fn body_of(p: &Payload) -> Option<Message> {
    match p.get::<Message>() {
        Some(Ok(m)) if m.body(None).is_some() => Some(m),
        _ => None,
    }
}

/// Collects the bodies starting with `prefix` that `s` receives, until
/// `n` arrived or the deadline passed.
fn bodies(s: &mut Session, prefix: &str, n: usize, deadline: Instant) -> Vec<String> {
    let mut out = Vec::new();
    while out.len() < n {
        match s.wait_for("messages", deadline, body_of) {
            Ok(m) => {
                if let Some(b) = m.body(None).filter(|b| b.starts_with(prefix)) {
                    out.push(b.to_owned());
                }
            }
            Err(_) => break,
        }
    }
    out
}

mod connect;
mod control;
mod im;
mod jingle;
mod muc;
mod s2s;
mod services;
mod sm;

use connect::*;
use control::*;
use im::*;
use jingle::*;
use muc::*;
use s2s::*;
use services::*;
use sm::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_failure_is_a_server_bug_and_nothing_else_is() {
        let k = KNOWN[0];
        let seen = format!("saw {} here", k.signature);
        match triage(k.server, k.scenario, Outcome::Fail(seen.clone())) {
            Outcome::ServerBug(s) => assert!(s.starts_with(k.why) && s.ends_with(&seen)),
            other => panic!("{other:?}"),
        }
        // Another failure of the same scenario is not the triaged one.
        assert_eq!(
            triage(
                k.server,
                k.scenario,
                Outcome::Fail("timed out elsewhere".into())
            ),
            Outcome::Fail("timed out elsewhere".into())
        );
        let (server, scenario) = (k.server, k.scenario);
        // The same failure elsewhere stays a failure, and a pass a pass.
        assert_eq!(
            triage("another", scenario, Outcome::Fail("x".into())),
            Outcome::Fail("x".into())
        );
        assert_eq!(
            triage(server, scenario, Outcome::Pass("p".into())),
            Outcome::Pass("p".into())
        );
    }

    #[test]
    fn every_scenario_has_a_distinct_name_and_every_known_entry_names_one() {
        let mut names: Vec<&str> = ALL.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for k in KNOWN {
            assert!(names.contains(&k.scenario), "{}", k.scenario);
            assert!(!k.signature.is_empty());
            assert!(
                crate::servers::Kind::ALL
                    .iter()
                    .any(|kind| kind.name() == k.server)
            );
        }
    }
}
