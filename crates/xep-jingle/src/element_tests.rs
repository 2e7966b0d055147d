//! Round trips and rejects of every module's elements (our own stanzas).

use xep_element::{Payload, Registry, XmlElement, equivalent};

use crate::*;

fn registry() -> Registry {
    Registry::new()
        .with(xep_core::ELEMENTS)
        .with(xep_hashes::ELEMENTS)
        .with(xep_forms::ELEMENTS)
        .with(crate::ELEMENTS)
}

/// Parses `xml` as `T` (bytes and DOM paths), writes it back, and checks
/// the result is equivalent to the input.
fn round_trip<T: XmlElement + PartialEq + std::fmt::Debug>(xml: &str) -> T {
    let reg = registry();
    let v = T::from_xml_with(xml.as_bytes(), &reg).unwrap_or_else(|e| panic!("{xml}: {e}"));
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    let v2 = T::from_element_with(&dom, &reg).unwrap();
    assert_eq!(v, v2, "byte and DOM paths differ");
    let out = v.to_xml();
    let a: xep_element::minidom::Element = out.parse().unwrap();
    if let Err(d) = equivalent(&dom, &a) {
        panic!("round trip of {xml} gave {out}: {d:?}");
    }
    v
}

/// Parses `xml` as `T` and expects an error whose text starts with `msg`.
fn reject<T: XmlElement + std::fmt::Debug>(xml: &str, msg: &str) {
    let e = T::from_xml(xml.as_bytes()).expect_err(xml);
    let s = e.to_string();
    assert!(s.starts_with(msg), "{xml}: got {s:?}, expected {msg:?}");
}

const J: &str = "xmlns='urn:xmpp:jingle:1'";

// ---------------------------------------------------------------- XEP-0166

#[test]
fn every_action_round_trips() {
    for a in Action::ALL {
        let xml = format!(
            "<jingle {J} action='{}' sid='x1'/>",
            xep_element::XmlValue::to_xml(&a)
        );
        let j: Jingle = round_trip(&xml);
        assert_eq!(j.action, a);
    }
    reject::<Jingle>(
        &format!("<jingle {J} action='session-pause' sid='x1'/>"),
        "at jingle: attribute 'action' has bad value 'session-pause'",
    );
    reject::<Jingle>(
        &format!("<jingle {J} action='session-info'/>"),
        "at jingle: missing required attribute 'sid'",
    );
}

#[test]
fn session_initiate_types_registered_payloads_and_keeps_others() {
    let xml = format!(
        "<jingle {J} action='session-initiate' initiator='ariel@isle.example/air' sid='k9'>\
         <content creator='initiator' name='song' senders='initiator' disposition='early-session'>\
         <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>\
         <payload-type id='111' name='opus' clockrate='48000' channels='2'/></description>\
         <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='u1' pwd='p1'/>\
         <security xmlns='urn:example:sec'/></content>\
         <other xmlns='urn:example:x'/></jingle>"
    );
    let j: Jingle = round_trip(&xml);
    let c = &j.contents[0];
    assert_eq!(c.key(), (Creator::Initiator, "song"));
    assert_eq!(c.senders(), Senders::Initiator);
    assert_eq!(c.disposition.as_deref(), Some("early-session"));
    let d = c
        .description()
        .unwrap()
        .downcast_ref::<rtp::Description>()
        .unwrap();
    assert_eq!(d.payload_types[0].channels(), 2);
    assert_eq!(c.transport_ns().as_deref(), Some(ice_udp::NS));
    assert!(matches!(c.security(), Some(Payload::Raw(_))));
    assert!(matches!(j.payloads[0], Payload::Raw(_)));
    assert_eq!(j.initiator.unwrap().to_string(), "ariel@isle.example/air");
    reject::<Jingle>(
        &format!("<jingle {J} action='content-add' sid='k9'><content name='a'/></jingle>"),
        "at jingle/content: missing required attribute 'creator'",
    );
    reject::<Jingle>(
        &format!(
            "<jingle {J} action='content-add' sid='k9'><content creator='both' name='a'/></jingle>"
        ),
        "at jingle/content: attribute 'creator' has bad value 'both'",
    );
    reject::<Jingle>(
        &format!("<jingle {J} action='content-add' sid='k9'><bogus/></jingle>"),
        "at jingle: child element {urn:xmpp:jingle:1}bogus is not defined for this element",
    );
}

