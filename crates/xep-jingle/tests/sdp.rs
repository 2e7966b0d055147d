//! The SDP mapping: a WebRTC-style offer to Jingle and back, Jingle to
//! SDP and back, directions, and errors.
#![cfg(feature = "sdp")]

use xep_element::{Payload, XmlElement};
use xep_jingle::dtls::Setup;
use xep_jingle::ice_udp::{CandidateType, Transport};
use xep_jingle::rtp::{Description, PayloadType};
use xep_jingle::sdp::{SdpError, from_sdp, groups, parse, to_sdp};
use xep_jingle::ssma::Semantics;
use xep_jingle::{Action, Content, Creator, Jingle, Senders};

/// An offer shaped like a browser's: BUNDLE, ICE with host and
/// server-reflexive candidates, DTLS, Opus with FEC, VP8 with RTX and
/// feedback, header extensions and SSRCs with a FID group.
const OFFER: &str = include_str!("../../../fixtures/xep-jingle/sdp/webrtc-offer.sdp");

/// The media attributes the issue names, which must survive SDP →
/// Jingle → SDP line for line.
const KEPT: &[&str] = &[
    "candidate",
    "ice-ufrag",
    "ice-pwd",
    "fingerprint",
    "setup",
    "mid",
    "extmap",
    "sendrecv",
    "sendonly",
    "recvonly",
    "inactive",
    "rtcp-mux",
    "rtpmap",
    "rtcp-fb",
    "fmtp",
    "ptime",
    "ssrc",
    "ssrc-group",
];

/// Reads SDP text written by `author` as contents created by `creator`.
fn read(text: &str, author: Creator, creator: Creator) -> xep_jingle::sdp::FromSdp {
    from_sdp(&parse(text).unwrap(), author, creator).unwrap()
}

/// Asserts that `text` has each of `want` as a line.
fn assert_has_lines(text: &str, want: &[&str]) {
    for line in want {
        assert!(
            lines(text).contains(&line.to_string()),
            "{line} missing from\n{text}"
        );
    }
}

fn lines(sdp: &str) -> Vec<String> {
    sdp.lines().map(|l| l.trim_end().to_string()).collect()
}

/// The `a=` lines of each media section with one of `keys`, in order.
fn media_attrs(sdp: &str, keys: &[&str]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for l in lines(sdp) {
        if l.starts_with("m=") {
            out.push(Vec::new());
        } else if let (Some(m), Some(a)) = (out.last_mut(), l.strip_prefix("a=")) {
            let key = a.split(':').next().unwrap();
            if keys.contains(&key) {
                m.push(l.clone());
            }
        }
    }
    out
}

fn desc(c: &Content) -> Description {
    c.description()
        .unwrap()
        .get::<Description>()
        .unwrap()
        .unwrap()
}

fn transport(c: &Content) -> Transport {
    c.transport().unwrap().get::<Transport>().unwrap().unwrap()
}

#[test]
fn webrtc_offer_reads_as_typed_jingle() {
    let j = read(OFFER, Creator::Initiator, Creator::Initiator);
    assert_eq!(j.contents.len(), 2);
    assert_eq!(j.groups.len(), 1);
    assert_eq!(j.groups[0].semantics, "BUNDLE");
    let names: Vec<_> = j.groups[0]
        .contents
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["a0", "v1"]);

    let (audio, video) = (&j.contents[0], &j.contents[1]);
    assert_eq!(
        (audio.creator, audio.name.as_str()),
        (Creator::Initiator, "a0")
    );
    assert_eq!(audio.senders, None, "sendrecv is the default");

    let t = transport(audio);
    assert_eq!(t.ufrag.as_deref(), Some("Fq4h"));
    assert_eq!(t.pwd.as_deref(), Some("Yl0v7sMmvQnX1rT2kq9B3g0c"));
    assert_eq!(t.candidates.len(), 2);
    let srflx = &t.candidates[0];
    assert_eq!(srflx.type_, CandidateType::Srflx);
    assert_eq!(
        (
            srflx.ip.as_str(),
            srflx.port,
            srflx.priority,
            srflx.component
        ),
        ("198.51.100.7", 61665, 1677729535, 1)
    );
    assert_eq!(srflx.rel_addr.as_deref(), Some("10.0.0.5"));
    assert_eq!(
        (srflx.rel_port, srflx.network, srflx.generation),
        (Some(61665), Some(1), 0)
    );
    assert_eq!(t.fingerprints.len(), 1);
    assert_eq!(t.fingerprints[0].hash, "sha-256");
    assert_eq!(t.fingerprints[0].setup, Setup::Actpass);

    let d = desc(audio);
    assert_eq!(d.media, "audio");
    assert!(d.rtcp_mux);
    assert!(
        d.extmap_allow_mixed,
        "the session-level line applies to every section"
    );
    let ids: Vec<u8> = d.payload_types.iter().map(|p| p.id).collect();
    assert_eq!(ids, [111, 63, 9, 0, 126]);
    let opus = &d.payload_types[0];
    assert_eq!(
        (opus.name.as_deref(), opus.clockrate, opus.channels),
        (Some("opus"), Some(48000), Some(2))
    );
    assert_eq!(opus.ptime, Some(20));
    let params: Vec<_> = opus
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(params, [("minptime", "10"), ("useinbandfec", "1")]);
    assert_eq!(opus.rtcp_fbs[0].type_, "transport-cc");
    assert_eq!(
        d.payload_types[4].parameters[0].name, "0-15",
        "a bare fmtp token is a name"
    );
    assert_eq!(d.hdrexts.len(), 3);
    assert_eq!(
        d.hdrexts[0].uri,
        "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    );
    assert_eq!(d.sources.len(), 1);
    assert_eq!(d.sources[0].ssrc, 3735928559);
    assert_eq!(
        d.sources[0].parameters[1].value.as_deref(),
        Some("stream-a track-a")
    );

    let v = desc(video);
    assert_eq!(
        v.bandwidth
            .as_ref()
            .map(|b| (b.type_.as_str(), b.value.as_str())),
        Some(("AS", "2000"))
    );
    assert_eq!(
        v.hdrexts[1].senders,
        Some(Senders::Initiator),
        "sendonly in the initiator's offer"
    );
    let vp8 = &v.payload_types[0];
    let fbs: Vec<_> = vp8
        .rtcp_fbs
        .iter()
        .map(|f| (f.type_.as_str(), f.subtype.as_deref()))
        .collect();
    assert_eq!(
        fbs,
        [
            ("goog-remb", None),
            ("transport-cc", None),
            ("ccm", Some("fir")),
            ("nack", None),
            ("nack", Some("pli"))
        ]
    );
    assert_eq!(v.payload_types[2].rtcp_fb_trr_ints[0].value, 100);
    assert_eq!(v.rtcp_fbs[0].subtype.as_deref(), Some("tmmbr"));
    assert_eq!(v.rtcp_fbs[0].parameters[0].name, "smaxpr");
    assert_eq!(v.rtcp_fbs[0].parameters[0].value.as_deref(), Some("120"));
    assert_eq!(v.ssrc_groups[0].semantics, Semantics::Fid);
    let group: Vec<u32> = v.ssrc_groups[0].sources.iter().map(|s| s.ssrc).collect();
    assert_eq!(group, [1111, 2222]);

    // What Jingle cannot carry is listed, not dropped.
    let unmapped: Vec<String> = j.unmapped.iter().map(|u| u.what.clone()).collect();
    for expected in [
        "a=msid-semantic: WMS stream-a",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-options:trickle",
        "a=msid:stream-a track-a",
        "a=rtcp-rsize",
    ] {
        assert!(
            unmapped.contains(&expected.to_string()),
            "{expected} not listed in {unmapped:?}"
        );
    }
    assert!(
        unmapped.iter().any(|u| u.contains("network-cost 10")),
        "candidate extension listed: {unmapped:?}"
    );
}

