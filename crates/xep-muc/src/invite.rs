//! Invitations: mediated (XEP-0045 §7.8.2, through the room) and direct
//! (XEP-0249), read into one shape.

use xep_core::Message;
use xep_element::Payload;
use xep_element::jid::{BareJid, Jid};

use crate::elements::{Continue, DirectInvite, Invite, MucUser};

/// An invitation received, mediated or direct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The room.
    pub room: BareJid,
    /// Who invites (for a mediated invitation, as the room says).
    pub from: Option<Jid>,
    /// Why.
    pub reason: Option<String>,
    /// The room password.
    pub password: Option<String>,
    /// Whether the room continues a one-to-one chat.
    pub continues: bool,
    /// The thread of that chat.
    pub thread: Option<String>,
    /// Whether it came directly (XEP-0249) rather than through the room.
    pub direct: bool,
}

/// Reads an invitation from a message: a direct one (XEP-0249) first, then
/// a mediated one (from the room, with `<invite from='…'/>`). A client
/// given both for one room should show only one (XEP-0249 §5).
pub fn invitation(m: &Message) -> Option<Invitation> {
    if let Some(Ok(d)) = m.payload::<DirectInvite>() {
        return Some(Invitation {
            room: d.jid.to_bare(),
            from: m.from.clone(),
            reason: d.reason,
            password: d.password,
            continues: d.continue_.is_some_and(|c| c.value),
            thread: d.thread,
            direct: true,
        });
    }
    let x = m.payload::<MucUser>()?.ok()?;
    let invite = x.invites.into_iter().next()?;
    Some(Invitation {
        room: m.from.as_ref()?.to_bare(),
        from: invite.from,
        reason: invite.reason,
        password: x.password,
        continues: invite.continue_.is_some(),
        thread: invite.continue_.and_then(|c| c.thread),
        direct: false,
    })
}

/// A mediated invitation of `to` into `room`, to send to the room.
pub fn mediated(room: &BareJid, to: Jid, reason: Option<String>) -> Message {
    let x = MucUser {
        invites: vec![Invite {
            to: Some(to),
            reason,
            ..Invite::default()
        }],
        ..MucUser::default()
    };
    Message {
        to: Some(Jid::from(room.clone())),
        payloads: vec![Payload::new(x)],
        ..Message::default()
    }
}

/// A direct invitation (XEP-0249) of `to` into `room`.
pub fn direct(to: Jid, invite: DirectInvite) -> Message {
    Message {
        to: Some(to),
        payloads: vec![Payload::new(invite)],
        ..Message::default()
    }
}

impl Invite {
    /// Marks the invitation as continuing the one-to-one chat `thread`.
    #[must_use]
    pub fn continuing(mut self, thread: Option<String>) -> Self {
        self.continue_ = Some(Continue { thread });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xep_element::XmlElement;

    #[test]
    fn mediated_and_direct_read_alike() {
        let m = Message::from_xml(
            b"<message xmlns='jabber:client' from='wood@rooms.fairy.example' to='lysander@athens.example'>\
              <x xmlns='http://jabber.org/protocol/muc#user'><invite from='hermia@athens.example/home'>\
              <reason>tonight</reason><continue thread='t1'/></invite><password>pw</password></x></message>",
        )
        .unwrap();
        let inv = invitation(&m).unwrap();
        assert_eq!(inv.room.to_string(), "wood@rooms.fairy.example");
        assert_eq!(inv.from.unwrap().to_string(), "hermia@athens.example/home");
        assert_eq!(
            (inv.reason.as_deref(), inv.password.as_deref()),
            (Some("tonight"), Some("pw"))
        );
        assert!(inv.continues && !inv.direct);
        assert_eq!(inv.thread.as_deref(), Some("t1"));

        let m = Message::from_xml(
            b"<message xmlns='jabber:client' from='hermia@athens.example/home' to='helena@athens.example'>\
              <x xmlns='jabber:x:conference' jid='wood@rooms.fairy.example' reason='come'/></message>",
        )
        .unwrap();
        let inv = invitation(&m).unwrap();
        assert!(inv.direct && !inv.continues);
        assert_eq!(inv.room.to_string(), "wood@rooms.fairy.example");
        assert_eq!(inv.from.unwrap().to_string(), "hermia@athens.example/home");

        let plain = Message::chat("helena@athens.example".parse().unwrap(), "hi");
        assert_eq!(invitation(&plain), None);
    }

    #[test]
    fn builders() {
        let room: BareJid = "wood@rooms.fairy.example".parse().unwrap();
        let m = mediated(
            &room,
            "helena@athens.example".parse().unwrap(),
            Some("come".into()),
        );
        assert_eq!(
            m.to_xml(),
            "<message xmlns='jabber:client' to='wood@rooms.fairy.example'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><invite to='helena@athens.example'>\
             <reason>come</reason></invite></x></message>"
        );
        let m = direct(
            "helena@athens.example".parse().unwrap(),
            DirectInvite::new(Jid::from(room)),
        );
        assert!(
            m.to_xml()
                .contains("<x xmlns='jabber:x:conference' jid='wood@rooms.fairy.example'/>")
        );
        let i = Invite::default().continuing(Some("t".into()));
        assert_eq!(i.continue_.unwrap().thread.as_deref(), Some("t"));
    }
}
