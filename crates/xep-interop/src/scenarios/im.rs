//! Instant messaging: messages, the roster and subscriptions, carbons,
//! archives, capabilities with a second client, the server's disco#info.

use super::*;

pub(super) fn messages(c: &Ctx) -> Outcome {
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

pub(super) fn roster_of(iq: &Iq) -> Option<Roster> {
    iq.payloads
        .iter()
        .find_map(|p| p.get::<Roster>())
        .and_then(Result::ok)
}

/// Answers a roster push and returns its items, checking it comes from
/// the account itself (RFC 6121 §2.1.6: a push from anyone else is
/// refused).
pub(super) fn answer_push(s: &mut Session, push: &Iq) -> Result<Vec<Item>, SessionError> {
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

pub(super) fn is_push(p: &Payload) -> Option<Iq> {
    match p.get::<Iq>() {
        Some(Ok(iq)) if iq.type_ == IqType::Set && roster_of(&iq).is_some() => Some(iq),
        _ => None,
    }
}

/// Waits for the next roster push, answers it, returns its items.
pub(super) fn roster_push(s: &mut Session) -> Result<Vec<Item>, SessionError> {
    let push = s.wait_for("a roster push", soon(), is_push)?;
    answer_push(s, &push)
}

/// Sends a roster set and waits for both its result and the push it
/// causes, in whichever order they come (RFC 6121 §2.3.2 does not fix
/// one).
pub(super) fn roster_set(s: &mut Session, item: Item) -> Result<(Iq, Vec<Item>), SessionError> {
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

pub(super) fn roster(c: &Ctx) -> Outcome {
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

pub(super) fn subscription(c: &Ctx) -> Outcome {
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

pub(super) fn disco_server(c: &Ctx) -> Outcome {
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

/// Runs `walk` over `s` to its end; returns the bodies believed and the
/// refusals.
pub(super) fn run_walk(
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

pub(super) fn mam(c: &Ctx) -> Outcome {
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

pub(super) fn carbons(c: &Ctx) -> Outcome {
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

pub(super) fn caps(c: &Ctx) -> Outcome {
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

/// Whether `s`'s account announces `feature` in its disco#info.
fn account_has(s: &mut Session, feature: &str) -> Result<bool, SessionError> {
    let iq = Iq::get(
        "",
        Some(Jid::from(s.jid.to_bare())),
        Payload::new(xep_disco::DiscoInfo::default()),
    );
    let r = s.iq(iq, soon())?;
    Ok(r.payloads
        .iter()
        .find_map(|p| p.get::<xep_disco::DiscoInfo>())
        .and_then(Result::ok)
        .is_some_and(|i| i.features.iter().any(|f| f.var == feature)))
}

pub(super) fn message_extensions(c: &Ctx) -> Outcome {
    let mut a = logged_in!(login(c, 0, Some("ext")));
    let mut b = logged_in!(login(c, 1, Some("ext")));
    let mut d = logged_in!(login(c, 2, Some("ext")));
    let (aj, bj) = (Jid::from(a.jid.clone()), Jid::from(b.jid.clone()));
    let by_text = |text: &'static str| {
        move |p: &Payload| match p.get::<Message>() {
            Some(Ok(m)) if m.body(None) == Some(text) => Some(m),
            _ => None,
        }
    };

    // A message asking for a receipt, with an origin-id.
    let mut sent = Message::chat(bj.clone(), "first draft");
    sent.id = Some("ext-1".into());
    attempt!(xep_receipts::request(&mut sent));
    sent.payloads
        .push(Payload::new(xep_sid::OriginId::new("origin-ext-1")));
    attempt!(a.send(&sent));
    let got = attempt!(b.wait_for("the message", soon(), by_text("first draft")));
    check!(got.from == Some(aj.clone()), "from {:?}", got.from);
    let origin = xep_sid::origin_id(&got).and_then(Result::ok).map(|o| o.id);
    check!(
        origin.as_deref() == Some("origin-ext-1"),
        "origin-id {origin:?}"
    );
    // The server's stanza-id, believed only from bob's own account, and
    // only where it announces urn:xmpp:sid:0.
    let announces = attempt!(account_has(&mut b, xep_sid::NS));
    let stanza_id = match xep_sid::trusted_stanza_id(&got, &Jid::from(b.jid.to_bare()), announces) {
        Ok(sid) => format!("stanza-id {} by {} believed", sid.id, sid.by),
        Err(e) => format!("no stanza-id believed ({e})"),
    };
    check!(
        xep_sid::trusted_stanza_id(&got, &aj, true).is_err(),
        "a stanza-id believed from the sender, not the account"
    );

    // The receipt, confirmed only as the answer of the addressee.
    let Some(ack) = xep_receipts::receipt_for(&got) else {
        return Outcome::Fail("no receipt due for a message that asks for one".into());
    };
    attempt!(b.send(&ack));
    let ack = attempt!(
        a.wait_for("the receipt", soon(), |p| match p.get::<Message>() {
            Some(Ok(m)) if m.payload::<xep_receipts::Received>().is_some() => Some(m),
            _ => None,
        })
    );
    attempt!(xep_receipts::confirms(&ack, &sent));

    // A correction from the sender is applied; one from carol is not.
    let Some(fix) = xep_correct::correct(&sent, "ext-2", "second draft") else {
        return Outcome::Fail("no correction built".into());
    };
    attempt!(a.send(&fix));
    let fix = attempt!(b.wait_for("the correction", soon(), by_text("second draft")));
    let replaced = attempt!(xep_correct::check(
        &fix,
        &got,
        xep_correct::Conversation::Direct
    ));
    check!(replaced == "ext-1", "the correction replaced {replaced}");
    let Some(forged) = xep_correct::correct(&sent, "ext-forged", "not alice") else {
        return Outcome::Fail("no correction built".into());
    };
    attempt!(d.send(&forged));
    let forged = attempt!(b.wait_for("carol's correction", soon(), by_text("not alice")));
    let refused = xep_correct::check(&forged, &got, xep_correct::Conversation::Direct);
    check!(
        refused.is_err(),
        "carol's correction of alice's message was accepted"
    );

    // Bob reacts; alice accepts it from the other party.
    attempt!(b.send(&xep_reactions::react(
        aj.clone(),
        xep_core::MessageType::Chat,
        "ext-1",
        ["👍"]
    )));
    let reaction = attempt!(
        a.wait_for("the reaction", soon(), |p| match p.get::<Message>() {
            Some(Ok(m)) if xep_reactions::reactions(&m).ok().flatten().is_some() => Some(m),
            _ => None,
        })
    );
    let reactor = attempt!(xep_reactions::accept(&reaction, &aj, &bj));
    check!(reactor == b.jid.to_bare().to_string(), "reactor {reactor}");

    // Alice retracts the message.
    attempt!(a.send(&xep_retract::retract(
        bj.clone(),
        xep_core::MessageType::Chat,
        "ext-3",
        "ext-1"
    )));
    let retraction = attempt!(
        b.wait_for("the retraction", soon(), |p| match p.get::<Message>() {
            Some(Ok(m)) if m.payload::<xep_retract::Retract>().is_some() => Some(m),
            _ => None,
        })
    );
    attempt!(xep_retract::check(
        &retraction,
        &got,
        "ext-1",
        xep_correct::Conversation::Direct
    ));
    for s in [a, b, d] {
        attempt!(s.close(soon()));
    }
    Outcome::Pass(format!(
        "receipt confirmed, origin-id kept, {stanza_id}; correction applied, carol's refused ({}); reaction accepted; retraction applied",
        refused.err().map(|e| e.to_string()).unwrap_or_default()
    ))
}

/// Whether the second client implements XEP-0390 (slixmpp has a plugin
/// per XEP it speaks).
fn peer_has_caps2() -> Result<bool, String> {
    let python = crate::peer::python()?;
    std::process::Command::new(python)
        .args(["-c", "import slixmpp.plugins.xep_0390"])
        .output()
        .map(|o| o.status.success())
        .map_err(|e| e.to_string())
}

/// XEP-0390 through the server: a hash set in a directed presence, the
/// hash node asked for and the answer verified by `CapsCache`, between
/// two of our clients (the second implementation has no XEP-0390).
pub(super) fn caps2(c: &Ctx) -> Outcome {
    let slix = match peer_has_caps2() {
        Ok(true) => "slixmpp has a xep_0390 plugin, not yet driven here",
        Ok(false) => "slixmpp 1.8.5 has no XEP-0390, so between two of our clients",
        Err(e) => return Outcome::Fail(format!("the second client could not be set up: {e}")),
    };
    let mut a = logged_in!(login(c, 0, Some("caps2")));
    let mut b = logged_in!(login(c, 1, Some("caps2")));
    let ours = xep_disco::DiscoInfo {
        identities: vec![xep_disco::Identity::new(
            "client",
            "bot",
            Some("xep-rs interop"),
        )],
        features: [xep_disco::NS_INFO, xep_caps::NS_CAPS2, "urn:xmpp:ping"]
            .iter()
            .map(|v| xep_disco::Feature { var: (*v).into() })
            .collect(),
        ..Default::default()
    };
    let set = match xep_caps::Caps2::compute(&ours, &[Algo::Sha256, Algo::Sha3_256]) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("computing our hash set: {e:?}")),
    };
    let mut presence = Presence {
        to: Some(Jid::from(b.jid.clone())),
        ..Presence::available()
    };
    presence.payloads.push(Payload::new(set.clone()));
    attempt!(a.send(&presence));

    let deadline = soon();
    let from_a = Jid::from(a.jid.clone());
    let advertised = attempt!(b.wait_for("alice's hash set", deadline, |p| {
        match p.get::<Stanza>() {
            Some(Ok(Stanza::Presence(pr))) if pr.from.as_ref() == Some(&from_a) => {
                xep_caps::Caps2::from_presence(&pr)
            }
            _ => None,
        }
    }));
    check!(
        advertised == set,
        "the hash set changed on the way: {advertised:?}"
    );
    let mut cache = xep_caps::CapsCache::new();
    let query = match cache.advertised2(from_a.clone(), &advertised) {
        xep_caps::Lookup::Query(q) => q,
        other => return Outcome::Fail(format!("a fresh cache answered {other:?}")),
    };
    let ask = xep_disco::DiscoInfo {
        node: Some(query.node.clone()),
        ..Default::default()
    };
    attempt!(b.send(&Iq::get(
        "caps2-q",
        Some(query.to.clone()),
        Payload::new(ask)
    )));

    // Alice answers the hash node with her disco#info.
    let from_b = Jid::from(b.jid.clone());
    let asked = attempt!(
        a.wait_for("bob's disco#info", deadline, |p| match p.get::<Stanza>() {
            Some(Ok(Stanza::Iq(iq))) if iq.is_request() && iq.from.as_ref() == Some(&from_b) => {
                Some(iq)
            }
            _ => None,
        })
    );
    let node = asked
        .payloads
        .iter()
        .find_map(|p| p.get::<xep_disco::DiscoInfo>())
        .and_then(Result::ok)
        .and_then(|q| q.node);
    check!(
        node.as_deref() == Some(query.node.as_str()),
        "bob asked about {node:?}, not {}",
        query.node
    );
    attempt!(
        a.send(&asked.result(Some(Payload::new(xep_disco::DiscoInfo {
            node,
            ..ours.clone()
        }))))
    );

    let info = attempt!(b.wait_for("alice's disco#info", deadline, |p| {
        match p.get::<Stanza>() {
            Some(Ok(Stanza::Iq(iq))) if iq.id == "caps2-q" => Some(
                iq.payloads
                    .iter()
                    .find_map(|p| p.get::<xep_disco::DiscoInfo>())
                    .and_then(Result::ok),
            ),
            _ => None,
        }
    }));
    let Some(info) = info else {
        return Outcome::Fail("the disco#info result has no query".into());
    };
    match cache.disco_result(&from_a, info) {
        xep_caps::Outcome::Verified(jids) if jids.contains(&from_a) => {}
        other => return Outcome::Fail(format!("the cache did not verify: {other:?}")),
    }
    // Cached as answered (for the hash node): the same identities and
    // features as ours.
    let cached = cache.get(&from_a).map(|i| xep_disco::DiscoInfo {
        node: None,
        ..i.clone()
    });
    check!(
        cached.as_ref() == Some(&ours),
        "the cached capabilities differ: {cached:?}"
    );
    Outcome::Pass(format!(
        "a hash set of {} hashes (sha-256, sha3-256) routed unchanged, its hash node asked and verified by CapsCache ({slix})",
        set.hashes.len()
    ))
}
