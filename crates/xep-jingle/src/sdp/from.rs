//! SDP → Jingle contents: one content per audio or video media section,
//! each attribute read by its RFC grammar; what Jingle cannot carry is
//! listed as unmapped.

use std::collections::BTreeMap;

use ::sdp::description::common::{Attribute, ConnectionInformation};
use ::sdp::description::media::MediaDescription;
use ::sdp::description::session::SessionDescription;
use xep_element::{Payload, XmlValue};

use crate::dtls::{Fingerprint, Setup};
use crate::grouping::{Group, GroupContent};
use crate::hdrext::{HdrextParameter, RtpHdrext};
use crate::ice_udp::{Candidate, CandidateType, RemoteCandidate, Transport};
use crate::jingle::{Content, Creator, Senders};
use crate::raw_udp;
use crate::rtcp_fb::{FbParameter, RtcpFb, RtcpFbTrrInt};
use crate::rtp::{Bandwidth, Crypto, Description, Encryption, Parameter, PayloadType};
use crate::ssma::{Semantics, Source, SourceParameter, SsrcGroup};

use super::grammar::{Field, ip_version, read_param, read_valid, senders, split_param};
use super::{FromSdp, SdpError, Unmapped};

/// Reads the `audio` and `video` media sections of `sdp`, written by
/// `author`, as contents created by `creator` (the initiator for a
/// session-initiate, say), with the groups of the session.
pub fn from_sdp(
    sdp: &SessionDescription,
    author: Creator,
    creator: Creator,
) -> Result<FromSdp, SdpError> {
    let mut out = FromSdp {
        contents: vec![],
        groups: vec![],
        unmapped: vec![],
    };
    // Session-level defaults for every media section.
    let mut defaults = MediaState::default();
    for a in &sdp.attributes {
        let line = a.to_string();
        let err = |reason: String| SdpError::Attribute {
            media: None,
            line: format!("a={line}"),
            reason,
        };
        let value = a.value.as_deref().unwrap_or("");
        match a.key.as_str() {
            "group" => {
                let mut it = value.split_whitespace();
                let semantics = it
                    .next()
                    .ok_or_else(|| err("a group needs its semantics".into()))?;
                // RFC 5888: the semantics and identification-tags are tokens.
                read_valid(Field::Token, semantics, "the group semantics").map_err(err)?;
                let mut contents = Vec::new();
                for n in it {
                    read_valid(Field::Token, n, "a group content name").map_err(err)?;
                    contents.push(GroupContent {
                        name: n.to_string(),
                    });
                }
                out.groups.push(Group {
                    semantics: semantics.to_string(),
                    contents,
                });
            }
            "ice-ufrag" | "ice-pwd" | "fingerprint" | "setup" | "extmap-allow-mixed" => {
                defaults.transport_attr(a).map_err(err)?;
            }
            _ => out.unmapped.push(Unmapped {
                media: None,
                what: format!("a={line}"),
            }),
        }
    }
    for (index, m) in sdp.media_descriptions.iter().enumerate() {
        let mid = m
            .attribute("mid")
            .flatten()
            .map(str::to_string)
            .unwrap_or_else(|| index.to_string());
        let media = &m.media_name.media;
        if media != "audio" && media != "video" {
            out.unmapped.push(Unmapped {
                media: Some(mid),
                what: format!("m={} (not an RTP audio or video section)", m.media_name),
            });
            continue;
        }
        // The content name: RFC 5888 `identification-tag`, a token.
        read_valid(Field::Token, &mid, "the content name (a=mid)").map_err(|reason| {
            SdpError::Attribute {
                media: Some(index.to_string()),
                line: format!("a=mid:{}", mid.escape_debug()),
                reason,
            }
        })?;
        out.contents.push(media_from_sdp(
            m,
            &mid,
            sdp.connection_information.as_ref(),
            &defaults,
            author,
            creator,
            &mut out.unmapped,
        )?);
    }
    Ok(out)
}

