use super::*;
use xep_element::XmlElement;
use xep_testkit::stanza::{iq, message, presence};

use xep_element::testdata::exact_round_trip as rt;

fn bare(s: &str) -> BareJid {
    s.parse().unwrap()
}

const ABC_ID: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";

#[test]
fn ids_are_the_sha1_of_the_image_not_of_its_base64() {
    // RFC 3174's vector; the base64 "YWJj" would hash differently.
    assert_eq!(avatar_id(b"abc"), ABC_ID);
    assert_ne!(avatar_id(b"YWJj"), ABC_ID);
    let d = rt::<Data>("<data xmlns='urn:xmpp:avatar:data'>YWJj</data>");
    assert_eq!(d.id(), ABC_ID);
    assert!(verify(ABC_ID, d.bytes()).is_ok());
    assert!(verify(&ABC_ID.to_uppercase(), d.bytes()).is_ok());
    assert_eq!(
        verify("111f4b3c50d7b0df729d299bc6f8e9ef9066971f", d.bytes()),
        Err(AvatarError::IdMismatch {
            expected: "111f4b3c50d7b0df729d299bc6f8e9ef9066971f".into(),
            computed: ABC_ID.into()
        })
    );
    // Line feeds are accepted (§4.1) and kept.
    let wrapped = "<data xmlns='urn:xmpp:avatar:data'>\nYWJj\nZGVm\n</data>";
    let d = Data::from_xml(wrapped.as_bytes()).unwrap();
    assert_eq!(d.bytes(), b"abcdef");
    assert_eq!(d.to_xml(), wrapped);
    assert!(
        Data::from_xml(b"<data xmlns='urn:xmpp:avatar:data'>qANQR1DBwU4DX7jmYZnncm...</data>")
            .is_err()
    );
    assert!(
        Data::from_xml(b"<data xmlns='urn:xmpp:avatar:data' type='image/png'>YWJj</data>").is_err()
    );
}

#[test]
fn metadata_infos_pointers_and_disabling() {
    let m = rt::<Metadata>(
        "<metadata xmlns='urn:xmpp:avatar:metadata'>\
         <info bytes='3' height='64' id='a9993e364706816aba3e25717850c26c9cd0d89d' type='image/png' width='64'/>\
         <info bytes='23456' id='357a8123a30844a3aa99861b6349264ba67a5694' type='image/gif' url='https://avatars.example/a.gif'/>\
         <pointer bytes='9' height='32' id='x' type='image/png' width='32'><x xmlns='urn:example:game'><level>3</level></x></pointer>\
         <pointer><y xmlns='urn:example:world'/></pointer></metadata>",
    );
    assert_eq!(m.png().unwrap().id, ABC_ID);
    assert_eq!(
        m.infos[1].url.as_ref().unwrap().as_str(),
        "https://avatars.example/a.gif"
    );
    assert_eq!(m.pointers.len(), 2);
    assert!(!m.is_disabled());
    assert!(rt::<Metadata>("<metadata xmlns='urn:xmpp:avatar:metadata'/>").is_disabled());
    assert!(
        rt::<Metadata>("<metadata xmlns='urn:xmpp:avatar:metadata'><stop/></metadata>")
            .is_disabled()
    );
    for (bad, path) in [
        (
            "<pointer><x xmlns='urn:example:game'/></pointer>",
            "at metadata:",
        ),
        ("<info id='a' type='image/png'/>", "at metadata/info:"),
        ("<info bytes='3' type='image/png'/>", "at metadata/info:"),
        ("<info bytes='3' id='a'/>", "at metadata/info:"),
        (
            "<info bytes='-3' id='a' type='image/png'/>",
            "at metadata/info:",
        ),
        (
            "<info bytes='3' id='a' type='image/png' width='99999'/>",
            "at metadata/info:",
        ),
        (
            "<info bytes='3' id='a' type='image/png'>text</info>",
            "at metadata/info:",
        ),
        (
            "<info bytes='3' id='a' type='image/png'/><pointer/>",
            "at metadata/pointer:",
        ),
        (
            "<info bytes='3' id='a' type='image/png'/><pointer><a xmlns='urn:example:x'/><b xmlns='urn:example:x'/></pointer>",
            "at metadata/pointer:",
        ),
        (
            "<info bytes='3' id='a' type='image/png'/><stop/>",
            "at metadata:",
        ),
        ("<avatar/>", "at metadata:"),
    ] {
        let xml = format!("<metadata xmlns='urn:xmpp:avatar:metadata'>{bad}</metadata>");
        let e = Metadata::from_xml(xml.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with(path), "{bad}: {e}");
    }
}