#[test]
fn every_reason_condition_round_trips() {
    for c in [
        "busy",
        "cancel",
        "connectivity-error",
        "decline",
        "expired",
        "failed-application",
        "failed-transport",
        "general-error",
        "gone",
        "incompatible-parameters",
        "media-error",
        "security-error",
        "success",
        "timeout",
        "unsupported-applications",
        "unsupported-transports",
    ] {
        round_trip::<Reason>(&format!("<reason {J}><{c}/><text>why</text></reason>"));
    }
    let r: Reason = round_trip(&format!(
        "<reason {J}><alternative-session><sid>other7</sid></alternative-session>\
         <file-not-available xmlns='urn:xmpp:jingle:apps:file-transfer:errors:0'/></reason>"
    ));
    assert_eq!(
        r.condition,
        ReasonCondition::AlternativeSession(jingle::AlternativeSession {
            sid: Some("other7".into())
        })
    );
    assert!(
        r.app[0]
            .downcast_ref::<file_transfer::FileTransferError>()
            .is_some()
    );
    reject::<Reason>(
        &format!("<reason {J}><text>no condition</text></reason>"),
        "at reason: missing required child",
    );
    reject::<Reason>(
        &format!("<reason {J}><success/><a xmlns='urn:a'/><b xmlns='urn:b'/></reason>"),
        "at reason: a reason carries at most one application-specific condition",
    );
}

#[test]
fn jingle_error_conditions() {
    for (c, v) in [
        ("out-of-order", JingleError::OutOfOrder),
        ("tie-break", JingleError::TieBreak),
        ("unknown-session", JingleError::UnknownSession),
        ("unsupported-info", JingleError::UnsupportedInfo),
        ("security-required", JingleError::SecurityRequired),
    ] {
        let e: JingleError = round_trip(&format!("<{c} xmlns='urn:xmpp:jingle:errors:1'/>"));
        assert_eq!(e, v);
    }
    let se = JingleError::TieBreak.stanza_error();
    assert_eq!(se.condition, xep_core::DefinedCondition::Conflict);
    assert_eq!(
        se.to_xml(),
        "<error xmlns='jabber:client' type='cancel'>\
         <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
         <tie-break xmlns='urn:xmpp:jingle:errors:1'/></error>"
    );
    reject::<JingleError>(
        "<tie-break xmlns='urn:xmpp:jingle:errors:1'>x</tie-break>",
        "at tie-break: character data",
    );
}

// ------------------------------------------- XEP-0167, 0293, 0294, 0338, 0339

#[test]
fn rtp_description_with_extensions() {
    let d: rtp::Description = round_trip(
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video' ssrc='4000000000'>\
         <payload-type id='96' name='VP8' clockrate='90000' ptime='20' maxptime='40'>\
         <parameter name='max-fr' value='30'/>\
         <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack' subtype='pli'/>\
         <rtcp-fb-trr-int xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' value='0'/>\
         </payload-type>\
         <rtcp-mux/>\
         <encryption required='1'><crypto crypto-suite='AES_CM_128_HMAC_SHA1_80' \
         key-params='inline:AAAA' tag='1'/></encryption>\
         <bandwidth type='AS'>512</bandwidth>\
         <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='ccm' subtype='fir'>\
         <parameter name='x' value='y'/></rtcp-fb>\
         <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='3' uri='urn:example:ext' senders='initiator'>\
         <parameter name='vad'/></rtp-hdrext>\
         <extmap-allow-mixed xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0'/>\
         <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1234'>\
         <parameter name='cname' value='c1'/></source>\
         <ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'>\
         <source ssrc='1234'/><source ssrc='5678'/></ssrc-group>\
         <ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='X-NEW'/>\
         <unknown xmlns='urn:example:ext'/>\
         </description>",
    );
    assert_eq!(d.ssrc, Some(4_000_000_000));
    assert!(d.rtcp_mux && d.extmap_allow_mixed);
    assert!(d.encryption.as_ref().unwrap().required.unwrap().value);
    assert_eq!(d.bandwidth.as_ref().unwrap().value, "512");
    assert_eq!(
        d.payload_types[0].rtcp_fbs[0].subtype.as_deref(),
        Some("pli")
    );
    assert_eq!(d.hdrexts[0].senders, Some(Senders::Initiator));
    assert_eq!(d.ssrc_groups[0].semantics, ssma::Semantics::Fid);
    assert_eq!(
        d.ssrc_groups[1].semantics,
        ssma::Semantics::Other("X-NEW".into())
    );
    assert_eq!(d.extensions.len(), 1);
    reject::<rtp::Description>(
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1'/>",
        "at description: missing required attribute 'media'",
    );
    reject::<rtp::Description>(
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='300'/></description>",
        "at description/payload-type: attribute 'id' has bad value '300'",
    );
    reject::<rtp::Description>(
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='0'><parameter name='a'/></payload-type></description>",
        "at description/payload-type/parameter: missing required attribute 'value'",
    );
    reject::<rtcp_fb::RtcpFb>(
        "<rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0'/>",
        "at rtcp-fb: missing required attribute 'type'",
    );
    reject::<hdrext::RtpHdrext>(
        "<rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1' uri='u' senders='all'/>",
        "at rtp-hdrext: attribute 'senders' has bad value 'all'",
    );
    reject::<ssma::Source>(
        "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='-1'/>",
        "at source: attribute 'ssrc' has bad value '-1'",
    );
}

