//! Jingle contents → SDP: one media section per content, each attribute
//! checked against its field's grammar before it is written.

use ::sdp::description::common::{
    Address, Attribute, Bandwidth as SdpBandwidth, ConnectionInformation,
};
use ::sdp::description::media::{MediaDescription, MediaName, RangedPort};
use ::sdp::description::session::{Origin, SessionDescription, TimeDescription, Timing};
use xep_element::{Payload, XmlValue};

use crate::grouping::Group;
use crate::ice_udp::{Candidate, Transport};
use crate::jingle::{Content, Creator};
use crate::raw_udp;
use crate::rtcp_fb::RtcpFb;
use crate::rtp::{Description, Encryption, PayloadType};

use super::grammar::{Field, direction, ip_version, param, valid};
use super::{SdpError, ToSdp, Unmapped};

fn attr(key: &str, value: impl Into<String>) -> Attribute {
    Attribute {
        key: key.to_string(),
        value: Some(value.into()),
    }
}

fn flag(key: &str) -> Attribute {
    Attribute {
        key: key.to_string(),
        value: None,
    }
}

fn typed<T: xep_element::XmlElement + Clone + 'static>(
    p: Option<&Payload>,
    content: &str,
) -> Result<Option<T>, SdpError> {
    match p.and_then(|p| p.get::<T>()) {
        None => Ok(None),
        Some(Ok(v)) => Ok(Some(v)),
        Some(Err(e)) => Err(SdpError::Content {
            content: content.to_string(),
            reason: e.to_string(),
        }),
    }
}

/// Writes `contents` (each with an XEP-0167 RTP description and an
/// XEP-0176 ICE-UDP transport, or none) and `groups` as an SDP offer or
/// answer written by `author`.
pub fn to_sdp(contents: &[Content], groups: &[Group], author: Creator) -> Result<ToSdp, SdpError> {
    let mut unmapped = Vec::new();
    let mut session = SessionDescription {
        version: 0,
        origin: Origin {
            username: "-".into(),
            session_id: 0,
            session_version: 2,
            network_type: "IN".into(),
            address_type: "IP4".into(),
            unicast_address: "127.0.0.1".into(),
        },
        session_name: "-".into(),
        session_information: None,
        uri: None,
        email_address: None,
        phone_number: None,
        connection_information: None,
        bandwidth: vec![],
        time_descriptions: vec![TimeDescription {
            timing: Timing {
                start_time: 0,
                stop_time: 0,
            },
            repeat_times: vec![],
        }],
        time_zones: vec![],
        encryption_key: None,
        attributes: vec![],
        media_descriptions: vec![],
    };
    for (i, g) in groups.iter().enumerate() {
        let i = i + 1;
        valid(Field::Token, &g.semantics, || {
            format!("group[{i}]/@semantics")
        })?;
        let mut v = g.semantics.clone();
        for (j, c) in g.contents.iter().enumerate() {
            let j = j + 1;
            valid(Field::Token, &c.name, || {
                format!("group[{i}]/content[{j}]/@name")
            })?;
            v.push(' ');
            v.push_str(&c.name);
        }
        session.attributes.push(attr("group", v));
    }
    for c in contents {
        session
            .media_descriptions
            .push(media_to_sdp(c, author, &mut unmapped)?);
    }
    Ok(ToSdp {
        sdp: session,
        unmapped,
    })
}

/// One media section being written: the content's name (for error paths
/// and notes), the `a=` lines so far and what cannot be carried.
struct MediaWriter<'a> {
    name: &'a str,
    author: Creator,
    a: Vec<Attribute>,
    unmapped: &'a mut Vec<Unmapped>,
}

