//! The server's services: XEP-0060 pubsub and XEP-0363 HTTP upload.

use super::*;
use xep_pubsub::forms::{AccessModel, PublishOptionsForm};

/// Sends a pubsub request and classifies the reply (which must come from
/// the service asked, `classify_reply` checks).
pub(super) fn ps(s: &mut Session, mut iq: Iq) -> Result<PsOutcome, SessionError> {
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

pub(super) fn event_items(
    s: &mut Session,
    node: &str,
    want: impl Fn(&xep_pubsub::Event) -> bool,
) -> Result<xep_pubsub::Event, SessionError> {
    event_items_until(s, node, soon(), want)
}

pub(super) fn event_items_until(
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

pub(super) fn pubsub(c: &Ctx) -> Outcome {
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

    // The items by pages of 2 with RSM (XEP-0060 §6.5.4, XEP-0059),
    // where the service pages.
    let page = |s: &mut Session, after: Option<String>| -> Result<PsOutcome, SessionError> {
        let mut iq = ps_req::items("", svc.clone(), &node, None, &[]);
        if let Some(p) = iq
            .payloads
            .first()
            .and_then(|p| p.get::<xep_pubsub::Pubsub>())
            .and_then(Result::ok)
        {
            let mut p = p;
            p.rsm = Some(xep_rsm::Set {
                max: Some(2),
                after,
                ..Default::default()
            });
            iq.payloads = vec![Payload::new(p)];
        }
        ps(s, iq)
    };
    let split = |r: PsReply| match r {
        PsReply::Pubsub(p) => {
            let last = p.rsm.as_ref().and_then(|r| r.last.clone());
            let n = match p.action {
                Some(PubsubAction::Items(i)) => i.items.len(),
                _ => 0,
            };
            (n, last, p.rsm.is_some())
        }
        _ => (0, None, false),
    };
    let (n1, last, paged) = split(ps_ok!("items, first page", page(&mut a, None)));
    let rsm = if paged {
        let (n2, _, _) = split(ps_ok!("items, second page", page(&mut a, last)));
        check!(n1 == 2 && n2 == 1, "pages of {n1} and {n2} items for 3");
        "RSM pages of 2 and 1"
    } else {
        "no RSM paging of items (the service ignored <set/>)"
    };

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
        "created, configured through NodeConfig ({} fields read), subscribed, 3 items published and notified, items (all, max 2), {rsm}, retract notified, owner listed, purged, item-not-found typed, deleted; {deleted}",
        form.fields.len()
    ))
}

