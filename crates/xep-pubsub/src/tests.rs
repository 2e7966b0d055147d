//! Round trips, rejects, error conditions, form views and helpers, on our
//! own stanzas.

use xep_core::{DefinedCondition, ErrorType, Iq, Message, StanzaError};
use xep_element::{Payload, Registry, XmlElement};
use xep_forms::{DataForm, Field, FieldType, FormType, FormView};

use crate::errors::{Feature, PubsubError, PubsubErrorCondition, Unsupported};
use crate::forms::*;
use crate::request::{self, Outcome, Reply};
use crate::*;

fn registry() -> Registry {
    Registry::new()
        .with(xep_core::ELEMENTS)
        .with(xep_forms::ELEMENTS)
        .with(crate::ELEMENTS)
}

fn round_trip<T: XmlElement + PartialEq + std::fmt::Debug>(xml: &str) -> T {
    let v = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
    let back = v.to_xml();
    assert_eq!(T::from_xml(back.as_bytes()).unwrap(), v, "{back}");
    let dom: xep_element::minidom::Element = back.parse().unwrap();
    assert_eq!(T::from_element(&dom).unwrap(), v, "DOM path");
    let original: xep_element::minidom::Element = xml.parse().unwrap();
    assert!(
        xep_element::equivalent(&original, &dom).is_ok(),
        "{xml} != {back}"
    );
    v
}

fn err<T: XmlElement + std::fmt::Debug>(xml: &str) -> String {
    T::from_xml(xml.as_bytes())
        .map(|v| panic!("{xml} was accepted: {v:?}"))
        .unwrap_err()
        .to_string()
}

const PS: &str = "http://jabber.org/protocol/pubsub";

// ---------------------------------------------------------------------------
// Elements

#[test]
fn create_configure_and_created_node() {
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><create node='orchard-news'/><configure>\
         <x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>\
         <value>http://jabber.org/protocol/pubsub#node_config</value></field>\
         <field var='pubsub#title'><value>Orchard</value></field></x></configure></pubsub>"
    ));
    assert_eq!(
        p.create().cloned().unwrap().node.as_deref(),
        Some("orchard-news")
    );
    let form = p.configure.unwrap().form.unwrap();
    assert_eq!(
        NodeConfig::from_form(&form).unwrap().title.as_deref(),
        Some("Orchard")
    );
    let p: Pubsub = round_trip(&format!("<pubsub xmlns='{PS}'><create/></pubsub>"));
    assert_eq!(p.create(), Some(&Create::default()));
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><create node='a7f3c'/></pubsub>"
    ));
    assert_eq!(p.create().cloned().unwrap().node.as_deref(), Some("a7f3c"));
}

#[test]
fn subscribe_options_and_subscription_results() {
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><subscribe node='harvest' jid='pear@orchard.example'/>\
         <options><x xmlns='jabber:x:data' type='submit'/></options></pubsub>"
    ));
    assert_eq!(
        p.subscribe().cloned().unwrap().jid.to_string(),
        "pear@orchard.example"
    );
    assert!(p.check_subscribe_options().is_ok());
    assert!(p.options.unwrap().jid.is_none());
    // §6.3.7 forbids 'jid' and 'node' there; the schema requires 'jid'.
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><subscribe node='harvest' jid='pear@orchard.example'/>\
         <options node='harvest' jid='pear@orchard.example'/></pubsub>"
    ));
    assert_eq!(
        p.check_subscribe_options().unwrap_err().to_string(),
        "at pubsub: <options/> next to <subscribe/> has no 'jid' or 'node' (XEP-0060 §6.3.7)"
    );

    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><subscription node='harvest' jid='pear@orchard.example' \
         subid='s-41' subscription='unconfigured'><subscribe-options><required/></subscribe-options>\
         </subscription></pubsub>"
    ));
    let s = p.subscription().cloned().unwrap();
    assert_eq!(s.subscription, Some(SubscriptionState::Unconfigured));
    assert_eq!(s.subid.as_deref(), Some("s-41"));
    assert!(s.subscribe_options.unwrap().required);

    for (v, st) in [
        ("none", SubscriptionState::None),
        ("pending", SubscriptionState::Pending),
        ("subscribed", SubscriptionState::Subscribed),
        ("unconfigured", SubscriptionState::Unconfigured),
    ] {
        let p: Pubsub = round_trip(&format!(
            "<pubsub xmlns='{PS}'><subscription jid='fig@orchard.example' subscription='{v}'>\
             <subscribe-options/></subscription></pubsub>"
        ));
        let s = p.subscription().cloned().unwrap();
        assert_eq!(s.subscription, Some(st));
        assert!(!s.subscribe_options.unwrap().required);
    }

    // A subscription result with the resulting options (XEP-0060 §6.3.7).
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><subscription node='harvest' jid='pear@orchard.example' subscription='subscribed'/>\
         <options><x xmlns='jabber:x:data' type='result'/></options></pubsub>"
    ));
    assert!(p.options.is_some());

    // Options get and set on their own.
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><options node='harvest' jid='pear@orchard.example' subid='s-41'/></pubsub>"
    ));
    let o = p.options.unwrap();
    assert_eq!(o.subid.as_deref(), Some("s-41"));
    assert!(o.form.is_none());
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><default node='harvest'><x xmlns='jabber:x:data' type='result'/></default></pubsub>"
    ));
    assert_eq!(
        p.default_options().unwrap().node.clone().as_deref(),
        Some("harvest")
    );
}

#[test]
fn unsubscribe_subscriptions_affiliations() {
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><unsubscribe node='harvest' jid='pear@orchard.example' subid='s-2'/></pubsub>"
    ));
    assert_eq!(
        p.unsubscribe().cloned().unwrap().subid.as_deref(),
        Some("s-2")
    );
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><subscriptions><subscription node='a' jid='pear@orchard.example' subscription='subscribed' subid='1'/>\
         <subscription node='b' jid='pear@orchard.example' subscription='pending'/></subscriptions></pubsub>"
    ));
    assert_eq!(p.subscriptions().cloned().unwrap().subscriptions.len(), 2);
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><affiliations><affiliation node='a' affiliation='owner'/>\
         <affiliation node='b' affiliation='publish-only'/><affiliation node='c' affiliation='outcast'/></affiliations></pubsub>"
    ));
    let a = p.affiliations().cloned().unwrap();
    assert_eq!(
        a.affiliations
            .iter()
            .map(|a| a.affiliation)
            .collect::<Vec<_>>(),
        [
            Affiliation::Owner,
            Affiliation::PublishOnly,
            Affiliation::Outcast
        ]
    );
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><affiliations node='a'/></pubsub>"
    ));
    assert_eq!(
        p.affiliations().cloned().unwrap().node.as_deref(),
        Some("a")
    );
}