#[test]
fn publishing_names_both_items_by_the_png_id() {
    let (data, metadata) = publish("p1", "p2", b"abc", Some((64, 48)), Vec::new()).unwrap();
    assert_eq!(
        data.to_xml(),
        format!(
            "<iq xmlns='jabber:client' id='p1' type='set'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
             <publish node='urn:xmpp:avatar:data'><item id='{ABC_ID}'><data xmlns='urn:xmpp:avatar:data'>YWJj</data></item>\
             </publish></pubsub></iq>"
        )
    );
    assert!(metadata.to_xml().contains(&format!(
        "<item id='{ABC_ID}'><metadata xmlns='urn:xmpp:avatar:metadata'><info bytes='3' height='48' id='{ABC_ID}' type='image/png' width='64'/>"
    )));
    // Metadata without a PNG, or under another ItemID, is refused.
    let gif = Metadata {
        infos: vec![Info::of("image/gif", b"gif", None).unwrap()],
        ..Metadata::default()
    };
    assert_eq!(
        publish_metadata("p3", &avatar_id(b"gif"), gif),
        Err(AvatarError::NoPng)
    );
    let png = Metadata {
        infos: vec![Info::of(PNG, b"abc", None).unwrap()],
        ..Metadata::default()
    };
    assert!(matches!(
        publish_metadata("p4", "0000", png),
        Err(AvatarError::ItemIdMismatch { .. })
    ));
    assert!(
        disable("p5")
            .to_xml()
            .contains("<item><metadata xmlns='urn:xmpp:avatar:metadata'/></item>")
    );
}

fn metadata_message(from: &str, item_id: &str, id: &str) -> Message {
    message(&format!(
        "<message xmlns='jabber:client' from='{from}' to='romeo@montague.example/home'>\
         <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:avatar:metadata'>\
         <item id='{item_id}'><metadata xmlns='urn:xmpp:avatar:metadata'>\
         <info bytes='3' id='{id}' type='image/png'/></metadata></item></items></event></message>"
    ))
}

#[test]
fn metadata_notifications_are_believed_only_from_the_owner() {
    let u =
        metadata_notification(&metadata_message("juliet@capulet.example", ABC_ID, ABC_ID)).unwrap();
    assert_eq!(u.owner, bare("juliet@capulet.example"));
    assert_eq!(u.id.as_deref(), Some(ABC_ID));
    assert!(matches!(
        metadata_notification(&metadata_message(
            "juliet@capulet.example/chamber",
            ABC_ID,
            ABC_ID
        )),
        Err(AvatarError::Refused(pep::Refusal::NotFromAccount(_)))
    ));
    assert!(matches!(
        metadata_notification(&metadata_message("juliet@capulet.example", "0000", ABC_ID)),
        Err(AvatarError::ItemIdMismatch { .. })
    ));
    let disabled = message(
        "<message xmlns='jabber:client' from='juliet@capulet.example'>\
         <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:avatar:metadata'>\
         <item><metadata xmlns='urn:xmpp:avatar:metadata'/></item></items></event></message>",
    );
    let u = metadata_notification(&disabled).unwrap();
    assert!(u.metadata.is_disabled() && u.id.is_none());
}

#[test]
fn fetched_data_is_believed_from_the_owner_and_only_if_it_hashes_to_the_id() {
    let me = bare("romeo@montague.example");
    let juliet = bare("juliet@capulet.example");
    let req = fetch_data("r1", juliet.clone(), ABC_ID);
    assert!(req.to_xml().contains(&format!(
        "<items node='urn:xmpp:avatar:data'><item id='{ABC_ID}'/></items>"
    )));
    let answer = |from: &str, id: &str, b64: &str| {
        iq(&format!(
            "<iq xmlns='jabber:client' type='result' id='r1' from='{from}'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
             <items node='urn:xmpp:avatar:data'><item id='{id}'><data xmlns='urn:xmpp:avatar:data'>{b64}</data></item></items></pubsub></iq>"
        ))
    };
    assert_eq!(
        data_result(
            &answer("juliet@capulet.example", ABC_ID, "YWJj"),
            &juliet,
            &me,
            ABC_ID
        )
        .unwrap(),
        b"abc"
    );
    // Data that does not hash to the id is refused.
    assert!(matches!(
        data_result(
            &answer("juliet@capulet.example", ABC_ID, "ZGVm"),
            &juliet,
            &me,
            ABC_ID
        ),
        Err(AvatarError::IdMismatch { .. })
    ));
    assert!(matches!(
        data_result(
            &answer("mallory@evil.example", ABC_ID, "YWJj"),
            &juliet,
            &me,
            ABC_ID
        ),
        Err(AvatarError::Refused(_))
    ));
    assert_eq!(
        data_result(
            &answer("juliet@capulet.example", "other", "YWJj"),
            &juliet,
            &me,
            ABC_ID
        ),
        Err(AvatarError::NoData)
    );
}