#[test]
fn webrtc_offer_survives_jingle_and_back() {
    let j = read(OFFER, Creator::Initiator, Creator::Initiator);
    // Through the wire form too: the contents as a session-initiate.
    let mut init = Jingle::new(Action::SessionInitiate, "sid1");
    init.contents = j.contents.clone();
    init.payloads = j.groups.iter().cloned().map(Payload::new).collect();
    let wire = init.to_xml();
    let registry = xep_element::Registry::new().with(xep_jingle::ELEMENTS);
    let reread = Jingle::from_xml_with(wire.as_bytes(), &registry).unwrap();
    let back = to_sdp(
        &reread.contents,
        &groups(&reread).unwrap(),
        Creator::Initiator,
    )
    .unwrap();
    assert!(back.unmapped.is_empty(), "{:?}", back.unmapped);
    let text = back.sdp.marshal();

    let mut want = media_attrs(OFFER, KEPT);
    let mut got = media_attrs(&text, KEPT);
    // Candidates are written with the extensions Jingle carries.
    for m in &mut want {
        for l in m.iter_mut() {
            if let Some(i) = l.find(" network-cost") {
                l.truncate(i);
            }
        }
    }
    for m in want.iter_mut().chain(got.iter_mut()) {
        m.sort();
    }
    assert_eq!(got, want);

    // Session level: the group, and extmap-allow-mixed moved onto each
    // section (it applies to all of them, RFC 8285 §6).
    assert!(lines(&text).contains(&"a=group:BUNDLE a0 v1".to_string()));
    assert_eq!(
        media_attrs(&text, &["extmap-allow-mixed"]),
        vec![vec!["a=extmap-allow-mixed".to_string()]; 2]
    );
    // The m= lines keep media, formats and the DTLS profile; b= is kept.
    let m_lines: Vec<String> = lines(&text)
        .into_iter()
        .filter(|l| l.starts_with("m="))
        .collect();
    assert_eq!(
        m_lines,
        [
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 126",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102"
        ]
    );
    assert!(lines(&text).contains(&"b=AS:2000".to_string()));

    // And the SDP reads back as the same Jingle.
    let again = read(&text, Creator::Initiator, Creator::Initiator);
    assert_eq!(again.contents, j.contents);
    assert_eq!(again.groups, j.groups);
}

/// Jingle written by hand, with everything the mapping carries, goes to
/// SDP and comes back equal.
#[test]
fn jingle_survives_sdp_and_back() {
    let xml = "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='s'>\
      <content creator='initiator' name='voice' senders='initiator'>\
        <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>\
          <payload-type id='96' name='speex' clockrate='16000' ptime='40'>\
            <parameter name='vbr' value='on'/><parameter name='cng' value='on'/>\
            <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack' subtype='rpsi'/>\
            <rtcp-fb-trr-int xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' value='100'/>\
          </payload-type>\
          <payload-type id='0' name='PCMU' clockrate='8000' ptime='40'/>\
          <payload-type id='13' ptime='40'/>\
          <encryption><crypto crypto-suite='AES_CM_128_HMAC_SHA1_80' \
            key-params='inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32' \
            session-params='KDR=1 UNENCRYPTED_SRTCP' tag='1'/></encryption>\
          <bandwidth type='TIAS'>128000</bandwidth>\
          <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack'/>\
          <rtcp-fb-trr-int xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' value='0'/>\
          <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='2' uri='urn:example:gps' senders='responder'>\
            <parameter name='mode' value='fine'/><parameter name='flag'/></rtp-hdrext>\
          <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='42'><parameter name='cname' value='x'/>\
            <parameter name='label'/></source>\
          <ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='X-custom'><source ssrc='42'/></ssrc-group>\
        </description>\
        <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='Ux7q' pwd='Rf3kP9sLq2Zt8WmNc4Hy1B'>\
          <remote-candidate component='1' ip='192.0.2.1' port='3478'/>\
          <fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-1' setup='active'>AA:BB</fingerprint>\
        </transport>\
      </content>\
      <group xmlns='urn:xmpp:jingle:apps:grouping:0' semantics='LS'><content name='voice'/></group>\
    </jingle>";
    let registry = xep_element::Registry::new().with(xep_jingle::ELEMENTS);
    let j = Jingle::from_xml_with(xml.as_bytes(), &registry).unwrap();
    // Written by the responder: senders='initiator' is its recvonly.
    let sdp = to_sdp(&j.contents, &groups(&j).unwrap(), Creator::Responder).unwrap();
    assert!(sdp.unmapped.is_empty(), "{:?}", sdp.unmapped);
    let text = sdp.sdp.marshal();
    assert_has_lines(
        &text,
        &[
            "a=recvonly",
            "a=extmap:2/sendonly urn:example:gps mode=fine flag",
            "a=fmtp:96 vbr=on;cng=on",
            "a=rtcp-fb:96 nack rpsi",
            "a=rtcp-fb:96 trr-int 100",
            "a=rtcp-fb:* nack",
            "a=rtcp-fb:* trr-int 0",
            "a=ptime:40",
            "a=remote-candidates:1 192.0.2.1 3478",
            "a=setup:active",
            "a=ssrc:42 label",
            "a=ssrc-group:X-custom 42",
            "b=TIAS:128000",
            "a=group:LS voice",
        ],
    );
    let m = lines(&text)
        .into_iter()
        .find(|l| l.starts_with("m="))
        .unwrap();
    assert_eq!(
        m, "m=audio 9 UDP/TLS/RTP/SAVPF 96 0 13",
        "a fingerprint makes it DTLS-SRTP"
    );
    let back = read(&text, Creator::Responder, Creator::Initiator);
    assert!(back.unmapped.is_empty(), "{:?}", back.unmapped);
    assert_eq!(back.contents, j.contents);
    assert_eq!(back.groups, groups(&j).unwrap());
}

#[test]
fn directions_are_relative_to_the_author() {
    let cases = [
        (Senders::Both, Creator::Initiator, "sendrecv"),
        (Senders::None, Creator::Responder, "inactive"),
        (Senders::Initiator, Creator::Initiator, "sendonly"),
        (Senders::Initiator, Creator::Responder, "recvonly"),
        (Senders::Responder, Creator::Initiator, "recvonly"),
        (Senders::Responder, Creator::Responder, "sendonly"),
    ];
    for (senders, author, dir) in cases {
        let mut d = Description::new("audio");
        d.payload_types.push(PayloadType::new(111, "opus", 48000));
        let c = Content::new(Creator::Initiator, "m")
            .with(Payload::new(d))
            .with_senders(senders);
        let text = to_sdp(&[c], &[], author).unwrap().sdp.marshal();
        assert!(
            lines(&text).contains(&format!("a={dir}")),
            "{senders:?} by {author:?}: {text}"
        );
        let back = from_sdp(&parse(&text).unwrap(), author, Creator::Initiator).unwrap();
        assert_eq!(back.contents[0].senders(), senders);
    }
}