#[test]
fn items_publish_retract_with_payloads() {
    let xml = format!(
        "<pubsub xmlns='{PS}'><items node='harvest' max_items='3' subid='s-1'>\
         <item id='i1' publisher='pear@orchard.example'><crop xmlns='urn:example:crop' kind='apple'>Reinette</crop></item>\
         <item id='i2'/></items></pubsub>"
    );
    let p: Pubsub = round_trip(&xml);
    let items = p.items().cloned().unwrap();
    assert_eq!(items.max_items, Some(3));
    assert_eq!(items.subid.as_deref(), Some("s-1"));
    let payload = items.items[0].payload().unwrap();
    assert!(matches!(payload, Payload::Raw(el) if el.attr("kind") == Some("apple")));
    assert!(items.items[1].payload().is_none());

    // A registered payload is typed through the registry.
    let iq = Iq::from_xml_with(
        format!(
            "<iq xmlns='jabber:client' type='set' id='p1'><pubsub xmlns='{PS}'><publish node='headers'>\
             <item id='h'><headers xmlns='http://jabber.org/protocol/shim'><header name='Urgency'>high</header></headers></item>\
             </publish><publish-options/></pubsub></iq>"
        )
        .as_bytes(),
        &registry(),
    )
    .unwrap();
    let p = iq.payloads[0].downcast_ref::<Pubsub>().unwrap();
    let item = &p.publish().unwrap().items[0];
    let h = item.payload().unwrap().downcast_ref::<Headers>().unwrap();
    assert_eq!(h.get("urgency").collect::<Vec<_>>(), ["high"]);
    assert_eq!(p.publish_options, Some(PublishOptions::default()));

    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><retract node='harvest' notify='1'><item id='i1'/><item id='i2'/></retract></pubsub>"
    ));
    let r = p.retract().cloned().unwrap();
    assert!(bool::from(r.notify.unwrap()));
    assert_eq!(r.notify.unwrap().to_string_xml(), "1");
    assert_eq!(r.items.len(), 2);
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><retract node='harvest' notify='false'><item id='i1'/></retract></pubsub>"
    ));
    assert!(!bool::from(p.retract().cloned().unwrap().notify.unwrap()));
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><publish node='harvest'><item id='i9'/></publish></pubsub>"
    ));
    assert_eq!(
        p.publish().cloned().unwrap().items[0].id.as_deref(),
        Some("i9"),
        "publish result with the item id"
    );
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><items node='n'/><set xmlns='http://jabber.org/protocol/rsm'><max>2</max></set></pubsub>"
    ));
    assert_eq!(p.rsm.unwrap().max, Some(2));

    // Extensions of other namespaces are kept where later XEPs add them.
    let p: Pubsub = round_trip(&format!(
        "<pubsub xmlns='{PS}'><subscribe node='n' jid='a@b'><flag xmlns='urn:example:ext'/></subscribe>\
         <note xmlns='urn:example:ext'>x</note></pubsub>"
    ));
    assert_eq!(p.extensions.len(), 1);
    assert_eq!(p.subscribe().unwrap().extensions.len(), 1);
}

trait ToStringXml {
    fn to_string_xml(&self) -> String;
}
impl<T: xep_element::XmlValue> ToStringXml for T {
    fn to_string_xml(&self) -> String {
        self.to_xml().into_owned()
    }
}

#[test]
fn owner_requests() {
    const OW: &str = "http://jabber.org/protocol/pubsub#owner";
    let p: OwnerPubsub = round_trip(&format!(
        "<pubsub xmlns='{OW}'><configure node='harvest'><x xmlns='jabber:x:data' type='cancel'/></configure></pubsub>"
    ));
    assert_eq!(p.configure.unwrap().node.as_deref(), Some("harvest"));
    let p: OwnerPubsub = round_trip(&format!("<pubsub xmlns='{OW}'><default/></pubsub>"));
    assert_eq!(p.default.unwrap().type_, None);
    let p: OwnerPubsub = round_trip(&format!(
        "<pubsub xmlns='{OW}'><default type='collection'><x xmlns='jabber:x:data' type='form'/></default></pubsub>"
    ));
    assert_eq!(p.default.unwrap().type_, Some(NodeKind::Collection));
    let p: OwnerPubsub = round_trip(&format!(
        "<pubsub xmlns='{OW}'><delete node='harvest'><redirect uri='xmpp:pubsub.orchard.example?;node=harvest-2'/></delete></pubsub>"
    ));
    assert_eq!(
        p.delete.unwrap().redirect.unwrap().uri,
        "xmpp:pubsub.orchard.example?;node=harvest-2"
    );
    let p: OwnerPubsub = round_trip(&format!(
        "<pubsub xmlns='{OW}'><purge node='harvest'/></pubsub>"
    ));
    assert_eq!(p.purge.unwrap().node, "harvest");
    let p: OwnerPubsub = round_trip(&format!(
        "<pubsub xmlns='{OW}'><subscriptions node='harvest'><subscription jid='pear@orchard.example' subscription='subscribed' subid='x1'/>\
         <subscription jid='plum@orchard.example' subscription='none'/></subscriptions></pubsub>"
    ));
    let s = p.subscriptions.unwrap();
    assert_eq!(s.subscriptions[1].subscription, SubscriptionState::None);
    assert_eq!(s.subscriptions[0].subid.as_deref(), Some("x1"));
    let p: OwnerPubsub = round_trip(&format!(
        "<pubsub xmlns='{OW}'><affiliations node='harvest'><affiliation jid='pear@orchard.example' affiliation='publisher'/>\
         <affiliation jid='plum@orchard.example' affiliation='member'/></affiliations></pubsub>"
    ));
    assert_eq!(
        p.affiliations.unwrap().affiliations[0].affiliation,
        Affiliation::Publisher
    );
}

