use super::*;
use xep_core::{Presence, Stanza};
use xep_element::{XmlElement, XmlValue, equivalent};

fn rt<T: XmlElement + PartialEq + std::fmt::Debug>(xml: &str) -> T {
    let v = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
    let out = v.to_xml();
    let a: xep_element::minidom::Element = xml.parse().unwrap();
    let b: xep_element::minidom::Element = out.parse().unwrap();
    assert!(equivalent(&a, &b).is_ok(), "{xml}\n{out}");
    assert_eq!(T::from_element(&a).unwrap(), v);
    assert_eq!(T::from_xml(out.as_bytes()).unwrap(), v);
    v
}

fn iq(xml: &str) -> Iq {
    match Stanza::from_xml(xml.as_bytes()).unwrap() {
        Stanza::Iq(i) => i,
        other => panic!("{other:?}"),
    }
}

fn presence(xml: &str) -> Presence {
    match Stanza::from_xml(xml.as_bytes()).unwrap() {
        Stanza::Presence(p) => p,
        other => panic!("{other:?}"),
    }
}

fn bare(s: &str) -> BareJid {
    s.parse().unwrap()
}

const FULL_TEMP: &str = "<vCard xmlns='vcard-temp' version='3.0'><VERSION>3.0</VERSION><FN>Juliet Capulet</FN>\
<N><FAMILY>Capulet</FAMILY><GIVEN>Juliet</GIVEN><MIDDLE/><PREFIX>Lady</PREFIX><SUFFIX>I</SUFFIX></N>\
<NICKNAME>Jules</NICKNAME><NICKNAME>J</NICKNAME>\
<PHOTO><TYPE>image/png</TYPE><BINVAL>YWJj</BINVAL></PHOTO><PHOTO><EXTVAL>https://capulet.example/j.png</EXTVAL></PHOTO>\
<BDAY>1582-07-31</BDAY>\
<ADR><HOME/><POSTAL/><PARCEL/><DOM/><PREF/><POBOX>7</POBOX><EXTADD>Balcony</EXTADD><STREET>Via Cappello 23</STREET>\
<LOCALITY>Verona</LOCALITY><REGION>VR</REGION><PCODE>37121</PCODE><CTRY>Italy</CTRY></ADR>\
<ADR><WORK/><INTL/></ADR>\
<LABEL><WORK/><POSTAL/><INTL/><LINE>Via Cappello 23</LINE><LINE>Verona</LINE></LABEL>\
<TEL><HOME/><WORK/><VOICE/><FAX/><PAGER/><MSG/><CELL/><VIDEO/><BBS/><MODEM/><ISDN/><PCS/><PREF/><NUMBER>+39 045 123</NUMBER></TEL>\
<TEL><WORK/><FAX/><NUMBER/></TEL>\
<EMAIL><HOME/><WORK/><INTERNET/><PREF/><X400/><USERID>juliet@capulet.example</USERID></EMAIL>\
<JABBERID>juliet@capulet.example</JABBERID><MAILER>Quill</MAILER><TZ>+01:00</TZ>\
<GEO><LAT>45.442</LAT><LON>10.998</LON></GEO><TITLE>Heiress</TITLE><ROLE>Daughter</ROLE>\
<LOGO><EXTVAL>https://capulet.example/crest.png</EXTVAL></LOGO>\
<AGENT><vCard><FN>Nurse</FN></vCard></AGENT><AGENT><EXTVAL>xmpp:nurse@capulet.example?vcard</EXTVAL></AGENT>\
<ORG><ORGNAME>House Capulet</ORGNAME><ORGUNIT>Household</ORGUNIT><ORGUNIT/></ORG>\
<CATEGORIES><KEYWORD>family</KEYWORD><KEYWORD>verona</KEYWORD></CATEGORIES>\
<NOTE>Not a Montague.</NOTE><PRODID>-//Quill//EN</PRODID><REV>2026-11-30T12:34:56Z</REV><REV>20261130</REV>\
<SORT-STRING>Capulet</SORT-STRING>\
<SOUND><PHONETIC>JOO-lee-et</PHONETIC></SOUND><SOUND><BINVAL>AAEC</BINVAL></SOUND><SOUND><EXTVAL>https://capulet.example/j.ogg</EXTVAL></SOUND>\
<UID>urn:uuid:4d3b4c1e-5c0f-4b8a-9c39-0f1e2d3c4b5a</UID><URL>https://capulet.example/</URL>\
<CLASS><PUBLIC/></CLASS><CLASS><PRIVATE/></CLASS><CLASS><CONFIDENTIAL/></CLASS>\
<KEY><TYPE>application/pgp-keys</TYPE><CRED>-----BEGIN PGP PUBLIC KEY BLOCK-----</CRED></KEY><KEY><CRED>x</CRED></KEY>\
<DESC>Wherefore art thou?</DESC></vCard>";