#[test]
fn rtp_info_and_errors() {
    for x in ["active", "hold", "unhold", "ringing"] {
        round_trip::<rtp::RtpInfo>(&format!("<{x} xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>"));
    }
    let m: rtp::RtpInfo = round_trip(
        "<mute xmlns='urn:xmpp:jingle:apps:rtp:info:1' creator='responder' name='cam'/>",
    );
    assert!(matches!(
        m,
        rtp::RtpInfo::Mute(rtp::Mute {
            creator: Creator::Responder,
            ..
        })
    ));
    round_trip::<rtp::RtpInfo>(
        "<unmute xmlns='urn:xmpp:jingle:apps:rtp:info:1' creator='initiator'/>",
    );
    round_trip::<rtp::RtpError>("<crypto-required xmlns='urn:xmpp:jingle:apps:rtp:errors:1'/>");
    round_trip::<rtp::RtpError>("<invalid-crypto xmlns='urn:xmpp:jingle:apps:rtp:errors:1'/>");
    reject::<rtp::RtpInfo>(
        "<mute xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>",
        "at mute: missing required attribute 'creator'",
    );
}

#[test]
fn grouping() {
    let g: grouping::Group = round_trip(
        "<group xmlns='urn:xmpp:jingle:apps:grouping:0' semantics='BUNDLE'>\
         <content name='a'/><content name='v'/></group>",
    );
    assert_eq!(g.contents[1].name, "v");
    reject::<grouping::Group>(
        "<group xmlns='urn:xmpp:jingle:apps:grouping:0'/>",
        "at group: missing required attribute 'semantics'",
    );
}

// ---------------------------------------------------------------- XEP-0234

#[test]
fn file_transfer() {
    let d: file_transfer::Description = round_trip(
        "<description xmlns='urn:xmpp:jingle:apps:file-transfer:5'><file>\
         <date>2026-03-01T10:00:00Z</date><media-type>image/png</media-type>\
         <name>map.png</name><desc>The island</desc><size>2048</size>\
         <range offset='1024' length='512'><hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>AAAA</hash></range>\
         <hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>BBBB</hash>\
         <hash-used xmlns='urn:xmpp:hashes:2' algo='sha-1'/>\
         </file></description>",
    );
    assert_eq!(d.file.size, Some(2048));
    assert_eq!(d.file.range.as_ref().unwrap().offset, Some(1024));
    assert_eq!(d.file.hashes[0].algo, xep_hashes::Algo::Sha256);
    round_trip::<file_transfer::Checksum>(
        "<checksum xmlns='urn:xmpp:jingle:apps:file-transfer:5' creator='initiator' name='f'>\
         <file><hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>BBBB</hash></file></checksum>",
    );
    round_trip::<file_transfer::Received>(
        "<received xmlns='urn:xmpp:jingle:apps:file-transfer:5' creator='responder' name='f'/>",
    );
    round_trip::<file_transfer::FileTransferError>(
        "<file-too-large xmlns='urn:xmpp:jingle:apps:file-transfer:errors:0'/>",
    );
    reject::<file_transfer::Description>(
        "<description xmlns='urn:xmpp:jingle:apps:file-transfer:5'/>",
        "at description: missing required child",
    );
    reject::<file_transfer::File>(
        "<file xmlns='urn:xmpp:jingle:apps:file-transfer:5'><size>0</size></file>",
        "at file: a file's size is a positive integer",
    );
    reject::<file_transfer::File>(
        "<file xmlns='urn:xmpp:jingle:apps:file-transfer:5'><date>yesterday</date></file>",
        "at file",
    );
    reject::<file_transfer::Checksum>(
        "<checksum xmlns='urn:xmpp:jingle:apps:file-transfer:5' name='f'><file/></checksum>",
        "at checksum: missing required attribute 'creator'",
    );
}