#[test]
fn what_cannot_be_written_is_listed() {
    let mut d = Description::new("audio");
    d.payload_types.push(PayloadType::new(0, "PCMU", 8000));
    d.ssrc = Some(7);
    let mut c = Content::new(Creator::Initiator, "a").with(Payload::new(d));
    c.disposition = Some("early-session".into());
    let out = to_sdp(&[c], &[], Creator::Initiator).unwrap();
    let what: Vec<_> = out.unmapped.iter().map(|u| u.what.as_str()).collect();
    assert_eq!(
        what,
        ["disposition 'early-session'", "description ssrc '7'"]
    );
    assert!(out.unmapped.iter().all(|u| u.media.as_deref() == Some("a")));
}

#[test]
fn bad_input_is_an_error_naming_the_line() {
    let head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\na=mid:x\r\n";
    let cases = [
        (
            "a=candidate:1 1 udp 0 10.0.0.1 1 typ host\r\n",
            "priority is positive",
        ),
        (
            "a=candidate:1 1 udp 5 10.0.0.1 1 typ bogus\r\n",
            "candidate type 'bogus'",
        ),
        ("a=candidate:1 1 udp 5 10.0.0.1\r\n", "a=candidate is"),
        ("a=fingerprint:sha-256 AA\r\n", "without a=setup"),
        (
            "a=setup:sideways\r\na=fingerprint:sha-256 AA\r\n",
            "setup 'sideways'",
        ),
        ("a=rtpmap:0 PCMU/fast\r\n", "the clock rate 'fast'"),
        ("a=extmap:1/upward urn:x\r\n", "'upward' is not"),
        ("a=ssrc:12\r\n", "a=ssrc is"),
        (
            "a=remote-candidates:1 10.0.0.1\r\n",
            "a=remote-candidates is",
        ),
    ];
    for (line, reason) in cases {
        let err = from_sdp(
            &parse(&format!("{head}{line}")).unwrap(),
            Creator::Initiator,
            Creator::Initiator,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(reason), "{line:?}: {msg}");
        assert!(msg.starts_with("media section x:"), "{msg}");
    }
    assert!(matches!(parse("hello"), Err(SdpError::Syntax(_))));

    // Contents SDP cannot describe.
    let ft = Content::new(Creator::Initiator, "f").with(Payload::new(
        xep_jingle::file_transfer::Description::default(),
    ));
    let err = to_sdp(&[ft], &[], Creator::Initiator).unwrap_err();
    assert!(err.to_string().contains("only RTP contents"), "{err}");
    let mut video = Description::new("video");
    video.payload_types.push(PayloadType::new(96, "VP8", 90000));
    let s5b = Content::new(Creator::Initiator, "r")
        .with(Payload::new(video))
        .with(Payload::Raw(
            "<transport xmlns='urn:xmpp:jingle:transports:s5b:1' sid='x'/>"
                .parse()
                .unwrap(),
        ));
    let err = to_sdp(&[s5b], &[], Creator::Initiator).unwrap_err();
    assert!(err.to_string().contains("s5b"), "{err}");
    let empty = Content::new(Creator::Initiator, "e").with(Payload::new(Description::new("audio")));
    let err = to_sdp(&[empty], &[], Creator::Initiator).unwrap_err();
    assert!(err.to_string().contains("at least one format"), "{err}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use xep_jingle::dtls::Fingerprint;
    use xep_jingle::hdrext::{HdrextParameter, RtpHdrext};
    use xep_jingle::ice_udp::Candidate;
    use xep_jingle::rtcp_fb::{FbParameter, RtcpFb};
    use xep_jingle::rtp::Parameter;
    use xep_jingle::ssma::{Source, SourceParameter};

    fn token() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9-]{0,7}"
    }

    fn fb() -> impl Strategy<Value = RtcpFb> {
        // A bare first token is the subtype, so parameters ride along
        // only after one.
        (
            token(),
            proptest::option::of((token(), proptest::collection::vec((token(), token()), 0..2))),
        )
            .prop_map(|(type_, sub)| match sub {
                None => RtcpFb {
                    type_,
                    subtype: None,
                    parameters: vec![],
                },
                Some((s, ps)) => RtcpFb {
                    type_,
                    subtype: Some(s),
                    parameters: ps
                        .into_iter()
                        .map(|(name, v)| FbParameter {
                            name,
                            value: Some(v),
                        })
                        .collect(),
                },
            })
            .prop_filter("trr-int is its own element", |f| f.type_ != "trr-int")
    }

    fn payload_type(id: u8) -> impl Strategy<Value = PayloadType> {
        (
            token(),
            1u32..200_000,
            proptest::option::of(1u8..9),
            proptest::collection::vec((token(), "[A-Za-z0-9/.-]{1,8}"), 0..4),
            proptest::collection::vec(fb(), 0..3),
        )
            .prop_map(
                move |(name, clockrate, channels, params, fbs)| PayloadType {
                    id,
                    name: Some(name),
                    clockrate: Some(clockrate),
                    channels,
                    parameters: params
                        .into_iter()
                        .map(|(name, value)| Parameter { name, value })
                        .collect(),
                    rtcp_fbs: fbs,
                    ..PayloadType::default()
                },
            )
    }

    fn content() -> impl Strategy<Value = (Content, Creator)> {
        let pts = proptest::sample::subsequence((0u8..128).collect::<Vec<_>>(), 1..5)
            .prop_flat_map(|ids| ids.into_iter().map(payload_type).collect::<Vec<_>>());
        let cand = (
            // RFC 8839 foundation: 1 to 32 ice-chars.
            "[A-Za-z0-9+/]{1,8}",
            1u8..3,
            1u32..,
            "10\\.0\\.[0-9]\\.[0-9]",
            1u16..,
            0u8..3,
            proptest::option::of(0u8..4),
        );
        (
            (
                prop_oneof![Just("audio"), Just("video")],
                pts,
                proptest::option::of(1u32..1000),
                any::<bool>(),
                any::<bool>(),
                proptest::collection::vec(
                    (
                        1u16..15,
                        token(),
                        proptest::option::of(token()),
                        proptest::option::of(prop_oneof![
                            Just(Senders::Both),
                            Just(Senders::None),
                            Just(Senders::Initiator),
                            Just(Senders::Responder)
                        ]),
                    ),
                    0..3,
                ),
                proptest::collection::vec(
                    (any::<u32>(), token(), proptest::option::of(token())),
                    0..3,
                ),
            ),
            (
                proptest::collection::vec(cand, 0..3),
                // RFC 8839 ice-ufrag and ice-pwd.
                proptest::option::of(("[A-Za-z0-9+/]{4,8}", "[A-Za-z0-9+/]{22,26}")),
                prop_oneof![
                    Just(Senders::Both),
                    Just(Senders::None),
                    Just(Senders::Initiator),
                    Just(Senders::Responder)
                ],
                prop_oneof![Just(Creator::Initiator), Just(Creator::Responder)],
                any::<bool>(),
                proptest::option::of((10u16.., proptest::option::of(10u16..))),
            ),
        )
            .prop_map(
                |(
                    (media, mut pts, ptime, mux, mixed, exts, srcs),
                    (cands, ice, senders, author, dtls, raw),
                )| {
                    for p in &mut pts {
                        p.ptime = ptime;
                    }
                    let mut d = Description::new(media);
                    d.payload_types = pts;
                    d.rtcp_mux = mux;
                    d.extmap_allow_mixed = mixed;
                    d.hdrexts = exts
                        .into_iter()
                        .map(|(id, uri, p, senders)| RtpHdrext {
                            id,
                            uri: format!("urn:x:{uri}"),
                            senders,
                            parameters: p
                                .into_iter()
                                .map(|name| HdrextParameter { name, value: None })
                                .collect(),
                        })
                        .collect();
                    let mut seen = std::collections::HashSet::new();
                    d.sources = srcs
                        .into_iter()
                        .filter(|(s, _, _)| seen.insert(*s))
                        .map(|(ssrc, name, value)| Source {
                            ssrc,
                            parameters: vec![SourceParameter { name, value }],
                        })
                        .collect();
                    let mut t = Transport::default();
                    if let Some((u, p)) = ice {
                        t.ufrag = Some(u);
                        t.pwd = Some(p);
                    }
                    t.candidates = cands
                        .into_iter()
                        .enumerate()
                        .map(
                            |(
                                i,
                                (foundation, component, priority, ip, port, generation, network),
                            )| Candidate {
                                component,
                                foundation,
                                generation,
                                id: format!("c-{i}"),
                                ip,
                                network,
                                port,
                                priority,
                                protocol: "udp".into(),
                                rel_addr: None,
                                rel_port: None,
                                type_: CandidateType::Host,
                            },
                        )
                        .collect();
                    if dtls {
                        t.fingerprints.push(Fingerprint {
                            hash: "sha-256".into(),
                            setup: Setup::Actpass,
                            value: "AB:CD".into(),
                        });
                    }
                    // Raw UDP instead of ICE when there is no ICE at all.
                    let transport = match raw {
                        Some((port, rtcp)) if t == Transport::default() => {
                            let cand = |component: u8, port: u16| xep_jingle::raw_udp::Candidate {
                                component,
                                generation: 0,
                                id: format!("c-{component}"),
                                ip: "192.0.2.5".into(),
                                port,
                                type_: None,
                            };
                            let mut candidates = vec![cand(1, port)];
                            candidates.extend(rtcp.map(|p| cand(2, p)));
                            Payload::new(xep_jingle::raw_udp::Transport { candidates })
                        }
                        _ => Payload::new(t),
                    };
                    let mut c = Content::new(Creator::Initiator, "c")
                        .with(Payload::new(d))
                        .with(transport);
                    if senders != Senders::Both {
                        c.senders = Some(senders);
                    }
                    (c, author)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Everything SDP can express comes back from Jingle → SDP →
        /// Jingle (candidate ids are rebuilt as `<name>-<index>`).
        #[test]
        fn jingle_sdp_jingle_is_identity((c, author) in content()) {
            let out = to_sdp(std::slice::from_ref(&c), &[], author).unwrap();
            prop_assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
            let text = out.sdp.marshal();
            let back = from_sdp(&parse(&text).unwrap(), author, Creator::Initiator).unwrap();
            prop_assert!(back.unmapped.is_empty(), "{:?}", back.unmapped);
            prop_assert_eq!(&back.contents, &vec![c], "{}", text);
        }

        /// Any line of the offer changed or dropped: an error or a
        /// conversion whose SDP reads back the same, never a panic.
        #[test]
        fn mangled_offers_fail_cleanly_or_reach_a_fixpoint(
            drop in 0usize..80, line in 0usize..80, junk in "[ -~]{0,30}",
        ) {
            let mut ls: Vec<String> = lines(OFFER);
            let n = ls.len();
            ls[line % n] = format!("{}{}", &ls[line % n][..2.min(ls[line % n].len())], junk);
            ls.remove(drop % n);
            let text = ls.join("\r\n") + "\r\n";
            if let Ok(sdp) = parse(&text) {
                if let Ok(j) = from_sdp(&sdp, Creator::Initiator, Creator::Initiator) {
                    if let Ok(out) = to_sdp(&j.contents, &j.groups, Creator::Initiator) {
                        let again = read(&out.sdp.marshal(), Creator::Initiator, Creator::Initiator);
                        prop_assert_eq!(again.contents, j.contents);
                    }
                }
            }
        }
    }
}

/// An answer shaped like Firefox's: the fingerprint at session level,
/// a receive-only video section, `UDP` in capitals, end-of-candidates.
#[test]
fn firefox_answer_reads_and_survives() {
    const ANSWER: &str = include_str!("../../../fixtures/xep-jingle/sdp/firefox-answer.sdp");
    let j = read(ANSWER, Creator::Responder, Creator::Initiator);
    let (audio, video) = (&j.contents[0], &j.contents[1]);
    assert_eq!(
        (audio.name.as_str(), audio.creator),
        ("0", Creator::Initiator)
    );
    assert_eq!(
        video.senders(),
        Senders::Initiator,
        "the responder's recvonly"
    );
    for c in &j.contents {
        let t = transport(c);
        assert_eq!(
            t.fingerprints.len(),
            1,
            "the session-level fingerprint applies to {}",
            c.name
        );
        assert_eq!(t.fingerprints[0].setup, Setup::Active);
        assert!(t.fingerprints[0].value.starts_with("1F:9A"));
    }
    let t = transport(audio);
    assert_eq!(t.candidates[0].protocol, "UDP", "kept as written");
    assert_eq!(
        desc(audio).hdrexts[1].senders,
        Some(Senders::Initiator),
        "recvonly by the responder"
    );
    assert_eq!(
        desc(audio).payload_types[1].channels,
        Some(1),
        "an explicit /1 is kept"
    );
    let unmapped: Vec<_> = j.unmapped.iter().map(|u| u.what.as_str()).collect();
    assert!(unmapped.contains(&"a=end-of-candidates"), "{unmapped:?}");
    assert!(unmapped.contains(&"a=ice-options:trickle"), "{unmapped:?}");

    let back = to_sdp(&j.contents, &j.groups, Creator::Responder).unwrap();
    assert!(back.unmapped.is_empty(), "{:?}", back.unmapped);
    let text = back.sdp.marshal();
    let kept: Vec<&str> = KEPT
        .iter()
        .copied()
        .filter(|k| *k != "fingerprint")
        .collect();
    let sorted = |mut v: Vec<Vec<String>>| {
        v.iter_mut().for_each(|m| m.sort());
        v
    };
    // Candidates gain the generation Jingle always carries.
    let mut want = sorted(media_attrs(ANSWER, &kept));
    for l in want.iter_mut().flatten() {
        if l.starts_with("a=candidate") {
            l.push_str(" generation 0");
        }
    }
    assert_eq!(sorted(media_attrs(&text, &kept)), sorted(want));
    // The fingerprint is written in each section.
    assert_eq!(
        media_attrs(&text, &["fingerprint"])
            .iter()
            .map(Vec::len)
            .collect::<Vec<_>>(),
        [1, 1]
    );
    let again = read(&text, Creator::Responder, Creator::Initiator);
    assert_eq!(again.contents, j.contents);
}

/// Found by the `jingle-sdp` fuzz target: an explicit `/sendrecv` on an
/// extmap was read as `senders='both'` and written back without it.
#[test]
fn explicit_extmap_sendrecv_is_kept() {
    let text = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 RTP/AVP 96\r\n\
        a=mid:v\r\na=extmap:13/sendrecv urn:3gpp:video-orientation\r\na=rtpmap:96 VP8/90000\r\n";
    let j = read(text, Creator::Initiator, Creator::Initiator);
    assert_eq!(desc(&j.contents[0]).hdrexts[0].senders, Some(Senders::Both));
    let out = to_sdp(&j.contents, &j.groups, Creator::Initiator)
        .unwrap()
        .sdp
        .marshal();
    assert!(
        out.contains("a=extmap:13/sendrecv urn:3gpp:video-orientation\r\n"),
        "{out}"
    );
}

/// A rejected section (port 0) is listed; a plain RTP section with a
/// real address and no ICE is a XEP-0177 raw UDP transport, with a=rtcp
/// as its RTCP candidate.
#[test]
fn plain_rtp_sections_are_raw_udp_and_port_0_is_listed() {
    use xep_jingle::raw_udp;
    let text = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n\
        m=audio 0 RTP/AVP 0\r\na=mid:a\r\n\
        m=video 49170 RTP/AVP 96\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\na=rtcp:49175\r\n\
        m=audio 5004 RTP/AVP 0\r\nc=IN IP6 2001:db8::7\r\na=mid:s\r\na=rtcp:5005 IN IP6 2001:db8::8\r\n";
    let j = read(text, Creator::Initiator, Creator::Initiator);
    let what: Vec<_> = j
        .unmapped
        .iter()
        .map(|u| (u.media.as_deref(), u.what.as_str()))
        .collect();
    assert_eq!(
        what,
        [(
            Some("a"),
            "m=audio 0 RTP/AVP 0 (port 0: the section is rejected or bundle-only)"
        )]
    );
    let raw = |c: &Content| -> Vec<(u8, String, u16)> {
        let t: raw_udp::Transport = c.transport().unwrap().get().unwrap().unwrap();
        t.candidates
            .into_iter()
            .map(|c| (c.component, c.ip, c.port))
            .collect()
    };
    assert_eq!(
        raw(&j.contents[1]),
        [
            (1, "192.0.2.10".to_string(), 49170),
            (2, "192.0.2.10".to_string(), 49175)
        ],
        "the session-level c= applies"
    );
    assert_eq!(
        raw(&j.contents[2]),
        [
            (1, "2001:db8::7".to_string(), 5004),
            (2, "2001:db8::8".to_string(), 5005)
        ]
    );
    // And back: the same ports and addresses.
    let out = to_sdp(&j.contents[1..], &[], Creator::Initiator).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    let back = out.sdp.marshal();
    assert_has_lines(
        &back,
        &[
            "m=video 49170 RTP/AVP 96",
            "c=IN IP4 192.0.2.10",
            "a=rtcp:49175 IN IP4 192.0.2.10",
            "m=audio 5004 RTP/AVP 0",
            "c=IN IP6 2001:db8::7",
            "a=rtcp:5005 IN IP6 2001:db8::8",
        ],
    );
    let again = read(&back, Creator::Initiator, Creator::Initiator);
    assert_eq!(again.contents, j.contents[1..]);
    // A port with no address anywhere is an error.
    let bad =
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\na=mid:x\r\n";
    let err = from_sdp(&parse(bad).unwrap(), Creator::Initiator, Creator::Initiator).unwrap_err();
    assert!(err.to_string().contains("no c= address"), "{err}");
}

/// What the raw UDP transport says that SDP cannot: a second candidate
/// per component, a candidate type, a generation.
#[test]
fn raw_udp_candidates_sdp_cannot_carry_are_listed() {
    use xep_jingle::raw_udp;
    let cand = |component, id: &str, port| raw_udp::Candidate {
        component,
        generation: 0,
        id: id.into(),
        ip: "192.0.2.1".into(),
        port,
        type_: None,
    };
    let mut typed = cand(1, "x", 4000);
    typed.type_ = Some(CandidateType::Host);
    typed.generation = 1;
    let t = raw_udp::Transport {
        candidates: vec![typed, cand(1, "y", 4002)],
    };
    let mut d = Description::new("audio");
    d.payload_types.push(PayloadType::new(0, "PCMU", 8000));
    let c = Content::new(Creator::Initiator, "a")
        .with(Payload::new(d))
        .with(Payload::new(t));
    let out = to_sdp(&[c], &[], Creator::Initiator).unwrap();
    let what: Vec<_> = out.unmapped.iter().map(|u| u.what.as_str()).collect();
    assert_eq!(
        what,
        [
            "raw-udp candidate x type 'host'",
            "raw-udp candidate x generation 1",
            "raw-udp candidate y (component 1, 192.0.2.1:4002): SDP has one address per component",
        ]
    );
    assert!(out.sdp.marshal().contains("m=audio 4000 RTP/AVP 0\r\n"));
}

/// The whole bridge: Romeo's browser offer becomes a session-initiate
/// (with the BUNDLE group), crosses the wire to Juliet's endpoint, and
/// comes out as SDP for her browser; her answer goes back the same way.
#[test]
fn an_offer_and_answer_through_two_endpoints() {
    use std::time::Instant;
    use xep_core::Iq;
    use xep_jingle::{Endpoint, Event, State};

    let registry = xep_element::Registry::new()
        .with(xep_core::ELEMENTS)
        .with(xep_jingle::ELEMENTS);
    let wire = |iq: Iq| Iq::from_xml_with(iq.to_xml().as_bytes(), &registry).unwrap();
    let (romeo_jid, juliet_jid): (xep_element::jid::Jid, xep_element::jid::Jid) = (
        "romeo@montague.example/phone".parse().unwrap(),
        "juliet@capulet.example/laptop".parse().unwrap(),
    );
    let mut romeo = Endpoint::new(romeo_jid.clone());
    let mut juliet = Endpoint::new(juliet_jid.clone());
    let now = Instant::now();
    let as_payloads =
        |g: &[xep_jingle::grouping::Group]| g.iter().cloned().map(Payload::new).collect();

    let offer = read(OFFER, Creator::Initiator, Creator::Initiator);
    romeo
        .initiate_with(
            now,
            juliet_jid.clone(),
            "call",
            offer.contents.clone(),
            as_payloads(&offer.groups),
        )
        .unwrap();
    assert!(juliet.handle_iq(now, &wire(romeo.poll_transmit().unwrap())));
    let Some(Event::Incoming { jingle, .. }) = juliet.poll_event() else {
        panic!("no incoming call")
    };
    let for_juliet = to_sdp(
        &jingle.contents,
        &groups(&jingle).unwrap(),
        Creator::Initiator,
    )
    .unwrap()
    .sdp
    .marshal();
    let seen = read(&for_juliet, Creator::Initiator, Creator::Initiator);
    assert_eq!(seen.contents, offer.contents);
    assert_eq!(seen.groups, offer.groups);
    assert!(romeo.handle_iq(now, &wire(juliet.poll_transmit().unwrap())));

    // Juliet's browser answers: her own credentials, the active DTLS role.
    let answer_sdp = OFFER
        .replace("a=setup:actpass", "a=setup:active")
        .replace("a=ice-ufrag:Fq4h", "a=ice-ufrag:Jx2w");
    let answer = read(&answer_sdp, Creator::Responder, Creator::Initiator);
    juliet
        .accept_with(
            now,
            &romeo_jid,
            "call",
            answer.contents.clone(),
            as_payloads(&answer.groups),
        )
        .unwrap();
    assert!(romeo.handle_iq(now, &wire(juliet.poll_transmit().unwrap())));
    let accept = std::iter::from_fn(|| romeo.poll_event())
        .find_map(|e| match e {
            Event::Received { jingle, .. } if jingle.action == Action::SessionAccept => {
                Some(jingle)
            }
            _ => None,
        })
        .expect("the session-accept reaches Romeo");
    let for_romeo = to_sdp(
        &accept.contents,
        &groups(&accept).unwrap(),
        Creator::Responder,
    )
    .unwrap()
    .sdp
    .marshal();
    assert!(for_romeo.contains("a=setup:active\r\n"), "{for_romeo}");
    assert!(for_romeo.contains("a=ice-ufrag:Jx2w\r\n"), "{for_romeo}");
    assert!(
        for_romeo.contains("a=group:BUNDLE a0 v1\r\n"),
        "{for_romeo}"
    );
    assert!(juliet.handle_iq(now, &wire(romeo.poll_transmit().unwrap())));
    assert_eq!(
        romeo.session(&juliet_jid, "call").unwrap().state(),
        State::Active
    );
    assert_eq!(
        juliet.session(&romeo_jid, "call").unwrap().state(),
        State::Active
    );
}

/// A SIP-style offer (fixtures/xep-jingle/sdp/sip-offer.sdp: no ICE, a
/// session-level address, IPv6 video, a=rtcp) maps to raw UDP and back.
#[test]
fn sip_offer_maps_to_raw_udp_and_back() {
    const SIP: &str = include_str!("../../../fixtures/xep-jingle/sdp/sip-offer.sdp");
    let j = read(SIP, Creator::Initiator, Creator::Initiator);
    assert!(j.unmapped.is_empty(), "{:?}", j.unmapped);
    let names: Vec<_> = j.contents.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["0", "1"], "no a=mid: the section's index");
    assert_eq!(
        j.contents[1].senders(),
        Senders::Responder,
        "recvonly in the offer"
    );
    let out = to_sdp(&j.contents, &j.groups, Creator::Initiator).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    let text = out.sdp.marshal();
    let keys = ["rtpmap", "fmtp", "ptime", "rtcp-fb", "sendrecv", "recvonly"];
    let sorted = |mut v: Vec<Vec<String>>| {
        v.iter_mut().for_each(|m| m.sort());
        v
    };
    assert_eq!(
        sorted(media_attrs(&text, &keys)),
        sorted(media_attrs(SIP, &keys))
    );
    assert_has_lines(
        &text,
        &[
            "m=audio 49170 RTP/AVP 0 8 97 101",
            "c=IN IP4 198.51.100.20",
            "a=rtcp:49171 IN IP4 198.51.100.20",
            "m=video 51372 RTP/AVPF 99",
            "c=IN IP6 2001:db8::20",
            "b=AS:512",
        ],
    );
    let again = read(&text, Creator::Initiator, Creator::Initiator);
    assert_eq!(again.contents, j.contents);
}

