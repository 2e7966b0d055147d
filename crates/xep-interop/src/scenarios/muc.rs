//! XEP-0045 through the `Room` machine.

use super::*;

/// A session in one room: the [`Room`] machine driven over the session.
pub(super) struct Occupying {
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

pub(super) fn muc(c: &Ctx) -> Outcome {
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

    // Alice bans bob's account; his return is refused as banned.
    let id = attempt!(
        a.room
            .ban(
                Instant::now(),
                Jid::from(b.s.jid.to_bare()),
                Some("interop".into())
            )
            .map_err(|e| format!("{e:?}"))
    );
    let reply = attempt!(a.until("the ban's reply", |e| match e {
        RoomEvent::Reply { id: i, result } if *i == id => Some(result.clone()),
        _ => None,
    }));
    check!(reply.is_ok(), "ban refused: {reply:?}");
    attempt!(b.room.join(Instant::now()).map_err(|e| format!("{e:?}")));
    attempt!(b.flush());
    let refused = attempt!(b.until("the banned join's refusal", |e| match e {
        RoomEvent::JoinFailed { failure, .. } => Some(failure.clone()),
        RoomEvent::Joined { .. } => Some(xep_muc::JoinFailure::Other(
            xep_core::DefinedCondition::UndefinedCondition,
        )),
        _ => None,
    }));
    check!(
        refused == xep_muc::JoinFailure::Banned,
        "a banned occupant's join: {refused:?}"
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
    Outcome::Pass("created (201, instant), joined by a second occupant, groupchat, subject, nick change (303), private message, kick (307 with reason), ban (the return refused as banned), destroyed".into())
}

pub(super) fn muc_moderated(c: &Ctx) -> Outcome {
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

/// XEP-0045 §7.10 and §7.12: registering with a room through the `Room`
/// machine, before joining, then the reserved nickname read back.
pub(super) fn muc_register(c: &Ctx) -> Outcome {
    let tag: String = pki::random(4).iter().map(|b| format!("{b:02x}")).collect();
    let room: BareJid = format!("register-{tag}@{}", servers::MUC)
        .parse()
        .expect("a JID");
    let mut a = Occupying::new(logged_in!(login(c, 0, Some("mucr"))), room.clone(), "alice");
    let mut b = Occupying::new(logged_in!(login(c, 1, Some("mucr"))), room.clone(), "bob");

    attempt!(a.room.join(Instant::now()).map_err(|e| format!("{e:?}")));
    attempt!(a.until("the instant room's configuration", |e| {
        matches!(e, RoomEvent::Configured).then_some(())
    }));

    // Alice makes bob a member (§9.3): Prosody lets only affiliated
    // users register by default. Bob then asks for the registration form
    // without joining (§7.10).
    let id = attempt!(
        a.room
            .admin(
                Instant::now(),
                false,
                xep_muc::AdminQuery::set_affiliation(
                    Jid::from(b.s.jid.to_bare()),
                    xep_muc::Affiliation::Member,
                    None
                )
            )
            .map_err(|e| format!("{e:?}"))
    );
    let reply = attempt!(a.until("the membership's reply", |e| match e {
        RoomEvent::Reply { id: i, result } if *i == id => Some(result.clone()),
        _ => None,
    }));
    check!(reply.is_ok(), "making bob a member: {reply:?}");
    attempt!(
        b.room
            .request_registration(Instant::now())
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    let answer = attempt!(b.until("the registration form", |e| match e {
        RoomEvent::RegistrationForm { form, .. } => Some(Ok(form.clone())),
        RoomEvent::AlreadyRegistered { nick } => Some(Err(format!(
            "already registered before registering (as {nick:?})"
        ))),
        RoomEvent::RegistrationFailed { failure, error } => Some(Err(format!(
            "the form request failed: {failure:?} ({:?})",
            error.as_ref().map(|e| &e.condition)
        ))),
        _ => None,
    }));
    let form = match answer {
        Ok(form) => form,
        Err(e) => {
            destroy_quietly(&mut a);
            return if e.contains("NotSupported") || e.contains("NotAllowed") {
                Outcome::NotOffered(format!("room registration: {e}"))
            } else {
                Outcome::Fail(e)
            };
        }
    };
    let mut register = match xep_muc::forms::Register::from_form(&form) {
        Ok(v) => v,
        Err(e) => {
            return Outcome::Fail(format!("the muc#register form does not fit the view: {e}"));
        }
    };
    register.roomnick = Some("bobby".into());
    register.first = Some("Bob".into());
    register.last = Some("Interop".into());
    register.email = Some("bob@example.org".into());
    register.url = Some("https://example.org/bob".into());
    register.faq_entry = vec!["interop".into()];
    attempt!(
        b.room
            .submit_registration(Instant::now(), register.to_form(FormType::Submit))
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    let submitted = attempt!(b.until("the registration's answer", |e| match e {
        RoomEvent::RegistrationSubmitted => Some(Ok(())),
        RoomEvent::RegistrationFailed { failure, error } => Some(Err(format!(
            "{failure:?} ({:?})",
            error.as_ref().map(|e| &e.condition)
        ))),
        _ => None,
    }));
    check!(
        submitted.is_ok(),
        "the submission was refused: {submitted:?}"
    );

    // Asked again, the room says bob is registered; the reserved nick.
    attempt!(
        b.room
            .request_registration(Instant::now())
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    let again = attempt!(b.until("the second registration answer", |e| match e {
        RoomEvent::AlreadyRegistered { nick } => Some(Ok(nick.clone())),
        RoomEvent::RegistrationForm { .. } => Some(Err("the form again".to_string())),
        RoomEvent::RegistrationFailed { failure, .. } => Some(Err(format!("{failure:?}"))),
        _ => None,
    }));
    let registered_as = match again {
        Ok(nick) => nick,
        Err(e) => return Outcome::Fail(format!("after registering, asked again: {e}")),
    };
    check!(
        registered_as.is_none() || registered_as.as_deref() == Some("bobby"),
        "registered as {registered_as:?}"
    );
    attempt!(
        b.room
            .request_reserved_nick(Instant::now())
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    let reserved = attempt!(b.until("the reserved nickname", |e| match e {
        RoomEvent::ReservedNick(r) => Some(r.clone()),
        _ => None,
    }));
    let reserved = match reserved {
        Ok(Some(nick)) => {
            check!(nick == "bobby", "the reserved nickname is {nick:?}");
            "reserved nickname read back (x-roomuser-item)".to_string()
        }
        Ok(None) => "no reserved nickname announced through x-roomuser-item".to_string(),
        Err(e) => format!("x-roomuser-item refused ({:?})", e.condition),
    };
    destroy_quietly(&mut a);
    Outcome::Pass(format!(
        "bob made a member, then a form of {} fields read through the muc#register view, submitted, then \"registered\"{}; {reserved}",
        form.fields.len(),
        registered_as
            .map(|n| format!(" as {n}"))
            .unwrap_or_default()
    ))
}

/// Destroys the room on the way out; the scenario's verdict is made.
fn destroy_quietly(a: &mut Occupying) {
    if a.room
        .destroy(Instant::now(), xep_muc::OwnerDestroy::default())
        .is_ok()
    {
        let _ = a.flush();
    }
}