#[test]
fn event_notifications() {
    const EV: &str = "http://jabber.org/protocol/pubsub#event";
    let e: Event = round_trip(&format!(
        "<event xmlns='{EV}'><items node='harvest'><item id='i1' publisher='pear@orchard.example'>\
         <crop xmlns='urn:example:crop'/></item></items></event>"
    ));
    let items = e.items.as_ref().unwrap();
    assert_eq!(
        items.items[0].publisher.as_ref().unwrap().to_string(),
        "pear@orchard.example"
    );
    assert_eq!(e.node(), Some("harvest"));
    let e: Event = round_trip(&format!(
        "<event xmlns='{EV}'><items node='harvest'><retract id='i1'/><retract id='i2'/></items></event>"
    ));
    assert_eq!(e.items.unwrap().retracts[1].id, "i2");
    let e: Event = round_trip(&format!(
        "<event xmlns='{EV}'><purge node='harvest'/></event>"
    ));
    assert_eq!(e.node(), Some("harvest"));
    let e: Event = round_trip(&format!(
        "<event xmlns='{EV}'><delete node='harvest'><redirect uri='xmpp:o.example?;node=h2'/></delete></event>"
    ));
    assert_eq!(
        e.delete.unwrap().redirect.unwrap().uri,
        "xmpp:o.example?;node=h2"
    );
    let e: Event = round_trip(&format!(
        "<event xmlns='{EV}'><configuration node='harvest'><x xmlns='jabber:x:data' type='result'/></configuration></event>"
    ));
    assert!(e.configuration.unwrap().form.is_some());
    let e: Event = round_trip(&format!(
        "<event xmlns='{EV}'><subscription node='harvest' jid='pear@orchard.example' subscription='subscribed' \
         subid='s1' expiry='2030-01-02T03:04:05Z'/></event>"
    ));
    let s = e.subscription.unwrap();
    assert_eq!(s.expiry.unwrap().value.timestamp(), 1893553445);
    let e: Event = round_trip(&format!(
        "<event xmlns='{EV}'><collection node='all'><associate node='harvest'/></collection></event>"
    ));
    assert_eq!(e.collection.unwrap().associate.unwrap().node, "harvest");
    let e: Event = round_trip(&format!(
        "<event xmlns='{EV}'><collection><disassociate node='harvest'/></collection></event>"
    ));
    assert!(e.collection.unwrap().disassociate.is_some());

    // A notification message with SHIM headers, typed through the registry.
    let m = Message::from_xml_with(
        format!(
            "<message xmlns='jabber:client' from='pubsub.orchard.example' to='pear@orchard.example'>\
             <event xmlns='{EV}'><items node='harvest'><item id='i3'/></items></event>\
             <headers xmlns='http://jabber.org/protocol/shim'><header name='SubID'>s1</header>\
             <header name='SubID'>s2</header></headers></message>"
        )
        .as_bytes(),
        &registry(),
    )
    .unwrap();
    assert!(m.payloads[0].downcast_ref::<Event>().is_some());
    assert_eq!(
        request::headers_of(&m).unwrap().unwrap().subids(),
        ["s1", "s2"]
    );
    assert_eq!(
        request::event_of(&m).unwrap().unwrap().node(),
        Some("harvest")
    );
}