/// Found by the `jingle-sdp` fuzz target: a parameter with an empty
/// value (`smaxpr=`) was written back as a bare name.
#[test]
fn parameters_with_empty_values_are_kept() {
    let text = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 RTP/AVPF 96\r\n\
        a=mid:v\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:* ccm tmmbr smaxpr=\r\n\
        a=extmap:3 urn:x mode= flag\r\n";
    let j = read(text, Creator::Initiator, Creator::Initiator);
    let d = desc(&j.contents[0]);
    assert_eq!(d.rtcp_fbs[0].parameters[0].value.as_deref(), Some(""));
    assert_eq!(d.hdrexts[0].parameters[0].value.as_deref(), Some(""));
    assert_eq!(d.hdrexts[0].parameters[1].value, None);
    let out = to_sdp(&j.contents, &j.groups, Creator::Initiator)
        .unwrap()
        .sdp
        .marshal();
    assert!(out.contains("a=rtcp-fb:* ccm tmmbr smaxpr=\r\n"), "{out}");
    assert!(out.contains("a=extmap:3 urn:x mode= flag\r\n"), "{out}");
}

/// One content with every value that crosses into SDP, each spelled
/// once so that a test can replace it with a hostile one.
const EVERY_VALUE: &str = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'>\
  <content creator='initiator' name='audio'>\
    <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>\
      <payload-type id='111' name='opus' clockrate='48000' channels='2'>\
        <parameter name='useinbandfec' value='1'/>\
        <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack' subtype='pli'/>\
      </payload-type>\
      <encryption><crypto crypto-suite='AES_CM_128_HMAC_SHA1_80' \
        key-params='inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32' \
        session-params='KDR=1' tag='1'/></encryption>\
      <bandwidth type='AS'>64</bandwidth>\
      <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='ccm' subtype='tmmbr'>\
        <parameter name='smaxpr' value='120'/></rtcp-fb>\
      <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1' uri='urn:ietf:params:rtp-hdrext:ssrc-audio-level'>\
        <parameter name='vad' value='on'/></rtp-hdrext>\
      <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='42'>\
        <parameter name='cname' value='k8Hq'/></source>\
      <ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='X-mine'><source ssrc='42'/></ssrc-group>\
    </description>\
    <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='Fq4h' pwd='Yl0v7sMmvQnX1rT2kq9B3g0c'>\
      <candidate component='1' foundation='f1' generation='0' id='c1' ip='198.51.100.7' \
        port='61665' priority='1677729535' protocol='udp' type='srflx' rel-addr='10.0.0.5' rel-port='61665'/>\
      <fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>02:1A:CC</fingerprint>\
    </transport>\
  </content>\
  <group xmlns='urn:xmpp:jingle:apps:grouping:0' semantics='BUNDLE'><content name='audio'/></group>\
</jingle>";