// ------------------------------------------------- transports and the rest

#[test]
fn ice_udp() {
    let t: ice_udp::Transport = round_trip(
        "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='Fr' pwd='Pw'>\
         <candidate component='1' foundation='1' generation='0' id='c1' ip='192.0.2.7' \
         network='0' port='4000' priority='2130706431' protocol='udp' type='host'/>\
         <candidate component='1' foundation='2' generation='0' id='c2' ip='198.51.100.3' \
         port='5000' priority='1694498815' protocol='udp' rel-addr='192.0.2.7' rel-port='4000' type='srflx'/>\
         <fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>AB:CD</fingerprint>\
         </transport>",
    );
    assert_eq!(t.candidates[1].type_, ice_udp::CandidateType::Srflx);
    assert_eq!(t.fingerprints[0].setup, dtls::Setup::Actpass);
    round_trip::<ice_udp::Transport>(
        "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>\
         <remote-candidate component='1' ip='192.0.2.7' port='4000'/></transport>",
    );
    reject::<ice_udp::Transport>(
        "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>\
         <candidate component='1' foundation='1' generation='0' id='c1' ip='192.0.2.7' port='4000' priority='1' protocol='udp' type='host'/>\
         <remote-candidate component='1' ip='192.0.2.7' port='4000'/></transport>",
        "at transport: a transport carries either candidates or a remote-candidate",
    );
    reject::<ice_udp::Candidate>(
        "<candidate xmlns='urn:xmpp:jingle:transports:ice-udp:1' component='1' foundation='1' generation='0' id='c1' ip='192.0.2.7' port='4000' priority='0' protocol='udp' type='host'/>",
        "at candidate: a candidate's priority is a positive integer",
    );
    reject::<ice_udp::Candidate>(
        "<candidate xmlns='urn:xmpp:jingle:transports:ice-udp:1' component='1' foundation='1' generation='0' id='c1' ip='192.0.2.7' port='4000' priority='1' protocol='udp' type='turn'/>",
        "at candidate: attribute 'type' has bad value 'turn'",
    );
    reject::<dtls::Fingerprint>(
        "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'>AB</fingerprint>",
        "at fingerprint: missing required attribute 'setup'",
    );
}

#[test]
fn raw_udp() {
    let t: raw_udp::Transport = round_trip(
        "<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>\
         <candidate component='1' generation='0' id='r1' ip='192.0.2.9' port='7000' type='host'/>\
         <candidate component='2' generation='0' id='r2' ip='192.0.2.9' port='7001'/></transport>",
    );
    assert_eq!(t.candidates[1].type_, None);
    reject::<raw_udp::Transport>(
        "<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>\
         <candidate generation='0' id='r1' ip='192.0.2.9' port='7000'/></transport>",
        "at transport/candidate: missing required attribute 'component'",
    );
}

#[test]
fn socks5() {
    let t: s5b::Transport = round_trip(
        "<transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='bs1' dstaddr='abc' mode='udp'>\
         <candidate cid='c1' host='192.0.2.1' jid='ariel@isle.example/air' port='6539' priority='8257636' type='direct'/>\
         <candidate cid='c2' host='proxy.isle.example' jid='proxy.isle.example' priority='655360' type='proxy'/>\
         </transport>",
    );
    assert_eq!(t.mode, Some(s5b::Mode::Udp));
    for inner in [
        "<candidate-used cid='c1'/>",
        "<activated cid='c2'/>",
        "<candidate-error/>",
        "<proxy-error/>",
    ] {
        round_trip::<s5b::Transport>(&format!(
            "<transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='bs1'>{inner}</transport>"
        ));
    }
    reject::<s5b::Transport>(
        "<transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='bs1'><candidate-error/><proxy-error/></transport>",
        "at transport: a transport carries one of",
    );
    reject::<s5b::Transport>(
        "<transport xmlns='urn:xmpp:jingle:transports:s5b:1'/>",
        "at transport: missing required attribute 'sid'",
    );
    reject::<s5b::Candidate>(
        "<candidate xmlns='urn:xmpp:jingle:transports:s5b:1' cid='c1' host='h' jid='@bad' priority='1'/>",
        "at candidate: attribute 'jid' has bad value '@bad'",
    );
}