#[test]
fn every_field_of_the_dtd() {
    let v = rt::<VCard>(FULL_TEMP);
    assert_eq!(v.version.as_deref(), Some("3.0"));
    assert_eq!(v.fn_.as_deref(), Some("Juliet Capulet"));
    assert_eq!(v.n.as_ref().unwrap().middle.as_deref(), Some(""));
    assert_eq!(v.photo_data(), Some(&b"abc"[..]));
    assert_eq!(
        v.photos[1].extval.as_deref(),
        Some("https://capulet.example/j.png")
    );
    assert!(matches!(v.bdays[0], IsoDate::Date(_)));
    let a = &v.addresses[0];
    assert!(a.home && a.postal && a.parcel && a.dom && a.pref && !a.intl && !a.work);
    assert_eq!(a.ctry.as_deref(), Some("Italy"));
    assert_eq!(v.labels[0].lines.len(), 2);
    let t = &v.tels[0];
    assert!(t.home && t.work && t.voice && t.fax && t.pager && t.msg && t.cell && t.video);
    assert!(t.bbs && t.modem && t.isdn && t.pcs && t.pref);
    assert_eq!(v.tels[1].number, "");
    let e = &v.emails[0];
    assert!(e.home && e.work && e.internet && e.pref && e.x400);
    assert_eq!(v.jabberids[0].to_string(), "juliet@capulet.example");
    assert_eq!(v.geos[0].lat.value(), 45.442);
    assert_eq!(
        v.agents[0].vcard.as_ref().unwrap().fn_.as_deref(),
        Some("Nurse")
    );
    assert_eq!(v.orgs[0].orgunits, ["Household", ""]);
    assert_eq!(v.categories[0].keywords, ["family", "verona"]);
    assert!(matches!(v.revs[0], IsoDate::DateTime(_)));
    assert_eq!(v.revs[1], IsoDate::Other("20261130".into()));
    assert_eq!(v.sounds[1].binval.as_ref().unwrap().data(), [0, 1, 2]);
    assert_eq!(
        v.classes.iter().map(|c| c.value).collect::<Vec<_>>(),
        [
            Classification::Public,
            Classification::Private,
            Classification::Confidential
        ]
    );
    assert_eq!(v.keys[0].type_.as_deref(), Some("application/pgp-keys"));
    assert_eq!(v.descs, ["Wherefore art thou?"]);
    // Empty: no vCard (§3.1).
    assert!(rt::<VCard>("<vCard xmlns='vcard-temp'/>").is_empty());
}

#[test]
fn what_the_dtd_forbids_is_refused_with_its_path() {
    for (bad, path) in [
        ("<ADR><DOM/><INTL/></ADR>", "at vCard/ADR:"),
        ("<LABEL><HOME/></LABEL>", "at vCard/LABEL:"),
        (
            "<LABEL><DOM/><INTL/><LINE>x</LINE></LABEL>",
            "at vCard/LABEL:",
        ),
        ("<TEL><HOME/></TEL>", "at vCard/TEL:"),
        ("<TEL><HOME/><HOME/><NUMBER/></TEL>", "at vCard/TEL:"),
        ("<TEL><NUMBER>1</NUMBER>2</TEL>", "at vCard/TEL:"),
        ("<EMAIL><HOME/></EMAIL>", "at vCard/EMAIL:"),
        (
            "<PHOTO><EXTVAL>x</EXTVAL><BINVAL>AAEC</BINVAL></PHOTO>",
            "at vCard/PHOTO:",
        ),
        (
            "<PHOTO><TYPE>image/png</TYPE><EXTVAL>x</EXTVAL></PHOTO>",
            "at vCard/PHOTO:",
        ),
        (
            "<PHOTO><BINVAL>not base64!</BINVAL></PHOTO>",
            "at vCard/PHOTO/BINVAL:",
        ),
        (
            "<LOGO><BINVAL>AAEC</BINVAL><EXTVAL>x</EXTVAL></LOGO>",
            "at vCard/LOGO:",
        ),
        ("<SOUND/>", "at vCard/SOUND:"),
        (
            "<SOUND><PHONETIC>a</PHONETIC><EXTVAL>b</EXTVAL></SOUND>",
            "at vCard/SOUND:",
        ),
        ("<AGENT/>", "at vCard/AGENT:"),
        (
            "<AGENT><vCard/><EXTVAL>x</EXTVAL></AGENT>",
            "at vCard/AGENT:",
        ),
        ("<ORG><ORGUNIT>x</ORGUNIT></ORG>", "at vCard/ORG:"),
        ("<CATEGORIES/>", "at vCard/CATEGORIES:"),
        ("<CLASS/>", "at vCard/CLASS:"),
        ("<CLASS><PUBLIC/><PRIVATE/></CLASS>", "at vCard/CLASS:"),
        ("<CLASS><SECRET/></CLASS>", "at vCard/CLASS:"),
        ("<KEY><TYPE>x</TYPE></KEY>", "at vCard/KEY:"),
        ("<GEO><LAT>45</LAT></GEO>", "at vCard/GEO:"),
        (
            "<GEO><LAT>north</LAT><LON>1</LON></GEO>",
            "at vCard/GEO/LAT:",
        ),
        ("<JABBERID>@@</JABBERID>", "at vCard/JABBERID:"),
        ("<BDAY>last tuesday</BDAY>", "at vCard/BDAY:"),
        ("<N><FAMILY>a</FAMILY><FAMILY>b</FAMILY></N>", "at vCard/N:"),
        ("<COUNTRY>Italy</COUNTRY>", "at vCard:"),
        ("<FN>a</FN><FN>b</FN>", "at vCard:"),
    ] {
        let xml = format!("<vCard xmlns='vcard-temp'>{bad}</vCard>");
        let e = VCard::from_xml(xml.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with(path), "{bad}: {e}");
    }
    // Elements of other namespaces are kept.
    let v = rt::<VCard>("<vCard xmlns='vcard-temp'><x xmlns='urn:example:ext'>y</x></vCard>");
    assert_eq!(v.extensions.len(), 1);
}