/// ICE and DTLS attributes, which may sit at session level.
#[derive(Default, Clone)]
struct MediaState {
    ufrag: Option<String>,
    pwd: Option<String>,
    fingerprints: Vec<(String, String)>,
    setup: Option<Setup>,
    extmap_allow_mixed: bool,
}

impl MediaState {
    fn transport_attr(&mut self, a: &Attribute) -> Result<(), String> {
        let value = a.value.clone().unwrap_or_default();
        match a.key.as_str() {
            "ice-ufrag" => {
                read_valid(Field::UFRAG, &value, "the ICE ufrag")?;
                self.ufrag = Some(value)
            }
            "ice-pwd" => {
                read_valid(Field::PWD, &value, "the ICE pwd")?;
                self.pwd = Some(value)
            }
            "fingerprint" => {
                let (hash, fp) = value
                    .split_once(' ')
                    .ok_or("a fingerprint is '<hash-func> <fingerprint>' (RFC 8122)")?;
                let fp = fp.trim();
                read_valid(Field::Token, hash, "the fingerprint hash function")?;
                read_valid(Field::Fingerprint, fp, "the fingerprint")?;
                self.fingerprints.push((hash.to_string(), fp.to_string()));
            }
            "setup" => {
                self.setup = Some(Setup::from_xml(&value).map_err(|_| {
                    format!(
                        "setup '{value}' is not active, passive, actpass or holdconn (RFC 4145)"
                    )
                })?)
            }
            "extmap-allow-mixed" => self.extmap_allow_mixed = true,
            _ => unreachable!("only the keys matched by the callers"),
        }
        Ok(())
    }
}

fn number<T: std::str::FromStr>(s: Option<&str>, what: &str) -> Result<T, String> {
    let s = s.ok_or_else(|| format!("{what} is missing"))?;
    s.parse()
        .map_err(|_| format!("{what} '{s}' is not a number in range"))
}

/// One media section being read: what its attributes said so far.
struct MediaReader<'a> {
    mid: &'a str,
    author: Creator,
    unmapped: &'a mut Vec<Unmapped>,
    /// ICE and DTLS, starting from the session-level defaults.
    state: MediaState,
    desc: Description,
    /// Payload types in m= order; attributes fill them in.
    pts: Vec<PayloadType>,
    /// The position in `pts` of each payload type.
    index: BTreeMap<u8, usize>,
    transport: Transport,
    senders: Senders,
    ptime: Option<u32>,
    maxptime: Option<u32>,
    sources: Vec<Source>,
    crypto: Vec<Crypto>,
    rtcp: Option<String>,
}

fn media_from_sdp(
    m: &MediaDescription,
    mid: &str,
    session_connection: Option<&ConnectionInformation>,
    defaults: &MediaState,
    author: Creator,
    creator: Creator,
    unmapped: &mut Vec<Unmapped>,
) -> Result<Content, SdpError> {
    let mut r = MediaReader::new(m, mid, defaults, author, unmapped)?;
    r.bandwidths(m)?;
    for a in &m.attributes {
        r.attribute(a)?;
    }
    r.finish(m, session_connection, creator)
}

impl<'a> MediaReader<'a> {
    fn new(
        m: &MediaDescription,
        mid: &'a str,
        defaults: &MediaState,
        author: Creator,
        unmapped: &'a mut Vec<Unmapped>,
    ) -> Result<Self, SdpError> {
        let mut state = defaults.clone();
        if m.has_attribute("fingerprint") {
            // The media section's own fingerprints replace the session's.
            state.fingerprints.clear();
        }
        let mut pts: Vec<PayloadType> = Vec::new();
        for f in &m.media_name.formats {
            let id: u8 = f.parse().map_err(|_| SdpError::Attribute {
                media: Some(mid.to_string()),
                line: format!("m={}", m.media_name),
                reason: format!("format '{f}' is not an RTP payload type (0-127)"),
            })?;
            pts.push(PayloadType {
                id,
                ..PayloadType::default()
            });
        }
        let index = pts.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        Ok(MediaReader {
            mid,
            author,
            unmapped,
            state,
            desc: Description::new(m.media_name.media.clone()),
            pts,
            index,
            transport: Transport::default(),
            senders: Senders::Both,
            ptime: None,
            maxptime: None,
            sources: Vec::new(),
            crypto: Vec::new(),
            rtcp: None,
        })
    }