#[test]
fn in_band_bytestreams() {
    let t: ibb::Transport = round_trip(
        "<transport xmlns='urn:xmpp:jingle:transports:ibb:1' block-size='4096' sid='ib1' stanza='message'/>",
    );
    assert_eq!(t.stanza, Some(ibb::StanzaKind::Message));
    reject::<ibb::Transport>(
        "<transport xmlns='urn:xmpp:jingle:transports:ibb:1' block-size='40000' sid='ib1'/>",
        "at transport: block-size 40000 is outside 1–32767",
    );
    round_trip::<ibb::Open>(
        "<open xmlns='http://jabber.org/protocol/ibb' block-size='4096' sid='ib1'/>",
    );
    round_trip::<ibb::Close>("<close xmlns='http://jabber.org/protocol/ibb' sid='ib1'/>");
    let d: ibb::Data = round_trip(
        "<data xmlns='http://jabber.org/protocol/ibb' seq='7' sid='ib1'>\n aGVs\n bG8=\n</data>",
    );
    assert_eq!(d.decode().unwrap(), b"hello");
    assert_eq!(ibb::Data::new("ib1", 1, b"hello").data, "aGVsbG8=");
    reject::<ibb::Data>(
        "<data xmlns='http://jabber.org/protocol/ibb' sid='ib1'>aGVs</data>",
        "at data: missing required attribute 'seq'",
    );
    reject::<ibb::Open>(
        "<open xmlns='http://jabber.org/protocol/ibb' block-size='4096' sid='ib1' stanza='presence'/>",
        "at open: attribute 'stanza' has bad value 'presence'",
    );
}

#[test]
fn message_initiation() {
    let p: jmi::Propose = round_trip(
        "<propose xmlns='urn:xmpp:jingle-message:0' id='call-1'>\
         <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/></propose>",
    );
    assert!(
        p.descriptions[0]
            .downcast_ref::<rtp::Description>()
            .is_some()
    );
    round_trip::<jmi::Ringing>("<ringing xmlns='urn:xmpp:jingle-message:0' id='call-1'/>");
    round_trip::<jmi::Proceed>("<proceed xmlns='urn:xmpp:jingle-message:0' id='call-1'/>");
    round_trip::<jmi::Accept>("<accept xmlns='urn:xmpp:jingle-message:0' id='call-1'/>");
    round_trip::<jmi::Retract>(&format!(
        "<retract xmlns='urn:xmpp:jingle-message:0' id='call-1'><reason {J}><cancel/></reason></retract>"
    ));
    let r: jmi::Reject = round_trip(&format!(
        "<reject xmlns='urn:xmpp:jingle-message:0' id='call-1'><reason {J}><expired/></reason><tie-break/></reject>"
    ));
    assert!(r.tie_break);
    let f: jmi::Finish = round_trip(&format!(
        "<finish xmlns='urn:xmpp:jingle-message:0' id='call-1'><reason {J}><success/></reason><migrated to='call-2'/></finish>"
    ));
    assert_eq!(f.migrated.unwrap().to, "call-2");
    reject::<jmi::Propose>(
        "<propose xmlns='urn:xmpp:jingle-message:0' id='call-1'/>",
        "at propose: a propose carries at least one description",
    );
    reject::<jmi::Finish>(
        "<finish xmlns='urn:xmpp:jingle-message:0'/>",
        "at finish: missing required attribute 'id'",
    );
}

#[test]
fn external_services() {
    let s: extdisco::Services = round_trip(
        "<services xmlns='urn:xmpp:extdisco:2' type='turn'>\
         <service host='turn.isle.example' port='3478' transport='udp' type='turn' \
         username='u' password='p' expires='2026-12-01T00:00:00Z' restricted='true' name='Relay'/>\
         <service action='delete' host='old.isle.example' type='stun'/></services>",
    );
    assert_eq!(s.services[1].action, Some(extdisco::ServiceAction::Delete));
    round_trip::<extdisco::Credentials>(
        "<credentials xmlns='urn:xmpp:extdisco:2'><service host='turn.isle.example' type='turn'/></credentials>",
    );
    reject::<extdisco::Services>(
        "<services xmlns='urn:xmpp:extdisco:2'><service host='h'/></services>",
        "at services/service: missing required attribute 'type'",
    );
    reject::<extdisco::Service>(
        "<service xmlns='urn:xmpp:extdisco:2' host='h' type='stun' port='70000'/>",
        "at service: attribute 'port' has bad value '70000'",
    );
}