#[test]
fn bad_input_is_rejected_with_path_and_reason() {
    const OW: &str = "http://jabber.org/protocol/pubsub#owner";
    const EV: &str = "http://jabber.org/protocol/pubsub#event";
    let cases: Vec<(String, &str)> = vec![
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><subscribe node='n'/></pubsub>"
            )),
            "at pubsub/subscribe: missing required attribute 'jid'",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><subscribe jid='bad@@jid'/></pubsub>"
            )),
            "at pubsub/subscribe: attribute 'jid' has bad value 'bad@@jid'",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><items node='n' max_items='0'/></pubsub>"
            )),
            "at pubsub/items: attribute 'max_items' has bad value '0'",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><items node='n' max_items='-2'/></pubsub>"
            )),
            "at pubsub/items: attribute 'max_items' has bad value '-2'",
        ),
        (
            err::<Pubsub>(&format!("<pubsub xmlns='{PS}'><items/></pubsub>")),
            "at pubsub/items: missing required attribute 'node'",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><retract node='n'/></pubsub>"
            )),
            "at pubsub/retract",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><retract node='n' notify='yes'><item id='1'/></retract></pubsub>"
            )),
            "at pubsub/retract: attribute 'notify' has bad value 'yes'",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><subscription jid='a@b' subscription='maybe'/></pubsub>"
            )),
            "at pubsub/subscription: attribute 'subscription' has bad value 'maybe'",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><affiliations><affiliation node='n' affiliation='king'/></affiliations></pubsub>"
            )),
            "at pubsub/affiliations/affiliation: attribute 'affiliation' has bad value 'king'",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><publish node='n'><item><a xmlns='urn:a'/><b xmlns='urn:b'/></item></publish></pubsub>"
            )),
            "at pubsub/publish/item: an item holds at most one payload",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><affiliations><affilation node='n' affiliation='none'/></affiliations></pubsub>"
            )),
            "at pubsub/affiliations: child element {http://jabber.org/protocol/pubsub}affilation is not defined",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><publish node='n'><unknown/></publish></pubsub>"
            )),
            "at pubsub/publish: child element {http://jabber.org/protocol/pubsub}unknown is not defined",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><publish node='n'><item><create/></item></publish></pubsub>"
            )),
            "at pubsub/publish/item:",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><create/><publish node='n'/></pubsub>"
            )),
            "at pubsub: child <publish/> may occur only once",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><items node='a'/><options jid='a@b'/></pubsub>"
            )),
            "at pubsub: <options/> goes alone or with <subscribe/> or <subscription/>",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><retract node='a'><item id='1'/></retract><set xmlns='http://jabber.org/protocol/rsm'/></pubsub>"
            )),
            "at pubsub: result set management (<set/>) only goes with <items/>",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><items node='a'/><purge node='a'/></pubsub>"
            )),
            "at pubsub:",
        ),
        (
            err::<Pubsub>(&format!("<pubsub xmlns='{PS}'><configure/></pubsub>")),
            "at pubsub: <configure/> only goes with <create/>",
        ),
        (
            err::<Pubsub>(&format!("<pubsub xmlns='{PS}'><publish-options/></pubsub>")),
            "at pubsub: <publish-options/> only goes with <publish/>",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><options node='n'/></pubsub>"
            )),
            "at pubsub/options: missing required attribute 'jid'",
        ),
        (
            err::<Pubsub>(&format!(
                "<pubsub xmlns='{PS}'><subscriptions><subscription jid='a@b'><subscribe-options><required>x</required></subscribe-options></subscription></subscriptions></pubsub>"
            )),
            "at pubsub/subscriptions/subscription/subscribe-options",
        ),
        (
            err::<OwnerPubsub>(&format!("<pubsub xmlns='{OW}'/>")),
            "at pubsub: a pubsub#owner element holds exactly one request, found 0",
        ),
        (
            err::<OwnerPubsub>(&format!(
                "<pubsub xmlns='{OW}'><purge node='a'/><delete node='a'/></pubsub>"
            )),
            "found 2",
        ),
        (
            err::<OwnerPubsub>(&format!(
                "<pubsub xmlns='{OW}'><default type='branch'/></pubsub>"
            )),
            "at pubsub/default: attribute 'type' has bad value 'branch'",
        ),
        (
            err::<OwnerPubsub>(&format!(
                "<pubsub xmlns='{OW}'><subscriptions node='a'><subscription jid='a@b'/></subscriptions></pubsub>"
            )),
            "at pubsub/subscriptions/subscription: missing required attribute 'subscription'",
        ),
        (
            err::<OwnerPubsub>(&format!(
                "<pubsub xmlns='{OW}'><delete node='a'><redirect/></delete></pubsub>"
            )),
            "at pubsub/delete/redirect: missing required attribute 'uri'",
        ),
        (
            err::<Event>(&format!("<event xmlns='{EV}'/>")),
            "at event: a pubsub#event element holds exactly one notification, found 0",
        ),
        (
            err::<Event>(&format!(
                "<event xmlns='{EV}'><items node='a'><item id='1'/><retract id='2'/></items></event>"
            )),
            "at event/items: an items event holds published items or retractions, not both",
        ),
        (
            err::<Event>(&format!(
                "<event xmlns='{EV}'><items node='a'><retract/></items></event>"
            )),
            "at event/items/retract: missing required attribute 'id'",
        ),
        (
            err::<Event>(&format!("<event xmlns='{EV}'><collection/></event>")),
            "at event/collection: a collection event holds exactly one",
        ),
        (
            err::<Event>(&format!(
                "<event xmlns='{EV}'><subscription jid='a@b' expiry='soon'/></event>"
            )),
            "at event/subscription: attribute 'expiry' has bad value 'soon'",
        ),
        (
            err::<Headers>(
                "<headers xmlns='http://jabber.org/protocol/shim'><header>v</header></headers>",
            ),
            "at headers/header: missing required attribute 'name'",
        ),
    ];
    for (msg, expected) in cases {
        assert!(
            msg.contains(expected),
            "{msg:?} does not contain {expected:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// pubsub#errors: one test per condition

fn error_iq(condition: &str, type_: &str, defined: &str) -> Iq {
    Iq::from_xml(
        format!(
            "<iq xmlns='jabber:client' type='error' id='e1' from='pubsub.orchard.example'>\
             <error type='{type_}'><{defined} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             {condition}</error></iq>"
        )
        .as_bytes(),
    )
    .unwrap()
}

fn check_condition(xml_condition: &str, expected: PubsubErrorCondition) {
    let (type_, defined) = expected.default_stanza_error();
    let type_s = xep_element::XmlValue::to_xml(&type_).into_owned();
    let defined_el = xep_element::XmlElement::to_xml(&defined);
    let defined_name = defined_el
        .trim_start_matches('<')
        .split([' ', '/', '>'])
        .next()
        .unwrap()
        .to_string();
    let reply = error_iq(xml_condition, &type_s, &defined_name);
    let req = Iq::get(
        "e1",
        Some("pubsub.orchard.example".parse().unwrap()),
        Payload::new(Pubsub::default()),
    );
    let Outcome::Failed(e) = request::classify_reply(&req, &reply) else {
        panic!("not classified as a failure: {xml_condition}");
    };
    assert_eq!(e.condition.as_ref(), Some(&expected));
    assert_eq!(e.stanza.type_, type_);
    assert_eq!(*e.defined_condition(), defined);
    // Building the same error gives the same stanza error.
    let built = PubsubError::new(expected.clone());
    let reply2 = req.error_reply(built.clone().into());
    let parsed = Iq::from_xml(reply2.to_xml().as_bytes()).unwrap();
    let again = PubsubError::from_stanza_error(parsed.error.as_ref().unwrap()).unwrap();
    assert_eq!(again.condition, Some(expected.clone()));
    assert_eq!(again.stanza.condition, defined);
    // The element itself round-trips and its name is the one in the XML.
    let c: PubsubErrorCondition = round_trip(xml_condition);
    assert!(xml_condition.starts_with(&format!("<{}", c.name())));
}

macro_rules! condition_tests {
    ($($test:ident: $name:literal => $variant:ident),* $(,)?) => {$(
        #[test]
        fn $test() {
            check_condition(
                concat!("<", $name, " xmlns='http://jabber.org/protocol/pubsub#errors'/>"),
                PubsubErrorCondition::$variant,
            );
        }
    )*};
}

condition_tests! {
    error_closed_node: "closed-node" => ClosedNode,
    error_configuration_required: "configuration-required" => ConfigurationRequired,
    error_invalid_jid: "invalid-jid" => InvalidJid,
    error_invalid_options: "invalid-options" => InvalidOptions,
    error_invalid_payload: "invalid-payload" => InvalidPayload,
    error_invalid_subid: "invalid-subid" => InvalidSubid,
    error_item_forbidden: "item-forbidden" => ItemForbidden,
    error_item_required: "item-required" => ItemRequired,
    error_jid_required: "jid-required" => JidRequired,
    error_max_items_exceeded: "max-items-exceeded" => MaxItemsExceeded,
    error_max_nodes_exceeded: "max-nodes-exceeded" => MaxNodesExceeded,
    error_nodeid_required: "nodeid-required" => NodeidRequired,
    error_not_in_roster_group: "not-in-roster-group" => NotInRosterGroup,
    error_not_subscribed: "not-subscribed" => NotSubscribed,
    error_payload_too_big: "payload-too-big" => PayloadTooBig,
    error_payload_required: "payload-required" => PayloadRequired,
    error_pending_subscription: "pending-subscription" => PendingSubscription,
    error_precondition_not_met: "precondition-not-met" => PreconditionNotMet,
    error_presence_subscription_required: "presence-subscription-required" => PresenceSubscriptionRequired,
    error_subid_required: "subid-required" => SubidRequired,
    error_too_many_subscriptions: "too-many-subscriptions" => TooManySubscriptions,
    error_unsupported_access_model: "unsupported-access-model" => UnsupportedAccessModel,
}

#[test]
fn error_unsupported_with_known_and_unknown_features() {
    check_condition(
        "<unsupported xmlns='http://jabber.org/protocol/pubsub#errors' feature='retract-items'/>",
        PubsubErrorCondition::Unsupported(Unsupported {
            feature: Feature::RetractItems,
        }),
    );
    check_condition(
        "<unsupported xmlns='http://jabber.org/protocol/pubsub#errors' feature='x-grafting'/>",
        PubsubErrorCondition::Unsupported(Unsupported {
            feature: Feature::Other("x-grafting".into()),
        }),
    );
    assert_eq!(
        Feature::PublishOptions.disco_feature(),
        "http://jabber.org/protocol/pubsub#publish-options"
    );
    let e = err::<PubsubErrorCondition>(
        "<unsupported xmlns='http://jabber.org/protocol/pubsub#errors'/>",
    );
    assert!(
        e.contains("at unsupported: missing required attribute 'feature'"),
        "{e}"
    );
    let e = err::<PubsubErrorCondition>(
        "<unsupported xmlns='http://jabber.org/protocol/pubsub#errors' feature='two words'/>",
    );
    assert!(
        e.contains(
            "at unsupported: attribute 'feature' has bad value 'two words': expected an NCName"
        ),
        "{e}"
    );
    let e = err::<PubsubErrorCondition>(
        "<not-a-condition xmlns='http://jabber.org/protocol/pubsub#errors'/>",
    );
    assert!(!e.is_empty());
}

#[test]
fn errors_without_pubsub_condition_and_malformed_ones() {
    let req = Iq::get("e1", None, Payload::new(Pubsub::default()));
    let reply = req.error_reply(StanzaError::new(
        ErrorType::Cancel,
        DefinedCondition::ItemNotFound,
    ));
    let Outcome::Failed(e) = request::classify_reply(&req, &reply) else {
        panic!()
    };
    assert_eq!(e.condition, None);
    assert_eq!(*e.defined_condition(), DefinedCondition::ItemNotFound);
    let bad = Iq::from_xml(
        b"<iq xmlns='jabber:client' type='error' id='e1'><error type='cancel'>\
          <feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
          <unsupported xmlns='http://jabber.org/protocol/pubsub#errors'/></error></iq>",
    )
    .unwrap();
    assert!(matches!(
        request::classify_reply(&req, &bad),
        Outcome::Malformed(m) if m.contains("missing required attribute 'feature'")
    ));
    let with = PubsubError::with(
        ErrorType::Wait,
        DefinedCondition::ResourceConstraint,
        Some(PubsubErrorCondition::MaxNodesExceeded),
    );
    assert_eq!(with.stanza.app.len(), 1);
}

// ---------------------------------------------------------------------------
// Form views

fn reparse(form: &DataForm) -> DataForm {
    DataForm::from_xml(form.to_xml().as_bytes()).unwrap()
}

fn unknown() -> Field {
    Field::new("x-orchard#season", None, vec!["autumn".into()])
}

#[test]
fn node_config_view() {
    let mut cfg = NodeConfig {
        access_model: Some(AccessModel::Whitelist),
        contact: vec!["pear@orchard.example".parse().unwrap()],
        deliver_payloads: Some(false),
        item_expire: Some(Limit::Max),
        itemreply: Some(ItemReply::Publisher),
        max_items: Some(Limit::Count(10)),
        max_payload_size: Some(4096),
        node_type: Some(NodeType::Leaf),
        notification_type: Some(NotificationType::Headline),
        publish_model: Some(PublishModel::Subscribers),
        publish_node_full: Some(PublishNodeFull::RetractOldest),
        roster_groups_allowed: vec!["Friends".into(), "Family".into()],
        send_last_published_item: Some(SendLastPublishedItem::OnSubAndPresence),
        title: Some("Harvest".into()),
        type_: Some("urn:example:crop".into()),
        ..NodeConfig::default()
    };
    cfg.other.push(unknown());
    let form = cfg.to_form(FormType::Submit);
    assert_eq!(form.form_type(), Some(NODE_CONFIG));
    assert_eq!(form.value("pubsub#item_expire"), Some("max"));
    assert_eq!(
        form.value("pubsub#send_last_published_item"),
        Some("on_sub_and_presence")
    );
    assert_eq!(
        form.value("pubsub#publish_node_full"),
        Some("retract-oldest")
    );
    assert_eq!(
        form.field("pubsub#contact").unwrap().type_,
        Some(FieldType::JidMulti)
    );
    let back = NodeConfig::from_form(&reparse(&form)).unwrap();
    assert_eq!(back, cfg);
    assert_eq!(back.other, [unknown()]);

    // Values written by other implementations: booleans as true/1.
    let mut f = NodeConfig::default().to_form(FormType::Submit);
    f.fields.push(Field::new(
        "pubsub#persist_items",
        None,
        vec!["true".into()],
    ));
    f.fields.push(Field::new(
        "pubsub#access_model",
        None,
        vec!["x-members".into()],
    ));
    // `none` for itemreply (XEP-0060 1.25; ejabberd 23.01's default).
    f.fields
        .push(Field::new("pubsub#itemreply", None, vec!["none".into()]));
    let v = NodeConfig::from_form(&f).unwrap();
    assert_eq!(v.persist_items, Some(true));
    assert_eq!(v.access_model, Some(AccessModel::Other("x-members".into())));
    assert_eq!(v.itemreply, Some(crate::forms::ItemReply::Nobody));
    assert_eq!(
        v.to_form(FormType::Submit).value("pubsub#itemreply"),
        Some("none")
    );

    for (var, bad) in [
        ("pubsub#max_items", "lots"),
        ("pubsub#deliver_payloads", "perhaps"),
        ("pubsub#publish_node_full", "explode"),
        ("pubsub#contact", "@@"),
        ("pubsub#max_payload_size", "-1"),
    ] {
        let mut f = NodeConfig::default().to_form(FormType::Submit);
        f.fields.push(Field::new(var, None, vec![bad.into()]));
        let e = NodeConfig::from_form(&f).unwrap_err().to_string();
        assert!(e.contains(var) && e.starts_with("at x/field"), "{e}");
    }
    assert!(NodeConfig::from_form(&MetaData::default().to_form(FormType::Result)).is_err());
}

#[test]
fn publish_options_view_and_private_storage() {
    let opts = pep::private_storage_options();
    assert!(pep::is_private_storage(&opts));
    let form = opts.to_form(FormType::Submit);
    assert_eq!(form.form_type(), Some(PUBLISH_OPTIONS));
    assert_eq!(form.value("pubsub#persist_items"), Some("1"));
    assert_eq!(form.value("pubsub#access_model"), Some("whitelist"));
    let mut with_unknown = opts.clone();
    with_unknown.other.push(unknown());
    let back =
        PublishOptionsForm::from_form(&reparse(&with_unknown.to_form(FormType::Submit))).unwrap();
    assert_eq!(back, with_unknown);
    let mut f = opts.to_form(FormType::Submit);
    f.fields
        .push(Field::new("pubsub#max_items", None, vec!["0x10".into()]));
    assert!(
        PublishOptionsForm::from_form(&f)
            .unwrap_err()
            .to_string()
            .contains("pubsub#max_items")
    );

    let p = pep::private_publish(
        "urn:example:notes",
        Item::new(
            Some("current".into()),
            Payload::from(
                "<notes xmlns='urn:example:notes'/>"
                    .parse::<xep_element::minidom::Element>()
                    .unwrap(),
            ),
        ),
    );
    let xml = p.to_xml();
    let parsed = Pubsub::from_xml(xml.as_bytes()).unwrap();
    let form = parsed.publish_options.unwrap().form.unwrap();
    assert!(pep::is_private_storage(
        &PublishOptionsForm::from_form(&form).unwrap()
    ));
    assert!(!pep::is_private_storage(&PublishOptionsForm::default()));
}

#[test]
fn meta_data_view() {
    let mut md = MetaData {
        creation_date: Some("2030-01-01T00:00:00Z".into()),
        creator: Some("pear@orchard.example".parse().unwrap()),
        num_subscribers: Some(7),
        owner: vec!["pear@orchard.example".parse().unwrap()],
        publisher: vec![
            "plum@orchard.example".parse().unwrap(),
            "fig@orchard.example".parse().unwrap(),
        ],
        access_model: Some(AccessModel::Open),
        max_items: Some(Limit::Count(5)),
        language: Some("en".into()),
        ..MetaData::default()
    };
    md.other.push(unknown());
    let form = md.to_form(FormType::Result);
    assert_eq!(
        form.field("pubsub#language").unwrap().type_,
        Some(FieldType::ListSingle)
    );
    assert_eq!(MetaData::from_form(&reparse(&form)).unwrap(), md);
    let replaced = |var: &str, values: Vec<String>| {
        let mut f = md.to_form(FormType::Result);
        f.fields.retain(|f| f.var.as_deref() != Some(var));
        f.fields.push(Field::new(var, None, values));
        f
    };
    let e = MetaData::from_form(&replaced("pubsub#num_subscribers", vec!["many".into()]));
    assert!(
        e.unwrap_err()
            .to_string()
            .contains("pubsub#num_subscribers")
    );
    let f = replaced("pubsub#creator", vec!["a@b".into(), "c@d".into()]);
    assert!(
        MetaData::from_form(&f)
            .unwrap_err()
            .to_string()
            .contains("expected one value")
    );
}

#[test]
fn subscribe_options_view() {
    let mut so = SubscribeOptionsForm {
        deliver: Some(true),
        digest: Some(false),
        digest_frequency: Some(86_400_000),
        expire: Some("presence".into()),
        include_body: Some(false),
        show_values: vec![ShowValue::Chat, ShowValue::Online, ShowValue::Xa],
        subscription_type: Some(SubscriptionType::Items),
        subscription_depth: Some(SubscriptionDepth::All),
        ..SubscribeOptionsForm::default()
    };
    so.other.push(unknown());
    let form = so.to_form(FormType::Submit);
    assert_eq!(form.form_type(), Some(SUBSCRIBE_OPTIONS));
    assert_eq!(
        form.field("pubsub#show-values").unwrap().values,
        ["chat", "online", "xa"]
    );
    assert_eq!(form.value("pubsub#subscription_depth"), Some("all"));
    assert_eq!(
        SubscribeOptionsForm::from_form(&reparse(&form)).unwrap(),
        so
    );
    let one = SubscribeOptionsForm {
        subscription_depth: Some(SubscriptionDepth::One),
        ..SubscribeOptionsForm::default()
    };
    assert_eq!(
        one.to_form(FormType::Submit)
            .value("pubsub#subscription_depth"),
        Some("1")
    );
    for (var, bad) in [
        ("pubsub#show-values", "sleepy"),
        ("pubsub#subscription_depth", "2"),
        ("pubsub#subscription_type", "everything"),
        ("pubsub#digest_frequency", "often"),
    ] {
        let mut f = SubscribeOptionsForm::default().to_form(FormType::Submit);
        f.fields.push(Field::new(var, None, vec![bad.into()]));
        let e = SubscribeOptionsForm::from_form(&f).unwrap_err().to_string();
        assert!(e.contains(var), "{e}");
    }
}

#[test]
fn subscribe_authorization_view() {
    let mut a = SubscribeAuthorization {
        allow: Some(true),
        node: Some("harvest".into()),
        subscriber_jid: Some("plum@orchard.example".parse().unwrap()),
        subid: Some("s-9".into()),
        ..SubscribeAuthorization::default()
    };
    a.other.push(unknown());
    let form = a.to_form(FormType::Submit);
    assert_eq!(form.form_type(), Some(SUBSCRIBE_AUTHORIZATION));
    assert_eq!(
        form.field("pubsub#subscriber_jid").unwrap().type_,
        Some(FieldType::JidSingle)
    );
    assert_eq!(
        SubscribeAuthorization::from_form(&reparse(&form)).unwrap(),
        a
    );
    let mut f = form.clone();
    f.fields
        .retain(|f| f.var.as_deref() != Some("pubsub#allow"));
    f.fields
        .push(Field::new("pubsub#allow", None, vec!["sure".into()]));
    assert!(
        SubscribeAuthorization::from_form(&f)
            .unwrap_err()
            .to_string()
            .contains("pubsub#allow")
    );
}

// ---------------------------------------------------------------------------
// Requests and replies

#[test]
fn requests_are_built() {
    let svc = || Some("pubsub.orchard.example".parse().unwrap());
    let me = || "pear@orchard.example".parse().unwrap();
    let head = |t: &str, id: &str| {
        format!("<iq xmlns='jabber:client' to='pubsub.orchard.example' id='{id}' type='{t}'>")
    };
    let ow = "http://jabber.org/protocol/pubsub#owner";
    let cases: Vec<(Iq, String)> = vec![
        (
            request::unsubscribe("u1", svc(), "harvest", me(), Some("s1".into())),
            format!(
                "{}<pubsub xmlns='{PS}'><unsubscribe node='harvest' jid='pear@orchard.example' subid='s1'/></pubsub></iq>",
                head("set", "u1")
            ),
        ),
        (
            request::publish("p1", svc(), "harvest", Item::with_id("i1"), None),
            format!(
                "{}<pubsub xmlns='{PS}'><publish node='harvest'><item id='i1'/></publish></pubsub></iq>",
                head("set", "p1")
            ),
        ),
        (
            request::retract("r1", svc(), "harvest", &["i1", "i2"], true),
            format!(
                "{}<pubsub xmlns='{PS}'><retract node='harvest' notify='true'><item id='i1'/><item id='i2'/></retract></pubsub></iq>",
                head("set", "r1")
            ),
        ),
        (
            request::items("g1", svc(), "harvest", Some(2), &[]),
            format!(
                "{}<pubsub xmlns='{PS}'><items node='harvest' max_items='2'/></pubsub></iq>",
                head("get", "g1")
            ),
        ),
        (
            request::items("g2", svc(), "harvest", None, &["i4"]),
            format!(
                "{}<pubsub xmlns='{PS}'><items node='harvest'><item id='i4'/></items></pubsub></iq>",
                head("get", "g2")
            ),
        ),
        (
            request::create("c1", svc(), None, None),
            format!(
                "{}<pubsub xmlns='{PS}'><create/></pubsub></iq>",
                head("set", "c1")
            ),
        ),
        (
            request::create(
                "c2",
                svc(),
                Some("harvest"),
                Some(DataForm::new(FormType::Submit)),
            ),
            format!(
                "{}<pubsub xmlns='{PS}'><create node='harvest'/><configure><x xmlns='jabber:x:data' type='submit'/></configure></pubsub></iq>",
                head("set", "c2")
            ),
        ),
        (
            request::delete(
                "d1",
                svc(),
                "harvest",
                Some("xmpp:o.example?;node=h2".into()),
            ),
            format!(
                "{}<pubsub xmlns='{ow}'><delete node='harvest'><redirect uri='xmpp:o.example?;node=h2'/></delete></pubsub></iq>",
                head("set", "d1")
            ),
        ),
        (
            request::purge("x1", svc(), "harvest"),
            format!(
                "{}<pubsub xmlns='{ow}'><purge node='harvest'/></pubsub></iq>",
                head("set", "x1")
            ),
        ),
        (
            request::configure_get("k1", svc(), "harvest"),
            format!(
                "{}<pubsub xmlns='{ow}'><configure node='harvest'/></pubsub></iq>",
                head("get", "k1")
            ),
        ),
        (
            request::configure_set("k2", svc(), "harvest", DataForm::new(FormType::Cancel)),
            format!(
                "{}<pubsub xmlns='{ow}'><configure node='harvest'><x xmlns='jabber:x:data' type='cancel'/></configure></pubsub></iq>",
                head("set", "k2")
            ),
        ),
        (
            request::subscriptions("s1", svc(), None),
            format!(
                "{}<pubsub xmlns='{PS}'><subscriptions/></pubsub></iq>",
                head("get", "s1")
            ),
        ),
        (
            request::affiliations("a1", svc(), Some("harvest")),
            format!(
                "{}<pubsub xmlns='{PS}'><affiliations node='harvest'/></pubsub></iq>",
                head("get", "a1")
            ),
        ),
        (
            request::owner_subscriptions_get("os1", svc(), "harvest"),
            format!(
                "{}<pubsub xmlns='{ow}'><subscriptions node='harvest'/></pubsub></iq>",
                head("get", "os1")
            ),
        ),
        (
            request::owner_subscriptions_set(
                "os2",
                svc(),
                "harvest",
                vec![(me(), SubscriptionState::None)],
            ),
            format!(
                "{}<pubsub xmlns='{ow}'><subscriptions node='harvest'><subscription jid='pear@orchard.example' subscription='none'/></subscriptions></pubsub></iq>",
                head("set", "os2")
            ),
        ),
        (
            request::options_get("og", svc(), "harvest", me(), Some("s1".into())),
            format!(
                "{}<pubsub xmlns='{PS}'><options jid='pear@orchard.example' node='harvest' subid='s1'/></pubsub></iq>",
                head("get", "og")
            ),
        ),
        (
            request::options_set(
                "os",
                svc(),
                "harvest",
                me(),
                None,
                DataForm::new(FormType::Submit),
            ),
            format!(
                "{}<pubsub xmlns='{PS}'><options jid='pear@orchard.example' node='harvest'><x xmlns='jabber:x:data' type='submit'/></options></pubsub></iq>",
                head("set", "os")
            ),
        ),
        (
            request::default_options("do", svc(), Some("harvest")),
            format!(
                "{}<pubsub xmlns='{PS}'><default node='harvest'/></pubsub></iq>",
                head("get", "do")
            ),
        ),
        (
            request::owner_default("od", svc(), Some(NodeKind::Collection)),
            format!(
                "{}<pubsub xmlns='{ow}'><default type='collection'/></pubsub></iq>",
                head("get", "od")
            ),
        ),
        (
            request::owner_affiliations_get("oa1", svc(), "harvest"),
            format!(
                "{}<pubsub xmlns='{ow}'><affiliations node='harvest'/></pubsub></iq>",
                head("get", "oa1")
            ),
        ),
        (
            request::owner_affiliations_set(
                "oa2",
                svc(),
                "harvest",
                vec![(me(), Affiliation::Publisher)],
            ),
            format!(
                "{}<pubsub xmlns='{ow}'><affiliations node='harvest'><affiliation jid='pear@orchard.example' affiliation='publisher'/></affiliations></pubsub></iq>",
                head("set", "oa2")
            ),
        ),
    ];
    for (iq, expected) in cases {
        assert_eq!(iq.to_xml(), expected);
        // Every request parses back through the registry.
        Iq::from_xml_with(expected.as_bytes(), &registry()).unwrap();
    }
}

#[test]
fn replies_are_classified() {
    let svc: xep_element::jid::Jid = "pubsub.orchard.example".parse().unwrap();
    let req = request::subscribe(
        "s1",
        Some(svc.clone()),
        "harvest",
        "pear@orchard.example".parse().unwrap(),
    );
    let reply = Iq::from_xml(
        format!(
            "<iq xmlns='jabber:client' type='result' id='s1' from='pubsub.orchard.example'>\
             <pubsub xmlns='{PS}'><subscription node='harvest' jid='pear@orchard.example' subscription='pending'/></pubsub></iq>"
        )
        .as_bytes(),
    )
    .unwrap();
    let Outcome::Success(Reply::Pubsub(p)) = request::classify_reply(&req, &reply) else {
        panic!()
    };
    assert_eq!(
        p.subscription().cloned().unwrap().subscription,
        Some(SubscriptionState::Pending)
    );

    let req = request::configure_get("k1", Some(svc.clone()), "harvest");
    let reply = Iq::from_xml(
        b"<iq xmlns='jabber:client' type='result' id='k1' from='pubsub.orchard.example'>\
          <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure node='harvest'>\
          <x xmlns='jabber:x:data' type='form'/></configure></pubsub></iq>",
    )
    .unwrap();
    assert!(matches!(
        request::classify_reply(&req, &reply),
        Outcome::Success(Reply::Owner(_))
    ));
    let empty = req.result(None);
    assert_eq!(empty.from, Some(svc.clone()));
    let mut stranger = empty.clone();
    stranger.from = Some("mallory@orchard.example".parse().unwrap());
    assert_eq!(request::classify_reply(&req, &stranger), Outcome::NotAReply);
    assert_eq!(
        request::classify_reply(&req, &empty),
        Outcome::Success(Reply::Empty)
    );
    let mut odd = empty.clone();
    odd.payloads.push(Payload::new(Headers::default()));
    assert!(matches!(
        request::classify_reply(&req, &odd),
        Outcome::Malformed(_)
    ));
    let mut other = empty.clone();
    other.id = "zz".into();
    assert_eq!(request::classify_reply(&req, &other), Outcome::NotAReply);
    let bad = Iq::from_xml(
        format!(
            "<iq xmlns='jabber:client' type='result' id='k1' from='pubsub.orchard.example'>\
             <pubsub xmlns='{PS}'><items/></pubsub></iq>"
        )
        .as_bytes(),
    )
    .unwrap();
    assert!(
        matches!(request::classify_reply(&req, &bad), Outcome::Malformed(m) if m.contains("node"))
    );
}

// ---------------------------------------------------------------------------
// PEP and SHIM

#[test]
fn pep_notify_feature() {
    assert_eq!(
        pep::notify_feature("urn:example:tune"),
        "urn:example:tune+notify"
    );
    assert_eq!(
        pep::notify_node("urn:example:tune+notify"),
        Some("urn:example:tune")
    );
    assert_eq!(pep::notify_node("urn:example:tune"), None);
    assert_eq!(pep::notify_node("+notify"), None);
}

#[test]
fn shim_headers() {
    let h: Headers = round_trip(
        "<headers xmlns='http://jabber.org/protocol/shim'><header name='SubID'>a1</header>\
         <header name='Collection'>root</header><header name='Empty'></header></headers>",
    );
    assert_eq!(h.subids(), ["a1"]);
    assert_eq!(h.get("collection").collect::<Vec<_>>(), ["root"]);
    assert_eq!(
        Headers::new([("SubID", "x")]).to_xml(),
        "<headers xmlns='http://jabber.org/protocol/shim'><header name='SubID'>x</header></headers>"
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn retract_and_items_round_trip(
            node in "[a-z][a-z0-9/_-]{0,20}",
            ids in proptest::collection::vec("[A-Za-z0-9<>&'\"]{1,12}", 1..5),
            max in proptest::option::of(1u64..1000),
            notify in any::<bool>(),
        ) {
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            for iq in [
                request::retract("r", None, &node, &refs, notify),
                request::items("i", None, &node, max, &refs),
            ] {
                let xml = iq.to_xml();
                let back = Iq::from_xml_with(xml.as_bytes(), &registry()).unwrap();
                prop_assert_eq!(back.payloads[0].to_element(), iq.payloads[0].to_element());
                let p = back.payloads[0].downcast_ref::<Pubsub>().unwrap();
                let got: Vec<&str> = p
                    .retract().map(|r| &r.items)
                    .or(p.items().map(|i| &i.items))
                    .unwrap()
                    .iter()
                    .map(|i| i.id.as_deref().unwrap())
                    .collect();
                prop_assert_eq!(got, refs.clone());
            }
        }
    }
}