#[test]
fn binval_keeps_its_wrapping_and_ignores_whitespace() {
    let xml = "<vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL>\nYWJj\nZGVm\n</BINVAL></PHOTO></vCard>";
    let v = VCard::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(v.photo_data(), Some(&b"abcdef"[..]));
    assert_eq!(v.to_xml(), xml);
    assert_eq!(Binval::new(b"abcdef".to_vec()).to_xml(), "YWJjZGVm");
    assert_eq!(
        Binval::from_xml("YWJjZGVm").unwrap(),
        Binval::new(b"abcdef".to_vec())
    );
    // An empty BINVAL is no image (XEP-0153 §4.4).
    let v = VCard::from_xml(
        b"<vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL/></PHOTO></vCard>",
    )
    .unwrap();
    assert_eq!(v.photo_data(), None);
    assert_eq!(Update::from_vcard(&v), Update::no_image());
}

#[test]
fn photo_hash_is_sha1_in_lower_case_hex() {
    // RFC 3174's test vectors (the hash XEP-0153 §3.1 and XEP-0084 name).
    assert_eq!(
        photo_hash(b"abc"),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        photo_hash(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
    );
    assert_eq!(photo_hash(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    // Upper-case is read and compares equal (§3.1).
    let h = HexHash::from_xml("A9993E364706816ABA3E25717850C26C9CD0D89D").unwrap();
    assert!(h.is_hash_of(b"abc"));
    assert!(HexHash::from_xml("xyz").is_err());
    assert!(HexHash::from_xml("abc").is_err());
}

#[test]
fn update_element_three_states() {
    let not_ready = rt::<Update>("<x xmlns='vcard-temp:x:update'/>");
    assert_eq!(not_ready, Update::not_ready());
    let none = rt::<Update>("<x xmlns='vcard-temp:x:update'><photo/></x>");
    assert_eq!(none, Update::no_image());
    assert!(none.hash().is_none());
    let img = rt::<Update>(
        "<x xmlns='vcard-temp:x:update'><photo>a9993e364706816aba3e25717850c26c9cd0d89d</photo></x>",
    );
    assert_eq!(img, Update::image(b"abc"));
    let e =
        Update::from_xml(b"<x xmlns='vcard-temp:x:update'><photo>nothex</photo></x>").unwrap_err();
    assert!(e.to_string().starts_with("at x/photo"), "{e}");
    assert!(Update::from_xml(b"<x xmlns='vcard-temp:x:update'><photo/><photo/></x>").is_err());
    let mut p = Presence::available();
    set_update(&mut p, Update::not_ready());
    set_update(&mut p, Update::image(b"abc"));
    assert_eq!(p.payloads.len(), 1);
    assert_eq!(update_of(&p).unwrap().unwrap(), Update::image(b"abc"));
}

#[test]
fn own_resources_follow_section_4_3_and_others_are_refused() {
    let me: FullJid = "juliet@capulet.example/balcony".parse().unwrap();
    let mine = HexHash::of(b"abc");
    let from_other = |x: &str| {
        presence(&format!(
            "<presence xmlns='jabber:client' from='juliet@capulet.example/chamber'>{x}</presence>"
        ))
    };
    assert_eq!(
        own_resource(&from_other(""), &me, Some(&mine)),
        Ok(OwnResource::StopAdvertising)
    );
    assert_eq!(
        own_resource(
            &from_other("<x xmlns='vcard-temp:x:update'/>"),
            &me,
            Some(&mine)
        ),
        Ok(OwnResource::Ignore)
    );
    assert_eq!(
        own_resource(
            &from_other("<x xmlns='vcard-temp:x:update'><photo/></x>"),
            &me,
            Some(&mine)
        ),
        Ok(OwnResource::RetrieveVCard)
    );
    assert_eq!(
        own_resource(
            &from_other(
                "<x xmlns='vcard-temp:x:update'><photo>A9993E364706816ABA3E25717850C26C9CD0D89D</photo></x>"
            ),
            &me,
            Some(&mine)
        ),
        Ok(OwnResource::Ignore)
    );
    assert_eq!(
        own_resource(
            &from_other(&format!(
                "<x xmlns='vcard-temp:x:update'><photo>{}</photo></x>",
                photo_hash(b"other")
            )),
            &me,
            Some(&mine)
        ),
        Ok(OwnResource::ResetHash)
    );
    // Someone else, this very resource, the bare JID, no sender: refused.
    for from in [
        Some("romeo@montague.example/orchard"),
        Some("juliet@capulet.example/balcony"),
        Some("juliet@capulet.example"),
        None,
    ] {
        let attr = from.map(|f| format!(" from='{f}'")).unwrap_or_default();
        let p = presence(&format!("<presence xmlns='jabber:client'{attr}/>"));
        assert_eq!(
            own_resource(&p, &me, Some(&mine)),
            Err(UpdateRefusal::NotOwnResource),
            "{from:?}"
        );
    }
    let gone = presence(
        "<presence xmlns='jabber:client' from='juliet@capulet.example/chamber' type='unavailable'/>",
    );
    assert_eq!(
        own_resource(&gone, &me, None),
        Err(UpdateRefusal::NotAvailable)
    );
}

#[test]
fn vcard_answers_are_believed_only_from_the_entity_asked() {
    let me = bare("stpeter@jabber.example");
    let jer = bare("jer@jabber.example");
    assert_eq!(
        request("v3", Some(jer.clone())).to_xml(),
        "<iq xmlns='jabber:client' to='jer@jabber.example' id='v3' type='get'><vCard xmlns='vcard-temp'/></iq>"
    );
    let card = "<vCard xmlns='vcard-temp'><FN>Jeremie</FN></vCard>";
    let ok = iq(&format!(
        "<iq xmlns='jabber:client' type='result' id='v3' from='jer@jabber.example'>{card}</iq>"
    ));
    assert_eq!(
        vcard_of(&ok, Some(&jer), &me)
            .unwrap()
            .unwrap()
            .fn_
            .as_deref(),
        Some("Jeremie")
    );
    for from in ["mallory@evil.example", "jer@jabber.example/laptop"] {
        let forged = iq(&format!(
            "<iq xmlns='jabber:client' type='result' id='v3' from='{from}'>{card}</iq>"
        ));
        assert!(matches!(
            vcard_of(&forged, Some(&jer), &me),
            Err(Refusal::NotFromAsked { .. })
        ));
    }
    let own = iq(&format!(
        "<iq xmlns='jabber:client' type='result' id='v1'>{card}</iq>"
    ));
    assert!(vcard_of(&own, None, &me).unwrap().is_some());
    assert!(vcard_of(&own, Some(&jer), &me).is_err());
    let empty =
        iq("<iq xmlns='jabber:client' type='result' id='v1'><vCard xmlns='vcard-temp'/></iq>");
    assert_eq!(vcard_of(&empty, None, &me), Ok(None));
    for cond in ["item-not-found", "service-unavailable"] {
        let e = iq(&format!(
            "<iq xmlns='jabber:client' type='error' id='v3' from='jer@jabber.example'>\
             <error type='cancel'><{cond} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
        ));
        assert_eq!(vcard_of(&e, Some(&jer), &me), Ok(None));
    }
    let e = iq(
        "<iq xmlns='jabber:client' type='error' id='v3' from='jer@jabber.example'>\
         <error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    );
    assert!(matches!(
        vcard_of(&e, Some(&jer), &me),
        Err(Refusal::Error(_))
    ));
    let nothing = iq("<iq xmlns='jabber:client' type='result' id='v1'/>");
    assert!(matches!(
        vcard_of(&nothing, None, &me),
        Err(Refusal::Malformed(_))
    ));
}

#[test]
fn only_ones_own_vcard_may_be_set() {
    let sender: FullJid = "stpeter@jabber.example/roundabout".parse().unwrap();
    let own = set("v2", VCard::default());
    assert_eq!(check_set(&own, &sender), Ok(()));
    let mut to_self = own.clone();
    to_self.to = Some("stpeter@jabber.example".parse().unwrap());
    assert_eq!(check_set(&to_self, &sender), Ok(()));
    let mut other = own.clone();
    other.to = Some("jer@jabber.example".parse().unwrap());
    assert_eq!(
        check_set(&other, &sender).unwrap_err().condition,
        DefinedCondition::Forbidden
    );
}

const FULL_V4: &str = "<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'>\
<source><uri>https://capulet.example/j.vcf</uri></source>\
<kind><text>individual</text></kind>\
<fn><parameters><language><language-tag>it</language-tag></language><altid><text>1</text></altid>\
<pid><text>1</text><text>2.1</text></pid><pref><integer>1</integer></pref><type><text>home</text></type></parameters>\
<text>Giulietta Capuleti</text></fn>\
<n><parameters><sort-as><text>Capulet</text><text>Juliet</text></sort-as></parameters>\
<surname>Capulet</surname><given>Juliet</given><additional/><prefix>Lady</prefix><suffix/></n>\
<nickname><text>Jules</text><text>J</text></nickname>\
<photo><parameters><mediatype><text>image/png</text></mediatype></parameters><uri>data:image/png;base64,YWJj</uri></photo>\
<bday><parameters><calscale><text>gregorian</text></calscale></parameters><date>15820731</date></bday>\
<anniversary><date-time>19961022T140000Z</date-time></anniversary>\
<gender><sex>F</sex><identity>she</identity></gender>\
<adr><parameters><type><text>home</text></type><label><text>Via Cappello 23, Verona</text></label>\
<geo><uri>geo:45.442,10.998</uri></geo><tz><text>Europe/Rome</text></tz></parameters>\
<pobox/><ext/><street>Via Cappello 23</street><locality>Verona</locality><region/><code>37121</code><country>Italy</country></adr>\
<tel><parameters><type><text>cell</text><text>voice</text><text>textphone</text></type></parameters><uri>tel:+39-045-123</uri></tel>\
<email><text>juliet@capulet.example</text></email>\
<impp><uri>xmpp:juliet@capulet.example</uri></impp>\
<lang><language-tag>it-IT</language-tag></lang>\
<tz><utc-offset>+0100</utc-offset></tz>\
<geo><uri>geo:45.442,10.998</uri></geo>\
<title><text>Heiress</text></title><role><text>Daughter</text></role>\
<logo><uri>https://capulet.example/crest.png</uri></logo>\
<org><text>House Capulet</text><text>Household</text></org>\
<member><uri>xmpp:nurse@capulet.example</uri></member>\
<related><parameters><type><text>co-worker</text><text>x-cousin</text></type></parameters><text>Tybalt</text></related>\
<categories><text>family</text></categories>\
<note><text>Not a Montague.</text></note>\
<prodid><text>-//Quill//EN</text></prodid>\
<rev><timestamp>20261130T123456Z</timestamp></rev>\
<sound><uri>https://capulet.example/j.ogg</uri></sound>\
<uid><uri>urn:uuid:4d3b4c1e-5c0f-4b8a-9c39-0f1e2d3c4b5a</uri></uid>\
<clientpidmap><sourceid>1</sourceid><uri>urn:uuid:53e374d9-337e-4727-8803-a1e9c14e0556</uri></clientpidmap>\
<url><uri>https://capulet.example/</uri></url>\
<key><text>ssh-ed25519 AAAA</text></key>\
<fburl><uri>https://capulet.example/fb</uri></fburl><caladruri><uri>mailto:juliet@capulet.example</uri></caladruri>\
<caluri><uri>https://capulet.example/cal</uri></caluri>\
<group name='work'><email><text>j@work.example</text></email><x-badge><text>42</text></x-badge></group>\
<x-shoe-size><parameters><x-unit><text>eu</text></x-unit></parameters><integer>38</integer></x-shoe-size>\
<note><parameters><x-mood><text>happy</text></x-mood></parameters><text>Hi</text></note>\
<hobby xmlns='urn:example:hobbies'>poetry</hobby></vcard>";

#[test]
fn every_property_and_parameter_of_rfc_6350() {
    let v = rt::<VCard4>(FULL_V4);
    assert_eq!(v.formatted_name().as_deref(), Some("Giulietta Capuleti"));
    let fn_ = v.fns().next().unwrap();
    let p = fn_.parameters.as_ref().unwrap();
    assert_eq!(p.pref.as_ref().unwrap().value(), 1);
    assert_eq!(p.pid.as_ref().unwrap().values.len(), 2);
    assert!(p.has_type(&vcard4::TypeValue::Home));
    let tel = v.tels().next().unwrap();
    assert!(
        tel.parameters
            .as_ref()
            .unwrap()
            .has_type(&vcard4::TypeValue::Textphone)
    );
    assert_eq!(tel.values[0].as_str(), "tel:+39-045-123");
    let adr = v.adrs().next().unwrap();
    assert_eq!(adr.country, ["Italy"]);
    assert!(adr.parameters.as_ref().unwrap().geo.is_some());
    assert_eq!(
        v.kinds().next().unwrap().values,
        [vcard4::KindValue::Individual]
    );
    // Groups are read through, unknown properties and parameters kept.
    assert_eq!(v.emails().count(), 2);
    assert_eq!(v.others().count(), 3);
    let note = v.notes().nth(1).unwrap();
    assert_eq!(note.parameters.as_ref().unwrap().unknown.len(), 1);
    let related = v.all().find_map(|p| match p {
        vcard4::Property::Related(r) => Some(r),
        _ => None,
    });
    assert_eq!(
        related.unwrap().parameters.as_ref().unwrap().types(),
        [
            vcard4::TypeValue::CoWorker,
            vcard4::TypeValue::Other("x-cousin".into())
        ]
    );
}

#[test]
fn vcard4_as_xep_0292_writes_it() {
    // pref as bare text and sex in a <text/>, as XEP-0292's examples do.
    let v = rt::<VCard4>(
        "<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'>\
         <lang><parameters><pref>1</pref></parameters><language-tag>en</language-tag></lang>\
         <gender><sex><text>M</text></sex></gender><bday><date>1966-08-06</date></bday>\
         <n><surname>Saint-Andre</surname><given>Peter</given><additional></additional></n></vcard>",
    );
    let lang = v
        .all()
        .find_map(|p| match p {
            vcard4::Property::Lang(l) => Some(l),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        lang.parameters
            .as_ref()
            .unwrap()
            .pref
            .as_ref()
            .unwrap()
            .value(),
        1
    );
    let gender = v
        .all()
        .find_map(|p| match p {
            vcard4::Property::Gender(g) => Some(g),
            _ => None,
        })
        .unwrap();
    assert_eq!(gender.sex.get(), Some(&vcard4::SexValue::Male));
    // The blank around the children is kept (lossless), the value read.
    let spaced = "<pref xmlns='urn:ietf:params:xml:ns:vcard-4.0'>\n  <integer>7</integer>\n</pref>";
    let p = vcard4::Pref::from_xml(spaced.as_bytes()).unwrap();
    assert_eq!(p.value(), 7);
    assert_eq!(vcard4::Pref::from_xml(p.to_xml().as_bytes()).unwrap(), p);
}

#[test]
fn vcard4_refuses_what_rfc_6351_forbids() {
    for (bad, path) in [
        ("<fn><uri>x:y</uri></fn>", "at vcard/fn:"),
        ("<fn/>", "at vcard/fn:"),
        ("<fn><text>a</text><text>b</text></fn>", "at vcard/fn:"),
        (
            "<fn><text>a</text><surname>b</surname></fn>",
            "at vcard/fn:",
        ),
        (
            "<bday><date>06/08/1966</date></bday>",
            "at vcard/bday/date:",
        ),
        (
            "<rev><timestamp>yesterday</timestamp></rev>",
            "at vcard/rev/timestamp:",
        ),
        (
            "<tz><utc-offset>+1</utc-offset></tz>",
            "at vcard/tz/utc-offset:",
        ),
        (
            "<lang><language-tag>english language</language-tag></lang>",
            "at vcard/lang/language-tag:",
        ),
        (
            "<fn><parameters><pref><integer>0</integer></pref></parameters><text>a</text></fn>",
            "at vcard/fn/parameters/pref/integer:",
        ),
        (
            "<fn><parameters><pref><integer>101</integer></pref></parameters><text>a</text></fn>",
            "at vcard/fn/parameters/pref/integer:",
        ),
        (
            "<fn><parameters><pref/></parameters><text>a</text></fn>",
            "at vcard/fn/parameters/pref:",
        ),
        (
            "<fn><parameters><pid><text>a.b</text></pid></parameters><text>a</text></fn>",
            "at vcard/fn/parameters/pid/text:",
        ),
        ("<gender><sex>Q</sex></gender>", "at vcard/gender/sex:"),
        ("<gender/>", "at vcard/gender:"),
        (
            "<clientpidmap><sourceid>0</sourceid><uri>a:b</uri></clientpidmap>",
            "at vcard/clientpidmap",
        ),
        (
            "<group name='a'><group name='b'/></group>",
            "at vcard/group:",
        ),
        ("<group><fn><text>a</text></fn></group>", "at vcard/group:"),
        ("<integer>1</integer>", ""),
    ] {
        let xml = format!("<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'>{bad}</vcard>");
        match VCard4::from_xml(xml.as_bytes()) {
            Err(e) => assert!(e.to_string().starts_with(path), "{bad}: {e}"),
            // A value element where a property goes is an unknown
            // property: kept, not refused.
            Ok(v) => assert!(path.is_empty() && v.others().count() == 1, "{bad}"),
        }
    }
}

#[test]
fn vcard4_values_follow_the_rfc_6351_patterns() {
    use values4::*;
    for ok in [
        "19660806",
        "1966-08",
        "--0806",
        "--08",
        "---06",
        "1966-08-06",
    ] {
        assert!(VDate::from_xml(ok).is_ok(), "{ok}");
    }
    for bad in ["1966", "66-08-06", "1966/08/06", "--8"] {
        assert!(VDate::from_xml(bad).is_err(), "{bad}");
    }
    for ok in [
        "102200",
        "1022",
        "10",
        "-2200",
        "--00",
        "102200Z",
        "102200-0800",
        "10:22:00+01:00",
    ] {
        assert!(VTime::from_xml(ok).is_ok(), "{ok}");
    }
    for ok in [
        "19961022T140000",
        "--1022T1400",
        "---22T14",
        "19961022T140000Z",
        "2026-11-30T12:34:56.5Z",
    ] {
        assert!(VDateTime::from_xml(ok).is_ok(), "{ok}");
    }
    assert!(VDateTime::from_xml("19961022").is_err());
    assert!(VTimestamp::from_xml("19961022T140000-05").is_ok());
    assert!(VTimestamp::from_xml("19961022T1400").is_err());
    for ok in ["en", "de-CH", "zh-Hant-TW", "x-whatever"] {
        assert!(LanguageTag::from_xml(ok).is_ok(), "{ok}");
    }
    assert!(LanguageTag::from_xml("-en").is_err());
    assert_eq!(XsFloat::from_xml("-2E3").unwrap().value(), -2000.0);
    assert!(XsFloat::from_xml("INF").is_ok() && XsFloat::from_xml("inf").is_err());
}

#[test]
fn vcard_temp_maps_to_vcard4_as_section_9_says() {
    let temp = VCard::from_xml(
        b"<vCard xmlns='vcard-temp'><FN>Peter</FN><N><FAMILY>Saint-Andre</FAMILY><GIVEN>Peter</GIVEN><MIDDLE/></N>\
          <NICKNAME>stpeter</NICKNAME><PHOTO><TYPE>image/png</TYPE><BINVAL>YWJj</BINVAL></PHOTO>\
          <BDAY>1966-08-06</BDAY><ADR><WORK/><PREF/><DOM/><EXTADD>Suite 600</EXTADD><CTRY>USA</CTRY></ADR>\
          <TEL><WORK/><VOICE/><MSG/><NUMBER>303-308-3282</NUMBER></TEL><TEL><HOME/><FAX/><NUMBER/></TEL>\
          <EMAIL><INTERNET/><PREF/><USERID>stpeter@jabber.example</USERID></EMAIL>\
          <JABBERID>stpeter@jabber.example</JABBERID><MAILER>x</MAILER><GEO><LAT>39.59</LAT><LON>-105.01</LON></GEO>\
          <ORG><ORGNAME>XSF</ORGNAME><ORGUNIT>Board</ORGUNIT></ORG><CLASS><PUBLIC/></CLASS>\
          <LABEL><LINE>x</LINE></LABEL><SOUND><PHONETIC>peeter</PHONETIC></SOUND>\
          <KEY><CRED>key</CRED></KEY><DESC>About me</DESC></vCard>",
    )
    .unwrap();
    let v4 = to_vcard4(&temp);
    let expected = "<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'><fn><text>Peter</text></fn>\
        <n><surname>Saint-Andre</surname><given>Peter</given><additional/></n>\
        <nickname><text>stpeter</text></nickname><photo><uri>data:image/png;base64,YWJj</uri></photo>\
        <bday><date>1966-08-06</date></bday>\
        <adr><parameters><pref><integer>1</integer></pref><type><text>work</text></type></parameters><ext>Suite 600</ext><country>USA</country></adr>\
        <tel><parameters><type><text>work</text><text>voice</text></type></parameters><uri>tel:303-308-3282</uri></tel>\
        <email><parameters><pref><integer>1</integer></pref></parameters><text>stpeter@jabber.example</text></email>\
        <impp><uri>xmpp:stpeter@jabber.example</uri></impp><geo><uri>geo:39.59,-105.01</uri></geo>\
        <org><text>XSF</text></org><note><text>About me</text></note><key><text>key</text></key></vcard>";
    let a: xep_element::minidom::Element = v4.to_xml().parse().unwrap();
    let b: xep_element::minidom::Element = expected.parse().unwrap();
    assert!(equivalent(&a, &b).is_ok(), "{}", v4.to_xml());
    // And it reads back.
    assert_eq!(rt::<VCard4>(&v4.to_xml()), v4);
}

#[test]
fn pep_and_contacts_nodes() {
    let card = VCard4::from_xml(
        b"<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'><fn><text>Sam</text></fn></vcard>",
    )
    .unwrap();
    let publish = publish4("h3", card.clone()).to_xml();
    assert!(
        publish.contains("<publish node='urn:xmpp:vcard4'><item><vcard "),
        "{publish}"
    );
    let fetch = fetch4("bx", Some(bare("stpeter@jabber.example"))).to_xml();
    assert!(
        fetch.contains("to='stpeter@jabber.example'")
            && fetch.contains("<items node='urn:xmpp:vcard4'")
    );
    let store = store_contact("c1", &bare("samizzi@cisco.example"), card).to_xml();
    assert!(
        store.contains("<publish node='urn:xmpp:contacts'><item id='samizzi@cisco.example'>"),
        "{store}"
    );
    assert!(
        store.contains(
            "<field var='pubsub#access_model' type='list-single'><value>whitelist</value></field>"
        ),
        "{store}"
    );
    assert_eq!(
        contact_of(Some("samizzi@cisco.example")),
        Ok(bare("samizzi@cisco.example"))
    );
    assert!(contact_of(Some("not a jid@@")).is_err());
    assert!(contact_of(None).is_err());
}

#[test]
fn contact_notifications_only_from_the_own_account() {
    let me = bare("stpeter@jabber.example");
    let push = |from: &str, id: &str| {
        match Stanza::from_xml(
            format!(
                "<message xmlns='jabber:client' from='{from}' to='stpeter@jabber.example/squire' type='headline'>\
                 <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:contacts'>\
                 <item id='{id}'><vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'><fn><text>Sam</text></fn></vcard></item>\
                 </items></event></message>"
            )
            .as_bytes(),
        )
        .unwrap()
        {
            Stanza::Message(m) => m,
            other => panic!("{other:?}"),
        }
    };
    let got = contacts_notification(
        &push("stpeter@jabber.example", "samizzi@cisco.example"),
        &me,
    )
    .unwrap();
    assert_eq!(got[0].0, bare("samizzi@cisco.example"));
    assert_eq!(got[0].1.formatted_name().as_deref(), Some("Sam"));
    // Another account's node, a client, or an ItemID that is no bare JID.
    assert!(matches!(
        contacts_notification(&push("mallory@evil.example", "samizzi@cisco.example"), &me),
        Err(xep_user::pep::Refusal::NotFromAccount(_))
    ));
    assert!(matches!(
        contacts_notification(
            &push("stpeter@jabber.example/other", "samizzi@cisco.example"),
            &me
        ),
        Err(xep_user::pep::Refusal::NotFromAccount(_))
    ));
    assert!(matches!(
        contacts_notification(
            &push("stpeter@jabber.example", "sam@cisco.example/phone"),
            &me
        ),
        Err(xep_user::pep::Refusal::Malformed(_))
    ));
}

fn card_with(image: Option<&[u8]>) -> VCard {
    let mut card = VCard::default();
    if let Some(data) = image {
        card.set_photo(Photo::inline("image/png", data.to_vec()));
    }
    card
}

fn drain(a: &mut Advertiser) -> Vec<AdvertiserEvent> {
    std::iter::from_fn(|| a.poll_event()).collect()
}

#[test]
fn the_advertiser_waits_for_the_vcard_and_uploads_an_image_once() {
    use AdvertiserEvent::{Broadcast, FetchVCard};
    let me: FullJid = "juliet@capulet.example/balcony".parse().unwrap();
    let mut a = Advertiser::new(me);
    // §4.1 rule 2 and §4.2 rule 1: not ready, the download first.
    assert_eq!(a.update(), Update::not_ready());
    assert_eq!(drain(&mut a), [FetchVCard]);
    // A failed download advertises nothing and asks again for nothing
    // (rule 3: no polling).
    a.vcard_download_failed();
    assert_eq!(drain(&mut a), []);
    assert_eq!(a.update(), Update::not_ready());
    // No vCard: no image (rule 3 of §4.1), and a broadcast to say so.
    a.vcard_downloaded(None);
    assert_eq!(drain(&mut a), [Broadcast]);
    assert_eq!(a.update(), Update::no_image());
    // The same again: nothing to broadcast.
    a.vcard_downloaded(Some(&card_with(None)));
    assert_eq!(drain(&mut a), []);
    // An upload is advertised at once, and that image is not uploaded
    // again this session (§4.2 rule 2); another image may be.
    assert!(a.may_upload(b"abc"));
    a.vcard_uploaded(&card_with(Some(b"abc")));
    assert_eq!(drain(&mut a), [Broadcast]);
    assert_eq!(a.update(), Update::image(b"abc"));
    assert!(!a.may_upload(b"abc"));
    assert!(a.may_upload(b"other"));
}

#[test]
fn the_advertiser_follows_the_other_resources() {
    use AdvertiserEvent::{Broadcast, FetchVCard};
    let me: FullJid = "juliet@capulet.example/balcony".parse().unwrap();
    let from = |resource: &str, x: &str| {
        presence(&format!(
            "<presence xmlns='jabber:client' from='juliet@capulet.example/{resource}'>{x}</presence>"
        ))
    };
    let gone = |resource: &str| {
        presence(&format!(
            "<presence xmlns='jabber:client' from='juliet@capulet.example/{resource}' type='unavailable'/>"
        ))
    };
    let mut a = Advertiser::new(me);
    drain(&mut a);
    a.vcard_downloaded(Some(&card_with(Some(b"abc"))));
    drain(&mut a);
    let mine = Update::image(b"abc");

    // An empty update element, or the same hash: nothing changes.
    a.own_presence(&from("chamber", "<x xmlns='vcard-temp:x:update'/>"))
        .unwrap();
    a.own_presence(&from(
        "chamber",
        "<x xmlns='vcard-temp:x:update'><photo>A9993E364706816ABA3E25717850C26C9CD0D89D</photo></x>",
    ))
    .unwrap();
    assert_eq!((drain(&mut a), a.update()), (vec![], mine.clone()));

    // §4.3 rule 1: two resources without the element stop the
    // advertising until both are gone; then the hash is reset (§4.4).
    a.own_presence(&from("old-client", "")).unwrap();
    a.own_presence(&from("older-client", "")).unwrap();
    assert_eq!(
        (drain(&mut a), a.update()),
        (vec![Broadcast], Update::not_ready())
    );
    a.own_presence(&gone("old-client")).unwrap();
    assert_eq!((drain(&mut a), a.update()), (vec![], Update::not_ready()));
    a.own_presence(&gone("older-client")).unwrap();
    assert_eq!(
        (drain(&mut a), a.update()),
        (vec![FetchVCard], Update::not_ready())
    );
    a.vcard_downloaded(Some(&card_with(Some(b"abc"))));
    assert_eq!((drain(&mut a), a.update()), (vec![Broadcast], mine.clone()));
    // The same when the last one starts sending the element.
    a.own_presence(&from("old-client", "")).unwrap();
    a.own_presence(&from("old-client", "<x xmlns='vcard-temp:x:update'/>"))
        .unwrap();
    assert_eq!(
        (drain(&mut a), a.update()),
        (vec![Broadcast, FetchVCard], Update::not_ready())
    );
    a.vcard_downloaded(Some(&card_with(Some(b"abc"))));
    assert_eq!((drain(&mut a), a.update()), (vec![Broadcast], mine.clone()));

    // An empty photo elsewhere: download; an empty BINVAL there stops
    // the old image.
    a.own_presence(&from(
        "chamber",
        "<x xmlns='vcard-temp:x:update'><photo/></x>",
    ))
    .unwrap();
    assert_eq!(
        (drain(&mut a), a.update()),
        (vec![FetchVCard], mine.clone())
    );
    a.vcard_downloaded(Some(&card_with(None)));
    assert_eq!(
        (drain(&mut a), a.update()),
        (vec![Broadcast], Update::no_image())
    );

    // Another hash: reset, not ready at once, then the downloaded vCard;
    // the client does not upload its own again.
    a.vcard_uploaded(&card_with(Some(b"abc")));
    drain(&mut a);
    let theirs = format!(
        "<x xmlns='vcard-temp:x:update'><photo>{}</photo></x>",
        photo_hash(b"new")
    );
    a.own_presence(&from("chamber", &theirs)).unwrap();
    assert_eq!(
        (drain(&mut a), a.update()),
        (vec![Broadcast, FetchVCard], Update::not_ready())
    );
    a.vcard_downloaded(Some(&card_with(Some(b"new"))));
    assert_eq!(
        (drain(&mut a), a.update()),
        (vec![Broadcast], Update::image(b"new"))
    );
    assert!(!a.may_upload(b"abc"));

    // Presences from anyone else, or malformed, change nothing.
    let before = a.update();
    for p in [
        presence("<presence xmlns='jabber:client' from='romeo@montague.example/orchard'/>"),
        presence("<presence xmlns='jabber:client' from='juliet@capulet.example/balcony'/>"),
        presence(
            "<presence xmlns='jabber:client' from='romeo@montague.example/orchard' type='unavailable'/>",
        ),
        from(
            "chamber",
            "<x xmlns='vcard-temp:x:update'><photo>xyz</photo></x>",
        ),
    ] {
        assert!(a.own_presence(&p).is_err(), "{p:?}");
    }
    assert_eq!((drain(&mut a), a.update()), (vec![], before));
}

#[test]
fn vcards_holds_one_or_more_vcards_and_xml_properties_are_foreign_elements() {
    let xml = "<vcards xmlns='urn:ietf:params:xml:ns:vcard-4.0'>\
        <vcard><fn><text>Juliet Capulet</text></fn>\
          <balcony xmlns='urn:example:verona' floor='1'/>\
          <x-nurse><text>Angelica</text></x-nurse></vcard>\
        <vcard><fn><text>Romeo Montague</text></fn></vcard>\
      </vcards>";
    let all = rt::<vcard4::VCards>(xml);
    assert_eq!(all.vcards.len(), 2);
    let juliet = &all.vcards[0];
    assert_eq!(juliet.formatted_name().as_deref(), Some("Juliet Capulet"));
    assert_eq!(
        all.vcards[1].formatted_name().as_deref(),
        Some("Romeo Montague")
    );
    // Both unknown elements are kept; only the foreign one is an XML
    // property (an x-name of the vCard 4 namespace is not).
    assert_eq!(juliet.others().count(), 2);
    let xml_props: Vec<_> = juliet.xml_properties().map(|p| p.to_element()).collect();
    assert_eq!(xml_props.len(), 1);
    assert_eq!(xml_props[0].name(), "balcony");
    assert_eq!(xml_props[0].attr("floor"), Some("1"));
    // RFC 6351's schema asks for at least one vCard.
    let err = vcard4::VCards::from_xml(b"<vcards xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>")
        .unwrap_err();
    assert!(err.to_string().contains("vcard"), "{err}");
    // A bad vCard inside is refused with its path.
    let err = vcard4::VCards::from_xml(
        b"<vcards xmlns='urn:ietf:params:xml:ns:vcard-4.0'><vcard><fn/></vcard></vcards>",
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("at vcards/vcard/fn"), "{err}");
}

/// `<photo> </photo>` is an empty `xs:hexBinary`, so no image (§4.1 rule
/// 3), the same as `<photo/>`: it read as an empty hash, which wrote
/// `<photo/>`, read back as no hash (found by the `vcard` fuzz target).
#[test]
fn a_photo_of_whitespace_is_no_image() {
    let spaced = rt::<Update>("<x xmlns='vcard-temp:x:update'><photo> \n </photo></x>");
    assert_eq!(spaced, Update::no_image());
    assert!(
        Update::from_xml(b"<x xmlns='vcard-temp:x:update'><photo> ab </photo></x>")
            .unwrap()
            .hash()
            .is_some_and(|h| h.as_str() == "ab")
    );
}
