//! XEP-0292 §9: vcard-temp mapped to vCard4.

use base64::Engine;
use xep_element::XmlValue;

use crate::temp::{Image, IsoDate, VCard};
use crate::values4::VTimestamp;
use crate::vcard4::{
    self as v4, Adr, Parameters, Pref, Property, SortAs, StructuredName, TypeParam, TypeValue,
    VCard4, Value,
};

fn params(types: Vec<TypeValue>, pref: bool) -> Option<Parameters> {
    if types.is_empty() && !pref {
        return None;
    }
    Some(Parameters {
        type_: (!types.is_empty()).then_some(TypeParam { values: types }),
        pref: if pref { Pref::new(1) } else { None },
        ..Parameters::default()
    })
}

fn flags(pairs: &[(bool, TypeValue)]) -> Vec<TypeValue> {
    pairs
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, t)| t.clone())
        .collect()
}

/// An RFC 2397 `data:` URI of inline data (how §9.3 maps PHOTO and
/// LOGO), or the EXTVAL URI.
fn image_uri<T: Image>(i: &T) -> Option<String> {
    if let Some(u) = i.extval() {
        return Some(u.to_string());
    }
    let data = i.binval().filter(|b| !b.is_empty())?;
    Some(format!(
        "data:{};base64,{}",
        i.content_type().unwrap_or(""),
        base64::engine::general_purpose::STANDARD.encode(data.data())
    ))
}

fn with<T>(values: Vec<Value>, make: impl Fn(Option<Parameters>, Vec<Value>) -> T) -> T {
    make(None, values)
}