#[test]
fn conversion_between_pep_and_vcard() {
    let data = Data::new(b"abc".to_vec());
    let metadata = Metadata {
        infos: vec![
            Info {
                url: Some("https://avatars.example/a.png".into()),
                ..Info::of(PNG, b"other", None).unwrap()
            },
            Info::of(PNG, b"abc", Some((64, 64))).unwrap(),
        ],
        ..Metadata::default()
    };
    // The info without URL is the one converted (§3.1), its hash checked.
    let photo = pep_to_vcard(&metadata, &data).unwrap();
    assert_eq!(photo.data(), Some(&b"abc"[..]));
    assert_eq!(photo.type_.as_deref(), Some(PNG));
    assert!(matches!(
        pep_to_vcard(&metadata, &Data::new(b"abd".to_vec())),
        Err(AvatarError::IdMismatch { .. })
    ));
    let wrong_size = Metadata {
        infos: vec![Info {
            bytes: 4,
            ..Info::of(PNG, b"abc", None).unwrap()
        }],
        ..Metadata::default()
    };
    assert!(matches!(
        pep_to_vcard(&wrong_size, &data),
        Err(AvatarError::SizeMismatch { .. })
    ));
    let (d, m) = vcard_to_pep(&Photo::inline("image/jpeg", b"abc".to_vec())).unwrap();
    assert_eq!(d.id.as_deref(), Some(ABC_ID));
    assert_eq!(m.id.as_deref(), Some(ABC_ID));
    let meta = m.payload().unwrap().get::<Metadata>().unwrap().unwrap();
    assert_eq!(meta.infos[0].type_, "image/jpeg");
    assert_eq!(meta.infos[0].bytes, 3);
    assert!(vcard_to_pep(&Photo::default()).is_none());
}

#[test]
fn the_service_injects_hashes_as_section_4_says() {
    let h = HexHash::of(b"abc");
    let mut p = presence("<presence xmlns='jabber:client'/>");
    assert_eq!(inject_hash(&mut p, Some(&h), false), Injection::Injected);
    assert!(p.to_xml().contains(&format!("<photo>{ABC_ID}</photo>")));
    let mut p =
        presence("<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'/></presence>");
    assert_eq!(inject_hash(&mut p, Some(&h), false), Injection::Injected);
    assert_eq!(p.payloads.len(), 1);
    let mut p = presence(
        "<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'><photo/></x></presence>",
    );
    assert_eq!(inject_hash(&mut p, Some(&h), true), Injection::LeftEmpty);
    assert!(p.to_xml().contains("<photo/>"));
    let other = format!(
        "<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'><photo>{}</photo></x></presence>",
        avatar_id(b"x")
    );
    let mut p = presence(&other);
    assert_eq!(inject_hash(&mut p, Some(&h), false), Injection::KeptOther);
    let mut p = presence(&other);
    assert_eq!(inject_hash(&mut p, Some(&h), true), Injection::Overwritten);
    assert!(p.to_xml().contains(ABC_ID));
    let mut p = presence(&format!(
        "<presence xmlns='jabber:client'><x xmlns='vcard-temp:x:update'><photo>{}</photo></x></presence>",
        ABC_ID.to_uppercase()
    ));
    assert_eq!(inject_hash(&mut p, Some(&h), true), Injection::Unchanged);
    let mut p = presence("<presence xmlns='jabber:client' type='unavailable'/>");
    assert_eq!(inject_hash(&mut p, Some(&h), true), Injection::NotAvailable);
    let mut p = presence("<presence xmlns='jabber:client'/>");
    assert_eq!(inject_hash(&mut p, None, false), Injection::Injected);
    assert!(p.to_xml().contains("<photo/>"));
    assert!(resend_directed_presence([
        "urn:xmpp:pep-vcard-conversion:0"
    ]));
    assert!(!resend_directed_presence([
        "urn:xmpp:avatar:metadata+notify"
    ]));
}