/// The same with a raw UDP transport (XEP-0177): its address is the
/// `c=` line, the RTCP one `a=rtcp`.
const RAW_UDP: &str = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'>\
  <content creator='initiator' name='audio'>\
    <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>\
      <payload-type id='0' name='PCMU' clockrate='8000'/>\
    </description>\
    <transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>\
      <candidate component='1' generation='0' id='r1' ip='198.51.100.20' port='49170'/>\
      <candidate component='2' generation='0' id='r2' ip='198.51.100.21' port='49171'/>\
    </transport>\
  </content>\
</jingle>";

/// An ICE transport with a remote candidate (which excludes candidates).
const REMOTE: &str = "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='s'>\
  <content creator='initiator' name='audio'>\
    <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>\
      <payload-type id='0' name='PCMU' clockrate='8000'/>\
    </description>\
    <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='Fq4h' pwd='Yl0v7sMmvQnX1rT2kq9B3g0c'>\
      <remote-candidate component='1' ip='192.0.2.1' port='3478'/>\
    </transport>\
  </content>\
</jingle>";

/// What a peer's `<jingle/>` must not be able to do: end an SDP line.
const INJECTED: &str = "&#13;&#10;m=video 9 RTP/AVP 0";

/// Converts `xml` with `from` replaced by `to` (which must occur).
fn convert_with(xml: &str, from: &str, to: &str) -> Result<xep_jingle::sdp::ToSdp, SdpError> {
    assert!(xml.contains(from), "{from} is not in the template");
    let xml = xml.replacen(from, to, 1);
    let registry = xep_element::Registry::new().with(xep_jingle::ELEMENTS);
    let j =
        Jingle::from_xml_with(xml.as_bytes(), &registry).unwrap_or_else(|e| panic!("{to}: {e}"));
    to_sdp(&j.contents, &groups(&j).unwrap(), Creator::Initiator)
}