fn media_to_sdp(
    c: &Content,
    author: Creator,
    unmapped: &mut Vec<Unmapped>,
) -> Result<MediaDescription, SdpError> {
    let name = c.name.as_str();
    // The content's element path, for the values checked below; the
    // name is checked first, so that the errors after it can quote it.
    let mut w = MediaWriter {
        name,
        author,
        a: Vec::new(),
        unmapped,
    };
    valid(Field::Token, name, || w.at("@name"))?;
    let desc: Description = typed(c.description(), name)?.ok_or_else(|| {
        w.content("no XEP-0167 RTP <description/>: only RTP contents map to SDP here".into())
    })?;
    let raw: Option<raw_udp::Transport> = typed(c.transport(), name)?;
    let transport: Transport = match (c.transport(), &raw) {
        (None, _) | (Some(_), Some(_)) => Transport::default(),
        (Some(p), None) => typed(Some(p), name)?.ok_or_else(|| {
            w.content(format!(
                "transport {} has no SDP mapping (XEP-0176 ICE-UDP and XEP-0177 raw UDP have)",
                crate::jingle::payload_ns(p)
            ))
        })?,
    };
    valid(Field::Token, &desc.media, || w.at("description/@media"))?;
    if desc.payload_types.is_empty() {
        return Err(w.content(
            "no payload types: an m= line needs at least one format (RFC 4566 §5.14)".into(),
        ));
    }
    if let Some(d) = &c.disposition {
        w.note(format!("disposition '{d}'"));
    }
    if let Some(s) = desc.ssrc {
        w.note(format!("description ssrc '{s}'"));
    }
    for e in desc.extensions.iter().chain(&transport.extensions) {
        let el = e.to_element();
        w.note(format!("extension <{} xmlns='{}'/>", el.name(), el.ns()));
    }

    w.candidates(&transport)?;
    w.ice_credentials(&transport)?;
    w.fingerprints(&transport)?;
    w.a.push(attr("mid", name));
    w.extmaps(&desc)?;
    if desc.extmap_allow_mixed {
        w.a.push(flag("extmap-allow-mixed"));
    }
    w.a.push(flag(direction(c.senders(), author)));
    if desc.rtcp_mux {
        w.a.push(flag("rtcp-mux"));
    }
    w.rtcp_fbs(&desc)?;
    w.payload_types(&desc)?;
    if let Some(enc) = &desc.encryption {
        w.encryption(enc)?;
    }
    w.ssrc_groups(&desc)?;
    w.sources(&desc)?;
    let bandwidth = w.bandwidth(&desc)?;
    let (port, address) = match &raw {
        Some(raw) => w.raw_udp(raw)?,
        // ICE: JSEP's placeholders.
        None => (9, "0.0.0.0".to_string()),
    };
    Ok(MediaDescription {
        media_name: MediaName {
            media: desc.media.clone(),
            port: RangedPort {
                value: port,
                range: None,
            },
            protos: proto(&desc, &transport)
                .split('/')
                .map(str::to_string)
                .collect(),
            formats: desc
                .payload_types
                .iter()
                .map(|p| p.id.to_string())
                .collect(),
        },
        media_title: None,
        connection_information: Some(ConnectionInformation {
            network_type: "IN".into(),
            address_type: ip_version(&address).into(),
            address: Some(Address {
                address,
                ttl: None,
                range: None,
            }),
        }),
        bandwidth,
        encryption_key: None,
        attributes: w.a,
    })
}

/// The m= line's protocol: DTLS-SRTP with a fingerprint, SDES-SRTP
/// with `<encryption/>`, AVPF with feedback.
fn proto(desc: &Description, transport: &Transport) -> &'static str {
    let feedback = !desc.rtcp_fbs.is_empty()
        || !desc.rtcp_fb_trr_ints.is_empty()
        || desc
            .payload_types
            .iter()
            .any(|p| !p.rtcp_fbs.is_empty() || !p.rtcp_fb_trr_ints.is_empty());
    match (
        !transport.fingerprints.is_empty(),
        desc.encryption.is_some(),
        feedback,
    ) {
        (true, _, _) => "UDP/TLS/RTP/SAVPF",
        (false, true, true) => "RTP/SAVPF",
        (false, true, false) => "RTP/SAVP",
        (false, false, true) => "RTP/AVPF",
        (false, false, false) => "RTP/AVP",
    }
}

