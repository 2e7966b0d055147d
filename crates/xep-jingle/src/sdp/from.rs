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

#[allow(clippy::too_many_arguments)] // the session's context, passed down
fn media_from_sdp(
    m: &MediaDescription,
    mid: &str,
    session_connection: Option<&ConnectionInformation>,
    defaults: &MediaState,
    author: Creator,
    creator: Creator,
    unmapped: &mut Vec<Unmapped>,
) -> Result<Content, SdpError> {
    let mut state = defaults.clone();
    if m.has_attribute("fingerprint") {
        // The media section's own fingerprints replace the session's.
        state.fingerprints.clear();
    }
    let mut desc = Description::new(m.media_name.media.clone());
    // Payload types in m= order; attributes fill them in.
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
    let index: BTreeMap<u8, usize> = pts.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut transport = Transport::default();
    let mut senders_attr = Senders::Both;
    let mut ptime = None;
    let mut maxptime = None;
    let mut sources: Vec<Source> = Vec::new();
    let mut crypto = Vec::new();
    let mut rtcp: Option<String> = None;
    let mut note = |what: String| {
        unmapped.push(Unmapped {
            media: Some(mid.to_string()),
            what,
        })
    };
    for (i, b) in m.bandwidth.iter().enumerate() {
        if i == 0 {
            read_valid(Field::Token, &b.bandwidth_type, "the bandwidth type").map_err(
                |reason| SdpError::Attribute {
                    media: Some(mid.to_string()),
                    line: format!("b={b}"),
                    reason,
                },
            )?;
            desc.bandwidth = Some(Bandwidth {
                type_: if b.experimental {
                    format!("X-{}", b.bandwidth_type)
                } else {
                    b.bandwidth_type.clone()
                },
                value: b.bandwidth.to_string(),
            });
        } else {
            note(format!("b={b}"));
        }
    }
    for a in &m.attributes {
        let line = format!("a={a}");
        let value = a.value.as_deref().unwrap_or("");
        let fail = |reason: String| SdpError::Attribute {
            media: Some(mid.to_string()),
            line: line.clone(),
            reason,
        };
        // The payload type a per-format attribute names.
        let pt_of = |tok: Option<&str>| -> Result<Option<usize>, SdpError> {
            let id: u8 = number(tok, "the payload type").map_err(fail)?;
            Ok(index.get(&id).copied())
        };
        match a.key.as_str() {
            "mid" => {}
            "ice-ufrag" | "ice-pwd" | "fingerprint" | "setup" | "extmap-allow-mixed" => {
                state.transport_attr(a).map_err(fail)?
            }
            "sendrecv" | "sendonly" | "recvonly" | "inactive" => {
                senders_attr = senders(&a.key, author).expect("matched above")
            }
            "rtcp-mux" => desc.rtcp_mux = true,
            "rtpmap" => {
                let (pt, rest) = value
                    .split_once(' ')
                    .ok_or_else(|| fail("a=rtpmap is '<pt> <name>/<clock>[/<channels>]'".into()))?;
                let Some(i) = pt_of(Some(pt))? else {
                    note(format!("{line} (payload type not in the m= line)"));
                    continue;
                };
                let mut parts = rest.trim().split('/');
                let p = &mut pts[i];
                let name = parts.next().unwrap_or_default();
                read_valid(Field::Token, name, "the encoding name").map_err(fail)?;
                p.name = Some(name.to_string());
                p.clockrate = Some(number(parts.next(), "the clock rate").map_err(fail)?);
                if let Some(ch) = parts.next() {
                    p.channels = Some(number(Some(ch), "the channel count").map_err(fail)?);
                }
            }
            "fmtp" => {
                let (pt, rest) = value
                    .split_once(' ')
                    .ok_or_else(|| fail("a=fmtp is '<pt> <parameters>'".into()))?;
                let Some(i) = pt_of(Some(pt))? else {
                    note(format!("{line} (payload type not in the m= line)"));
                    continue;
                };
                for tok in rest.split(';').map(str::trim).filter(|t| !t.is_empty()) {
                    let (name, value) = split_param(tok);
                    // `a=fmtp:125 =` has an empty name, which would be
                    // written back as nothing (`a=fmtp:125 `); a CR in a
                    // name would be written raw and end the line. Refused
                    // as to_sdp refuses them: a format parameter has a name.
                    read_valid(Field::FmtpName, &name, "the fmtp parameter name").map_err(fail)?;
                    if let Some(v) = &value {
                        read_valid(Field::FmtpValue, v, "the fmtp parameter value")
                            .map_err(fail)?;
                    }
                    pts[i].parameters.push(Parameter {
                        name,
                        value: value.unwrap_or_default(),
                    });
                }
            }
            "rtcp-fb" => {
                let mut it = value.split_whitespace();
                let pt = it.next();
                let ty = it
                    .next()
                    .ok_or_else(|| fail("a=rtcp-fb is '<pt|*> <type> [...]' (RFC 4585)".into()))?;
                read_valid(Field::FbId, ty, "the rtcp-fb type").map_err(fail)?;
                let target = if pt == Some("*") {
                    None
                } else {
                    match pt_of(pt)? {
                        Some(i) => Some(i),
                        None => {
                            note(format!("{line} (payload type not in the m= line)"));
                            continue;
                        }
                    }
                };
                if ty == "trr-int" {
                    let t = RtcpFbTrrInt {
                        value: number(it.next(), "the trr-int interval").map_err(fail)?,
                    };
                    match target {
                        None => desc.rtcp_fb_trr_ints.push(t),
                        Some(i) => pts[i].rtcp_fb_trr_ints.push(t),
                    }
                    continue;
                }
                let mut fb = RtcpFb {
                    type_: ty.to_string(),
                    subtype: None,
                    parameters: vec![],
                };
                for (n, tok) in it.enumerate() {
                    if n == 0 && !tok.contains('=') {
                        read_valid(Field::Token, tok, "the rtcp-fb subtype").map_err(fail)?;
                        fb.subtype = Some(tok.to_string());
                    } else {
                        let (name, value) = split_param(tok);
                        read_param(&name, value.as_deref(), "rtcp-fb").map_err(fail)?;
                        fb.parameters.push(FbParameter { name, value });
                    }
                }
                match target {
                    None => desc.rtcp_fbs.push(fb),
                    Some(i) => pts[i].rtcp_fbs.push(fb),
                }
            }
            "ptime" => ptime = Some(number(Some(value), "the ptime").map_err(fail)?),
            "maxptime" => maxptime = Some(number(Some(value), "the maxptime").map_err(fail)?),
            "extmap" => {
                let mut it = value.split_whitespace();
                let head = it.next().unwrap_or("");
                let (id, dir) = match head.split_once('/') {
                    Some((id, d)) => (id, Some(d)),
                    None => (head, None),
                };
                let senders = match dir {
                    None => None,
                    Some(d) => Some(senders(d, author).ok_or_else(|| {
                        fail(format!(
                            "'{d}' is not sendrecv, sendonly, recvonly or inactive"
                        ))
                    })?),
                };
                let uri = it.next().ok_or_else(|| {
                    fail("a=extmap is '<id>[/<direction>] <uri> [...]' (RFC 8285)".into())
                })?;
                read_valid(Field::Visible, uri, "the extmap URI").map_err(fail)?;
                let mut parameters = Vec::new();
                for t in it {
                    let (name, value) = split_param(t);
                    read_param(&name, value.as_deref(), "extmap").map_err(fail)?;
                    parameters.push(HdrextParameter { name, value });
                }
                desc.hdrexts.push(RtpHdrext {
                    id: number(Some(id), "the extension id").map_err(fail)?,
                    uri: uri.to_string(),
                    senders,
                    parameters,
                });
            }
            "ssrc" => {
                let (id, rest) = value.split_once(' ').unwrap_or((value, ""));
                let ssrc: u32 = number(Some(id), "the SSRC").map_err(fail)?;
                let rest = rest.trim();
                if rest.is_empty() {
                    return Err(fail(
                        "a=ssrc is '<ssrc> <attribute>[:<value>]' (RFC 5576)".into(),
                    ));
                }
                let (name, value) = match rest.split_once(':') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (rest.to_string(), None),
                };
                read_valid(Field::Token, &name, "the SSRC attribute name").map_err(fail)?;
                if let Some(v) = &value {
                    read_valid(Field::LineEnd, v, "the SSRC attribute value").map_err(fail)?;
                }
                let source = match sources.iter_mut().position(|s| s.ssrc == ssrc) {
                    Some(i) => &mut sources[i],
                    None => {
                        sources.push(Source {
                            ssrc,
                            parameters: vec![],
                        });
                        sources.last_mut().expect("just pushed")
                    }
                };
                source.parameters.push(SourceParameter { name, value });
            }
            "ssrc-group" => {
                let mut it = value.split_whitespace();
                let sem = it.next().ok_or_else(|| {
                    fail("a=ssrc-group is '<semantics> <ssrc>...' (RFC 5576)".into())
                })?;
                read_valid(Field::Token, sem, "the ssrc-group semantics").map_err(fail)?;
                let mut group = SsrcGroup {
                    semantics: Semantics::from_xml(sem).map_err(fail)?,
                    sources: vec![],
                };
                for s in it {
                    group.sources.push(Source {
                        ssrc: number(Some(s), "the SSRC").map_err(fail)?,
                        parameters: vec![],
                    });
                }
                desc.ssrc_groups.push(group);
            }
            "crypto" => {
                let mut it = value.split_whitespace();
                let (Some(tag), Some(suite), Some(key)) = (it.next(), it.next(), it.next()) else {
                    return Err(fail(
                        "a=crypto is '<tag> <suite> <key-params> [<session-params>]' (RFC 4568)"
                            .into(),
                    ));
                };
                let rest: Vec<&str> = it.collect();
                read_valid(Field::Tag, tag, "the crypto tag").map_err(fail)?;
                read_valid(Field::Suite, suite, "the crypto suite").map_err(fail)?;
                read_valid(Field::Visible, key, "the crypto key-params").map_err(fail)?;
                if !rest.is_empty() {
                    read_valid(
                        Field::SessionParams,
                        &rest.join(" "),
                        "the crypto session-params",
                    )
                    .map_err(fail)?;
                }
                crypto.push(Crypto {
                    tag: tag.to_string(),
                    crypto_suite: suite.to_string(),
                    key_params: key.to_string(),
                    session_params: (!rest.is_empty()).then(|| rest.join(" ")),
                });
            }
            "candidate" => {
                let n = transport.candidates.len();
                let (c, extra) = parse_candidate(value, format!("{mid}-{n}")).map_err(fail)?;
                for e in extra {
                    note(format!("{line} (candidate extension '{e}')"));
                }
                transport.candidates.push(c);
            }
            "rtcp" => rtcp = Some(value.to_string()),
            "remote-candidates" => {
                let toks: Vec<&str> = value.split_whitespace().collect();
                for (n, ch) in toks.chunks(3).enumerate() {
                    let [component, ip, port] = ch else {
                        return Err(fail(
                            "a=remote-candidates is '<component> <address> <port>...' (RFC 8839)"
                                .into(),
                        ));
                    };
                    read_valid(Field::Address, ip, "the remote candidate address").map_err(fail)?;
                    let r = RemoteCandidate {
                        component: number(Some(component), "the component").map_err(fail)?,
                        ip: ip.to_string(),
                        port: number(Some(port), "the port").map_err(fail)?,
                    };
                    if n == 0 {
                        transport.remote_candidate = Some(r);
                    } else {
                        note(format!(
                            "{line} (remote candidate {component} {ip} {port}: Jingle carries one)"
                        ));
                    }
                }
            }
            _ => note(line.clone()),
        }
    }
    for p in &mut pts {
        p.ptime = ptime;
        p.maxptime = maxptime;
    }
    desc.payload_types = pts;
    desc.sources = sources;
    desc.extmap_allow_mixed = state.extmap_allow_mixed;
    if !crypto.is_empty() {
        desc.encryption = Some(Encryption {
            required: None,
            cryptos: crypto,
            extensions: vec![],
        });
    }
    transport.ufrag = state.ufrag;
    transport.pwd = state.pwd;
    if !state.fingerprints.is_empty() {
        let setup = state.setup.ok_or_else(|| SdpError::Attribute {
            media: Some(mid.to_string()),
            line: "a=fingerprint".into(),
            reason:
                "a fingerprint without a=setup: Jingle's <fingerprint/> needs the role (XEP-0320)"
                    .into(),
        })?;
        transport.fingerprints = state
            .fingerprints
            .into_iter()
            .map(|(hash, value)| Fingerprint { hash, setup, value })
            .collect();
    }
    // The m= port and c= address are JSEP's placeholders when ICE
    // candidates carry the addresses. Without ICE (no credentials, no
    // candidates, no fingerprint) a real port and address are a raw UDP
    // transport (XEP-0177), with a=rtcp as the RTCP candidate.
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
    let transport_payload = if port == 0 {
        note(format!(
            "m={} (port 0: the section is rejected or bundle-only)",
            m.media_name
        ));
        Payload::new(transport)
    } else if port == 9 || ice {
        if let Some(rtcp) = rtcp {
            note(format!("a=rtcp:{rtcp}"));
        }
        Payload::new(transport)
    } else {
        let ip = address.ok_or_else(|| SdpError::Attribute {
            media: Some(mid.to_string()),
            line: format!("m={}", m.media_name),
            reason: "a port but no c= address, here or at session level (RFC 4566 §5.7)".into(),
        })?;
        read_valid(Field::Address, &ip, "the c= address").map_err(|reason| {
            SdpError::Attribute {
                media: Some(mid.to_string()),
                line: format!("c=IN {} {ip}", ip_version(&ip)),
                reason,
            }
        })?;
        let candidate = |component: u8, ip: String, port: u16| raw_udp::Candidate {
            component,
            generation: 0,
            id: format!("{mid}-{component}"),
            ip,
            port,
            type_: None,
        };
        let rtp_port = u16::try_from(port).map_err(|_| SdpError::Attribute {
            media: Some(mid.to_string()),
            line: format!("m={}", m.media_name),
            reason: format!("port {port} is not a UDP port"),
        })?;
        let mut raw = raw_udp::Transport {
            candidates: vec![candidate(1, ip.clone(), rtp_port)],
        };
        if let Some(rtcp) = rtcp {
            let mut it = rtcp.split_whitespace();
            let rtcp_port: u16 =
                number(it.next(), "the RTCP port").map_err(|reason| SdpError::Attribute {
                    media: Some(mid.to_string()),
                    line: format!("a=rtcp:{rtcp}"),
                    reason,
                })?;
            let rtcp_ip = it.nth(2).map_or(ip, str::to_string);
            read_valid(Field::Address, &rtcp_ip, "the RTCP address").map_err(|reason| {
                SdpError::Attribute {
                    media: Some(mid.to_string()),
                    line: format!("a=rtcp:{rtcp}"),
                    reason,
                }
            })?;
            raw.candidates.push(candidate(2, rtcp_ip, rtcp_port));
        }
        Payload::new(raw)
    };
    let mut content = Content::new(creator, mid)
        .with(Payload::new(desc))
        .with(transport_payload);
    if senders_attr != Senders::Both {
        content.senders = Some(senders_attr);
    }
    Ok(content)
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