fn m_lines(sdp: &str) -> usize {
    sdp.split("\r\n").filter(|l| l.starts_with("m=")).count()
}

/// Every value taken from Jingle into SDP: with a CR LF inside, the
/// conversion is refused with the element path, and nothing is written.
/// Before the values were checked, each of these was written verbatim
/// and read back as two media sections.
#[test]
fn values_that_would_end_an_sdp_line_are_refused_naming_the_element() {
    let d = "content 'audio'/description";
    let t = "content 'audio'/transport";
    let cases: &[(&str, &str, String)] = &[
        (
            EVERY_VALUE,
            "name='opus'",
            format!("{d}/payload-type[id=111]/@name"),
        ),
        (
            EVERY_VALUE,
            "name='useinbandfec'",
            format!("{d}/payload-type[id=111]/parameter[1]/@name"),
        ),
        (
            EVERY_VALUE,
            "value='1'/>",
            format!("{d}/payload-type[id=111]/parameter[1]/@value"),
        ),
        (
            EVERY_VALUE,
            "type='nack'",
            format!("{d}/payload-type[id=111]/rtcp-fb[1]/@type"),
        ),
        (
            EVERY_VALUE,
            "subtype='pli'",
            format!("{d}/payload-type[id=111]/rtcp-fb[1]/@subtype"),
        ),
        (
            EVERY_VALUE,
            "crypto-suite='AES_CM_128_HMAC_SHA1_80'",
            format!("{d}/encryption/crypto[1]/@crypto-suite"),
        ),
        (
            EVERY_VALUE,
            "1:32'",
            format!("{d}/encryption/crypto[1]/@key-params"),
        ),
        (
            EVERY_VALUE,
            "session-params='KDR=1'",
            format!("{d}/encryption/crypto[1]/@session-params"),
        ),
        (
            EVERY_VALUE,
            "tag='1'",
            format!("{d}/encryption/crypto[1]/@tag"),
        ),
        (EVERY_VALUE, "type='AS'", format!("{d}/bandwidth/@type")),
        (EVERY_VALUE, "type='ccm'", format!("{d}/rtcp-fb[1]/@type")),
        (
            EVERY_VALUE,
            "subtype='tmmbr'",
            format!("{d}/rtcp-fb[1]/@subtype"),
        ),
        (
            EVERY_VALUE,
            "name='smaxpr'",
            format!("{d}/rtcp-fb[1]/parameter[1]/@name"),
        ),
        (
            EVERY_VALUE,
            "value='120'",
            format!("{d}/rtcp-fb[1]/parameter[1]/@value"),
        ),
        (
            EVERY_VALUE,
            "ssrc-audio-level'",
            format!("{d}/rtp-hdrext[1]/@uri"),
        ),
        (
            EVERY_VALUE,
            "name='vad'",
            format!("{d}/rtp-hdrext[1]/parameter[1]/@name"),
        ),
        (
            EVERY_VALUE,
            "value='on'",
            format!("{d}/rtp-hdrext[1]/parameter[1]/@value"),
        ),
        (
            EVERY_VALUE,
            "name='cname'",
            format!("{d}/source[ssrc=42]/parameter[1]/@name"),
        ),
        (
            EVERY_VALUE,
            "value='k8Hq'",
            format!("{d}/source[ssrc=42]/parameter[1]/@value"),
        ),
        (
            EVERY_VALUE,
            "semantics='X-mine'",
            format!("{d}/ssrc-group[1]/@semantics"),
        ),
        (EVERY_VALUE, "media='audio'", format!("{d}/@media")),
        (EVERY_VALUE, "ufrag='Fq4h'", format!("{t}/@ufrag")),
        (
            EVERY_VALUE,
            "pwd='Yl0v7sMmvQnX1rT2kq9B3g0c'",
            format!("{t}/@pwd"),
        ),
        (
            EVERY_VALUE,
            "foundation='f1'",
            format!("{t}/candidate[1]/@foundation"),
        ),
        (
            EVERY_VALUE,
            "ip='198.51.100.7'",
            format!("{t}/candidate[1]/@ip"),
        ),
        (
            EVERY_VALUE,
            "protocol='udp'",
            format!("{t}/candidate[1]/@protocol"),
        ),
        (
            EVERY_VALUE,
            "rel-addr='10.0.0.5'",
            format!("{t}/candidate[1]/@rel-addr"),
        ),
        (
            REMOTE,
            "ip='192.0.2.1'",
            format!("{t}/remote-candidate/@ip"),
        ),
        (
            EVERY_VALUE,
            "hash='sha-256'",
            format!("{t}/fingerprint[1]/@hash"),
        ),
        (EVERY_VALUE, "02:1A:CC<", format!("{t}/fingerprint[1]")),
        (
            EVERY_VALUE,
            "semantics='BUNDLE'",
            "group[1]/@semantics".into(),
        ),
        (
            EVERY_VALUE,
            "<content name='audio'/>",
            "group[1]/content[1]/@name".into(),
        ),
        (
            EVERY_VALUE,
            "creator='initiator' name='audio'",
            format!(
                "content '{}'/@name",
                "audio\r\nm=video 9 RTP/AVP 0".escape_debug()
            ),
        ),
        (
            RAW_UDP,
            "ip='198.51.100.20'",
            format!("{t}/candidate[1]/@ip"),
        ),
        (
            RAW_UDP,
            "ip='198.51.100.21'",
            format!("{t}/candidate[2]/@ip"),
        ),
    ];
    // Unchanged, each template converts.
    for xml in [EVERY_VALUE, RAW_UDP, REMOTE] {
        let out = convert_with(xml, "", "").unwrap().sdp.marshal();
        assert_eq!(m_lines(&out), 1, "{out}");
    }
    for (xml, from, path) in cases {
        // The hostile text goes at the end of the value.
        let (head, tail) = from.split_at(from.rfind(['\'', '<']).unwrap());
        let to = format!("{head}{INJECTED}{tail}");
        match convert_with(xml, from, &to) {
            Err(SdpError::Value { path: p, value, .. }) => {
                assert_eq!(&p, path, "{to}");
                assert!(value.contains("\r\nm=video"), "{to}: {value:?}");
            }
            Err(e) => panic!("{to}: not a value error: {e}"),
            Ok(out) => {
                let text = out.sdp.marshal();
                panic!(
                    "{to}: written, {} m= lines for one content:\n{text}",
                    m_lines(&text)
                )
            }
        }
    }
}