impl MediaWriter<'_> {
    /// The path of a value of this content, for errors.
    fn at(&self, rest: &str) -> String {
        format!("content '{}'/{rest}", self.name.escape_debug())
    }

    /// An error about the whole content.
    fn content(&self, reason: String) -> SdpError {
        SdpError::Content {
            content: self.name.to_string(),
            reason,
        }
    }

    fn note(&mut self, what: String) {
        self.unmapped.push(Unmapped {
            media: Some(self.name.to_string()),
            what,
        })
    }

    /// `a=candidate` (RFC 8839 §5.1) and `a=remote-candidates` (§5.2).
    fn candidates(&mut self, transport: &Transport) -> Result<(), SdpError> {
        for (i, cand) in transport.candidates.iter().enumerate() {
            let p = |attr: &str| self.at(&format!("transport/candidate[{}]/@{attr}", i + 1));
            valid(Field::FOUNDATION, &cand.foundation, || p("foundation"))?;
            valid(Field::Token, &cand.protocol, || p("protocol"))?;
            valid(Field::Address, &cand.ip, || p("ip"))?;
            if let Some(r) = &cand.rel_addr {
                valid(Field::Address, r, || p("rel-addr"))?;
            }
            if cand.priority == 0 {
                // Not the grammar (1*10DIGIT) but RFC 8445, which from_sdp
                // holds the line to: it would not read back.
                return Err(SdpError::Value {
                    path: p("priority"),
                    value: "0".into(),
                    reason: "is not a positive priority (RFC 8445)".into(),
                });
            }
            self.a.push(attr("candidate", candidate_line(cand)));
        }
        if let Some(r) = &transport.remote_candidate {
            valid(Field::Address, &r.ip, || {
                self.at("transport/remote-candidate/@ip")
            })?;
            self.a.push(attr(
                "remote-candidates",
                format!("{} {} {}", r.component, r.ip, r.port),
            ));
        }
        Ok(())
    }

    /// `a=ice-ufrag` and `a=ice-pwd` (RFC 8839 §5.4).
    fn ice_credentials(&mut self, transport: &Transport) -> Result<(), SdpError> {
        if let Some(u) = &transport.ufrag {
            valid(Field::UFRAG, u, || self.at("transport/@ufrag"))?;
            self.a.push(attr("ice-ufrag", u.as_str()));
        }
        if let Some(p) = &transport.pwd {
            valid(Field::PWD, p, || self.at("transport/@pwd"))?;
            self.a.push(attr("ice-pwd", p.as_str()));
        }
        Ok(())
    }

    /// `a=fingerprint` (RFC 8122) and the one `a=setup` (RFC 4145).
    fn fingerprints(&mut self, transport: &Transport) -> Result<(), SdpError> {
        for (i, f) in transport.fingerprints.iter().enumerate() {
            let p = || self.at(&format!("transport/fingerprint[{}]", i + 1));
            valid(Field::Token, &f.hash, || p() + "/@hash")?;
            valid(Field::Fingerprint, &f.value, p)?;
            self.a
                .push(attr("fingerprint", format!("{} {}", f.hash, f.value)));
        }
        if let Some(f) = transport.fingerprints.first() {
            if transport.fingerprints.iter().any(|g| g.setup != f.setup) {
                return Err(self.content(
                    "fingerprints with different setup roles: SDP has one a=setup".into(),
                ));
            }
            self.a.push(attr("setup", f.setup.to_xml()));
        }
        Ok(())
    }

    /// `a=extmap` (RFC 8285, XEP-0294).
    fn extmaps(&mut self, desc: &Description) -> Result<(), SdpError> {
        for (i, h) in desc.hdrexts.iter().enumerate() {
            let p = |rest: &str| self.at(&format!("description/rtp-hdrext[{}]{rest}", i + 1));
            valid(Field::Visible, &h.uri, || p("/@uri"))?;
            let mut v = h.id.to_string();
            if let Some(s) = h.senders {
                v.push('/');
                v.push_str(direction(s, self.author));
            }
            v.push(' ');
            v.push_str(&h.uri);
            for (j, hp) in h.parameters.iter().enumerate() {
                let pp = |attr: &str| p(&format!("/parameter[{}]/@{attr}", j + 1));
                valid(Field::ParamName, &hp.name, || pp("name"))?;
                if let Some(value) = &hp.value {
                    valid(Field::ParamValue, value, || pp("value"))?;
                }
                v.push(' ');
                v.push_str(&param(&hp.name, hp.value.as_deref()));
            }
            self.a.push(attr("extmap", v));
        }
        Ok(())
    }

    /// `a=rtcp-fb:*` (RFC 4585 §4.2, XEP-0293): the feedback of every
    /// payload type.
    fn rtcp_fbs(&mut self, desc: &Description) -> Result<(), SdpError> {
        for (i, fb) in desc.rtcp_fbs.iter().enumerate() {
            let v = fb_value(fb, |rest| {
                self.at(&format!("description/rtcp-fb[{}]{rest}", i + 1))
            })?;
            self.a.push(attr("rtcp-fb", format!("* {v}")));
        }
        for t in &desc.rtcp_fb_trr_ints {
            self.a
                .push(attr("rtcp-fb", format!("* trr-int {}", t.value)));
        }
        Ok(())
    }

    /// Per payload type `a=rtpmap`, `a=rtcp-fb` and `a=fmtp`; then the
    /// section's `a=ptime` and `a=maxptime`, SDP having one of each.
    fn payload_types(&mut self, desc: &Description) -> Result<(), SdpError> {
        let mut ptime: Option<u32> = None;
        let mut maxptime: Option<u32> = None;
        for pt in &desc.payload_types {
            self.payload_type(pt)?;
            for (slot, value, key) in [
                (&mut ptime, pt.ptime, "ptime"),
                (&mut maxptime, pt.maxptime, "maxptime"),
            ] {
                match (slot.as_ref(), value) {
                    (None, Some(v)) => *slot = Some(v),
                    (Some(first), Some(v)) if *first != v => self.note(format!(
                        "payload type {} {key} {v} (a={key}:{first} written)",
                        pt.id
                    )),
                    _ => {}
                }
            }
        }
        for (key, value, get) in [
            (
                "ptime",
                ptime,
                (|p: &PayloadType| p.ptime) as fn(&PayloadType) -> Option<u32>,
            ),
            ("maxptime", maxptime, |p: &PayloadType| p.maxptime),
        ] {
            if let Some(v) = value {
                for pt in desc.payload_types.iter().filter(|p| get(p).is_none()) {
                    self.note(format!(
                        "payload type {} has no {key} (a={key}:{v} applies to it)",
                        pt.id
                    ));
                }
            }
        }
        if let Some(p) = ptime {
            self.a.push(attr("ptime", p.to_string()));
        }
        if let Some(p) = maxptime {
            self.a.push(attr("maxptime", p.to_string()));
        }
        Ok(())
    }

    /// One payload type's `a=rtpmap`, `a=rtcp-fb` and `a=fmtp`.
    fn payload_type(&mut self, pt: &PayloadType) -> Result<(), SdpError> {
        let ptp = |rest: &str| self.at(&format!("description/payload-type[id={}]{rest}", pt.id));
        let mut a = Vec::new();
        if let Some(n) = &pt.name {
            valid(Field::Token, n, || ptp("/@name"))?;
            let mut v = format!("{} {}/{}", pt.id, n, pt.clockrate.unwrap_or(0));
            if pt.clockrate.is_none() {
                return Err(self.content(format!(
                    "payload type {} has a name but no clockrate (a=rtpmap needs both)",
                    pt.id
                )));
            }
            if let Some(ch) = pt.channels {
                v.push_str(&format!("/{ch}"));
            }
            a.push(attr("rtpmap", v));
        }
        for (i, fb) in pt.rtcp_fbs.iter().enumerate() {
            let v = fb_value(fb, |rest| ptp(&format!("/rtcp-fb[{}]{rest}", i + 1)))?;
            a.push(attr("rtcp-fb", format!("{} {v}", pt.id)));
        }
        for t in &pt.rtcp_fb_trr_ints {
            a.push(attr("rtcp-fb", format!("{} trr-int {}", pt.id, t.value)));
        }
        for (j, p) in pt.parameters.iter().enumerate() {
            let pp = |attr: &str| ptp(&format!("/parameter[{}]/@{attr}", j + 1));
            valid(Field::FmtpName, &p.name, || pp("name"))?;
            valid(Field::FmtpValue, &p.value, || pp("value"))?;
        }
        if !pt.parameters.is_empty() {
            let ps: Vec<String> = pt
                .parameters
                .iter()
                // A bare fmtp token (`0-15`) is a name with an empty value.
                .map(|p| param(&p.name, Some(p.value.as_str()).filter(|v| !v.is_empty())))
                .collect();
            a.push(attr("fmtp", format!("{} {}", pt.id, ps.join(";"))));
        }
        self.a.extend(a);
        Ok(())
    }

    /// `a=crypto` (RFC 4568 §9.1, XEP-0167 SRTP).
    fn encryption(&mut self, enc: &Encryption) -> Result<(), SdpError> {
        if enc.required.is_some() {
            self.note("encryption 'required' attribute".into());
        }
        for e in &enc.extensions {
            let el = e.to_element();
            self.note(format!(
                "encryption extension <{} xmlns='{}'/>",
                el.name(),
                el.ns()
            ));
        }
        for (i, cr) in enc.cryptos.iter().enumerate() {
            let p =
                |attr: &str| self.at(&format!("description/encryption/crypto[{}]/@{attr}", i + 1));
            valid(Field::Tag, &cr.tag, || p("tag"))?;
            valid(Field::Suite, &cr.crypto_suite, || p("crypto-suite"))?;
            valid(Field::Visible, &cr.key_params, || p("key-params"))?;
            if let Some(sp) = &cr.session_params {
                valid(Field::SessionParams, sp, || p("session-params"))?;
            }
            let mut v = format!("{} {} {}", cr.tag, cr.crypto_suite, cr.key_params);
            if let Some(s) = &cr.session_params {
                v.push(' ');
                v.push_str(s);
            }
            self.a.push(attr("crypto", v));
        }
        Ok(())
    }

    /// `a=ssrc-group` (RFC 5576 §4.2, XEP-0339).
    fn ssrc_groups(&mut self, desc: &Description) -> Result<(), SdpError> {
        for (i, g) in desc.ssrc_groups.iter().enumerate() {
            let mut v = g.semantics.to_xml().into_owned();
            valid(Field::Token, &v, || {
                self.at(&format!("description/ssrc-group[{}]/@semantics", i + 1))
            })?;
            for s in &g.sources {
                v.push_str(&format!(" {}", s.ssrc));
            }
            self.a.push(attr("ssrc-group", v));
        }
        Ok(())
    }

    /// `a=ssrc` (RFC 5576 §4.1, XEP-0339): one line per parameter.
    fn sources(&mut self, desc: &Description) -> Result<(), SdpError> {
        for s in &desc.sources {
            if s.parameters.is_empty() {
                self.note(format!(
                    "source {} without parameters (a=ssrc needs an attribute)",
                    s.ssrc
                ));
            }
            for (j, p) in s.parameters.iter().enumerate() {
                let pp = |attr: &str| {
                    self.at(&format!(
                        "description/source[ssrc={}]/parameter[{}]/@{attr}",
                        s.ssrc,
                        j + 1
                    ))
                };
                // RFC 5576: `att-field` is a token (it cannot hold the `:`),
                // `att-value` a byte-string.
                valid(Field::Token, &p.name, || pp("name"))?;
                if let Some(v) = &p.value {
                    valid(Field::LineEnd, v, || pp("value"))?;
                }
                let v = match &p.value {
                    Some(v) => format!("{} {}:{}", s.ssrc, p.name, v),
                    None => format!("{} {}", s.ssrc, p.name),
                };
                self.a.push(attr("ssrc", v));
            }
        }
        Ok(())
    }

    /// `b=` (RFC 8866 §5.8) from the description's `<bandwidth/>`.
    fn bandwidth(&self, desc: &Description) -> Result<Vec<SdpBandwidth>, SdpError> {
        let Some(b) = &desc.bandwidth else {
            return Ok(vec![]);
        };
        let value = b.value.trim().parse::<u64>().map_err(|_| {
            self.content(format!(
                "bandwidth '{}' is not a number (SDP b= needs one)",
                b.value
            ))
        })?;
        let (experimental, bandwidth_type) = match b.type_.strip_prefix("X-") {
            Some(t) => (true, t.to_string()),
            None => (false, b.type_.clone()),
        };
        // RFC 8866 `bwtype` is a token; `X-` is written by the sdp
        // crate in front of an experimental one.
        if let Err(reason) = Field::Token.check(&bandwidth_type) {
            return Err(SdpError::Value {
                path: self.at("description/bandwidth/@type"),
                value: b.type_.clone(),
                reason: reason.into(),
            });
        }
        Ok(vec![SdpBandwidth {
            experimental,
            bandwidth_type,
            bandwidth: value,
        }])
    }

    /// Raw UDP (XEP-0177): the RTP candidate is the m= port and c=
    /// address (returned), the RTCP one `a=rtcp` (RFC 3605).
    fn raw_udp(&mut self, raw: &raw_udp::Transport) -> Result<(isize, String), SdpError> {
        let (mut port, mut address) = (9, "0.0.0.0".to_string());
        if !raw.candidates.iter().any(|c| c.component == 1) {
            return Err(self.content("a raw-udp transport without an RTP (component 1) candidate has no m= port and c= address".into()));
        }
        for (n, cand) in raw.candidates.iter().enumerate() {
            let first = raw.candidates[..n]
                .iter()
                .all(|o| o.component != cand.component);
            if first && matches!(cand.component, 1 | 2) {
                // Written as the c= address or in a=rtcp.
                valid(Field::Address, &cand.ip, || {
                    self.at(&format!("transport/candidate[{}]/@ip", n + 1))
                })?;
            }
            match cand.component {
                1 if first => {
                    port = cand.port as isize; // u16 always fits
                    address = cand.ip.clone();
                    if cand.port == 9 {
                        self.note(format!(
                            "raw-udp candidate {}: port 9 is JSEP's placeholder, read back as no address",
                            cand.id
                        ));
                    }
                }
                2 if first => self.a.push(attr(
                    "rtcp",
                    format!("{} IN {} {}", cand.port, ip_version(&cand.ip), cand.ip),
                )),
                _ => self.note(format!(
                    "raw-udp candidate {} (component {}, {}:{}): SDP has one address per component",
                    cand.id, cand.component, cand.ip, cand.port
                )),
            }
            if let Some(t) = cand.type_ {
                self.note(format!(
                    "raw-udp candidate {} type '{}'",
                    cand.id,
                    t.to_xml()
                ));
            }
            if cand.generation != 0 {
                self.note(format!(
                    "raw-udp candidate {} generation {}",
                    cand.id, cand.generation
                ));
            }
        }
        Ok((port, address))
    }
}

