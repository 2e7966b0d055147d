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
use crate::session::{self, ConnectError, Endpoint, Link, Session, SessionError, bytes_of};
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

/// Failures triaged as the server's fault, with the evidence: (server,
/// scenario, what is wrong). The run fails on any other failure, and on
/// an entry here whose scenario passes (the triage is stale).
pub const KNOWN: &[(&str, &str, &str)] = &[(
    "ejabberd",
    "connect-scram-plus",
    "ejabberd 23.01 (p1_xmpp 1.6.1) offers SCRAM-*-PLUS over TLS 1.3 without XEP-0440's \
     channel-binding list, yet accepts only p=tls-unique (its xmpp_sasl_scram has no other \
     type), which RFC 9266 leaves undefined for TLS 1.3, where tls-exporter is the default \
     (RFC 9266 §3). Our client sends p=tls-exporter and the server answers not-authorized \
     'Invalid channel binding'. Callers facing this server leave -PLUS out of \
     client::Config::mechanisms.",
)];

/// The triage of `outcome` for `server` and `scenario`: a failure listed
/// in [`KNOWN`] becomes [`Outcome::ServerBug`].
pub fn triage(server: &str, scenario: &str, outcome: Outcome) -> Outcome {
    let known = KNOWN
        .iter()
        .find(|(s, sc, _)| *s == server && *sc == scenario);
    match (outcome, known) {
        (Outcome::Fail(saw), Some((_, _, why))) => Outcome::ServerBug(format!("{why} Seen: {saw}")),
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
        name: "muc",
        what: "XEP-0045 through the Room machine: create, a second occupant, groupchat, subject, nick change, private message, kick, destroy",
        run: muc,
    },
    Scenario {
        name: "muc-moderated",
        what: "XEP-0045 through the Room machine: a reserved room configured through the muc#roomconfig view (moderated), a visitor's voice request approved, a self-ping (XEP-0410)",
        run: muc_moderated,
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
        what: "XEP-0060 on the pubsub service: create, configure through the node_config view, subscribe, publish with notifications, items, retract, affiliations, purge, a typed error, delete",
        run: pubsub,
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
        name: "disco-server",
        what: "the server's disco#info typed (XEP-0030) without loss",
        run: disco_server,
    },
    Scenario {
        name: "component",
        what: "an XEP-0114 component logs in and exchanges messages with a client",
        run: component_scenario,
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

fn connect_with(c: &Ctx, mechanisms: &[Mechanism]) -> Outcome {
    match session::connect(&c.endpoint, DOMAIN, config(0, mechanisms)) {
        Ok(s) => {
            let jid = s.jid.clone();
            let m = s.mechanism;
            let cb = s.bindings.clone();
            check!(
                jid.node().map(|n| n.as_str()) == Some(ACCOUNTS[0].0)
                    && jid.domain().as_str() == DOMAIN,
                "bound {jid}, not an alice@{DOMAIN} resource"
            );
            attempt!(s.close(soon()));
            Outcome::Pass(format!(
                "bound {jid} with {} (transport bindings {cb:?})",
                m.name()
            ))
        }
        Err(ConnectError {
            error: SessionError::Negotiation(Failure::NoMechanism(SelectError::NoCommonMechanism)),
            transcript,
        }) => Outcome::NotOffered(format!(
            "none of {:?} offered; {}",
            mechanisms.iter().map(|m| m.name()).collect::<Vec<_>>(),
            transcript
                .iter()
                .find(|l| l.contains("mechanisms"))
                .cloned()
                .unwrap_or_default()
        )),
        Err(e) => fail_connect(e),
    }
}

fn wrong_password(c: &Ctx) -> Outcome {
    let mut cfg = config(0, &SCRAM_NO_CB);
    cfg.password = "not-the-password".to_owned().into();
    match session::connect(&c.endpoint, DOMAIN, cfg) {
        Ok(s) => Outcome::Fail(format!("logged in as {} with a wrong password", s.jid)),
        Err(ConnectError {
            error: SessionError::Negotiation(Failure::Sasl(f)),
            ..
        }) if f.condition == SaslCondition::NotAuthorized => {
            Outcome::Pass("SASL failure not-authorized, typed".into())
        }
        Err(e) => Outcome::Fail(format!(
            "expected SASL not-authorized: {}; received:\n    {}",
            e.error,
            e.transcript.join("\n    ")
        )),
    }
}

fn resource_conflict(c: &Ctx) -> Outcome {
    let mut first = logged_in!(login(c, 0, Some("same")));
    check!(
        first.jid.resource().as_str() == "same",
        "first session bound {}",
        first.jid
    );
    match session::connect(&c.endpoint, DOMAIN, {
        let mut cfg = config(0, &SCRAM_NO_CB);
        cfg.resource = Some("same".into());
        cfg
    }) {
        Ok(second) if second.jid.resource().as_str() == "same" => {
            // §7.7.2.2 option 1: the old session is terminated with
            // <conflict/>.
            let got = first.wait_for("the first session's <conflict/>", soon(), |_| None::<()>);
            match got {
                Err(SessionError::StreamErrorReceived(e))
                    if e.condition == xep_core::StreamCondition::Conflict =>
                {
                    Outcome::Pass(
                        "the new session took the resource; the old one got <conflict/>".into(),
                    )
                }
                other => Outcome::Fail(format!(
                    "the new session took the resource, and the old one got {other:?}, not <conflict/>"
                )),
            }
        }
        Ok(second) => Outcome::Pass(format!(
            "the server gave the second session another resource ({})",
            second.jid
        )),
        Err(ConnectError {
            error: SessionError::Negotiation(Failure::Bind(e)),
            ..
        }) => Outcome::Pass(format!("bind refused: {e:?}")),
        Err(e) => fail_connect(e),
    }
}

fn body_of(p: &Payload) -> Option<Message> {
    match p.get::<Message>() {
        Some(Ok(m)) if m.body(None).is_some() => Some(m),
        _ => None,
    }
}

fn messages(c: &Ctx) -> Outcome {
    let mut a = logged_in!(login(c, 0, Some("msg-a")));
    let mut b = logged_in!(login(c, 1, Some("msg-b")));
    attempt!(a.send(&Presence::available()));
    attempt!(b.send(&Presence::available()));
    for (forward, text) in [(true, "hello from alice ✓"), (false, "and back from bob ✓")] {
        let (from, to) = if forward {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        let mut m = Message::chat(Jid::from(to.jid.clone()), text);
        m.id = Some(from.id());
        attempt!(from.send(&m));
        let got = attempt!(to.wait_for("the message", soon(), body_of));
        check!(
            got.body(None) == Some(text),
            "body {:?}, sent {text:?}",
            got.body(None)
        );
        check!(
            got.from == Some(Jid::from(from.jid.clone())),
            "from {:?}, sent by {}",
            got.from,
            from.jid
        );
        check!(got.id == m.id, "id {:?}, sent {:?}", got.id, m.id);
    }
    attempt!(a.close(soon()));
    attempt!(b.close(soon()));
    Outcome::Pass("both bodies arrived intact, with the sender's full JID and the id".into())
}

fn roster_of(iq: &Iq) -> Option<Roster> {
    iq.payloads
        .iter()
        .find_map(|p| p.get::<Roster>())
        .and_then(Result::ok)
}

/// Answers a roster push and returns its items, checking it comes from
/// the account itself (RFC 6121 §2.1.6: a push from anyone else is
/// refused).
fn answer_push(s: &mut Session, push: &Iq) -> Result<Vec<Item>, SessionError> {
    let own = Jid::from(s.jid.to_bare());
    if push.from.as_ref().is_some_and(|f| *f != own) {
        return Err(SessionError::Unexpected(format!(
            "a roster push from {:?}, not from the account (RFC 6121 §2.1.6)",
            push.from
        )));
    }
    s.send(&push.result(None))?;
    Ok(roster_of(push).map(|r| r.items).unwrap_or_default())
}

fn is_push(p: &Payload) -> Option<Iq> {
    match p.get::<Iq>() {
        Some(Ok(iq)) if iq.type_ == IqType::Set && roster_of(&iq).is_some() => Some(iq),
        _ => None,
    }
}

/// Waits for the next roster push, answers it, returns its items.
fn roster_push(s: &mut Session) -> Result<Vec<Item>, SessionError> {
    let push = s.wait_for("a roster push", soon(), is_push)?;
    answer_push(s, &push)
}

/// Sends a roster set and waits for both its result and the push it
/// causes, in whichever order they come (RFC 6121 §2.3.2 does not fix
/// one).
fn roster_set(s: &mut Session, item: Item) -> Result<(Iq, Vec<Item>), SessionError> {
    let set = Iq::set(
        s.id(),
        None,
        Payload::new(Roster {
            items: vec![item],
            ..Roster::default()
        }),
    );
    let id = set.id.clone();
    s.send(&set)?;
    let (mut result, mut pushed) = (None, None);
    while result.is_none() || pushed.is_none() {
        let got = s.wait_for("the roster set's result and push", soon(), |p| {
            if let Some(push) = is_push(p) {
                return Some(Err(push));
            }
            match p.get::<Iq>() {
                Some(Ok(iq)) if iq.id == id => Some(Ok(iq)),
                _ => None,
            }
        })?;
        match got {
            Ok(r) => {
                if r.type_ == IqType::Error {
                    return Ok((r, Vec::new()));
                }
                result = Some(r);
            }
            Err(push) => pushed = Some(answer_push(s, &push)?),
        }
    }
    Ok((result.expect("set"), pushed.expect("set")))
}

fn roster(c: &Ctx) -> Outcome {
    let mut a = logged_in!(login(c, 0, Some("roster")));
    let contact: Jid = format!("dave@{DOMAIN}").parse().expect("a JID");
    let get = attempt!(a.iq(Iq::get("", None, Payload::new(Roster::default())), soon()));
    check!(
        get.type_ == IqType::Result,
        "roster get: {}",
        bytes_of(&get.to_element())
    );
    let before = roster_of(&get).map(|r| r.items).unwrap_or_default();
    check!(
        before.iter().all(|i| i.jid != contact),
        "dave already in the roster"
    );

    let mut item = Item::new(contact.clone());
    item.name = Some("Dave".into());
    item.groups = vec!["Interop".into()];
    let (res, pushed) = attempt!(roster_set(&mut a, item));
    check!(
        res.type_ == IqType::Result,
        "roster set: {}",
        bytes_of(&res.to_element())
    );
    check!(
        pushed.iter().any(|i| i.jid == contact
            && i.name.as_deref() == Some("Dave")
            && i.groups == ["Interop"]),
        "the push does not carry the item: {pushed:?}"
    );

    let mut remove = Item::new(contact.clone());
    remove.subscription = Some(Subscription::Remove);
    let (res, pushed) = attempt!(roster_set(&mut a, remove));
    check!(
        res.type_ == IqType::Result,
        "roster remove: {}",
        bytes_of(&res.to_element())
    );
    check!(
        pushed
            .iter()
            .any(|i| i.jid == contact && i.subscription == Some(Subscription::Remove)),
        "the removal push: {pushed:?}"
    );
    let after = attempt!(a.iq(Iq::get("", None, Payload::new(Roster::default())), soon()));
    check!(
        roster_of(&after).is_none_or(|r| r.items.iter().all(|i| i.jid != contact)),
        "dave is still in the roster"
    );

    // Versioning (§2.6), where the server announces it.
    let ver_offered = a
        .features
        .features
        .iter()
        .any(|f| f.to_element().is("ver", "urn:xmpp:features:rosterver"));
    let versioning = if ver_offered {
        let q = Roster {
            ver: Some(String::new()),
            ..Roster::default()
        };
        let r = attempt!(a.iq(Iq::get("", None, Payload::new(q)), soon()));
        let ver = roster_of(&r).and_then(|r| r.ver);
        check!(
            ver.is_some(),
            "versioning announced but no ver in the result"
        );
        let q = Roster {
            ver: ver.clone(),
            ..Roster::default()
        };
        let r = attempt!(a.iq(Iq::get("", None, Payload::new(q)), soon()));
        check!(
            r.type_ == IqType::Result && roster_of(&r).is_none_or(|r| r.items.is_empty()),
            "asked with the current ver, got items: {}",
            bytes_of(&r.to_element())
        );
        format!(
            "versioning: ver {:?}, an empty result for it",
            ver.unwrap_or_default()
        )
    } else {
        "versioning not announced".into()
    };
    attempt!(a.close(soon()));
    Outcome::Pass(format!(
        "get, add with push, remove with push; {versioning}"
    ))
}

fn subscription(c: &Ctx) -> Outcome {
    let mut b = logged_in!(login(c, 1, Some("sub")));
    let mut d = logged_in!(login(c, 2, Some("sub")));
    // Only resources that asked for the roster are sent pushes
    // ("interested resources", RFC 6121 §2.1.6).
    for s in [&mut b, &mut d] {
        let r = attempt!(s.iq(Iq::get("", None, Payload::new(Roster::default())), soon()));
        check!(
            r.type_ == IqType::Result,
            "roster get: {}",
            bytes_of(&r.to_element())
        );
        attempt!(s.send(&Presence::available()));
    }
    let carol = Jid::from(d.jid.to_bare());
    let bob = Jid::from(b.jid.to_bare());
    attempt!(b.send(&Presence::of_type(
        PresenceType::Subscribe,
        Some(carol.clone())
    )));
    // Bob's roster shows the pending request (ask='subscribe').
    let pushed = attempt!(roster_push(&mut b));
    check!(
        pushed.iter().any(|i| i.jid == carol),
        "bob's push: {pushed:?}"
    );
    let req = attempt!(d.wait_for(
        "the subscription request",
        soon(),
        |p| match p.get::<Presence>() {
            Some(Ok(pr)) if pr.type_ == Some(PresenceType::Subscribe) => Some(pr),
            _ => None,
        }
    ));
    check!(
        req.from == Some(bob.clone()),
        "subscribe from {:?}, not {bob}",
        req.from
    );
    attempt!(d.send(&Presence::of_type(
        PresenceType::Subscribed,
        Some(bob.clone())
    )));
    // The push with subscription='to' and carol's <subscribed/>, in
    // whichever order the server sends them (RFC 6121 §3.1.6).
    let (mut to, mut subscribed) = (false, None);
    while !to || subscribed.is_none() {
        let got = attempt!(
            b.wait_for("the roster push and carol's subscribed", soon(), |p| {
                if let Some(push) = is_push(p) {
                    return Some(Err(push));
                }
                match p.get::<Presence>() {
                    Some(Ok(pr)) if pr.type_ == Some(PresenceType::Subscribed) => Some(Ok(pr)),
                    _ => None,
                }
            })
        );
        match got {
            Ok(pr) => subscribed = Some(pr),
            Err(push) => {
                let items = attempt!(answer_push(&mut b, &push));
                to |= items
                    .iter()
                    .any(|i| i.jid == carol && i.subscription == Some(Subscription::To));
            }
        }
    }
    let ok = subscribed.expect("set");
    check!(
        ok.from == Some(carol.clone()),
        "subscribed from {:?}",
        ok.from
    );
    attempt!(b.close(soon()));
    attempt!(d.close(soon()));
    Outcome::Pass(
        "subscribe delivered from the bare JID, subscribed answered, roster subscription='to'"
            .into(),
    )
}

fn disco_server(c: &Ctx) -> Outcome {
    let mut a = logged_in!(login(c, 0, Some("disco")));
    let iq = Iq::get(
        "",
        Some(DOMAIN.parse().expect("a JID")),
        Payload::new(xep_disco::DiscoInfo::default()),
    );
    let r = attempt!(a.iq(iq, soon()));
    check!(
        r.type_ == IqType::Result,
        "disco#info: {}",
        bytes_of(&r.to_element())
    );
    let Some(p) = r.payloads.first() else {
        return Outcome::Fail("an empty disco#info result".into());
    };
    let info = match p.get::<xep_disco::DiscoInfo>() {
        Some(Ok(i)) => i,
        Some(Err(e)) => {
            return Outcome::Fail(format!(
                "disco#info does not parse: {e}: {}",
                bytes_of(&p.to_element())
            ));
        }
        None => return Outcome::Fail(format!("not a disco#info: {}", bytes_of(&p.to_element()))),
    };
    // Lossless: the typed value written back is the element received.
    let received = p.to_element();
    if let Err(d) = xep_element::equivalent(&received, &info.to_element()) {
        return Outcome::Fail(format!("the typed disco#info loses: {d:?}"));
    }
    attempt!(a.close(soon()));
    Outcome::Pass(format!(
        "{} identities, {} features, {} forms, round trip equivalent",
        info.identities.len(),
        info.features.len(),
        info.forms.len()
    ))
}

fn component_scenario(c: &Ctx) -> Outcome {
    let (name, secret) = servers::COMPONENT;
    let name_jid: Jid = name.parse().expect("a JID");
    let transport = attempt!(Transport::connect(c.server.component(), T));
    let mut link = Link::new(transport, ContentNs::ComponentAccept);
    let mut machine = component::Component::new(component::Config::new(name_jid.clone(), secret));
    attempt!(machine.start(Instant::now()).map_err(|e| format!("{e:?}")));
    loop {
        while let Some(t) = machine.poll_transmit() {
            attempt!(link.transmit(&t));
        }
        match machine.poll_event() {
            Some(component::Event::Authenticated) => break,
            Some(component::Event::Failed(f)) => {
                return Outcome::Fail(format!(
                    "the handshake failed: {f:?}; received {:?}",
                    link.received
                ));
            }
            None => {}
        }
        let deadline = machine.poll_timeout().unwrap_or_else(soon);
        match attempt!(link.next_event(deadline)) {
            Some(e) => {
                machine.handle_stream_event(Instant::now(), &e);
            }
            None => machine.handle_timeout(Instant::now()),
        }
    }
    let mut a = logged_in!(login(c, 0, Some("to-component")));
    let mut m = Message::chat(
        format!("echo@{name}").parse().expect("a JID"),
        "to the component",
    );
    m.id = Some(a.id());
    attempt!(a.send(&m));
    let got = loop {
        match attempt!(link.next_event(soon())) {
            Some(StreamEvent::Element(p)) => {
                if let Some(m) = body_of(&p) {
                    break m;
                }
            }
            Some(other) => return Outcome::Fail(format!("the component got {other:?}")),
            None => return Outcome::Fail("the component got no message".into()),
        }
    };
    check!(got.ns == ContentNs::ComponentAccept, "read as {:?}", got.ns);
    check!(
        got.from == Some(Jid::from(a.jid.clone())),
        "from {:?}",
        got.from
    );
    let mut reply = Message::chat(Jid::from(a.jid.clone()), "from the component");
    reply.from = Some(format!("echo@{name}").parse().expect("a JID"));
    reply.ns = ContentNs::ComponentAccept;
    attempt!(link.send(&reply));
    let back = attempt!(a.wait_for("the component's reply", soon(), body_of));
    check!(
        back.body(None) == Some("from the component"),
        "body {:?}",
        back.body(None)
    );
    check!(back.from == reply.from, "from {:?}", back.from);
    attempt!(a.close(soon()));
    Outcome::Pass("handshake accepted; a message each way in jabber:component:accept".into())
}

/// One step of a client stream under stream management: writes what the
/// [`StreamManager`] queued, reads one element (waking the machine at its
/// deadline), feeds stream management elements to it and counts stanzas.
/// Returns a received stanza, or `None`.
fn sm_step(
    s: &mut Session,
    sm: &mut StreamManager,
    deadline: Instant,
) -> Result<Option<Payload>, SessionError> {
    while let Some(t) = sm.poll_transmit() {
        match t {
            SmTransmit::Stanza(st) => s.send(&st)?,
            SmTransmit::Sm(e) => s.send(&e)?,
        }
    }
    let wake = sm.poll_timeout().map_or(deadline, |t| t.min(deadline));
    match s.link.next_event(wake)? {
        None => {
            sm.handle_timeout(Instant::now());
            if Instant::now() >= deadline {
                return Err(SessionError::TimedOut("stream management"));
            }
            Ok(None)
        }
        Some(StreamEvent::Element(p)) => {
            if let Some(Ok(e)) = p.get::<SmElement>() {
                sm.handle_element(Instant::now(), e);
                return Ok(None);
            }
            if let Some(Ok(e)) = p.get::<xep_core::StreamError>() {
                return Err(SessionError::StreamErrorReceived(e));
            }
            if p.get::<Stanza>().is_some() {
                sm.stanza_received(Instant::now());
            }
            Ok(Some(p))
        }
        Some(StreamEvent::End) => Err(SessionError::Closed),
        Some(other) => Err(SessionError::Unexpected(format!("{other:?}"))),
    }
}

fn offers_sm(s: &Session) -> bool {
    s.features
        .get::<xep_sm::Feature>()
        .is_some_and(|f| f.is_ok())
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

fn sm_acks(c: &Ctx) -> Outcome {
    let mut a = logged_in!(login(c, 0, Some("sm-sender")));
    if !offers_sm(&a) {
        return Outcome::NotOffered("no <sm xmlns='urn:xmpp:sm:3'/> feature".into());
    }
    let mut b = logged_in!(login(c, 1, Some("sm-receiver")));
    let mut sm = StreamManager::client(AckPolicy::default());
    attempt!(
        sm.enable(Instant::now(), true, None)
            .map_err(|e| format!("{e:?}"))
    );
    let deadline = soon();
    let (id, resume) = loop {
        attempt!(sm_step(&mut a, &mut sm, deadline));
        match sm.poll_event() {
            Some(SmEvent::Enabled { id, resume, .. }) => break (id, resume),
            Some(other) => return Outcome::Fail(format!("enable: {other:?}")),
            None => {}
        }
    };
    const N: usize = 12;
    let to = Jid::from(b.jid.clone());
    for i in 0..N {
        let mut m = Message::chat(to.clone(), format!("sm {i:02}"));
        m.id = Some(format!("sm-{i}"));
        sm.send(Instant::now(), Stanza::Message(m));
    }
    let mut acked = 0;
    let deadline = Instant::now() + Duration::from_secs(15);
    while acked < N {
        attempt!(sm_step(&mut a, &mut sm, deadline));
        while let Some(e) = sm.poll_event() {
            match e {
                SmEvent::Acknowledged(v) => acked += v.len(),
                other => return Outcome::Fail(format!("while sending: {other:?}")),
            }
        }
    }
    check!(
        sm.unacknowledged().len() == 0,
        "{} stanzas still unacknowledged",
        sm.unacknowledged().len()
    );
    let got = bodies(&mut b, "sm ", N, soon());
    let want: Vec<String> = (0..N).map(|i| format!("sm {i:02}")).collect();
    check!(got == want, "the receiver got {got:?}");
    // Nothing more: each once.
    let extra = bodies(
        &mut b,
        "sm ",
        1,
        Instant::now() + Duration::from_millis(500),
    );
    check!(extra.is_empty(), "duplicates: {extra:?}");
    attempt!(b.close(soon()));
    Outcome::Pass(format!(
        "enabled (resumable {resume}, id {}), {N} stanzas acknowledged by the server's <a/>, each delivered once in order",
        id.is_some()
    ))
}

/// A session in one room: the [`Room`] machine driven over the session.
struct Occupying {
    s: Session,
    room: Room,
    events: Vec<RoomEvent>,
    messages: Vec<(MessageKind, Message)>,
}

impl Occupying {
    fn new(s: Session, room: BareJid, nick: &str) -> Occupying {
        let options = RoomOptions {
            id_prefix: format!("muc-{nick}"),
            ..RoomOptions::default()
        };
        Occupying {
            s,
            room: Room::new(room, nick, options),
            events: Vec::new(),
            messages: Vec::new(),
        }
    }

    /// Writes what the room queued (after each command: the other
    /// occupant's steps do not write it).
    fn flush(&mut self) -> Result<(), SessionError> {
        while let Some(t) = self.room.poll_transmit() {
            self.s.send(&t)?;
        }
        Ok(())
    }

    /// Writes what the room queued, reads one stanza and hands it to the
    /// room, and collects the events.
    fn step(&mut self, deadline: Instant) -> Result<(), SessionError> {
        self.flush()?;
        let wake = self
            .room
            .poll_timeout()
            .map_or(deadline, |t| t.min(deadline));
        match self.s.link.next_event(wake)? {
            None => {
                self.room.handle_timeout(Instant::now());
                if Instant::now() >= deadline {
                    return Err(SessionError::TimedOut("the room"));
                }
            }
            Some(StreamEvent::Element(p)) => match p.get::<Stanza>() {
                Some(Ok(Stanza::Message(m))) => {
                    if let Some(kind) = self.room.handle_message(Instant::now(), &m) {
                        self.messages.push((kind, m));
                    }
                }
                Some(Ok(st)) => {
                    self.room.handle_stanza(Instant::now(), &st);
                }
                Some(Err(e)) => {
                    return Err(SessionError::Unexpected(format!(
                        "a stanza that does not parse: {e}: {}",
                        bytes_of(&p.to_element())
                    )));
                }
                None => {
                    if let Some(Ok(e)) = p.get::<xep_core::StreamError>() {
                        return Err(SessionError::StreamErrorReceived(e));
                    }
                }
            },
            Some(StreamEvent::End) => return Err(SessionError::Closed),
            Some(other) => return Err(SessionError::Unexpected(format!("{other:?}"))),
        }
        while let Some(e) = self.room.poll_event() {
            self.events.push(e);
        }
        Ok(())
    }

    /// Steps until `pick` finds an event (or a message), which it takes.
    fn until<T>(
        &mut self,
        what: &'static str,
        mut pick: impl FnMut(&RoomEvent) -> Option<T>,
    ) -> Result<T, SessionError> {
        let deadline = soon();
        loop {
            if let Some(i) = self.events.iter().position(|e| pick(e).is_some()) {
                let e = self.events.remove(i);
                return Ok(pick(&e).expect("matched"));
            }
            self.step(deadline).map_err(|e| match e {
                SessionError::TimedOut(_) => SessionError::Unexpected(format!(
                    "timed out waiting for {what}; the room's events were {:?}",
                    self.events
                )),
                e => e,
            })?;
        }
    }

    /// Steps until a message of `kind` whose body is `body` arrived.
    fn message(&mut self, kind: MessageKind, body: &str) -> Result<Message, SessionError> {
        let deadline = soon();
        loop {
            if let Some(i) = self
                .messages
                .iter()
                .position(|(k, m)| *k == kind && m.body(None) == Some(body))
            {
                return Ok(self.messages.remove(i).1);
            }
            self.step(deadline).map_err(|e| match e {
                SessionError::TimedOut(_) => SessionError::TimedOut("the room's message"),
                e => e,
            })?;
        }
    }
}

fn muc(c: &Ctx) -> Outcome {
    let tag: String = pki::random(4).iter().map(|b| format!("{b:02x}")).collect();
    let room: BareJid = format!("interop-{tag}@{}", servers::MUC)
        .parse()
        .expect("a JID");
    let mut a = Occupying::new(logged_in!(login(c, 0, Some("muc"))), room.clone(), "alice");
    let mut b = Occupying::new(logged_in!(login(c, 1, Some("muc"))), room.clone(), "bob");

    // Alice creates the room (instant room: the machine accepts the
    // default configuration).
    attempt!(a.room.join(Instant::now()).map_err(|e| format!("{e:?}")));
    let joined = attempt!(a.until("alice's join", |e| match e {
        RoomEvent::Joined { codes, .. } => Some(Ok(codes.clone())),
        RoomEvent::JoinFailed { failure, error } => Some(Err(format!("{failure:?}: {error:?}"))),
        _ => None,
    }));
    let codes = match joined {
        Ok(c) => c,
        Err(e) => return Outcome::Fail(format!("creating the room failed: {e}")),
    };
    check!(
        codes.contains(&StatusCode::RoomCreated),
        "creating the room: codes {codes:?}"
    );
    attempt!(a.until("the instant room's configuration", |e| {
        matches!(e, RoomEvent::Configured).then_some(())
    }));

    // Bob joins; each sees the other.
    attempt!(b.room.join(Instant::now()).map_err(|e| format!("{e:?}")));
    attempt!(b.flush());
    attempt!(b.until("bob's join", |e| {
        matches!(e, RoomEvent::Joined { .. }).then_some(())
    }));
    check!(
        b.room.occupant("alice").is_some(),
        "bob does not see alice: {:?}",
        b.room.occupants().collect::<Vec<_>>()
    );
    let joined = attempt!(a.until("bob in alice's list", |e| match e {
        RoomEvent::OccupantJoined(o) if o.nick == "bob" => Some(o.clone()),
        _ => None,
    }));
    check!(
        joined.role == MucRole::Participant,
        "bob's role {:?}",
        joined.role
    );

    // Groupchat, both ways through the room.
    let m = a.room.groupchat("hello, room");
    attempt!(a.s.send(&m));
    attempt!(b.message(MessageKind::Live, "hello, room"));
    attempt!(a.message(MessageKind::Live, "hello, room"));

    // The subject.
    let subject = Message {
        to: Some(Jid::from(room.clone())),
        type_: Some(xep_core::MessageType::Groupchat),
        subjects: vec![xep_core::Subject {
            lang: None,
            text: "interop".into(),
        }],
        ..Message::default()
    };
    attempt!(a.s.send(&subject));
    let by = attempt!(b.until("the subject", |e| match e {
        RoomEvent::Subject {
            subject: Some(s),
            by,
        } if s == "interop" => Some(by.clone()),
        _ => None,
    }));
    check!(
        b.room.subject() == Some("interop"),
        "bob's subject {:?}",
        b.room.subject()
    );
    check!(by.as_deref() == Some("alice"), "subject set by {by:?}");

    // Bob becomes robert.
    attempt!(
        b.room
            .change_nick(Instant::now(), "robert")
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    attempt!(a.until("the nick change", |e| match e {
        RoomEvent::NickChanged { old, new } if old == "bob" && new == "robert" => Some(()),
        _ => None,
    }));
    attempt!(b.until("bob's own nick change", |e| match e {
        RoomEvent::NickChanged { new, .. } if new == "robert" => Some(()),
        _ => None,
    }));
    check!(b.room.nick() == "robert", "bob's nick is {}", b.room.nick());

    // A private message, occupant to occupant.
    let mut pm = Message::chat(format!("{room}/robert").parse().expect("a JID"), "psst");
    pm.payloads.push(Payload::new(xep_muc::MucUser::default()));
    attempt!(a.s.send(&pm));
    let got = attempt!(b.message(MessageKind::Private, "psst"));
    check!(
        got.from == Some(format!("{room}/alice").parse().expect("a JID")),
        "the private message came from {:?}",
        got.from
    );

    // Alice (owner, moderator) kicks robert.
    let id = attempt!(
        a.room
            .kick(Instant::now(), "robert", Some("interop".into()))
            .map_err(|e| format!("{e:?}"))
    );
    let reply = attempt!(a.until("the kick's reply", |e| match e {
        RoomEvent::Reply { id: i, result } if *i == id => Some(result.clone()),
        _ => None,
    }));
    check!(reply.is_ok(), "kick refused: {reply:?}");
    let removal = attempt!(b.until("robert's removal", |e| match e {
        RoomEvent::Removed(r) => Some(r.clone()),
        _ => None,
    }));
    check!(
        removal.departure == Departure::Kicked,
        "robert removed as {:?}",
        removal.departure
    );
    check!(
        removal.reason.as_deref() == Some("interop"),
        "reason {:?}",
        removal.reason
    );
    let left = attempt!(a.until("robert leaving alice's list", |e| match e {
        RoomEvent::OccupantLeft { occupant, removal } if occupant.nick == "robert" =>
            Some(removal.clone()),
        _ => None,
    }));
    check!(
        left.departure == Departure::Kicked,
        "alice saw {:?}",
        left.departure
    );

    // The owner destroys the room.
    let id = attempt!(
        a.room
            .destroy(
                Instant::now(),
                xep_muc::OwnerDestroy {
                    reason: Some("done".into()),
                    ..Default::default()
                }
            )
            .map_err(|e| format!("{e:?}"))
    );
    let removal = attempt!(a.until("the destruction", |e| match e {
        RoomEvent::Removed(r) => Some(r.clone()),
        _ => None,
    }));
    check!(
        matches!(removal.departure, Departure::Destroyed { .. }),
        "removed as {:?}",
        removal.departure
    );
    let reply = attempt!(a.until("the destroy's reply", |e| match e {
        RoomEvent::Reply { id: i, result } if *i == id => Some(result.clone()),
        _ => None,
    }));
    check!(reply.is_ok(), "destroy refused: {reply:?}");
    check!(
        a.room.state() == RoomState::Idle,
        "alice's room is {:?}",
        a.room.state()
    );
    Outcome::Pass("created (201, instant), joined by a second occupant, groupchat, subject, nick change (303), private message, kick (307 with reason), destroyed".into())
}

fn bosh_scenario(c: &Ctx) -> Outcome {
    let mut cfg = config(0, &SCRAM_NO_CB);
    // The stream ignores STARTTLS over BOSH (XEP-0206 §7): the transport
    // is the HTTP layer (loopback here; https for a real client).
    cfg.tls_at_start = true;
    cfg.resource = Some("bosh".into());
    let rid = pki::random(4)
        .iter()
        .fold(1u64, |r, b| (r << 8) | u64::from(*b));
    let mut a = match crate::bosh::connect(&c.server.bosh_url(), DOMAIN, cfg, rid) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("BOSH login: {e}")),
    };
    check!(a.jid.resource().as_str() == "bosh", "bound {}", a.jid);
    let mut b = logged_in!(login(c, 1, Some("bosh-peer")));
    let mut m = Message::chat(Jid::from(b.jid.clone()), "over BOSH");
    m.id = Some("bosh-1".into());
    a.send(Stanza::Message(m));
    let got = attempt!(b.wait_for("the BOSH client's message", soon(), body_of));
    check!(
        got.body(None) == Some("over BOSH") && got.from == Some(Jid::from(a.jid.clone())),
        "got {:?} from {:?}",
        got.body(None),
        got.from
    );
    let back = Message::chat(Jid::from(a.jid.clone()), "back to BOSH");
    attempt!(b.send(&back));
    let got = attempt!(a.wait_for("the reply over BOSH", soon(), body_of));
    check!(
        got.body(None) == Some("back to BOSH"),
        "got {:?}",
        got.body(None)
    );
    attempt!(a.terminate(soon()));
    attempt!(b.close(soon()));
    Outcome::Pass(format!(
        "negotiated over BOSH (bound {}), a message each way, terminated",
        c.server.bosh_url()
    ))
}

/// A session with a Jingle [`JingleEndpoint`]; iqs that are not the endpoint's
/// (the IBB bytestream) are kept for the scenario.
struct Jingling {
    s: Session,
    ep: JingleEndpoint,
    events: Vec<JingleEvent>,
    iqs: Vec<Iq>,
}

impl Jingling {
    fn new(s: Session) -> Jingling {
        let ep = JingleEndpoint::new(Jid::from(s.jid.clone()));
        Jingling {
            s,
            ep,
            events: Vec::new(),
            iqs: Vec::new(),
        }
    }

    fn flush(&mut self) -> Result<(), SessionError> {
        while let Some(iq) = self.ep.poll_transmit() {
            self.s.send(&iq)?;
        }
        Ok(())
    }

    /// Writes what the endpoint queued, then reads for at most `wait`.
    fn step(&mut self, wait: Duration) -> Result<(), SessionError> {
        self.flush()?;
        let until = self
            .ep
            .poll_timeout()
            .map_or(Instant::now() + wait, |t| t.min(Instant::now() + wait));
        match self.s.link.next_event(until)? {
            None => self.ep.handle_timeout(Instant::now()),
            Some(StreamEvent::Element(p)) => {
                if let Some(Ok(iq)) = p.get::<Iq>() {
                    if !self.ep.handle_iq(Instant::now(), &iq) {
                        self.iqs.push(iq);
                    }
                } else if let Some(Ok(e)) = p.get::<xep_core::StreamError>() {
                    return Err(SessionError::StreamErrorReceived(e));
                }
            }
            Some(StreamEvent::End) => return Err(SessionError::Closed),
            Some(other) => return Err(SessionError::Unexpected(format!("{other:?}"))),
        }
        while let Some(e) = self.ep.poll_event() {
            self.events.push(e);
        }
        self.flush()
    }

    /// An iq not the endpoint's, matching `pick`, stepping until it comes.
    fn iq(
        &mut self,
        what: &'static str,
        mut pick: impl FnMut(&Iq) -> bool,
    ) -> Result<Iq, SessionError> {
        let deadline = soon();
        loop {
            if let Some(i) = self.iqs.iter().position(&mut pick) {
                return Ok(self.iqs.remove(i));
            }
            if Instant::now() >= deadline {
                return Err(SessionError::TimedOut(what));
            }
            self.step(Duration::from_millis(200))?;
        }
    }
}

/// Steps both parties in turn until `pick` finds an event of `who`.
fn jingle_until<T>(
    a: &mut Jingling,
    b: &mut Jingling,
    who_is_a: bool,
    what: &'static str,
    mut pick: impl FnMut(&JingleEvent) -> Option<T>,
) -> Result<T, SessionError> {
    let deadline = soon();
    loop {
        let who = if who_is_a { &mut *a } else { &mut *b };
        if let Some(i) = who.events.iter().position(|e| pick(e).is_some()) {
            let e = who.events.remove(i);
            return Ok(pick(&e).expect("matched"));
        }
        if Instant::now() >= deadline {
            return Err(SessionError::Unexpected(format!(
                "timed out waiting for {what}; events {:?} / {:?}",
                a.events, b.events
            )));
        }
        a.step(Duration::from_millis(20))?;
        b.step(Duration::from_millis(20))?;
    }
}

fn jingle_file(c: &Ctx) -> Outcome {
    let mut a = Jingling::new(logged_in!(login(c, 0, Some("jingle"))));
    let mut b = Jingling::new(logged_in!(login(c, 1, Some("jingle"))));
    let (aj, bj) = (Jid::from(a.s.jid.clone()), Jid::from(b.s.jid.clone()));
    const SIZE: usize = 300 * 1024;
    const BLOCK: u16 = 4096;
    let data = pki::random(SIZE);
    let digest = Algo::Sha256.digest(&data).expect("SHA-256 is computed");
    let file = FtFile {
        name: Some("interop.bin".into()),
        media_type: Some("application/octet-stream".into()),
        size: Some(SIZE as u64),
        hashes: vec![Hash {
            algo: Algo::Sha256,
            value: xep_element::Base64(digest.clone()),
        }],
        ..FtFile::default()
    };
    let content = Content::new(Creator::Initiator, "file")
        .with(Payload::new(FtDescription { file }))
        .with(Payload::new(IbbTransport {
            block_size: BLOCK,
            sid: "ibb-1".into(),
            stanza: None,
        }));
    attempt!(
        a.ep.initiate(Instant::now(), bj.clone(), "ft-1", vec![content])
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(a.flush());

    // Bob sees the offer, typed, and accepts it.
    let offer = attempt!(jingle_until(
        &mut a,
        &mut b,
        false,
        "the offer",
        |e| match e {
            JingleEvent::Incoming { peer, sid, jingle } if *peer == aj && sid == "ft-1" =>
                Some(jingle.clone()),
            _ => None,
        }
    ));
    let Some(content) = offer.contents.first() else {
        return Outcome::Fail("an offer without content".into());
    };
    let offered = content
        .payloads
        .iter()
        .find_map(|p| p.get::<FtDescription>())
        .and_then(Result::ok);
    let transport = content
        .payloads
        .iter()
        .find_map(|p| p.get::<IbbTransport>())
        .and_then(Result::ok);
    let (Some(offered), Some(transport)) = (offered, transport) else {
        return Outcome::Fail(format!("the offer's content did not type: {content:?}"));
    };
    check!(
        offered.file.size == Some(SIZE as u64),
        "offered size {:?}",
        offered.file.size
    );
    attempt!(
        b.ep.accept(Instant::now(), &aj, "ft-1", vec![])
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    attempt!(jingle_until(
        &mut a,
        &mut b,
        true,
        "the session to be active",
        |e| match e {
            JingleEvent::StateChanged {
                state: JingleState::Active,
                ..
            } => Some(()),
            _ => None,
        }
    ));

    // The bytes, in band, each block acknowledged before the next.
    let open = Iq::set(
        "ibb-open",
        Some(bj.clone()),
        Payload::new(IbbOpen {
            block_size: transport.block_size,
            sid: transport.sid.clone(),
            stanza: None,
        }),
    );
    attempt!(a.s.send(&open));
    let got = attempt!(b.iq("the IBB open", |iq| iq.id == "ibb-open"));
    attempt!(b.s.send(&got.result(None)));
    let r = attempt!(a.iq("the open's result", |iq| iq.id == "ibb-open"));
    check!(
        r.type_ == IqType::Result,
        "IBB open: {}",
        bytes_of(&r.to_element())
    );
    let mut received = Vec::with_capacity(SIZE);
    for (seq, chunk) in data.chunks(usize::from(transport.block_size)).enumerate() {
        let id = format!("ibb-{seq}");
        let iq = Iq::set(
            id.clone(),
            Some(bj.clone()),
            Payload::new(IbbData::new(transport.sid.clone(), seq as u16, chunk)),
        );
        attempt!(a.s.send(&iq));
        let got = attempt!(b.iq("an IBB block", |iq| iq.id == id));
        check!(got.from == Some(aj.clone()), "a block from {:?}", got.from);
        let Some(Ok(block)) = got.payloads.iter().find_map(|p| p.get::<IbbData>()) else {
            return Outcome::Fail(format!("not an IBB block: {}", bytes_of(&got.to_element())));
        };
        check!(
            usize::from(block.seq) == seq,
            "block {} where {seq} was due",
            block.seq
        );
        received.extend(attempt!(block.decode()));
        attempt!(b.s.send(&got.result(None)));
        let r = attempt!(a.iq("a block's result", |iq| iq.id == id));
        check!(
            r.type_ == IqType::Result,
            "block {seq}: {}",
            bytes_of(&r.to_element())
        );
    }
    let close = Iq::set(
        "ibb-close",
        Some(bj.clone()),
        Payload::new(IbbClose {
            sid: transport.sid.clone(),
        }),
    );
    attempt!(a.s.send(&close));
    let got = attempt!(b.iq("the IBB close", |iq| iq.id == "ibb-close"));
    attempt!(b.s.send(&got.result(None)));
    attempt!(a.iq("the close's result", |iq| iq.id == "ibb-close"));

    // Checked against the hash of the offer.
    let want = offered
        .file
        .hashes
        .iter()
        .find(|h| h.algo == Algo::Sha256)
        .map(|h| h.value.0.clone());
    check!(
        received.len() == SIZE,
        "{} bytes arrived of {SIZE}",
        received.len()
    );
    check!(
        Algo::Sha256.digest(&received) == want,
        "the SHA-256 of what arrived differs from the offer's"
    );

    // Both ends terminate: the sender with success, the receiver sees it.
    attempt!(
        a.ep.terminate(
            Instant::now(),
            &bj,
            "ft-1",
            Some(Reason::new(ReasonCondition::Success))
        )
        .map_err(|e| format!("{e:?}"))
    );
    attempt!(a.flush());
    let reason = attempt!(jingle_until(
        &mut a,
        &mut b,
        false,
        "the terminate",
        |e| match e {
            JingleEvent::StateChanged {
                state: JingleState::Ended,
                reason,
                ..
            } => Some(reason.clone()),
            _ => None,
        }
    ));
    check!(
        reason.map(|r| r.condition) == Some(ReasonCondition::Success),
        "ended without success"
    );
    check!(
        a.ep.session(&bj, "ft-1").map(|s| s.state()) == Some(JingleState::Ended),
        "alice's session is not ended"
    );
    Outcome::Pass(format!(
        "{SIZE} bytes in {} IBB blocks, SHA-256 verified; session-initiate, accept and terminate (success) through both Endpoint machines",
        SIZE.div_ceil(usize::from(BLOCK))
    ))
}

/// Runs `walk` over `s` to its end; returns the bodies believed and the
/// refusals.
fn run_walk(
    s: &mut Session,
    walk: &mut Walk,
    on_start: impl FnOnce(&str),
) -> Result<(Vec<String>, Vec<MamEvent>, u64), SessionError> {
    walk.start(Instant::now())
        .map_err(|e| SessionError::Unexpected(format!("{e:?}")))?;
    on_start(walk.query_id().unwrap_or_default());
    let deadline = soon();
    let (mut bodies, mut refused, mut pages) = (Vec::new(), Vec::new(), 0);
    loop {
        while let Some(iq) = walk.poll_transmit() {
            s.send(&iq)?;
        }
        while let Some(e) = walk.poll_event() {
            match e {
                MamEvent::Result(m) => {
                    bodies.push(m.message.body(None).unwrap_or_default().to_owned())
                }
                MamEvent::PageEnd { .. } => pages += 1,
                MamEvent::Complete { .. } => return Ok((bodies, refused, pages)),
                MamEvent::Failed(f) => {
                    return Err(SessionError::Unexpected(format!("the walk failed: {f}")));
                }
                r @ MamEvent::Refused { .. } => refused.push(r),
            }
        }
        let wake = walk.poll_timeout().map_or(deadline, |t| t.min(deadline));
        match s.link.next_event(wake)? {
            None => {
                walk.handle_timeout(Instant::now());
                if Instant::now() >= deadline {
                    return Err(SessionError::TimedOut("the archive"));
                }
            }
            Some(StreamEvent::Element(p)) => match p.get::<Stanza>() {
                Some(Ok(Stanza::Message(m))) => {
                    walk.handle_message(Instant::now(), &m);
                }
                Some(Ok(Stanza::Iq(iq))) => {
                    walk.handle_iq(Instant::now(), &iq);
                }
                _ => {}
            },
            Some(StreamEvent::End) => return Err(SessionError::Closed),
            Some(other) => return Err(SessionError::Unexpected(format!("{other:?}"))),
        }
    }
}

fn mam(c: &Ctx) -> Outcome {
    let mut sender = logged_in!(login(c, 2, Some("mam")));
    let mut b = logged_in!(login(c, 1, Some("mam")));
    // Whether the account has an archive: disco#info of the bare JID.
    let iq = Iq::get(
        "",
        Some(Jid::from(b.jid.to_bare())),
        Payload::new(xep_disco::DiscoInfo::default()),
    );
    let r = attempt!(b.iq(iq, soon()));
    let has = r
        .payloads
        .iter()
        .find_map(|p| p.get::<xep_disco::DiscoInfo>())
        .and_then(Result::ok)
        .is_some_and(|i| i.features.iter().any(|f| f.var == xep_mam::NS));
    if !has {
        return Outcome::NotOffered(format!("the account's disco#info has no {}", xep_mam::NS));
    }
    let tag: String = pki::random(3).iter().map(|b| format!("{b:02x}")).collect();
    const N: usize = 12;
    let want: Vec<String> = (0..N).map(|i| format!("mam {tag} {i:02}")).collect();
    for w in &want {
        attempt!(sender.send(&Message::chat(Jid::from(b.jid.clone()), w.clone())));
    }
    // Each arrives live first (then they are surely archived).
    let live = bodies(&mut b, &format!("mam {tag}"), N, soon());
    check!(live == want, "live: {live:?}");

    let filter = Filter {
        with: Some(Jid::from(sender.jid.to_bare())),
        ..Filter::default()
    };
    let config = MamConfig {
        page_size: 5,
        id_prefix: format!("walk-{tag}"),
        ..MamConfig::default()
    };
    let mut walk = Walk::new(b.jid.to_bare(), None, filter.clone(), config.clone());
    // While the first page is open, the other user sends a forged result
    // with the walk's query id: the walk must not believe it.
    let forger_to = Jid::from(b.jid.clone());
    let mut forged = None;
    let (got, refused, pages) = attempt!(run_walk(&mut b, &mut walk, |qid| {
        let x = format!(
            "<message xmlns='jabber:client' to='{forger_to}' id='forged'><result xmlns='urn:xmpp:mam:2' queryid='{qid}' id='forged-1'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='{forger_to}' type='chat'><body>mam {tag} forged</body></message></forwarded></result></message>"
        );
        forged =
            Some(sender.send(&Message::from_xml(x.as_bytes()).expect("our forged message parses")));
    }));
    if let Some(Err(e)) = forged {
        return Outcome::Fail(format!("sending the forged result: {e}"));
    }
    let got: Vec<String> = got
        .into_iter()
        .filter(|b| b.starts_with(&format!("mam {tag}")))
        .collect();
    check!(got == want, "forwards, the walk believed {got:?}");
    check!(pages >= 3, "{pages} pages for {N} results by 5");
    let refusal = match refused.first() {
        Some(MamEvent::Refused {
            reason: Refusal::WrongSender,
            from,
        }) => {
            format!("the forged result from {from:?} refused: not from the archive")
        }
        // The page it named was over when it came (a fast archive).
        Some(MamEvent::Refused {
            reason: Refusal::NotOpen,
            from,
        }) => {
            format!("the forged result from {from:?} refused: its query was no longer open")
        }
        Some(other) => {
            return Outcome::Fail(format!(
                "the forged result was refused for another reason: {other:?}"
            ));
        }
        None => "the server did not deliver the forged result".into(),
    };

    let mut back = Walk::new(
        b.jid.to_bare(),
        None,
        filter,
        MamConfig {
            direction: Direction::Backward,
            id_prefix: format!("back-{tag}"),
            ..config
        },
    );
    let (got, _, pages_back) = attempt!(run_walk(&mut b, &mut back, |_| ()));
    let mut got: Vec<String> = got
        .into_iter()
        .filter(|b| b.starts_with(&format!("mam {tag}")))
        .collect();
    got.sort();
    check!(got == want, "backwards, the walk believed {got:?}");
    attempt!(b.close(soon()));
    Outcome::Pass(format!(
        "{N} messages in {pages} pages forwards and {pages_back} backwards, each once; {refusal}"
    ))
}

fn carbons(c: &Ctx) -> Outcome {
    let mut a1 = logged_in!(login(c, 0, Some("carbons-1")));
    let mut a2 = logged_in!(login(c, 0, Some("carbons-2")));
    let mut b = logged_in!(login(c, 1, Some("carbons")));
    let account = a1.jid.to_bare();
    let r = attempt!(a1.iq(xep_carbons::enable(""), soon()));
    if r.type_ == IqType::Error {
        return Outcome::NotOffered(format!("enable refused: {}", bytes_of(&r.to_element())));
    }
    for s in [&mut a1, &mut a2, &mut b] {
        attempt!(s.send(&Presence::available()));
    }
    let copy = |s: &mut Session, what: &'static str| {
        s.wait_for(what, soon(), |p| match p.get::<Message>() {
            Some(Ok(m))
                if m.payloads.iter().any(|p| {
                    p.get::<xep_carbons::Received>().is_some()
                        || p.get::<xep_carbons::Sent>().is_some()
                }) =>
            {
                Some(m)
            }
            _ => None,
        })
    };
    // Bob writes to a2; a1 gets a <received/> copy.
    attempt!(b.send(&Message::chat(
        Jid::from(a2.jid.clone()),
        "to the second client"
    )));
    let m = attempt!(copy(&mut a1, "the received copy"));
    let carbon = match xep_carbons::unwrap(&m, &account) {
        Ok(Some(c)) => c,
        other => {
            return Outcome::Fail(format!(
                "the received copy was not believed: {other:?}: {}",
                bytes_of(&m.to_element())
            ));
        }
    };
    check!(
        carbon.direction == xep_carbons::Direction::Received,
        "direction {:?}",
        carbon.direction
    );
    check!(
        carbon.message.body(None) == Some("to the second client"),
        "body {:?}",
        carbon.message.body(None)
    );
    // a2 writes to Bob; a1 gets a <sent/> copy.
    attempt!(a2.send(&Message::chat(
        Jid::from(b.jid.clone()),
        "from the second client"
    )));
    let m = attempt!(copy(&mut a1, "the sent copy"));
    let carbon = match xep_carbons::unwrap(&m, &account) {
        Ok(Some(c)) => c,
        other => return Outcome::Fail(format!("the sent copy was not believed: {other:?}")),
    };
    check!(
        carbon.direction == xep_carbons::Direction::Sent
            && carbon.message.body(None) == Some("from the second client"),
        "sent copy {carbon:?}"
    );
    // Bob forges a <received/> copy to a1: refused, whatever it holds.
    let forged = format!(
        "<message xmlns='jabber:client' to='{}' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='{}' to='{}' type='chat'><body>forged</body></message></forwarded></received></message>",
        a1.jid, b.jid, account
    );
    attempt!(b.send(&Message::from_xml(forged.as_bytes()).expect("our forged copy parses")));
    let refusal = match copy(&mut a1, "the forged copy") {
        Ok(m) => match xep_carbons::unwrap(&m, &account) {
            Err(xep_carbons::Refusal::NotFromOwnAccount { from }) => {
                format!("the forged copy from {from:?} refused")
            }
            other => return Outcome::Fail(format!("the forged copy was {other:?}")),
        },
        Err(SessionError::TimedOut(_)) => "the server did not deliver the forged copy".into(),
        Err(e) => return Outcome::Fail(format!("{e}")),
    };
    for s in [a1, a2, b] {
        attempt!(s.close(soon()));
    }
    Outcome::Pass(format!(
        "received and sent copies believed from {account}; {refusal}"
    ))
}

/// Sends a pubsub request and classifies the reply (which must come from
/// the service asked, `classify_reply` checks).
fn ps(s: &mut Session, mut iq: Iq) -> Result<PsOutcome, SessionError> {
    iq.id = s.id();
    let request = iq.clone();
    let reply = s.iq(iq, soon())?;
    Ok(xep_pubsub::request::classify_reply(&request, &reply))
}

macro_rules! ps_ok {
    ($what:literal, $e:expr) => {
        match attempt!($e) {
            PsOutcome::Success(r) => r,
            other => return Outcome::Fail(format!("{}: {other:?}", $what)),
        }
    };
}

fn event_items(
    s: &mut Session,
    node: &str,
    want: impl Fn(&xep_pubsub::Event) -> bool,
) -> Result<xep_pubsub::Event, SessionError> {
    event_items_until(s, node, soon(), want)
}

fn event_items_until(
    s: &mut Session,
    node: &str,
    deadline: Instant,
    want: impl Fn(&xep_pubsub::Event) -> bool,
) -> Result<xep_pubsub::Event, SessionError> {
    s.wait_for("a pubsub notification", deadline, |p| {
        match p.get::<Message>() {
            Some(Ok(m)) => match xep_pubsub::request::event_of(&m) {
                Some(Ok(e))
                    if want(&e)
                        && [
                            e.items.as_ref().map(|i| i.node.as_str()),
                            e.purge.as_ref().map(|p| p.node.as_str()),
                            e.delete.as_ref().map(|d| d.node.as_str()),
                        ]
                        .contains(&Some(node)) =>
                {
                    Some(e)
                }
                _ => None,
            },
            _ => None,
        }
    })
}

fn pubsub(c: &Ctx) -> Outcome {
    let service: Jid = servers::PUBSUB.parse().expect("a JID");
    let mut a = logged_in!(login(c, 0, Some("pubsub")));
    let mut b = logged_in!(login(c, 1, Some("pubsub")));
    let tag: String = pki::random(3).iter().map(|b| format!("{b:02x}")).collect();
    let node = format!("interop-{tag}");
    let svc = Some(service.clone());

    ps_ok!(
        "create",
        ps(&mut a, ps_req::create("", svc.clone(), Some(&node), None))
    );
    // The configuration form, read through the typed view and submitted.
    let form = match ps_ok!(
        "configure get",
        ps(&mut a, ps_req::configure_get("", svc.clone(), &node))
    ) {
        PsReply::Owner(o) => o.configure.and_then(|c| c.form),
        other => return Outcome::Fail(format!("configure get gave {other:?}")),
    };
    let Some(form) = form else {
        return Outcome::Fail("no configuration form".into());
    };
    let mut config = match NodeConfig::from_form(&form) {
        Ok(v) => v,
        Err(e) => return Outcome::Fail(format!("the node_config form does not fit the view: {e}")),
    };
    config.max_items = Some(Limit::Count(10));
    config.notify_retract = Some(true);
    ps_ok!(
        "configure set",
        ps(
            &mut a,
            ps_req::configure_set("", svc.clone(), &node, config.to_form(FormType::Submit))
        )
    );

    let bj = Jid::from(b.jid.clone());
    let sub = ps_ok!(
        "subscribe",
        ps(
            &mut b,
            ps_req::subscribe("", svc.clone(), &node, bj.clone())
        )
    );
    let state = match &sub {
        PsReply::Pubsub(p) => match &p.action {
            Some(PubsubAction::Subscription(s)) => s.subscription,
            _ => None,
        },
        _ => None,
    };
    check!(
        state == Some(SubscriptionState::Subscribed),
        "subscription {sub:?}"
    );

    for i in 1..=3 {
        let entry = minidom::Element::builder("entry", "urn:example:interop")
            .append(format!("entry {i}"))
            .build();
        let item = PsItem {
            id: Some(format!("i{i}")),
            publisher: None,
            payloads: vec![Payload::from(entry)],
        };
        ps_ok!(
            "publish",
            ps(&mut a, ps_req::publish("", svc.clone(), &node, item, None))
        );
        let e = attempt!(event_items(&mut b, &node, |e| e
            .items
            .as_ref()
            .is_some_and(|i| !i.items.is_empty())));
        let items = e.items.expect("checked");
        check!(
            items.items.len() == 1 && items.items[0].id.as_deref() == Some(&*format!("i{i}")),
            "notification {items:?}"
        );
        let text = items.items[0]
            .payloads
            .first()
            .map(|p| p.to_element().text());
        check!(
            text.as_deref() == Some(&*format!("entry {i}")),
            "payload {text:?}"
        );
    }
    let all = match ps_ok!(
        "items",
        ps(&mut a, ps_req::items("", svc.clone(), &node, None, &[]))
    ) {
        PsReply::Pubsub(p) => match p.action {
            Some(PubsubAction::Items(i)) => i.items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    check!(all.len() == 3, "{} items", all.len());
    let two = match ps_ok!(
        "items max 2",
        ps(&mut a, ps_req::items("", svc.clone(), &node, Some(2), &[]))
    ) {
        PsReply::Pubsub(p) => match p.action {
            Some(PubsubAction::Items(i)) => i.items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    check!(two.len() == 2, "max_items 2 gave {}", two.len());

    ps_ok!(
        "retract",
        ps(
            &mut a,
            ps_req::retract("", svc.clone(), &node, &["i1"], true)
        )
    );
    let e = attempt!(event_items(&mut b, &node, |e| e
        .items
        .as_ref()
        .is_some_and(|i| !i.retracts.is_empty())));
    check!(
        e.items
            .as_ref()
            .is_some_and(|i| i.retracts.iter().any(|r| r.id == "i1")),
        "retract notification {e:?}"
    );

    let aff = ps_ok!(
        "owner affiliations",
        ps(
            &mut a,
            ps_req::owner_affiliations_get("", svc.clone(), &node)
        )
    );
    let owner = match &aff {
        PsReply::Owner(o) => o.affiliations.as_ref().is_some_and(|x| {
            x.affiliations.iter().any(|f| {
                f.jid == a.jid.to_bare() && f.affiliation == xep_pubsub::Affiliation::Owner
            })
        }),
        _ => false,
    };
    check!(owner, "alice is not listed as owner: {aff:?}");

    ps_ok!("purge", ps(&mut a, ps_req::purge("", svc.clone(), &node)));
    let left = match ps_ok!(
        "items after purge",
        ps(&mut a, ps_req::items("", svc.clone(), &node, None, &[]))
    ) {
        PsReply::Pubsub(p) => match p.action {
            Some(PubsubAction::Items(i)) => i.items.len(),
            _ => 0,
        },
        _ => 0,
    };
    check!(left == 0, "{left} items after purge");

    // A typed error: subscribing to a node that does not exist.
    let missing = format!("missing-{tag}");
    match attempt!(ps(&mut b, ps_req::subscribe("", svc.clone(), &missing, bj))) {
        PsOutcome::Failed(e) if e.stanza.condition == xep_core::DefinedCondition::ItemNotFound => {}
        other => return Outcome::Fail(format!("subscribing to a missing node: {other:?}")),
    }

    ps_ok!(
        "delete",
        ps(&mut a, ps_req::delete("", svc.clone(), &node, None))
    );
    // Deletion notifications are the node's pubsub#notify_delete: not
    // every server sends them by default.
    let deleted = match event_items_until(
        &mut b,
        &node,
        Instant::now() + Duration::from_secs(2),
        |e| e.delete.is_some(),
    ) {
        Ok(_) => "the subscriber notified of the deletion",
        Err(SessionError::TimedOut(_)) => "no deletion notification",
        Err(e) => return Outcome::Fail(format!("{e}")),
    };
    attempt!(a.close(soon()));
    attempt!(b.close(soon()));
    Outcome::Pass(format!(
        "created, configured through NodeConfig ({} fields read), subscribed, 3 items published and notified, items (all, max 2), retract notified, owner listed, purged, item-not-found typed, deleted; {deleted}",
        form.fields.len()
    ))
}

fn websocket_scenario(c: &Ctx) -> Outcome {
    let mut cfg = config(0, &SCRAM_NO_CB);
    // TLS is the WebSocket's (wss://; ws:// on loopback here), never
    // STARTTLS (RFC 7395 §3.4).
    cfg.tls_at_start = true;
    cfg.resource = Some("ws".into());
    let mut a = match crate::websocket::connect(&c.server.websocket_url(), DOMAIN, cfg) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("WebSocket login: {e}")),
    };
    check!(a.jid.resource().as_str() == "ws", "bound {}", a.jid);
    let mut b = logged_in!(login(c, 1, Some("ws-peer")));
    let mut m = Message::chat(Jid::from(b.jid.clone()), "over a WebSocket");
    m.id = Some("ws-1".into());
    attempt!(a.send(&m));
    let got = attempt!(b.wait_for("the WebSocket client's message", soon(), body_of));
    check!(
        got.body(None) == Some("over a WebSocket") && got.from == Some(Jid::from(a.jid.clone())),
        "got {:?} from {:?}",
        got.body(None),
        got.from
    );
    attempt!(b.send(&Message::chat(
        Jid::from(a.jid.clone()),
        "back over the WebSocket"
    )));
    let got = attempt!(a.wait_for("the reply", soon(), body_of));
    check!(
        got.body(None) == Some("back over the WebSocket"),
        "got {:?}",
        got.body(None)
    );
    attempt!(a.close(soon()));
    attempt!(b.close(soon()));
    Outcome::Pass(format!(
        "negotiated over {} with <open/>, a message each way, <close/> answered",
        c.server.websocket_url()
    ))
}

/// An HTTP agent that resolves the test domain's names (`upload.localhost`,
/// ...) to loopback, as the slot URLs name them.
fn http_agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .resolver(|addr: &str| -> std::io::Result<Vec<std::net::SocketAddr>> {
            let (host, port) = addr
                .rsplit_once(':')
                .ok_or(std::io::ErrorKind::InvalidInput)?;
            let port: u16 = port.parse().map_err(|_| std::io::ErrorKind::InvalidInput)?;
            if host == DOMAIN || host.ends_with(&format!(".{DOMAIN}")) || host == "127.0.0.1" {
                Ok(vec![std::net::SocketAddr::from(([127, 0, 0, 1], port))])
            } else {
                Err(std::io::ErrorKind::NotFound.into())
            }
        })
        .build()
}

fn upload(c: &Ctx) -> Outcome {
    let service: Jid = servers::UPLOAD.parse().expect("a JID");
    let mut a = logged_in!(login(c, 0, Some("upload")));
    let info = attempt!(a.iq(
        Iq::get(
            "",
            Some(service.clone()),
            Payload::new(xep_disco::DiscoInfo::default())
        ),
        soon()
    ));
    let offered = info
        .payloads
        .iter()
        .find_map(|p| p.get::<xep_disco::DiscoInfo>())
        .and_then(Result::ok)
        .is_some_and(|i| i.features.iter().any(|f| f.var == xep_upload::NS));
    if !offered {
        return Outcome::NotOffered(format!("{service} has no {}", xep_upload::NS));
    }
    let body: Vec<u8> = (0..2000u32)
        .map(|i| b"interop upload "[(i % 15) as usize])
        .collect();
    let req = xep_upload::request(
        a.id(),
        service.clone(),
        "interop.txt",
        body.len() as u64,
        Some("text/plain"),
    );
    let reply = attempt!(a.iq(req.clone(), soon()));
    let slot = match xep_upload::outcome(&req, &reply) {
        xep_upload::Outcome::Slot(s) => s,
        other => return Outcome::Fail(format!("slot request: {other:?}")),
    };
    let headers = match slot.put.request_headers() {
        Ok(h) => h,
        Err(e) => return Outcome::Fail(format!("the slot's headers: {e}")),
    };
    let agent = http_agent();
    let mut put = agent.put(&slot.put.url).set("Content-Type", "text/plain");
    for (name, value) in &headers {
        put = put.set(name.as_str(), value);
    }
    let status = match put.send_bytes(&body) {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, r)) => {
            return Outcome::Fail(format!(
                "PUT {}: {code} {}",
                slot.put.url,
                r.into_string().unwrap_or_default()
            ));
        }
        Err(e) => return Outcome::Fail(format!("PUT {}: {e}", slot.put.url)),
    };
    check!(status == 200 || status == 201, "PUT answered {status}");
    let got = match agent.get(&slot.get.url).call() {
        Ok(r) => {
            let mut out = Vec::new();
            attempt!(std::io::Read::read_to_end(&mut r.into_reader(), &mut out));
            out
        }
        Err(e) => return Outcome::Fail(format!("GET {}: {e}", slot.get.url)),
    };
    check!(
        got == body,
        "GET gave {} bytes, not the {} uploaded",
        got.len(),
        body.len()
    );
    let https = match slot.check_https() {
        Ok(()) => "https",
        Err(_) => "http on loopback (check_https refuses it, as a real client would)",
    };
    // Over the limit: the typed error with the largest size.
    let req = xep_upload::request(a.id(), service, "big.bin", 2 * servers::UPLOAD_LIMIT, None);
    let reply = attempt!(a.iq(req.clone(), soon()));
    let too_large = match xep_upload::outcome(&req, &reply) {
        xep_upload::Outcome::TooLarge(max) => format!("file-too-large with max-file-size {max:?}"),
        xep_upload::Outcome::Error(e) => {
            format!("an error without file-too-large: {:?}", e.condition)
        }
        other => return Outcome::Fail(format!("a request over the limit: {other:?}")),
    };
    attempt!(a.close(soon()));
    Outcome::Pass(format!(
        "slot typed ({} allowed headers), PUT {status}, GET the same {} bytes; URLs {https}; over the limit: {too_large}",
        headers.len(),
        body.len()
    ))
}

fn caps(c: &Ctx) -> Outcome {
    let python = match crate::peer::python() {
        Ok(p) => p,
        Err(e) => return Outcome::Fail(format!("the second client could not be set up: {e}")),
    };
    let mut a = logged_in!(login(c, 0, Some("caps")));
    let node = "https://xep-rs.example/interop";
    let ours = xep_disco::DiscoInfo {
        identities: vec![xep_disco::Identity::new(
            "client",
            "bot",
            Some("xep-rs interop"),
        )],
        features: [
            xep_disco::NS_INFO,
            xep_caps::NS_CAPS,
            "urn:xmpp:ping",
            "urn:xmpp:receipts",
        ]
        .iter()
        .map(|v| xep_disco::Feature { var: (*v).into() })
        .collect(),
        ..Default::default()
    };
    let our_caps = match xep_caps::Caps::compute(&ours, Algo::Sha1, node) {
        Ok(c) => c,
        Err(e) => return Outcome::Fail(format!("computing our caps: {e:?}")),
    };
    let (user, password) = ACCOUNTS[2];
    let peer: Jid = format!("{user}@{DOMAIN}/slix").parse().expect("a JID");
    let mut child = match std::process::Command::new(&python)
        .arg(crate::peer::script())
        .args([
            &peer.to_string(),
            password,
            "127.0.0.1",
            &c.server.ports.c2s.to_string(),
        ])
        .arg(c.server.ca_pem_path())
        .args([&a.jid.to_string(), "10"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(ch) => ch,
        Err(e) => return Outcome::Fail(format!("starting slixmpp: {e}")),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut theirs: Option<Result<bool, String>> = None;
    let mut their_caps: Option<xep_caps::Caps> = None;
    let (mut asked, mut sent) = (false, false);
    let mut answered = 0;
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        let event = match a
            .link
            .next_event(Instant::now() + Duration::from_millis(200))
        {
            Ok(e) => e,
            Err(e) => return Outcome::Fail(format!("{e}")),
        };
        let Some(StreamEvent::Element(p)) = event else {
            continue;
        };
        match p.get::<Stanza>() {
            Some(Ok(Stanza::Presence(pr))) if pr.from.as_ref() == Some(&peer) => {
                // Ours, directed to it, once it is online.
                if !sent {
                    let mut mine = Presence {
                        to: Some(peer.clone()),
                        ..Presence::available()
                    };
                    mine.payloads.push(Payload::new(our_caps.clone()));
                    attempt!(a.send(&mine));
                    sent = true;
                }
                // Its disco#info asked for, once it advertises caps.
                if let (false, Some(advertised)) = (asked, xep_caps::Caps::from_presence(&pr)) {
                    let q = xep_disco::DiscoInfo {
                        node: Some(advertised.disco_node()),
                        ..Default::default()
                    };
                    attempt!(a.send(&Iq::get("caps-q", Some(peer.clone()), Payload::new(q))));
                    theirs = Some(Err(format!(
                        "no disco#info answer for {}",
                        advertised.disco_node()
                    )));
                    asked = true;
                    their_caps = Some(advertised);
                }
            }
            Some(Ok(Stanza::Iq(iq))) if iq.id == "caps-q" && iq.type_ == IqType::Result => {
                let info = iq
                    .payloads
                    .iter()
                    .find_map(|p| p.get::<xep_disco::DiscoInfo>())
                    .and_then(Result::ok);
                theirs = Some(match (their_caps.as_ref(), info) {
                    (Some(cp), Some(info)) => cp.verify(&info).map_err(|e| format!("{e:?}")),
                    other => Err(format!("no caps or no disco#info: {other:?}")),
                });
            }
            Some(Ok(Stanza::Iq(iq))) if iq.is_request() => {
                // Its disco#info of our caps node.
                let asks = iq
                    .payloads
                    .iter()
                    .find_map(|p| p.get::<xep_disco::DiscoInfo>())
                    .and_then(Result::ok);
                let reply = match asks {
                    Some(q) if q.node.as_deref() == Some(&*our_caps.disco_node()) => {
                        answered += 1;
                        iq.result(Some(Payload::new(xep_disco::DiscoInfo {
                            node: q.node,
                            ..ours.clone()
                        })))
                    }
                    Some(q) if q.node.is_none() => iq.result(Some(Payload::new(ours.clone()))),
                    _ => iq.error_reply(xep_core::StanzaError::new(
                        xep_core::ErrorType::Cancel,
                        xep_core::DefinedCondition::ServiceUnavailable,
                    )),
                };
                attempt!(a.send(&reply));
            }
            _ => {}
        }
    };
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => return Outcome::Fail(format!("slixmpp: {e}")),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let Some(status) = status else {
        return Outcome::Fail(format!(
            "slixmpp did not finish in time; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    };
    let report: serde_json::Value = match stdout.lines().last().map(serde_json::from_str) {
        Some(Ok(v)) => v,
        _ => {
            return Outcome::Fail(format!(
                "slixmpp ({status}) printed {stdout:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    };
    check!(
        report["verified"] == true,
        "slixmpp did not verify our caps ({answered} disco#info answered, ours sent {sent}, theirs {theirs:?}): {report}"
    );
    check!(
        report["ver"] == our_caps.ver.as_str(),
        "slixmpp's ver {} is not ours {}",
        report["ver"],
        our_caps.ver
    );
    match theirs {
        Some(Ok(true)) => {}
        other => return Outcome::Fail(format!("slixmpp's caps: {other:?}")),
    }
    attempt!(a.close(soon()));
    Outcome::Pass(format!(
        "slixmpp verified our ver {} after {answered} disco#info; we verified its",
        our_caps.ver
    ))
}

fn muc_moderated(c: &Ctx) -> Outcome {
    let tag: String = pki::random(4).iter().map(|b| format!("{b:02x}")).collect();
    let room: BareJid = format!("moderated-{tag}@{}", servers::MUC)
        .parse()
        .expect("a JID");
    let mut a = Occupying::new(logged_in!(login(c, 0, Some("mucm"))), room.clone(), "alice");
    a.room = Room::new(
        room.clone(),
        "alice",
        RoomOptions {
            creation: Creation::Reserved,
            id_prefix: "mucm-a".into(),
            ..RoomOptions::default()
        },
    );
    let mut b = Occupying::new(logged_in!(login(c, 1, Some("mucm"))), room.clone(), "bob");
    // Bob self-pings after a second of silence.
    b.room = Room::new(
        room.clone(),
        "bob",
        RoomOptions {
            self_ping_interval: Some(Duration::from_secs(1)),
            id_prefix: "mucm-b".into(),
            ..RoomOptions::default()
        },
    );

    attempt!(a.room.join(Instant::now()).map_err(|e| format!("{e:?}")));
    let form = attempt!(a.until("the configuration form", |e| match e {
        RoomEvent::ConfigurationForm(f) => Some(f.clone()),
        _ => None,
    }));
    let mut config = match RoomConfig::from_form(&form) {
        Ok(v) => v,
        Err(e) => {
            return Outcome::Fail(format!(
                "the muc#roomconfig form does not fit the view: {e}"
            ));
        }
    };
    config.moderated = Some(true);
    attempt!(
        a.room
            .submit_configuration(Instant::now(), config.to_form(FormType::Submit))
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(a.until("the configuration's acceptance", |e| {
        matches!(e, RoomEvent::Configured).then_some(())
    }));

    attempt!(b.room.join(Instant::now()).map_err(|e| format!("{e:?}")));
    attempt!(b.flush());
    attempt!(b.until("bob's join", |e| {
        matches!(e, RoomEvent::Joined { .. }).then_some(())
    }));
    let role = b.room.me().map(|o| o.role);
    // XEP-0045 §5.1.1 makes a newcomer to a moderated room a visitor;
    // ejabberd makes it a participant (its members_by_default), so the
    // moderator revokes the voice first where needed.
    let revoked = if role == Some(MucRole::Participant) {
        let id = attempt!(
            a.room
                .admin(
                    Instant::now(),
                    false,
                    xep_muc::AdminQuery::set_role("bob", MucRole::Visitor, None)
                )
                .map_err(|e| format!("{e:?}"))
        );
        let reply = attempt!(a.until("the revocation's reply", |e| match e {
            RoomEvent::Reply { id: i, result } if *i == id => Some(result.clone()),
            _ => None,
        }));
        check!(reply.is_ok(), "revoking bob's voice: {reply:?}");
        attempt!(b.until("bob's revoked voice", |e| match e {
            RoomEvent::OccupantChanged { after, .. }
                if after.nick == "bob" && after.role == MucRole::Visitor =>
                Some(()),
            _ => None,
        }));
        "revoked by the moderator (the server made him a participant)"
    } else {
        check!(
            role == Some(MucRole::Visitor),
            "bob joined a moderated room as {role:?}"
        );
        "a visitor on joining"
    };
    attempt!(
        b.room
            .request_voice(Instant::now())
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    let request = attempt!(a.until("the voice request", |e| match e {
        RoomEvent::VoiceRequest(r) => Some(r.clone()),
        _ => None,
    }));
    check!(
        request.nick.as_deref() == Some("bob"),
        "a voice request from {:?}",
        request.nick
    );
    attempt!(
        a.room
            .answer_voice_request(Instant::now(), &request, true)
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(a.flush());
    let after = attempt!(b.until("bob's voice", |e| match e {
        RoomEvent::OccupantChanged { after, .. } if after.nick == "bob" => Some(after.role),
        _ => None,
    }));
    check!(after == MucRole::Participant, "bob's role became {after:?}");

    // Quiet for a second: bob's room pings itself through the room.
    let ping = attempt!(b.until("the self-ping", |e| match e {
        RoomEvent::SelfPing(p) => Some(p.clone()),
        _ => None,
    }));
    check!(
        ping == xep_muc::self_ping::SelfPing::Joined,
        "self-ping: {ping:?}"
    );

    let id = attempt!(
        a.room
            .destroy(Instant::now(), xep_muc::OwnerDestroy::default())
            .map_err(|e| format!("{e:?}"))
    );
    let reply = attempt!(a.until("the destroy's reply", |e| match e {
        RoomEvent::Reply { id: i, result } if *i == id => Some(result.clone()),
        _ => None,
    }));
    check!(reply.is_ok(), "destroy refused: {reply:?}");
    Outcome::Pass(format!(
        "reserved room configured through RoomConfig ({} fields), moderated: bob's voice {revoked}, his voice request approved to participant, self-ping answered Joined",
        form.fields.len()
    ))
}