/// The issue's example: a payload type named `opus`, CR LF, and an `m=`
/// line turned one content into two media sections. Refused, with the
/// element path and the value escaped in the message.
#[test]
fn a_payload_type_name_cannot_add_a_media_section() {
    let err = convert_with(
        EVERY_VALUE,
        "name='opus'",
        &format!("name='opus{INJECTED}'"),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "content 'audio'/description/payload-type[id=111]/@name: \"opus\\r\\nm=video 9 RTP/AVP 0\" is not"
        ),
        "{msg}"
    );
    assert!(!msg.contains(['\r', '\n']), "{msg:?}");
}

/// Values without a line break that still break their field's grammar:
/// a `;` that would split a format parameter in two, a `:` that would
/// move an SSRC attribute's name, a space in a token, an ICE ufrag
/// too short for RFC 8839, a fingerprint that is not hex.
#[test]
fn values_outside_their_grammar_are_refused() {
    let d = "content 'audio'/description";
    let t = "content 'audio'/transport";
    let cases: &[(&str, &str, String, &str)] = &[
        (
            EVERY_VALUE,
            "name='opus'",
            "name='op us'".into(),
            "payload-type[id=111]/@name",
        ),
        (
            EVERY_VALUE,
            "name='useinbandfec'",
            "name=''".into(),
            "parameter[1]/@name",
        ),
        (
            EVERY_VALUE,
            "name='useinbandfec'",
            "name='a;b'".into(),
            "parameter[1]/@name",
        ),
        (
            EVERY_VALUE,
            "name='useinbandfec'",
            "name='a=b'".into(),
            "parameter[1]/@name",
        ),
        (
            EVERY_VALUE,
            "value='1'/>",
            "value='1;x=2'/>".into(),
            "parameter[1]/@value",
        ),
        (
            EVERY_VALUE,
            "value='1'/>",
            "value='1 '/>".into(),
            "parameter[1]/@value",
        ),
        (
            EVERY_VALUE,
            "name='cname'",
            "name='cname:x'".into(),
            "source[ssrc=42]/parameter[1]/@name",
        ),
        (
            EVERY_VALUE,
            "value='k8Hq'",
            "value=''".into(),
            "source[ssrc=42]/parameter[1]/@value",
        ),
        (
            EVERY_VALUE,
            "value='on'",
            "value='o n'".into(),
            "rtp-hdrext[1]/parameter[1]/@value",
        ),
        (
            EVERY_VALUE,
            "name='vad'",
            "name=''".into(),
            "rtp-hdrext[1]/parameter[1]/@name",
        ),
        (
            EVERY_VALUE,
            "ssrc-audio-level'",
            "ssrc audio level'".into(),
            "rtp-hdrext[1]/@uri",
        ),
        (
            EVERY_VALUE,
            "subtype='tmmbr'",
            "subtype='a=b'".into(),
            "rtcp-fb[1]/@subtype",
        ),
        (EVERY_VALUE, "tag='1'", "tag='one'".into(), "crypto[1]/@tag"),
        (
            EVERY_VALUE,
            "session-params='KDR=1'",
            "session-params='KDR=1  X'".into(),
            "crypto[1]/@session-params",
        ),
        (
            EVERY_VALUE,
            "type='AS'",
            "type='A:S'".into(),
            "bandwidth/@type",
        ),
        (
            EVERY_VALUE,
            "ufrag='Fq4h'",
            "ufrag='u'".into(),
            "transport/@ufrag",
        ),
        (
            EVERY_VALUE,
            "ufrag='Fq4h'",
            "ufrag='Fq4h-'".into(),
            "transport/@ufrag",
        ),
        (
            EVERY_VALUE,
            "pwd='Yl0v7sMmvQnX1rT2kq9B3g0c'",
            "pwd='p'".into(),
            "transport/@pwd",
        ),
        (
            EVERY_VALUE,
            "foundation='f1'",
            "foundation='f-1'".into(),
            "candidate[1]/@foundation",
        ),
        (
            EVERY_VALUE,
            "ip='198.51.100.7'",
            "ip='198.51.100.7 1'".into(),
            "candidate[1]/@ip",
        ),
        (
            EVERY_VALUE,
            "02:1A:CC<",
            "02:1A:C<".into(),
            "fingerprint[1]",
        ),
        (
            EVERY_VALUE,
            "02:1A:CC<",
            "02 1A CC<".into(),
            "fingerprint[1]",
        ),
        (
            EVERY_VALUE,
            "<content name='audio'/>",
            "<content name='a b'/>".into(),
            "group[1]/content[1]/@name",
        ),
        (
            EVERY_VALUE,
            "creator='initiator' name='audio'",
            "creator='initiator' name='a b'".into(),
            "content 'a b'/@name",
        ),
    ];
    for (xml, from, to, path) in cases {
        match convert_with(xml, from, to) {
            Err(SdpError::Value { path: p, .. }) => {
                assert!(p.ends_with(path), "{to}: {p}");
                assert!(
                    p.starts_with(d) || p.starts_with(t) || !p.starts_with("content 'audio'"),
                    "{to}: {p}"
                );
            }
            other => panic!("{to}: {other:?}"),
        }
    }
    // A priority of 0 (the schema refuses it; a caller's struct may hold
    // it) would be written, then refused by from_sdp (RFC 8445).
    let registry = xep_element::Registry::new().with(xep_jingle::ELEMENTS);
    let j = Jingle::from_xml_with(EVERY_VALUE.as_bytes(), &registry).unwrap();
    let mut c = j.contents[0].clone();
    let mut tr = transport(&c);
    tr.candidates[0].priority = 0;
    c.payloads.retain(|p| p.get::<Transport>().is_none());
    c = c.with(Payload::new(tr));
    match to_sdp(&[c], &[], Creator::Initiator) {
        Err(SdpError::Value { path, .. }) => {
            assert_eq!(path, format!("{t}/candidate[1]/@priority"))
        }
        other => panic!("{other:?}"),
    }
}