/// The `a=rtcp-fb` value after the payload type, with its values checked
/// (`at` gives the element path of `fb` followed by its argument).
fn fb_value(fb: &RtcpFb, at: impl Fn(&str) -> String) -> Result<String, SdpError> {
    valid(Field::FbId, &fb.type_, || at("/@type"))?;
    if fb.type_ == "trr-int" {
        // It would read back as <rtcp-fb-trr-int/>.
        return Err(SdpError::Value {
            path: at("/@type"),
            value: fb.type_.clone(),
            reason: "is <rtcp-fb-trr-int/>'s, not <rtcp-fb/>'s (XEP-0293)".into(),
        });
    }
    let mut v = fb.type_.clone();
    if let Some(s) = &fb.subtype {
        valid(Field::Token, s, || at("/@subtype"))?;
        v.push(' ');
        v.push_str(s);
    }
    for (j, p) in fb.parameters.iter().enumerate() {
        let pp = |attr: &str| at(&format!("/parameter[{}]/@{attr}", j + 1));
        valid(Field::ParamName, &p.name, || pp("name"))?;
        match &p.value {
            Some(value) => valid(Field::ParamValue, value, || pp("value"))?,
            // The first bare word after the type is the subtype.
            None if fb.subtype.is_none() && j == 0 => {
                return Err(SdpError::Value {
                    path: pp("value"),
                    value: String::new(),
                    reason: "is missing: without a subtype, a bare first parameter reads back as the subtype".into(),
                });
            }
            None => {}
        }
        v.push(' ');
        v.push_str(&param(&p.name, p.value.as_deref()));
    }
    Ok(v)
}

fn candidate_line(c: &Candidate) -> String {
    let mut v = format!(
        "{} {} {} {} {} {} typ {}",
        c.foundation,
        c.component,
        c.protocol,
        c.priority,
        c.ip,
        c.port,
        c.type_.to_xml()
    );
    if let Some(a) = &c.rel_addr {
        v.push_str(&format!(" raddr {a}"));
    }
    if let Some(p) = c.rel_port {
        v.push_str(&format!(" rport {p}"));
    }
    v.push_str(&format!(" generation {}", c.generation));
    if let Some(n) = c.network {
        v.push_str(&format!(" network-id {n}"));
    }
    v
}
