use xep_disco::{DiscoInfo, Feature, Identity};
use xep_element::XmlElement;
use xep_element::jid::Jid;
use xep_forms::{DataForm, Field, FormType};
use xep_hashes::{Algo, Hash};

use crate::*;
use xep_element::testdata::xep_source as xep;

/// The contents of every `<code>` and `<example>` block of a XEP document,
/// with XML escapes undone outside CDATA, in document order.
fn blocks(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = doc;
    loop {
        let code = rest.find("<code");
        let ex = rest.find("<example");
        let Some(start) = [code, ex].into_iter().flatten().min() else {
            break;
        };
        let tag = if Some(start) == code {
            "code"
        } else {
            "example"
        };
        let Some(open_end) = rest[start..].find('>') else {
            break;
        };
        let body_start = start + open_end + 1;
        let close = format!("</{tag}>");
        let Some(end) = rest[body_start..].find(&close) else {
            break;
        };
        let body = &rest[body_start..body_start + end];
        out.push(match body.find("<![CDATA[") {
            Some(c) => {
                let inner = &body[c + 9..];
                inner[..inner.find("]]>").unwrap_or(inner.len())].to_string()
            }
            None => unescape(body),
        });
        rest = &rest[body_start + end + close.len()..];
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find(';') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let ent = &rest[i + 1..i + j];
        match ent {
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "amp" => out.push('&'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            e if e.starts_with("#x") => out.extend(
                u32::from_str_radix(&e[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
            ),
            e if e.starts_with('#') => out.extend(e[1..].parse().ok().and_then(char::from_u32)),
            e => {
                out.push('&');
                out.push_str(e);
                out.push(';');
            }
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// The disco#info `<query>` of a block, parsed, if it parses.
fn disco_query(block: &str) -> Option<DiscoInfo> {
    let start = block
        .find("<query xmlns='http://jabber.org/protocol/disco#info'")
        .or_else(|| block.find("<query xmlns=\"http://jabber.org/protocol/disco#info\""))?;
    let end = block[start..].find("</query>")? + start + "</query>".len();
    // Queries with elided content ("...") do not parse and are no vectors.
    DiscoInfo::from_xml(&block.as_bytes()[start..end]).ok()
}

/// XEP-0115's own vectors: the disco#info results printed in §1.2 and §5.3,
/// each with the `ver` in its node (`node#ver`), must hash to that `ver`.
#[test]
fn xep_0115_vectors_are_reproduced() {
    let Some(doc) = xep(115) else { return };
    let mut reproduced = Vec::new();
    let mut inconsistent = Vec::new();
    let mut infos = std::collections::HashMap::new();
    for b in blocks(&doc) {
        let Some(info) = disco_query(&b) else {
            continue;
        };
        let Some((_, ver)) = info.node.as_deref().and_then(|n| n.rsplit_once('#')) else {
            continue;
        };
        if info.identities.is_empty() {
            continue; // a request
        }
        let computed = Caps::compute(&info, Algo::Sha1, "").unwrap().ver;
        if computed == ver {
            reproduced.push(ver.to_string());
            infos.insert(ver.to_string(), info.clone());
        } else {
            inconsistent.push(format!("{ver} (computed {computed})"));
        }
    }
    assert!(
        reproduced.contains(&"QgayPKawpkPSDYmwT/WM94uAlu0=".to_string()),
        "{reproduced:?}"
    );
    assert!(
        reproduced.contains(&"q07IKJEyjvHSyhy//CH0CxmKi8w=".to_string()),
        "{reproduced:?}"
    );
    // §5.2 and §5.3 also print the verification string S before hashing
    // (the last "S = '...'" before each "ver = ..."): ours must be the same.
    let printed = printed_verification_strings(&doc);
    assert_eq!(printed.len(), 2, "{printed:?}");
    // Finding for the XEP's editors: §5.3 prints the identity names with
    // &#160; (a no-break space) where its result and its hash have a plain
    // space; the printed S is read with that display artefact undone.
    for (ver, s) in printed {
        let s = s.replace('\u{a0}', " ");
        let info = infos
            .get(&ver)
            .unwrap_or_else(|| panic!("no result for {ver}"));
        assert_eq!(verification_string(info).unwrap(), s, "{ver}");
    }
    // Finding for the XEP's editors: §6.2's "Disco#info response" example
    // names QgayPK... in its node but omits the caps feature and the
    // identity name that §1.2's hash input has.
    eprintln!("XEP-0115 results whose node does not match their content: {inconsistent:?}");
}

/// The (ver, S) pairs printed in XEP-0115's generation examples: the text
/// of the last `S = '...'` paragraph before each `ver = ...` paragraph, with
/// the readability line breaks (`<br />` and indentation) removed.
fn printed_verification_strings(doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut last_s = None;
    for p in doc.split("<p>").skip(1) {
        let text = p[..p.find("</p>").unwrap_or(p.len())].trim();
        if let Some(rest) = text.strip_prefix("S = '") {
            let body = &rest[..rest.rfind('\'').unwrap_or(rest.len())];
            let joined: String = body
                .split("<br />")
                .map(|part| part.trim_matches(['\n', ' ']))
                .collect();
            last_s = Some(unescape(&joined));
        } else if let Some(ver) = text.strip_prefix("ver = ") {
            if let Some(s) = last_s.take() {
                out.push((ver.trim().to_string(), s));
            }
        }
    }
    out
}

/// The octets of a `hexdump -C` listing (offset, hex columns, `|ascii|`).
fn hex_dump(block: &str) -> Vec<u8> {
    block
        .lines()
        .filter_map(|l| l.split_once('|'))
        .flat_map(|(hex, _)| {
            hex.split_whitespace()
                .skip(1)
                .map(|h| u8::from_str_radix(h, 16).unwrap())
        })
        .collect()
}

/// XEP-0390's own vectors: the simple and complex examples of §4.5, the
/// hex dump of the hash input and the hash sets printed after each.
#[test]
fn xep_0390_vectors_are_reproduced() {
    let Some(doc) = xep(390) else { return };
    let bs = blocks(&doc);
    let mut checked = 0;
    for (i, b) in bs.iter().enumerate() {
        if !b.trim_start().starts_with("<query") {
            continue;
        }
        let Some(info) = disco_query(b) else { continue };
        // The hash set printed after this payload.
        let Some((j, c)) = bs.iter().enumerate().skip(i + 1).find_map(|(j, x)| {
            let s = x.find("<c xmlns=\"urn:xmpp:caps\"")?;
            let e = x[s..].find("</c>")? + s + 4;
            Some((j, Caps2::from_xml(&x.as_bytes()[s..e]).ok()?))
        }) else {
            continue;
        };
        // The block just before it is the hex dump of the whole hash input.
        assert_eq!(
            hash_input(&info).unwrap(),
            hex_dump(&bs[j - 1]),
            "block {j}"
        );
        assert_eq!(c.verify(&info).unwrap(), Verification::Valid, "{c:?}");
        let mine = Caps2::compute(&info, &[Algo::Sha256, Algo::Sha3_256]).unwrap();
        assert_eq!(mine, c);
        checked += 1;
    }
    assert_eq!(checked, 2, "the simple and the complex example");
}

fn exodus() -> DiscoInfo {
    let mut info = DiscoInfo::default();
    info.identities
        .push(Identity::new("client", "pc", Some("Exodus 0.9.1")));
    for f in [
        "http://jabber.org/protocol/caps",
        "http://jabber.org/protocol/disco#info",
        "http://jabber.org/protocol/disco#items",
        "http://jabber.org/protocol/muc",
    ] {
        info.features.push(Feature::new(f));
    }
    info
}

fn form(form_type: &str, fields: Vec<Field>) -> DataForm {
    DataForm::with_form_type(FormType::Result, form_type, fields)
}

#[test]
fn any_change_changes_the_hashes() {
    let base = {
        let mut i = exodus();
        i.forms.push(form(
            "urn:example:info",
            vec![Field::text_single("os", "Mac")],
        ));
        i
    };
    let ver = |i: &DiscoInfo| Caps::compute(i, Algo::Sha1, "n").unwrap().ver;
    let h2 = |i: &DiscoInfo| Caps2::compute(i, &[Algo::Sha256]).unwrap();
    let mut changed_identity = base.clone();
    changed_identity.identities[0].name = Some("Exodus 0.9.2".into());
    let mut changed_feature = base.clone();
    changed_feature.features.push(Feature::new("urn:xmpp:ping"));
    let mut changed_form = base.clone();
    changed_form.forms[0].fields[1].values[0] = "Linux".into();
    for other in [&changed_identity, &changed_feature, &changed_form] {
        assert_ne!(ver(other), ver(&base));
        assert_ne!(h2(other), h2(&base));
    }
    // Order does not matter.
    let mut shuffled = base.clone();
    shuffled.features.reverse();
    assert_eq!(ver(&shuffled), ver(&base));
    assert_eq!(h2(&shuffled), h2(&base));
}

#[test]
fn identities_sort_part_by_part() {
    // "a" < "a-b" as categories, though "a-b/" < "a/" as joined strings.
    let mut i = DiscoInfo::default();
    i.identities.push(Identity::new("a-b", "x", None));
    i.identities.push(Identity::new("a", "x", Some("N")));
    let mut fr = Identity::new("a", "x", Some("M"));
    fr.lang = Some("fr".into());
    i.identities.push(fr);
    assert_eq!(verification_string(&i).unwrap(), "a/x//N<a/x/fr/M<a-b/x//<");
    let input = hash_input(&i).unwrap();
    let a = input.windows(3).position(|w| w == b"a\x1fx").unwrap();
    let ab = input.windows(3).position(|w| w == b"a-b").unwrap();
    assert!(a < ab);
}

#[test]
fn inherited_lang_is_made_explicit() {
    let mut i = exodus();
    let mut de = Identity::new("client", "pc", Some("Exodus"));
    de.lang = Some("de".into());
    i.identities.push(de);
    let before = verification_string(&i).unwrap();
    inherit_lang(&mut i, "en");
    assert_eq!(i.identities[0].lang.as_deref(), Some("en"));
    assert_eq!(i.identities[1].lang.as_deref(), Some("de"));
    assert_ne!(verification_string(&i).unwrap(), before);
    assert!(
        verification_string(&i)
            .unwrap()
            .contains("client/pc/en/Exodus 0.9.1<")
    );
}

// --- XEP-0115 §5.4, one crafted result per rule -----------------------------

#[test]
fn duplicate_identities_are_rejected() {
    let mut i = exodus();
    i.identities.push(i.identities[0].clone());
    assert!(matches!(
        verification_string(&i),
        Err(CapsError::DuplicateIdentity(_))
    ));
    // Same category/type with another language is fine.
    let mut ok = exodus();
    let mut other = ok.identities[0].clone();
    other.lang = Some("de".into());
    ok.identities.push(other);
    assert!(verification_string(&ok).is_ok());
}

#[test]
fn duplicate_features_are_rejected() {
    let mut i = exodus();
    i.features
        .push(Feature::new("http://jabber.org/protocol/muc"));
    assert_eq!(
        verification_string(&i),
        Err(CapsError::DuplicateFeature(
            "http://jabber.org/protocol/muc".into()
        ))
    );
}

#[test]
fn two_forms_with_one_form_type_are_rejected() {
    let mut i = exodus();
    i.forms.push(form("urn:example:info", vec![]));
    i.forms
        .push(form("urn:example:info", vec![Field::text_single("a", "b")]));
    assert_eq!(
        verification_string(&i),
        Err(CapsError::DuplicateFormType("urn:example:info".into()))
    );
}

#[test]
fn a_form_type_with_several_values_is_rejected() {
    let mut i = exodus();
    let mut f = form("urn:example:a", vec![]);
    f.fields[0].values.push("urn:example:b".into());
    i.forms.push(f);
    assert!(
        matches!(verification_string(&i), Err(CapsError::FormTypeMultipleValues(v)) if v.len() == 2)
    );
    // The same value twice is not "different XML character data".
    let mut same = exodus();
    let mut f = form("urn:example:a", vec![]);
    f.fields[0].values.push("urn:example:a".into());
    same.forms.push(f);
    assert!(
        verification_string(&same)
            .unwrap()
            .ends_with("muc<urn:example:a<")
    );
}

#[test]
fn a_form_whose_form_type_is_not_hidden_is_ignored() {
    // §5.4: "ignore the form but continue processing".
    let mut i = exodus();
    let mut f = form("urn:example:a", vec![Field::text_single("x", "y")]);
    f.fields[0].type_ = Some(xep_forms::FieldType::TextSingle);
    i.forms.push(f);
    assert_eq!(
        verification_string(&i).unwrap(),
        verification_string(&exodus()).unwrap()
    );
    // XEP-0390 §4.1 is stricter: abort.
    assert_eq!(hash_input(&i), Err(CapsError::FormWithoutFormType));
}

#[test]
fn xep_0390_rejects_foreign_elements_and_multi_item_forms() {
    let mut i = exodus();
    let mut f = form("urn:example:a", vec![]);
    f.items.push(xep_forms::Item::default());
    i.forms.push(f);
    assert!(matches!(hash_input(&i), Err(CapsError::FormWithItems(_))));
    let foreign = DiscoInfo::from_xml(
        b"<query xmlns='http://jabber.org/protocol/disco#info'><identity category='client' type='pc'/>\
          <extra xmlns='urn:example'/></query>",
    )
    .unwrap();
    assert_eq!(
        hash_input(&foreign),
        Err(CapsError::UnexpectedElement("extra".into()))
    );
}

#[test]
fn caps_elements_round_trip_with_legacy_ext() {
    let c = Caps::from_xml(
        b"<c xmlns='http://jabber.org/protocol/caps' node='http://exodus.jabberstudio.org/caps' ver='0.9' ext='jingle avatar'/>",
    )
    .unwrap();
    assert!(c.is_legacy());
    assert_eq!(c.ext.as_deref(), Some("jingle avatar"));
    assert_eq!(c.verify(&exodus()), Err(CapsError::Legacy));
    assert_eq!(Caps::from_xml(c.to_xml().as_bytes()).unwrap(), c);
    let e = Caps::from_xml(b"<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' ver='x'/>")
        .unwrap_err();
    assert!(e.to_string().contains("'node'"), "{e}");
    let c2 = Caps2::compute(&exodus(), &Algo::SUPPORTED).unwrap();
    assert_eq!(c2.hashes.len(), Algo::SUPPORTED.len());
    assert_eq!(Caps2::from_xml(c2.to_xml().as_bytes()).unwrap(), c2);
    for h in &c2.hashes {
        assert_eq!(parse_hash_node(&hash_node(h)).as_ref(), Some(h));
    }
}

// --- the cache ----------------------------------------------------------------

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

#[test]
fn cache_queries_once_verifies_and_serves_everyone() {
    let info = {
        let mut i = exodus();
        i.node = Some("http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0=".into());
        i
    };
    let caps = Caps::compute(&info, Algo::Sha1, "http://code.google.com/p/exodus").unwrap();
    let mut cache = CapsCache::new();
    let romeo = jid("romeo@montague.lit/orchard");
    let nurse = jid("nurse@capulet.lit/chamber");
    let q = match cache.advertised(romeo.clone(), &caps) {
        Lookup::Query(q) => q,
        other => panic!("{other:?}"),
    };
    assert_eq!(q.to, romeo);
    assert_eq!(q.node, caps.disco_node());
    assert_eq!(cache.advertised(nurse.clone(), &caps), Lookup::Pending);
    assert_eq!(
        cache.disco_result(&romeo, info.clone()),
        Outcome::Verified(vec![romeo.clone(), nurse.clone()])
    );
    assert_eq!(cache.get(&nurse), Some(&info));
    let benvolio = jid("benvolio@capulet.lit/r");
    assert_eq!(cache.advertised(benvolio, &caps), Lookup::Known(&info));
    assert_eq!(cache.len(), 1);
}

#[test]
fn cache_rejects_a_poisoned_result_and_asks_the_next_entity() {
    let info = exodus();
    let caps = Caps::compute(&info, Algo::Sha1, "n").unwrap();
    let mut cache = CapsCache::new();
    let (a, b) = (jid("a@example.com/1"), jid("b@example.com/1"));
    let Lookup::Query(q) = cache.advertised(a.clone(), &caps) else {
        panic!()
    };
    assert_eq!(cache.advertised(b.clone(), &caps), Lookup::Pending);
    let mut lie = info.clone();
    lie.node = Some(q.node.clone());
    lie.features.push(Feature::new("urn:example:extra"));
    match cache.disco_result(&a, lie) {
        Outcome::Rejected { error, retry } => {
            assert_eq!(error, CapsError::HashMismatch(Algo::Sha1));
            assert_eq!(
                retry,
                Some(Query {
                    to: b.clone(),
                    node: q.node.clone()
                })
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(cache.is_empty());
    assert_eq!(cache.get(&a), None);
    let mut truth = info;
    truth.node = Some(q.node);
    assert_eq!(
        cache.disco_result(&b, truth),
        Outcome::Verified(vec![b.clone()])
    );
}

#[test]
fn cache_keeps_unverifiable_caps_per_jid_and_serves_v2() {
    let mut cache = CapsCache::new();
    let legacy = Caps {
        hash: None,
        node: "http://example.org/client".into(),
        ver: "1.0".into(),
        ext: None,
    };
    let a = jid("a@example.com/1");
    let Lookup::Query(q) = cache.advertised(a.clone(), &legacy) else {
        panic!()
    };
    let mut info = exodus();
    info.node = Some(q.node);
    assert_eq!(
        cache.disco_result(&a, info.clone()),
        Outcome::Unverified(a.clone())
    );
    assert_eq!(cache.get(&a), Some(&info));
    assert_eq!(cache.len(), 0);

    let set = Caps2::compute(&exodus(), &[Algo::Sha256, Algo::Sha3_256]).unwrap();
    let b = jid("b@example.com/1");
    let Lookup::Query(q) = cache.advertised2(b.clone(), &set) else {
        panic!()
    };
    assert!(q.node.starts_with("urn:xmpp:caps#sha3-256."), "{}", q.node);
    let mut info2 = exodus();
    info2.node = Some(q.node);
    assert_eq!(
        cache.disco_result(&b, info2.clone()),
        Outcome::Verified(vec![b.clone()])
    );
    assert_eq!(
        cache.advertised2(jid("c@example.com/1"), &set),
        Lookup::Known(&info2)
    );
    assert_eq!(cache.disco_result(&b, exodus()), Outcome::Unsolicited);
    cache.forget(&b);
    assert_eq!(cache.get(&b), None);
}

#[test]
fn caps_are_found_in_presence() {
    let p = xep_core::Presence::from_xml(
        b"<presence xmlns='jabber:client'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>\
          <c xmlns='urn:xmpp:caps'><hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>AAAA</hash></c></presence>",
    )
    .unwrap();
    assert_eq!(Caps::from_presence(&p).unwrap().node, "n");
    assert_eq!(
        Caps2::from_presence(&p).unwrap().hashes[0].algo,
        Algo::Sha256
    );
    let _ = Hash::compute(Algo::Sha1, b"");
}

#[test]
fn cache_insert_verified_checks_before_storing() {
    let info = exodus();
    let caps = Caps::compute(&info, Algo::Sha256, "n").unwrap();
    let key = CapsKey::of_caps(&caps).unwrap();
    let mut cache = CapsCache::new();
    assert_eq!(cache.lookup(&key), None);
    let mut lie = info.clone();
    lie.features.pop();
    assert_eq!(
        cache.insert_verified(key.clone(), lie),
        Err(CapsError::HashMismatch(Algo::Sha256))
    );
    let mut poisoned = info.clone();
    poisoned.features.push(poisoned.features[0].clone());
    assert!(matches!(
        cache.insert_verified(key.clone(), poisoned),
        Err(CapsError::DuplicateFeature(_))
    ));
    assert_eq!(cache.lookup(&key), None);
    cache.insert_verified(key.clone(), info.clone()).unwrap();
    assert_eq!(cache.lookup(&key), Some(&info));
    // A XEP-0390 key of the same digest bytes is another capability set.
    let h = Hash::compute(Algo::Sha256, &hash_input(&info).unwrap()).unwrap();
    let key2 = CapsKey::of_hash(&h);
    assert_eq!(cache.lookup(&key2), None);
    assert_eq!(cache.insert_verified(key2.clone(), exodus()), Ok(()));
    assert_eq!(
        cache.advertised(jid("x@example.com/1"), &caps),
        Lookup::Known(&info)
    );
    // No global key for legacy caps or an unknown function.
    let mut legacy = caps.clone();
    legacy.hash = None;
    assert_eq!(CapsKey::of_caps(&legacy), None);
    legacy.hash = Some(Algo::Other("md5".into()));
    assert_eq!(CapsKey::of_caps(&legacy), None);
}

#[test]
fn cache_matches_a_result_without_node_to_the_only_query() {
    let info = exodus();
    let caps = Caps::compute(&info, Algo::Sha1, "n").unwrap();
    let mut cache = CapsCache::new();
    let a = jid("a@example.com/1");
    assert!(matches!(
        cache.advertised(a.clone(), &caps),
        Lookup::Query(_)
    ));
    assert_eq!(info.node, None);
    assert_eq!(
        cache.disco_result(&a, info.clone()),
        Outcome::Verified(vec![a.clone()])
    );
    // Two queries out to one entity: a node-less result is ambiguous.
    let b = jid("b@example.com/1");
    let mut other = exodus();
    other.features.push(Feature::new("urn:xmpp:ping"));
    let c1 = Caps::compute(&other, Algo::Sha1, "n").unwrap();
    let c2 = Caps2::compute(&other, &[Algo::Sha256]).unwrap();
    assert!(matches!(cache.advertised(b.clone(), &c1), Lookup::Query(_)));
    assert!(matches!(
        cache.advertised2(b.clone(), &c2),
        Lookup::Query(_)
    ));
    assert_eq!(cache.disco_result(&b, other), Outcome::Unsolicited);
}

// --- proposed additions ---------------------------------------------------------

#[test]
fn an_empty_hash_set_is_rejected() {
    let e = Caps2::from_xml(b"<c xmlns='urn:xmpp:caps'/>").unwrap_err();
    assert_eq!(e.path(), "c");
    assert!(e.to_string().contains("hash"), "{e}");
}

#[test]
fn legacy_ext_names_and_nodes() {
    let c = Caps::from_xml(
        b"<c xmlns='http://jabber.org/protocol/caps' node='http://example.org/client' ver='1.0' ext='voice  video'/>",
    )
    .unwrap();
    assert_eq!(c.ext_names().collect::<Vec<_>>(), ["voice", "video"]);
    assert_eq!(
        c.ext_nodes(),
        [
            "http://example.org/client#voice",
            "http://example.org/client#video"
        ]
    );
    let mut none = c.clone();
    none.ext = None;
    assert!(none.ext_nodes().is_empty());
}

/// §5.4's fifth rule ignores a form whose FORM_TYPE is not hidden; the
/// `ver` does not cover it, so the cache must not keep it for others.
#[test]
fn the_cache_drops_forms_the_ver_does_not_cover() {
    let honest = exodus();
    let caps = Caps::compute(&honest, Algo::Sha1, "n").unwrap();
    let mut cache = CapsCache::new();
    let (a, b) = (jid("a@example.com/1"), jid("b@example.com/1"));
    let Lookup::Query(q) = cache.advertised(a.clone(), &caps) else {
        panic!()
    };
    let mut injected = honest.clone();
    injected.node = Some(q.node.clone());
    let mut f = form("urn:example:info", vec![Field::text_single("os", "evil")]);
    f.fields[0].type_ = Some(xep_forms::FieldType::TextSingle);
    injected.forms.push(f);
    // The hash still matches (the form is ignored) ...
    assert!(caps.verify(&injected).unwrap());
    assert_eq!(
        cache.disco_result(&a, injected),
        Outcome::Verified(vec![a.clone()])
    );
    // ... but what others are served is only what the hash covers.
    let served = match cache.advertised(b, &caps) {
        Lookup::Known(i) => i.clone(),
        other => panic!("{other:?}"),
    };
    assert!(served.forms.is_empty(), "{served:?}");
    assert_eq!(served.features, honest.features);
    // Hashed forms stay.
    let mut with_form = exodus();
    with_form.forms.push(form(
        "urn:example:info",
        vec![Field::text_single("os", "Mac")],
    ));
    let key = CapsKey::of_caps(&Caps::compute(&with_form, Algo::Sha1, "n").unwrap()).unwrap();
    cache
        .insert_verified(key.clone(), with_form.clone())
        .unwrap();
    assert_eq!(cache.lookup(&key), Some(&with_form));
}