    fn note(&mut self, what: String) {
        self.unmapped.push(Unmapped {
            media: Some(self.mid.to_string()),
            what,
        })
    }

    /// The error about `line` of this section.
    fn error(&self, line: String, reason: String) -> SdpError {
        SdpError::Attribute {
            media: Some(self.mid.to_string()),
            line,
            reason,
        }
    }

    /// `b=`: the first is the description's bandwidth, the others
    /// unmapped.
    fn bandwidths(&mut self, m: &MediaDescription) -> Result<(), SdpError> {
        for (i, b) in m.bandwidth.iter().enumerate() {
            if i > 0 {
                self.note(format!("b={b}"));
                continue;
            }
            read_valid(Field::Token, &b.bandwidth_type, "the bandwidth type")
                .map_err(|reason| self.error(format!("b={b}"), reason))?;
            self.desc.bandwidth = Some(Bandwidth {
                type_: if b.experimental {
                    format!("X-{}", b.bandwidth_type)
                } else {
                    b.bandwidth_type.clone()
                },
                value: b.bandwidth.to_string(),
            });
        }
        Ok(())
    }

    /// Reads one `a=` line of the section with its attribute's handler.
    fn attribute(&mut self, a: &Attribute) -> Result<(), SdpError> {
        let line = format!("a={a}");
        let value = a.value.as_deref().unwrap_or("");
        let read = match a.key.as_str() {
            "mid" => Ok(()),
            "ice-ufrag" | "ice-pwd" | "fingerprint" | "setup" | "extmap-allow-mixed" => {
                self.state.transport_attr(a)
            }
            "sendrecv" | "sendonly" | "recvonly" | "inactive" => {
                self.senders = senders(&a.key, self.author).expect("matched above");
                Ok(())
            }
            "rtcp-mux" => {
                self.desc.rtcp_mux = true;
                Ok(())
            }
            "rtpmap" => self.rtpmap(value, &line),
            "fmtp" => self.fmtp(value, &line),
            "rtcp-fb" => self.rtcp_fb(value, &line),
            "ptime" => number(Some(value), "the ptime").map(|v| self.ptime = Some(v)),
            "maxptime" => number(Some(value), "the maxptime").map(|v| self.maxptime = Some(v)),
            "extmap" => self.extmap(value),
            "ssrc" => self.ssrc(value),
            "ssrc-group" => self.ssrc_group(value),
            "crypto" => self.crypto(value),
            "candidate" => self.candidate(value, &line),
            "rtcp" => {
                self.rtcp = Some(value.to_string());
                Ok(())
            }
            "remote-candidates" => self.remote_candidates(value, &line),
            _ => {
                self.note(line.clone());
                Ok(())
            }
        };
        read.map_err(|reason| self.error(line, reason))
    }

    /// The position of the payload type a per-format attribute names;
    /// `None` (and the line noted as unmapped) when the m= line lacks it.
    fn payload_type(&mut self, tok: Option<&str>, line: &str) -> Result<Option<usize>, String> {
        let id: u8 = number(tok, "the payload type")?;
        let i = self.index.get(&id).copied();
        if i.is_none() {
            self.note(format!("{line} (payload type not in the m= line)"));
        }
        Ok(i)
    }