/// Maps a vcard-temp vCard to vCard4 as XEP-0292 §9 describes: DESC to
/// NOTE, JABBERID to an `xmpp:` IMPP, MIDDLE to the additional name,
/// KEY's CRED to text, SOUND's PHONETIC discarded, ADR's DOM, INTL,
/// PARCEL and POSTAL and TEL's BBS, ISDN, MODEM, MSG and PCS dropped, a
/// telephone number as a `tel:` URI, ORG's name without its units,
/// SORT-STRING as N's SORT-AS, PHOTO and LOGO data as `data:` URIs, an
/// AGENT only by URI (RELATED of type `agent`); CLASS, LABEL and MAILER
/// have no mapping and are left out, as are VERSION and elements of
/// other namespaces.
pub fn to_vcard4(card: &VCard) -> VCard4 {
    let mut out = VCard4::default();
    let text = |s: &str| Value::text(s);
    if let Some(f) = &card.fn_ {
        out.push(Property::Fn(v4::FormattedName::new(text(f))));
    }
    if let Some(n) = &card.n {
        let one = |o: &Option<String>| o.iter().cloned().collect::<Vec<_>>();
        let sort_as = (!card.sort_strings.is_empty()).then(|| Parameters {
            sort_as: Some(SortAs {
                values: card.sort_strings.clone(),
            }),
            ..Parameters::default()
        });
        out.push(Property::N(StructuredName {
            parameters: sort_as,
            surname: one(&n.family),
            given: one(&n.given),
            additional: one(&n.middle),
            prefix: one(&n.prefix),
            suffix: one(&n.suffix),
        }));
    }
    for n in &card.nicknames {
        out.push(Property::Nickname(v4::Nickname::new(text(n))));
    }
    for p in &card.photos {
        if let Some(u) = image_uri(p) {
            out.push(Property::Photo(v4::Photo::new(Value::uri(u))));
        }
    }
    for b in &card.bdays {
        let value = match b {
            IsoDate::Date(d) => Value::Date(v4::DateValue {
                value: XmlValue::from_xml(&d.to_xml()).expect("a XEP-0082 date is a vCard date"),
            }),
            IsoDate::DateTime(d) => match XmlValue::from_xml(&d.to_xml()) {
                Ok(value) => Value::DateTime(v4::DateTimeValue { value }),
                Err(_) => text(&d.to_xml()),
            },
            IsoDate::Other(s) => text(s),
        };
        out.push(Property::Bday(v4::Bday::new(value)));
    }
    for a in &card.addresses {
        let one = |o: &Option<String>| o.iter().cloned().collect::<Vec<_>>();
        out.push(Property::Adr(Adr {
            parameters: params(
                flags(&[(a.home, TypeValue::Home), (a.work, TypeValue::Work)]),
                a.pref,
            ),
            pobox: one(&a.pobox),
            ext: one(&a.extadd),
            street: one(&a.street),
            locality: one(&a.locality),
            region: one(&a.region),
            code: one(&a.pcode),
            country: one(&a.ctry),
        }));
    }
    for t in &card.tels {
        let types = flags(&[
            (t.home, TypeValue::Home),
            (t.work, TypeValue::Work),
            (t.voice, TypeValue::Voice),
            (t.fax, TypeValue::Fax),
            (t.cell, TypeValue::Cell),
            (t.video, TypeValue::Video),
            (t.pager, TypeValue::Pager),
        ]);
        if t.number.is_empty() {
            continue;
        }
        out.push(Property::Tel(v4::Tel {
            parameters: params(types, t.pref),
            values: vec![Value::uri(format!("tel:{}", t.number))],
        }));
    }
    for e in &card.emails {
        out.push(Property::Email(v4::Email {
            parameters: params(
                flags(&[(e.home, TypeValue::Home), (e.work, TypeValue::Work)]),
                e.pref,
            ),
            values: vec![text(&e.userid)],
        }));
    }
    for j in &card.jabberids {
        out.push(Property::Impp(v4::Impp::new(Value::uri(format!(
            "xmpp:{j}"
        )))));
    }
    for tz in &card.tzs {
        out.push(Property::Tz(v4::Tz::new(text(tz))));
    }
    for g in &card.geos {
        out.push(Property::Geo(v4::Geo::new(Value::uri(format!(
            "geo:{},{}",
            g.lat, g.lon
        )))));
    }
    for t in &card.titles {
        out.push(Property::Title(v4::Title::new(text(t))));
    }
    for r in &card.roles {
        out.push(Property::Role(v4::Role::new(text(r))));
    }
    for l in &card.logos {
        if let Some(u) = image_uri(l) {
            out.push(Property::Logo(v4::Logo::new(Value::uri(u))));
        }
    }
    for a in &card.agents {
        if let Some(u) = &a.extval {
            out.push(Property::Related(v4::Related {
                parameters: params(vec![TypeValue::Agent], false),
                values: vec![Value::uri(u.clone())],
            }));
        }
    }
    for o in &card.orgs {
        out.push(Property::Org(v4::Org::new(text(&o.orgname))));
    }
    for c in &card.categories {
        out.push(Property::Categories(with(
            c.keywords.iter().map(|k| text(k)).collect(),
            |parameters, values| v4::Categories { parameters, values },
        )));
    }
    for n in card.notes.iter().chain(&card.descs) {
        out.push(Property::Note(v4::Note::new(text(n))));
    }
    for p in &card.prodids {
        out.push(Property::Prodid(v4::Prodid::new(text(p))));
    }
    for r in &card.revs {
        if let IsoDate::DateTime(d) = r
            && let Ok(value) = VTimestamp::from_xml(&d.to_xml())
        {
            out.push(Property::Rev(v4::Rev::new(Value::Timestamp(
                v4::TimestampValue { value },
            ))));
        }
    }
    for s in &card.sounds {
        let uri = match (&s.extval, &s.binval) {
            (Some(u), _) => Some(u.clone()),
            (None, Some(b)) if !b.is_empty() => Some(format!(
                "data:;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(b.data())
            )),
            _ => None,
        };
        if let Some(u) = uri {
            out.push(Property::Sound(v4::Sound::new(Value::uri(u))));
        }
    }
    for u in &card.uids {
        out.push(Property::Uid(v4::Uid::new(text(u))));
    }
    for u in &card.urls {
        out.push(Property::Url(v4::Url::new(Value::uri(u.as_str()))));
    }
    for k in &card.keys {
        out.push(Property::Key(v4::Key::new(text(&k.cred))));
    }
    out
}