/// An HTTP agent that resolves the test domain's names (`upload.localhost`,
/// ...) to loopback, as the slot URLs name them.
pub(super) fn http_agent() -> ureq::Agent {
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

pub(super) fn upload(c: &Ctx) -> Outcome {
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

/// A session that answers what a client answers by itself while a
/// scenario waits: disco#info (of its caps node or plain) and roster
/// pushes. Other elements are kept in `inbox`.
struct Serving {
    s: Session,
    info: xep_disco::DiscoInfo,
    caps: xep_caps::Caps,
    inbox: Vec<Payload>,
    disco_answered: usize,
}

impl Serving {
    fn step(&mut self) -> Result<(), SessionError> {
        let Some(ev) = self
            .s
            .next_stream_event(Instant::now() + Duration::from_millis(30))?
        else {
            return Ok(());
        };
        let StreamEvent::Element(p) = ev else {
            return Err(SessionError::Unexpected(format!("{ev:?}")));
        };
        if let Some(Ok(iq)) = p.get::<Iq>()
            && iq.is_request()
        {
            let asks = iq
                .payloads
                .iter()
                .find_map(|p| p.get::<xep_disco::DiscoInfo>())
                .and_then(Result::ok);
            let reply = match asks {
                Some(q)
                    if q.node.is_none() || q.node.as_deref() == Some(&*self.caps.disco_node()) =>
                {
                    self.disco_answered += 1;
                    iq.result(Some(Payload::new(xep_disco::DiscoInfo {
                        node: q.node,
                        ..self.info.clone()
                    })))
                }
                _ if iq.payloads.iter().any(|p| p.get::<Roster>().is_some()) => iq.result(None),
                _ => iq.error_reply(xep_core::StanzaError::new(
                    xep_core::ErrorType::Cancel,
                    xep_core::DefinedCondition::ServiceUnavailable,
                )),
            };
            return self.s.send(&reply);
        }
        self.inbox.push(p);
        Ok(())
    }

    /// Takes the first element of the inbox `pick` accepts.
    fn take<T>(&mut self, mut pick: impl FnMut(&Payload) -> Option<T>) -> Option<T> {
        let i = self.inbox.iter().position(|p| pick(p).is_some())?;
        let p = self.inbox.remove(i);
        pick(&p)
    }
}

/// Steps both sessions until `pick` finds an element in `who`'s inbox.
fn both_until<T>(
    a: &mut Serving,
    b: &mut Serving,
    who_is_a: bool,
    what: &'static str,
    mut pick: impl FnMut(&Payload) -> Option<T>,
) -> Result<T, SessionError> {
    let deadline = soon();
    loop {
        let who = if who_is_a { &mut *a } else { &mut *b };
        if let Some(t) = who.take(&mut pick) {
            return Ok(t);
        }
        if Instant::now() >= deadline {
            return Err(SessionError::TimedOut(what));
        }
        a.step()?;
        b.step()?;
    }
}

fn presence_of(from: Jid, type_: PresenceType) -> impl FnMut(&Payload) -> Option<Presence> {
    move |p| match p.get::<Presence>() {
        Some(Ok(pr))
            if pr.type_.as_ref() == Some(&type_)
                && pr.from.as_ref().map(|f| f.to_bare()) == Some(from.to_bare()) =>
        {
            Some(pr)
        }
        _ => None,
    }
}

pub(super) fn pep(c: &Ctx) -> Outcome {
    pep_run(c, false)
}

pub(super) fn pep_retract(c: &Ctx) -> Outcome {
    pep_run(c, true)
}

fn pep_run(c: &Ctx, retract: bool) -> Outcome {
    let tag: String = pki::random(3).iter().map(|b| format!("{b:02x}")).collect();
    let node = format!("urn:example:interop:pep:{tag}");
    let caps_node = format!("https://xep-rs.example/interop-pep/{tag}");
    let serving = |s: Session, notify: Option<&str>| {
        let mut features: Vec<String> = vec![xep_disco::NS_INFO.into(), xep_caps::NS_CAPS.into()];
        features.extend(notify.map(xep_pubsub::pep::notify_feature));
        let info = xep_disco::DiscoInfo {
            identities: vec![xep_disco::Identity::new(
                "client",
                "bot",
                Some("xep-rs interop"),
            )],
            features: features
                .into_iter()
                .map(|var| xep_disco::Feature { var })
                .collect(),
            ..Default::default()
        };
        let caps =
            xep_caps::Caps::compute(&info, Algo::Sha1, &caps_node).expect("SHA-1 is computed");
        Serving {
            s,
            info,
            caps,
            inbox: Vec::new(),
            disco_answered: 0,
        }
    };
    // Each PEP scenario its own pair of accounts, with no history.
    let (first, second) = if retract { (3, 4) } else { (0, 1) };
    let mut a = serving(logged_in!(login(c, first, Some("pep"))), None);
    let mut b = serving(logged_in!(login(c, second, Some("pep"))), Some(&node));
    let (abare, bbare) = (Jid::from(a.s.jid.to_bare()), Jid::from(b.s.jid.to_bare()));
    for x in [&mut a, &mut b] {
        // Interested in roster pushes, as a client is (RFC 6121 §2.1.6).
        let r = attempt!(x.s.iq(Iq::get("", None, Payload::new(Roster::default())), soon()));
        check!(
            r.type_ == IqType::Result,
            "roster get: {}",
            bytes_of(&r.to_element())
        );
        let mut p = Presence::available();
        p.payloads.push(Payload::new(x.caps.clone()));
        attempt!(x.s.send(&p));
    }
    // Mutual subscription: bob sees alice's PEP, alice's account sees
    // bob's caps.
    for (from_a, to) in [(false, abare.clone()), (true, bbare.clone())] {
        let (asker, asked) = if from_a {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        let asker_bare = Jid::from(asker.s.jid.to_bare());
        attempt!(
            asker
                .s
                .send(&Presence::of_type(PresenceType::Subscribe, Some(to)))
        );
        let _ = asked;
        let pick = presence_of(asker_bare.clone(), PresenceType::Subscribe);
        attempt!(both_until(
            &mut a,
            &mut b,
            !from_a,
            "the subscription request",
            pick
        ));
        let approver = if from_a { &mut b } else { &mut a };
        attempt!(approver.s.send(&Presence::of_type(
            PresenceType::Subscribed,
            Some(asker_bare)
        )));
    }
    // Presence again, now that each is subscribed to the other.
    for x in [&mut a, &mut b] {
        let mut p = Presence::available();
        p.payloads.push(Payload::new(x.caps.clone()));
        attempt!(x.s.send(&p));
    }
    // The server learns bob's +notify from his caps (XEP-0163 §4): wait
    // until it has asked (a disco#info bob answered), or the publication
    // races the query.
    let deadline = soon();
    while b.disco_answered == 0 {
        if Instant::now() >= deadline {
            return Outcome::Fail(
                "the server never asked for bob's caps (no disco#info of his caps node)".into(),
            );
        }
        attempt!(a.step());
        attempt!(b.step());
    }
    // ejabberd 23.01 takes the answer in asynchronously: publishing at
    // once raced it, and the second PEP scenario of a run then got no
    // +notify delivery at all (not with debug logging, which slows the
    // server down). A second of settling, reading both streams.
    let settle = Instant::now() + Duration::from_millis(1000);
    while Instant::now() < settle {
        attempt!(a.step());
        attempt!(b.step());
    }
    // Alice publishes with publish-options (presence access).
    let options = PublishOptionsForm {
        access_model: Some(AccessModel::Presence),
        ..Default::default()
    };
    let entry = minidom::Element::builder("entry", "urn:example:interop")
        .append("pep entry")
        .build();
    let item = PsItem {
        id: Some("current".into()),
        publisher: None,
        payloads: vec![Payload::from(entry)],
    };
    let publish = ps_req::publish(
        "pep-1",
        None,
        &node,
        item,
        Some(options.to_form(FormType::Submit)),
    );
    attempt!(a.s.send(&publish));
    let result = attempt!(both_until(
        &mut a,
        &mut b,
        true,
        "the publish's result",
        |p| match p.get::<Iq>() {
            Some(Ok(iq)) if iq.id == "pep-1" => Some(iq),
            _ => None,
        }
    ));
    check!(
        result.type_ == IqType::Result,
        "publish: {}",
        bytes_of(&result.to_element())
    );
    let notify = |want_retract: bool, node: String, from: Jid| {
        move |p: &Payload| match p.get::<Message>() {
            Some(Ok(m)) if m.from.as_ref() == Some(&from) => {
                match xep_pubsub::request::event_of(&m) {
                    Some(Ok(e)) => e
                        .items
                        .filter(|i| i.node == node && (want_retract != i.retracts.is_empty()))
                        .map(|i| (i.items, i.retracts)),
                    _ => None,
                }
            }
            _ => None,
        }
    };
    let (items, _) = attempt!(both_until(
        &mut a,
        &mut b,
        false,
        "the +notify delivery",
        notify(false, node.clone(), abare.clone())
    ));
    let text = items
        .first()
        .and_then(|i| i.payloads.first())
        .map(|p| p.to_element().text());
    check!(
        text.as_deref() == Some("pep entry"),
        "the notification carries {text:?}"
    );
    if retract {
        attempt!(a.s.send(&ps_req::retract("pep-2", None, &node, &["current"], true)));
        let result = attempt!(both_until(
            &mut a,
            &mut b,
            true,
            "the retract's result",
            |p| match p.get::<Iq>() {
                Some(Ok(iq)) if iq.id == "pep-2" => Some(iq),
                _ => None,
            }
        ));
        check!(
            result.type_ == IqType::Result,
            "retract: {}",
            bytes_of(&result.to_element())
        );
        let (_, retracts) = match both_until(
            &mut a,
            &mut b,
            false,
            "the retraction's notification",
            notify(true, node.clone(), abare.clone()),
        ) {
            Ok(r) => r,
            Err(e) => {
                let inbox: Vec<String> =
                    b.inbox.iter().map(|p| bytes_of(&p.to_element())).collect();
                return Outcome::Fail(format!("{e}; bob had: {inbox:?}"));
            }
        };
        check!(
            retracts.iter().any(|r| r.id == "current"),
            "retracted {retracts:?}"
        );
    }
    let answered = b.disco_answered;
    // Leave the accounts as they were: the next scenario subscribes anew
    // (a server answers a request already granted by itself, RFC 6121
    // §3.1.3, so the contact would never see it).
    for (x, other) in [(&mut a, bbare.clone()), (&mut b, abare.clone())] {
        let mut gone = Item::new(other);
        gone.subscription = Some(Subscription::Remove);
        let (r, _) = attempt!(roster_set(&mut x.s, gone));
        check!(
            r.type_ == IqType::Result,
            "removing the contact: {}",
            bytes_of(&r.to_element())
        );
    }
    attempt!(a.s.close(soon()));
    attempt!(b.s.close(soon()));
    Outcome::Pass(format!(
        "bob's caps (+notify) queried {answered} time(s); the item published with publish-options reached him from {abare}{}",
        if retract {
            ", and the notification of its retraction (notify='true')"
        } else {
            ""
        }
    ))
}