    /// Splits `<pt> <rest>` of a per-format attribute (`usage` when there
    /// is no space): the payload type's position and the rest, `None` when
    /// the m= line lacks it (see [`payload_type`](Self::payload_type)).
    fn format_attribute<'v>(
        &mut self,
        value: &'v str,
        line: &str,
        usage: &str,
    ) -> Result<Option<(usize, &'v str)>, String> {
        let (pt, rest) = value.split_once(' ').ok_or(usage)?;
        Ok(self.payload_type(Some(pt), line)?.map(|i| (i, rest)))
    }

    /// `a=rtpmap` (RFC 8866 §6.6).
    fn rtpmap(&mut self, value: &str, line: &str) -> Result<(), String> {
        let usage = "a=rtpmap is '<pt> <name>/<clock>[/<channels>]'";
        let Some((i, rest)) = self.format_attribute(value, line, usage)? else {
            return Ok(());
        };
        let mut parts = rest.trim().split('/');
        let p = &mut self.pts[i];
        let name = parts.next().unwrap_or_default();
        read_valid(Field::Token, name, "the encoding name")?;
        p.name = Some(name.to_string());
        p.clockrate = Some(number(parts.next(), "the clock rate")?);
        if let Some(ch) = parts.next() {
            p.channels = Some(number(Some(ch), "the channel count")?);
        }
        Ok(())
    }

    /// `a=fmtp` (RFC 8866 §6.15).
    fn fmtp(&mut self, value: &str, line: &str) -> Result<(), String> {
        let usage = "a=fmtp is '<pt> <parameters>'";
        let Some((i, rest)) = self.format_attribute(value, line, usage)? else {
            return Ok(());
        };
        for tok in rest.split(';').map(str::trim).filter(|t| !t.is_empty()) {
            let (name, value) = split_param(tok);
            // `a=fmtp:125 =` has an empty name, which would be
            // written back as nothing (`a=fmtp:125 `); a CR in a
            // name would be written raw and end the line. Refused
            // as to_sdp refuses them: a format parameter has a name.
            read_valid(Field::FmtpName, &name, "the fmtp parameter name")?;
            if let Some(v) = &value {
                read_valid(Field::FmtpValue, v, "the fmtp parameter value")?;
            }
            self.pts[i].parameters.push(Parameter {
                name,
                value: value.unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// `a=rtcp-fb` (RFC 4585 §4.2, XEP-0293), for one payload type or `*`.
    fn rtcp_fb(&mut self, value: &str, line: &str) -> Result<(), String> {
        let mut it = value.split_whitespace();
        let pt = it.next();
        let ty = it
            .next()
            .ok_or("a=rtcp-fb is '<pt|*> <type> [...]' (RFC 4585)")?;
        read_valid(Field::FbId, ty, "the rtcp-fb type")?;
        let target = if pt == Some("*") {
            None
        } else {
            match self.payload_type(pt, line)? {
                Some(i) => Some(i),
                None => return Ok(()),
            }
        };
        if ty == "trr-int" {
            let t = RtcpFbTrrInt {
                value: number(it.next(), "the trr-int interval")?,
            };
            match target {
                None => self.desc.rtcp_fb_trr_ints.push(t),
                Some(i) => self.pts[i].rtcp_fb_trr_ints.push(t),
            }
            return Ok(());
        }
        let mut fb = RtcpFb {
            type_: ty.to_string(),
            subtype: None,
            parameters: vec![],
        };
        for (n, tok) in it.enumerate() {
            if n == 0 && !tok.contains('=') {
                read_valid(Field::Token, tok, "the rtcp-fb subtype")?;
                fb.subtype = Some(tok.to_string());
            } else {
                let (name, value) = split_param(tok);
                read_param(&name, value.as_deref(), "rtcp-fb")?;
                fb.parameters.push(FbParameter { name, value });
            }
        }
        match target {
            None => self.desc.rtcp_fbs.push(fb),
            Some(i) => self.pts[i].rtcp_fbs.push(fb),
        }
        Ok(())
    }

    /// `a=extmap` (RFC 8285, XEP-0294).
    fn extmap(&mut self, value: &str) -> Result<(), String> {
        let mut it = value.split_whitespace();
        let head = it.next().unwrap_or("");
        let (id, dir) = match head.split_once('/') {
            Some((id, d)) => (id, Some(d)),
            None => (head, None),
        };
        let senders =
            match dir {
                None => None,
                Some(d) => Some(senders(d, self.author).ok_or_else(|| {
                    format!("'{d}' is not sendrecv, sendonly, recvonly or inactive")
                })?),
            };
        let uri = it
            .next()
            .ok_or("a=extmap is '<id>[/<direction>] <uri> [...]' (RFC 8285)")?;
        read_valid(Field::Visible, uri, "the extmap URI")?;
        let mut parameters = Vec::new();
        for t in it {
            let (name, value) = split_param(t);
            read_param(&name, value.as_deref(), "extmap")?;
            parameters.push(HdrextParameter { name, value });
        }
        self.desc.hdrexts.push(RtpHdrext {
            id: number(Some(id), "the extension id")?,
            uri: uri.to_string(),
            senders,
            parameters,
        });
        Ok(())
    }

    /// `a=ssrc` (RFC 5576 §4.1, XEP-0339): a parameter of a source.
    fn ssrc(&mut self, value: &str) -> Result<(), String> {
        let (id, rest) = value.split_once(' ').unwrap_or((value, ""));
        let ssrc: u32 = number(Some(id), "the SSRC")?;
        let rest = rest.trim();
        if rest.is_empty() {
            return Err("a=ssrc is '<ssrc> <attribute>[:<value>]' (RFC 5576)".into());
        }
        let (name, value) = match rest.split_once(':') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (rest.to_string(), None),
        };
        read_valid(Field::Token, &name, "the SSRC attribute name")?;
        if let Some(v) = &value {
            read_valid(Field::LineEnd, v, "the SSRC attribute value")?;
        }
        let source = match self.sources.iter_mut().position(|s| s.ssrc == ssrc) {
            Some(i) => &mut self.sources[i],
            None => {
                self.sources.push(Source {
                    ssrc,
                    parameters: vec![],
                });
                self.sources.last_mut().expect("just pushed")
            }
        };
        source.parameters.push(SourceParameter { name, value });
        Ok(())
    }

    /// `a=ssrc-group` (RFC 5576 §4.2, XEP-0339).
    fn ssrc_group(&mut self, value: &str) -> Result<(), String> {
        let mut it = value.split_whitespace();
        let sem = it
            .next()
            .ok_or("a=ssrc-group is '<semantics> <ssrc>...' (RFC 5576)")?;
        read_valid(Field::Token, sem, "the ssrc-group semantics")?;
        let mut group = SsrcGroup {
            semantics: Semantics::from_xml(sem)?,
            sources: vec![],
        };
        for s in it {
            group.sources.push(Source {
                ssrc: number(Some(s), "the SSRC")?,
                parameters: vec![],
            });
        }
        self.desc.ssrc_groups.push(group);
        Ok(())
    }

    /// `a=crypto` (RFC 4568 §9.1, XEP-0167 SRTP).
    fn crypto(&mut self, value: &str) -> Result<(), String> {
        let mut it = value.split_whitespace();
        let (Some(tag), Some(suite), Some(key)) = (it.next(), it.next(), it.next()) else {
            return Err(
                "a=crypto is '<tag> <suite> <key-params> [<session-params>]' (RFC 4568)".into(),
            );
        };
        let rest: Vec<&str> = it.collect();
        read_valid(Field::Tag, tag, "the crypto tag")?;
        read_valid(Field::Suite, suite, "the crypto suite")?;
        read_valid(Field::Visible, key, "the crypto key-params")?;
        if !rest.is_empty() {
            read_valid(
                Field::SessionParams,
                &rest.join(" "),
                "the crypto session-params",
            )?;
        }
        self.crypto.push(Crypto {
            tag: tag.to_string(),
            crypto_suite: suite.to_string(),
            key_params: key.to_string(),
            session_params: (!rest.is_empty()).then(|| rest.join(" ")),
        });
        Ok(())
    }

    /// `a=candidate` (RFC 8839 §5.1, XEP-0176).
    fn candidate(&mut self, value: &str, line: &str) -> Result<(), String> {
        let n = self.transport.candidates.len();
        let (c, extra) = parse_candidate(value, format!("{}-{n}", self.mid))?;
        for e in extra {
            self.note(format!("{line} (candidate extension '{e}')"));
        }
        self.transport.candidates.push(c);
        Ok(())
    }

    /// `a=remote-candidates` (RFC 8839 §5.2): Jingle carries the first.
    fn remote_candidates(&mut self, value: &str, line: &str) -> Result<(), String> {
        let toks: Vec<&str> = value.split_whitespace().collect();
        for (n, ch) in toks.chunks(3).enumerate() {
            let [component, ip, port] = ch else {
                return Err(
                    "a=remote-candidates is '<component> <address> <port>...' (RFC 8839)".into(),
                );
            };
            read_valid(Field::Address, ip, "the remote candidate address")?;
            let r = RemoteCandidate {
                component: number(Some(component), "the component")?,
                ip: ip.to_string(),
                port: number(Some(port), "the port")?,
            };
            if n == 0 {
                self.transport.remote_candidate = Some(r);
            } else {
                self.note(format!(
                    "{line} (remote candidate {component} {ip} {port}: Jingle carries one)"
                ));
            }
        }
        Ok(())
    }

    /// The content, once every attribute is read.
    fn finish(
        mut self,
        m: &MediaDescription,
        session_connection: Option<&ConnectionInformation>,
        creator: Creator,
    ) -> Result<Content, SdpError> {
        for p in &mut self.pts {
            p.ptime = self.ptime;
            p.maxptime = self.maxptime;
        }
        let mut desc = std::mem::replace(&mut self.desc, Description::new(String::new()));
        desc.payload_types = std::mem::take(&mut self.pts);
        desc.sources = std::mem::take(&mut self.sources);
        desc.extmap_allow_mixed = self.state.extmap_allow_mixed;
        if !self.crypto.is_empty() {
            desc.encryption = Some(Encryption {
                required: None,
                cryptos: std::mem::take(&mut self.crypto),
                extensions: vec![],
            });
        }
        let mut transport = std::mem::take(&mut self.transport);
        transport.ufrag = self.state.ufrag.take();
        transport.pwd = self.state.pwd.take();
        if !self.state.fingerprints.is_empty() {
            let setup = self.state.setup.ok_or_else(|| {
                self.error(
                    "a=fingerprint".into(),
                    "a fingerprint without a=setup: Jingle's <fingerprint/> needs the role (XEP-0320)"
                        .into(),
                )
            })?;
            transport.fingerprints = std::mem::take(&mut self.state.fingerprints)
                .into_iter()
                .map(|(hash, value)| Fingerprint { hash, setup, value })
                .collect();
        }
        let transport_payload = self.transport_payload(m, session_connection, transport)?;
        let mut content = Content::new(creator, self.mid)
            .with(Payload::new(desc))
            .with(transport_payload);
        if self.senders != Senders::Both {
            content.senders = Some(self.senders);
        }
        Ok(content)
    }

    /// The transport: ICE-UDP, or raw UDP from the m= port, the c=
    /// address and `a=rtcp`.
    ///
    /// The m= port and c= address are JSEP's placeholders when ICE
    /// candidates carry the addresses. Without ICE (no credentials, no
    /// candidates, no fingerprint) a real port and address are a raw UDP
    /// transport (XEP-0177), with a=rtcp as the RTCP candidate.
    fn transport_payload(
        &mut self,
        m: &MediaDescription,
        session_connection: Option<&ConnectionInformation>,
        transport: Transport,
    ) -> Result<Payload, SdpError> {
        let port = m.media_name.port.value;
        let ice = transport.ufrag.is_some()
            || transport.pwd.is_some()
            || !transport.candidates.is_empty()
            || transport.remote_candidate.is_some()
            || !transport.fingerprints.is_empty();
        let address = m
            .connection_information
            .as_ref()
            .or(session_connection)
            .and_then(|c| c.address.as_ref())
            .map(|a| a.address.clone());
        if port == 0 {
            self.note(format!(
                "m={} (port 0: the section is rejected or bundle-only)",
                m.media_name
            ));
            return Ok(Payload::new(transport));
        }
        if port == 9 || ice {
            if let Some(rtcp) = self.rtcp.take() {
                self.note(format!("a=rtcp:{rtcp}"));
            }
            return Ok(Payload::new(transport));
        }
        let m_line = || format!("m={}", m.media_name);
        let ip = address.ok_or_else(|| {
            self.error(
                m_line(),
                "a port but no c= address, here or at session level (RFC 4566 §5.7)".into(),
            )
        })?;
        read_valid(Field::Address, &ip, "the c= address")
            .map_err(|reason| self.error(format!("c=IN {} {ip}", ip_version(&ip)), reason))?;
        let mid = self.mid;
        let candidate = |component: u8, ip: String, port: u16| raw_udp::Candidate {
            component,
            generation: 0,
            id: format!("{mid}-{component}"),
            ip,
            port,
            type_: None,
        };
        let rtp_port = u16::try_from(port)
            .map_err(|_| self.error(m_line(), format!("port {port} is not a UDP port")))?;
        let mut raw = raw_udp::Transport {
            candidates: vec![candidate(1, ip.clone(), rtp_port)],
        };
        if let Some(rtcp) = &self.rtcp {
            let rtcp_line = || format!("a=rtcp:{rtcp}");
            let mut it = rtcp.split_whitespace();
            let rtcp_port: u16 = number(it.next(), "the RTCP port")
                .map_err(|reason| self.error(rtcp_line(), reason))?;
            let rtcp_ip = it.nth(2).map_or(ip, str::to_string);
            read_valid(Field::Address, &rtcp_ip, "the RTCP address")
                .map_err(|reason| self.error(rtcp_line(), reason))?;
            raw.candidates.push(candidate(2, rtcp_ip, rtcp_port));
        }
        Ok(Payload::new(raw))
    }
}

/// Reads `a=candidate` (RFC 8839 §5.1): the candidate, with `id` as its
/// id, and the extensions Jingle has no attribute for.
fn parse_candidate(value: &str, id: String) -> Result<(Candidate, Vec<String>), String> {
    let t: Vec<&str> = value.split_whitespace().collect();
    if t.len() < 8 || t[6] != "typ" {
        return Err(
            "a=candidate is '<foundation> <component> <transport> <priority> <address> <port> typ <type> [...]' (RFC 8839)"
                .into(),
        );
    }
    let type_ = CandidateType::from_xml(t[7]).map_err(|_| {
        format!(
            "candidate type '{}' is not host, srflx, prflx or relay",
            t[7]
        )
    })?;
    read_valid(Field::FOUNDATION, t[0], "the candidate foundation")?;
    read_valid(Field::Token, t[2], "the candidate transport")?;
    read_valid(Field::Address, t[4], "the candidate address")?;
    let mut c = Candidate {
        component: number(Some(t[1]), "the component")?,
        foundation: t[0].to_string(),
        generation: 0,
        id,
        ip: t[4].to_string(),
        network: None,
        port: number(Some(t[5]), "the port")?,
        priority: number(Some(t[3]), "the priority")?,
        protocol: t[2].to_string(),
        rel_addr: None,
        rel_port: None,
        type_,
    };
    if c.priority == 0 {
        return Err("a candidate's priority is positive (RFC 8445)".into());
    }
    let mut extra = Vec::new();
    let mut rest = t[8..].chunks(2);
    for pair in rest.by_ref() {
        let [k, v] = pair else {
            return Err(format!("candidate extension '{}' has no value", pair[0]));
        };
        match *k {
            "raddr" => {
                read_valid(Field::Address, v, "the candidate raddr")?;
                c.rel_addr = Some(v.to_string())
            }
            "rport" => c.rel_port = Some(number(Some(v), "rport")?),
            "generation" => c.generation = number(Some(v), "the generation")?,
            "network-id" | "network" => c.network = Some(number(Some(v), "the network")?),
            _ => extra.push(format!("{k} {v}")),
        }
    }
    Ok((c, extra))
}
