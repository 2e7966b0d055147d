//! Logging in: each SASL mechanism, the failures, resource conflicts,
//! and the other transports and ends (BOSH, WebSocket, an XEP-0114
//! component).

use super::*;

pub(super) fn connect_with(c: &Ctx, mechanisms: &[Mechanism]) -> Outcome {
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

pub(super) fn connect_anonymous(c: &Ctx) -> Outcome {
    // The error is session::connect's own (see there).
    #[allow(clippy::result_large_err)]
    let anon = |resource: &str| {
        let mut cfg = config(0, &[Mechanism::Anonymous]);
        cfg.domain = servers::ANONYMOUS.parse().expect("a domain");
        cfg.resource = Some(resource.into());
        session::connect(&c.endpoint, servers::ANONYMOUS, cfg)
    };
    let first = match anon("first") {
        Ok(s) => s,
        Err(ConnectError {
            error: SessionError::Negotiation(Failure::NoMechanism(_)),
            transcript,
        }) => {
            return Outcome::NotOffered(format!(
                "ANONYMOUS not offered on {}; {}",
                servers::ANONYMOUS,
                transcript
                    .iter()
                    .find(|l| l.contains("mechanisms"))
                    .cloned()
                    .unwrap_or_default()
            ));
        }
        Err(e) => return fail_connect(e),
    };
    let mut second = match anon("second") {
        Ok(s) => s,
        Err(e) => return fail_connect(e),
    };
    let (j1, j2) = (first.jid.clone(), second.jid.clone());
    check!(
        first.mechanism == Mechanism::Anonymous,
        "logged in with {}",
        first.mechanism.name()
    );
    // RFC 4505 and RFC 6120 §6.4.6: the server assigns a temporary
    // account of its domain, a different one per session.
    check!(
        j1.domain().as_str() == servers::ANONYMOUS && j1.node().is_some(),
        "bound {j1}, not an account of {}",
        servers::ANONYMOUS
    );
    check!(
        j1.to_bare() != j2.to_bare(),
        "both sessions are {j1} and {j2}"
    );
    // The temporary account is a real one: it writes to an account of the
    // other host, which sees it as the sender.
    let mut a = logged_in!(login(c, 0, Some("to-anonymous")));
    let mut m = Message::chat(Jid::from(a.jid.clone()), "from an anonymous account");
    m.id = Some(second.id());
    attempt!(second.send(&m));
    let got = attempt!(a.wait_for("the anonymous account's message", soon(), body_of));
    check!(
        got.from == Some(Jid::from(j2.clone())),
        "the message came from {:?}, not {j2}",
        got.from
    );
    attempt!(first.close(soon()));
    attempt!(second.close(soon()));
    attempt!(a.close(soon()));
    Outcome::Pass(format!(
        "ANONYMOUS: two sessions bound to temporary accounts {j1} and {j2}; a message from the second delivered to {DOMAIN} with that sender"
    ))
}

pub(super) fn wrong_password(c: &Ctx) -> Outcome {
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

pub(super) fn resource_conflict(c: &Ctx) -> Outcome {
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

pub(super) fn component_scenario(c: &Ctx) -> Outcome {
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

pub(super) fn bosh_scenario(c: &Ctx) -> Outcome {
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

pub(super) fn websocket_scenario(c: &Ctx) -> Outcome {
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
