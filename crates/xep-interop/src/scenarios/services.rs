//! The server's services: XEP-0060 pubsub and XEP-0363 HTTP upload.

use super::*;

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