/// SDP that `from_sdp` used to accept but `to_sdp` could not write back
/// as it was read: refused on reading, by the same grammar.
#[test]
fn sdp_values_that_cannot_be_written_back_are_refused() {
    let head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 125\r\nc=IN IP4 0.0.0.0\r\na=mid:x\r\na=rtpmap:125 opus/48000/2\r\n";
    let cases = [
        // Found by the fuzz target: written back as `a=fmtp:125 `.
        ("a=fmtp:125 =\r\n", "fmtp parameter name"),
        // Found by the fuzz target: the CR was written raw, then lost.
        ("a=fmtp:125 useinband\rfec=1\r\n", "fmtp parameter name"),
        ("a=fmtp:125 x= 1\r\n", "fmtp parameter value"),
        ("a=rtpmap:0 PC MU/8000\r\n", "encoding name"),
        ("a=ice-ufrag:abc\r\n", "ufrag"),
        ("a=ssrc:1 :x\r\n", "SSRC attribute"),
        ("a=ssrc:1 cname:\r\n", "SSRC attribute value"),
        (
            "a=candidate:f-1 1 udp 5 10.0.0.1 1 typ host\r\n",
            "foundation",
        ),
        ("a=candidate:1 1 udp 5 10.0.0.1:1 1 typ host\r\n", "address"),
        (
            "a=setup:active\r\na=fingerprint:sha-256 XY:Z\r\n",
            "fingerprint",
        ),
        ("a=extmap:1 urn:x =v\r\n", "extmap parameter name"),
        ("a=rtcp-fb:* nack p:li\r\n", "rtcp-fb subtype"),
        (
            "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:AAAA\r\n",
            "crypto tag",
        ),
        ("a=ssrc-group:F:D 1\r\n", "ssrc-group semantics"),
    ];
    for (line, reason) in cases {
        let err = from_sdp(
            &parse(&format!("{head}{line}")).unwrap(),
            Creator::Initiator,
            Creator::Initiator,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(reason), "{line:?}: {msg}");
        assert!(msg.starts_with("media section x:"), "{msg}");
    }
    let session = [
        ("a=group:BUNDLE x:y\r\n", "group content name"),
        ("a=group:BUN:DLE x\r\n", "group semantics"),
    ];
    for (line, reason) in session {
        let text = format!(
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n{line}m=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n"
        );
        let err = from_sdp(
            &parse(&text).unwrap(),
            Creator::Initiator,
            Creator::Initiator,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(reason), "{line:?}: {msg}");
        assert!(msg.starts_with("session:"), "{msg}");
    }
    let mid = format!("{}a=mid:a b\r\n", head.replace("a=mid:x\r\n", ""));
    let err = from_sdp(
        &parse(&mid).unwrap(),
        Creator::Initiator,
        Creator::Initiator,
    )
    .unwrap_err();
    assert!(err.to_string().contains("a=mid"), "{err}");
}

/// Every file in fixtures/xep-jingle/sdp/ through the `jingle-sdp` fuzz
/// target's property, so that the inputs it once failed on (the
/// `fuzz-*.sdp` files, kept byte for byte) are replayed by `cargo test`.
#[cfg(feature = "sim")]
#[test]
fn the_fixtures_hold_the_fuzz_property() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/xep-jingle/sdp");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("fuzz-fmtp-empty-name.sdp")),
        "{files:?}"
    );
    for f in files {
        let data = std::fs::read(&f).unwrap();
        if std::panic::catch_unwind(|| xep_jingle::sdp::fuzz(&data)).is_err() {
            panic!("{} breaks the fuzz property", f.display());
        }
    }
}
