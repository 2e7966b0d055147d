use xep_element::XmlElement;
use xep_element::jid::Jid;

use crate::*;

fn form(xml: &str) -> DataForm {
    DataForm::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"))
}

fn round_trips(xml: &str) {
    let f = form(xml);
    let again = DataForm::from_xml(f.to_xml().as_bytes()).unwrap();
    assert_eq!(again, f);
    let a: xep_element::minidom::Element = xml.parse().unwrap();
    assert!(
        xep_element::is_equivalent(&a, &f.to_element()),
        "{xml}\n{}",
        f.to_xml()
    );
}

// --- elements -------------------------------------------------------------

#[test]
fn multi_item_results_round_trip() {
    round_trips(
        "<x xmlns='jabber:x:data' type='result'><title>Search</title>\
         <reported><field var='name' label='Name'/><field var='url' type='text-single'/></reported>\
         <item><field var='name'><value>Comte</value></field><field var='url'><value>http://a.example</value></field></item>\
         <item><field var='name'><value>Brie</value></field><field var='url'><value/></field></item></x>",
    );
}

#[test]
fn every_field_type_parses_and_unknown_types_are_kept() {
    for t in [
        "boolean",
        "fixed",
        "hidden",
        "jid-multi",
        "jid-single",
        "list-multi",
        "list-single",
        "text-multi",
        "text-private",
        "text-single",
    ] {
        round_trips(&format!(
            "<x xmlns='jabber:x:data' type='form'><field var='f' type='{t}'/></x>"
        ));
    }
    // An unknown field type is kept as written and read as text-single
    // (XEP-0004 §3.3).
    let xml = "<x xmlns='jabber:x:data' type='form'><field var='f' type='color'><value>red</value></field></x>";
    round_trips(xml);
    let f = form(xml);
    let field = f.field("f").unwrap();
    assert_eq!(field.type_, Some(FieldType::Other("color".into())));
    assert_eq!(field.effective_type(), FieldType::TextSingle);
    assert_eq!(
        field.typed().unwrap(),
        FieldValue::TextSingle(Some("red".into()))
    );
    let e = DataForm::from_xml(b"<x xmlns='jabber:x:data' type='draft'/>").unwrap_err();
    assert_eq!(e.path(), "x");
    let e = DataForm::from_xml(b"<x xmlns='jabber:x:data'/>").unwrap_err();
    assert!(e.to_string().contains("'type'"), "{e}");
}

#[test]
fn items_and_reported_need_a_field() {
    // XEP-0004 §3.4: each <item/> and the <reported/> element MUST contain
    // one or more <field/> children.
    for (xml, path) in [
        (&b"<x xmlns='jabber:x:data' type='result'><reported/></x>"[..], "x/reported"),
        (&b"<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported><item/></x>"[..], "x/item"),
    ] {
        let e = DataForm::from_xml(xml).unwrap_err();
        assert_eq!(e.path(), path);
        assert!(e.to_string().contains("<field>") || e.to_string().contains("field"), "{e}");
    }
    let ok = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported><item><field var='a'><value>1</value></field></item></x>",
    )
    .unwrap();
    assert_eq!(ok.items.len(), 1);
    // The description says so too, for the generated schema.
    let d = <Item as xep_element::XmlElement>::descriptions()[0];
    assert_eq!(d.children[0].min, 1);
}

#[test]
fn options_need_exactly_one_value() {
    let e = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='form'><field var='f' type='list-single'><option label='A'/></field></x>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "x/field/option");
    let e = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='form'><field var='f' type='list-single'><option>a</option></field></x>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "x/field/option");
}

#[test]
fn media_and_validation_stay_on_the_field() {
    let xml = "<x xmlns='jabber:x:data' type='form'>\
        <field var='ocr' label='Text'><media xmlns='urn:xmpp:media-element' height='80' width='290'>\
        <uri type='image/jpeg'> http://img.example/a.jpg </uri></media><required/></field>\
        <field var='n' type='text-single'><validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:int'>\
        <range min='1' max='5'/></validate></field>\
        <field var='l' type='list-multi'><validate xmlns='http://jabber.org/protocol/xdata-validate'>\
        <open/><list-range min='1' max='2'/></validate><option><value>a</value></option></field></x>";
    let f = form(xml);
    let ocr = f.field("ocr").unwrap();
    assert!(ocr.required);
    assert_eq!(ocr.media[0].uris[0].uri(), "http://img.example/a.jpg");
    assert_eq!(
        f.field("n").unwrap().validate.as_ref().unwrap().method,
        Some(Method::Range(Range {
            min: Some("1".into()),
            max: Some("5".into())
        }))
    );
    let e = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='form'><field var='n'><validate xmlns='http://jabber.org/protocol/xdata-validate'>\
          <list-range min='two'/></validate></field></x>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "x/field/validate/list-range");
}

#[test]
fn foreign_children_are_kept() {
    round_trips(
        "<x xmlns='jabber:x:data' type='form'><field var='a'><value>1</value>\
         <ext xmlns='urn:example:ext' k='v'/></field>\
         <page xmlns='http://jabber.org/protocol/xdata-layout' label='P1'><fieldref var='a'/></page></x>",
    );
}

// --- typed access -----------------------------------------------------------

#[test]
fn values_are_typed_by_field_type() {
    let f = form(
        "<x xmlns='jabber:x:data' type='submit'>\
         <field var='b' type='boolean'><value>true</value></field>\
         <field var='nb' type='boolean'/>\
         <field var='j' type='jid-single'><value>juliet@example.com</value></field>\
         <field var='jm' type='jid-multi'><value>a@example.com</value><value>b@example.com</value></field>\
         <field var='lm' type='list-multi'><value>x</value><value>y</value></field>\
         <field var='tm' type='text-multi'><value>line 1</value><value>line 2</value></field>\
         <field var='t'><value>plain</value></field></x>",
    );
    assert_eq!(f.typed("b").unwrap().unwrap(), FieldValue::Boolean(true));
    assert!(!f.bool_value("nb").unwrap().unwrap());
    assert_eq!(
        f.jid_value("j").unwrap().unwrap(),
        Some("juliet@example.com".parse::<Jid>().unwrap())
    );
    assert_eq!(f.jid_values("jm").unwrap().unwrap().len(), 2);
    assert_eq!(
        f.typed("lm").unwrap().unwrap(),
        FieldValue::ListMulti(vec!["x".into(), "y".into()])
    );
    assert_eq!(f.text_multi("tm").unwrap(), "line 1\nline 2");
    assert_eq!(
        f.typed("t").unwrap().unwrap(),
        FieldValue::TextSingle(Some("plain".into()))
    );
    assert!(f.typed("nope").is_none());
}

#[test]
fn typed_access_reports_bad_values_with_the_field() {
    let f = form(
        "<x xmlns='jabber:x:data' type='submit'>\
         <field var='b' type='boolean'><value>yes</value></field>\
         <field var='j' type='jid-single'><value>@bad</value></field>\
         <field var='t' type='text-single'><value>a</value><value>b</value></field></x>",
    );
    let e = f.typed("b").unwrap().unwrap_err();
    assert_eq!(e.path(), "x/field");
    assert!(e.to_string().contains("field 'b'"), "{e}");
    let e = f.typed("j").unwrap().unwrap_err();
    assert!(e.to_string().contains("'@bad' is not a JID"), "{e}");
    let e = f.typed("t").unwrap().unwrap_err();
    assert!(e.to_string().contains("takes one value, found 2"), "{e}");
}

#[test]
fn builders_write_the_types_they_name() {
    let jid: Jid = "romeo@example.net".parse().unwrap();
    let f = DataForm::with_form_type(
        FormType::Submit,
        "urn:example:t",
        vec![
            Field::boolean("b", false),
            Field::jid_single("j", &jid),
            Field::text_multi("m", "a\nb"),
            Field::list_single("l", Some("x"), &[("x", Some("X")), ("y", None)]).required(),
        ],
    );
    assert_eq!(f.form_type(), Some("urn:example:t"));
    assert_eq!(f.field(FORM_TYPE).unwrap().type_, Some(FieldType::Hidden));
    assert_eq!(f.values("m").unwrap(), ["a", "b"]);
    assert_eq!(f.field("l").unwrap().options.len(), 2);
    assert_eq!(DataForm::from_xml(f.to_xml().as_bytes()).unwrap(), f);
}

// --- validation ---------------------------------------------------------------

fn definition() -> DataForm {
    form(
        "<x xmlns='jabber:x:data' type='form'>\
         <field var='FORM_TYPE' type='hidden'><value>urn:example:t</value></field>\
         <field type='fixed'><value>Section</value></field>\
         <field var='name' type='text-single'><required/></field>\
         <field var='public' type='boolean'/>\
         <field var='owner' type='jid-single'/>\
         <field var='admins' type='jid-multi'/>\
         <field var='color' type='list-single'><option><value>red</value></option><option><value>blue</value></option></field>\
         <field var='tags' type='list-multi'><validate xmlns='http://jabber.org/protocol/xdata-validate'><open/>\
           <list-range min='1' max='2'/></validate></field>\
         <field var='size'><validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:integer'>\
           <range min='1' max='10'/></validate></field>\
         <field var='when'><validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:dateTime'/></field>\
         </x>",
    )
}

#[test]
fn a_conforming_submission_passes() {
    let sub = form(
        "<x xmlns='jabber:x:data' type='submit'>\
         <field var='FORM_TYPE'><value>urn:example:t</value></field>\
         <field var='name'><value>N</value></field>\
         <field var='public'><value>0</value></field>\
         <field var='owner'><value>o@example.com</value></field>\
         <field var='color'><value>red</value></field>\
         <field var='tags'><value>any</value></field>\
         <field var='size'><value>10</value></field>\
         <field var='when'><value>2026-11-22T10:00:00Z</value></field>\
         <field var='extra'><value>kept</value></field></x>",
    );
    assert_eq!(validate_submission(&definition(), &sub), Ok(()));
}

#[test]
fn each_rule_of_a_submission_is_reported() {
    let sub = form(
        "<x xmlns='jabber:x:data' type='submit'>\
         <field var='FORM_TYPE'><value>urn:example:other</value></field>\
         <field var='public'><value>maybe</value></field>\
         <field var='owner'><value>a@example.com</value><value>b@example.com</value></field>\
         <field var='admins'><value>ok@example.com</value><value>@@</value></field>\
         <field var='color'><value>green</value></field>\
         <field var='tags'><value>a</value><value>b</value><value>c</value></field>\
         <field var='size'><value>11</value></field>\
         <field var='when'><value>yesterday</value></field></x>",
    );
    let errors = validate_submission(&definition(), &sub).unwrap_err();
    use ValidationError::*;
    let expect = [
        FormTypeMismatch {
            expected: "urn:example:t".into(),
            found: Some("urn:example:other".into()),
        },
        MissingRequired { var: "name".into() },
        InvalidBoolean {
            var: "public".into(),
            value: "maybe".into(),
        },
        TooManyValues {
            var: "owner".into(),
            type_: FieldType::JidSingle,
            count: 2,
        },
        InvalidJid {
            var: "admins".into(),
            value: "@@".into(),
        },
        NotAnOption {
            var: "color".into(),
            value: "green".into(),
        },
        ValueCount {
            var: "tags".into(),
            count: 3,
            min: Some(1),
            max: Some(2),
        },
        OutOfRange {
            var: "size".into(),
            value: "11".into(),
            min: Some("1".into()),
            max: Some("10".into()),
        },
        InvalidDatatype {
            var: "when".into(),
            value: "yesterday".into(),
            datatype: "xs:dateTime".into(),
        },
    ];
    assert_eq!(errors, expect);
    assert_eq!(
        errors[1].to_string(),
        "field 'name': required but not filled in"
    );
    let not_submit =
        validate_submission(&definition(), &DataForm::new(FormType::Cancel)).unwrap_err();
    assert_eq!(not_submit[0], NotASubmission(FormType::Cancel));
}

#[test]
fn xep0122_datatypes() {
    let check = |dt: &str, v: &str| {
        let def = form(&format!(
            "<x xmlns='jabber:x:data' type='form'><field var='f'>\
             <validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='{dt}'/></field></x>"
        ));
        let sub = form(&format!(
            "<x xmlns='jabber:x:data' type='submit'><field var='f'><value>{v}</value></field></x>"
        ));
        validate_submission(&def, &sub).is_ok()
    };
    assert!(check("xs:byte", "-128") && !check("xs:byte", "128"));
    assert!(check("xs:short", "32767") && !check("xs:short", "32768"));
    assert!(check("xs:int", "+7") && !check("xs:int", "7.0"));
    assert!(check("xs:long", "-9223372036854775808") && !check("xs:long", "9223372036854775808"));
    assert!(check("xs:integer", "123456789012345678901234567890") && !check("xs:integer", "1e3"));
    assert!(check("xs:decimal", "-1.50") && !check("xs:decimal", "1.2.3"));
    assert!(check("xs:double", "1.5E3") && check("xs:double", "INF") && !check("xs:double", "one"));
    assert!(check("xs:date", "2026-11-22") && !check("xs:date", "22/11/2026"));
    assert!(check("xs:time", "10:00:00") && !check("xs:time", "10h"));
    assert!(check("xs:language", "en-GB") && !check("xs:language", "english language"));
    assert!(check("xs:boolean", "false") && !check("xs:boolean", "no"));
    assert!(check("x:unregistered", "anything"));
}

// --- views ------------------------------------------------------------------

crate::form_view! {
    /// A view for the tests.
    struct TestView = "urn:example:t" {
        /// Name.
        name: Option<String> = "name",
        /// Public.
        public: Option<bool> = "public",
        /// Admins.
        admins: Vec<Jid> = "admins",
        /// Size.
        size: Option<u32> = "size",
    }
}

#[test]
fn views_read_write_and_keep_unknown_fields() {
    let f = form(
        "<x xmlns='jabber:x:data' type='submit'>\
         <field var='FORM_TYPE' type='hidden'><value>urn:example:t</value></field>\
         <field var='name'><value>N</value></field>\
         <field var='public'><value>true</value></field>\
         <field var='admins'><value>a@example.com</value></field>\
         <field var='x-custom'><value>kept</value></field></x>",
    );
    let v = TestView::from_form(&f).unwrap();
    assert_eq!(v.name.as_deref(), Some("N"));
    assert_eq!(v.public, Some(true));
    assert_eq!(v.size, None);
    assert_eq!(v.other.len(), 1);
    let back = v.to_form(FormType::Submit);
    assert_eq!(TestView::from_form(&back).unwrap(), v);
    assert_eq!(back.value("x-custom"), Some("kept"));
}

#[test]
fn views_reject_other_form_types_and_bad_values() {
    let other = DataForm::with_form_type(FormType::Submit, "urn:example:other", vec![]);
    let e = TestView::from_form(&other).unwrap_err();
    assert!(e.to_string().contains("expected 'urn:example:t'"), "{e}");
    let bad = DataForm::with_form_type(
        FormType::Submit,
        "urn:example:t",
        vec![Field::text_single("size", "huge")],
    );
    let e = TestView::from_form(&bad).unwrap_err();
    assert_eq!(e.path(), "x/field");
    assert!(e.to_string().contains("field 'size'"), "{e}");
}

#[test]
fn form_type_must_be_hidden_in_forms_and_results() {
    let shown = form(
        "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE'><value>urn:example:t</value></field></x>",
    );
    assert_eq!(shown.form_type(), None);
    assert_eq!(shown.form_type_field().unwrap().values, ["urn:example:t"]);
    let submitted = form(
        "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>urn:example:t</value></field></x>",
    );
    assert_eq!(submitted.form_type(), Some("urn:example:t"));
}

// --- the XEPs' own forms ------------------------------------------------------

/// Every `<x xmlns='jabber:x:data'/>` in the examples of `xep` that is
/// well-formed XML, with the example's index (from 1).
fn xep_forms(xep: u32) -> Option<Vec<(usize, xep_element::minidom::Element)>> {
    let text = xep_element::testdata::xep_source(xep)?;
    let mut out = Vec::new();
    for (i, ex) in text.split("<example").skip(1).enumerate() {
        let Some(body) = ex
            .split_once("<![CDATA[")
            .and_then(|(_, b)| b.split_once("]]>"))
            .map(|(b, _)| b)
        else {
            continue;
        };
        let wrapped = format!("<root xmlns='jabber:client'>{body}</root>");
        let Ok(root) = wrapped.parse::<xep_element::minidom::Element>() else {
            continue;
        };
        fn walk(
            el: &xep_element::minidom::Element,
            i: usize,
            out: &mut Vec<(usize, xep_element::minidom::Element)>,
        ) {
            if el.is("x", NS) {
                out.push((i + 1, el.clone()));
            }
            for c in el.children() {
                walk(c, i, out);
            }
        }
        walk(&root, i, &mut out);
    }
    Some(out)
}

#[test]
fn the_forms_of_the_xeps_keep_the_structural_rules() {
    let mut seen = 0;
    for xep in [4, 45, 50, 55, 60, 68, 77, 122, 141, 158] {
        let Some(forms) = xep_forms(xep) else { return };
        for (i, el) in forms {
            // Examples with elided content or known spec errors do not parse.
            let Ok(f) = DataForm::from_element(&el) else {
                continue;
            };
            seen += 1;
            assert_eq!(f.check(), Ok(()), "XEP-{xep:04} example #{i}");
            // Types may be left to the context except in forms to fill in
            // (XEP-0004 §3.2).
            if f.type_ == FormType::Form {
                for field in &f.fields {
                    field
                        .typed()
                        .unwrap_or_else(|e| panic!("XEP-{xep:04} example #{i}: {e}"));
                }
            }
        }
    }
    assert!(seen > 60, "only {seen} forms found");
}

// --- more typed access and builders -------------------------------------------

#[test]
fn every_field_value_round_trips_through_a_field() {
    let j = |s: &str| s.parse::<Jid>().unwrap();
    let values = [
        FieldValue::Boolean(true),
        FieldValue::Boolean(false),
        FieldValue::Fixed(vec!["Section".into()]),
        FieldValue::Hidden(vec!["token".into()]),
        FieldValue::JidMulti(vec![j("a@example.com"), j("b@example.com/r")]),
        FieldValue::JidSingle(Some(j("c@example.com"))),
        FieldValue::JidSingle(None),
        FieldValue::ListMulti(vec!["x".into(), "y".into()]),
        FieldValue::ListSingle(Some("x".into())),
        FieldValue::TextMulti(vec!["one".into(), "two".into()]),
        FieldValue::TextPrivate(Some("secret".into())),
        FieldValue::TextSingle(None),
    ];
    for v in values {
        let field = Field::from_value("f", v.clone());
        assert_eq!(field.type_, Some(v.field_type()));
        let x = DataForm::new(FormType::Result).with_field(field);
        let back = DataForm::from_xml(x.to_xml().as_bytes()).unwrap();
        assert_eq!(back.typed("f").unwrap().unwrap(), v);
    }
}

#[test]
fn booleans_accept_the_xs_boolean_lexical_space() {
    for (text, b) in [("1", true), ("true", true), ("0", false), ("false", false)] {
        let f =
            DataForm::new(FormType::Submit).with_field(Field::new("b", None, vec![text.into()]));
        assert_eq!(f.bool_value("b").unwrap(), Ok(b), "{text}");
    }
    for text in ["TRUE", "yes", "", " 1 x"] {
        let f = DataForm::new(FormType::Submit).with_field(Field::new(
            "b",
            Some(FieldType::Boolean),
            vec![text.into()],
        ));
        assert!(f.bool_value("b").unwrap().is_err(), "{text}");
    }
}

#[test]
fn getters_and_item_access() {
    let f = form(
        "<x xmlns='jabber:x:data' type='result'>\
         <reported><field var='jid' type='jid-single' label='JID'/><field var='online' type='boolean'/></reported>\
         <item><field var='jid'><value>a@example.com</value></field><field var='online'><value>1</value></field></item>\
         <item><field var='jid'><value>not a jid@</value></field><field var='online'><value>no</value></field></item></x>",
    );
    assert_eq!(f.check(), Ok(()));
    assert_eq!(
        f.item_typed(&f.items[0], "jid").unwrap().unwrap(),
        FieldValue::JidSingle(Some("a@example.com".parse().unwrap()))
    );
    assert_eq!(
        f.item_typed(&f.items[0], "online").unwrap().unwrap(),
        FieldValue::Boolean(true)
    );
    let e = f.item_typed(&f.items[1], "online").unwrap().unwrap_err();
    assert_eq!(e.path(), "x/item/field");
    assert!(e.to_string().contains("field 'online'"), "{e}");
    assert!(f.item_typed(&f.items[1], "jid").unwrap().is_err());
    assert!(f.item_typed(&f.items[0], "none").is_none());

    let s = form(
        "<x xmlns='jabber:x:data' type='submit'>\
         <field var='t'><value>one</value></field>\
         <field var='two'><value>a</value><value>b</value></field></x>",
    );
    assert_eq!(s.text_value("t").unwrap(), Ok(Some("one")));
    let e = s.text_value("two").unwrap().unwrap_err();
    assert!(e.to_string().contains("expected one value, found 2"), "{e}");
    let def = DataForm::new(FormType::Form).with_field(Field::list_multi(
        "two",
        &[],
        &[("a", None), ("b", None)],
    ));
    assert_eq!(
        s.typed_with(&def, "two").unwrap().unwrap(),
        FieldValue::ListMulti(vec!["a".into(), "b".into()])
    );
    assert!(s.typed("two").unwrap().is_err());
}

#[test]
fn form_builders() {
    let def = DataForm::new(FormType::Form)
        .with_title("Bot setup")
        .with_instructions("Fill in the fields.")
        .with_field(Field::hidden(FORM_TYPE, "urn:example:bot-config"))
        .with_field(Field::fixed("General"))
        .with_field(
            Field::text_single("name", "Tybalt")
                .required()
                .with_desc("Shown to users"),
        )
        .with_field(Field::text_private("key", ""))
        .with_field(Field::list_single(
            "mood",
            Some("calm"),
            &[("calm", Some("Calm")), ("grumpy", None)],
        ));
    round_trips(&def.to_xml());
    assert_eq!(def.check(), Ok(()));
    let mut sub = def.to_submission();
    assert_eq!(sub.type_, FormType::Submit);
    assert_eq!(sub.form_type(), Some("urn:example:bot-config"));
    assert_eq!(sub.fields.len(), 4, "the fixed field is not submitted");
    assert_eq!(sub.field("name").unwrap().type_, None);
    assert_eq!(validate_submission(&def, &sub), Ok(()));
    sub.field_mut("mood").unwrap().values = vec!["angry".into()];
    assert!(validate_submission(&def, &sub).is_err());

    let cancel = DataForm::cancel();
    assert_eq!(cancel.to_xml(), "<x xmlns='jabber:x:data' type='cancel'/>");

    let res = DataForm::multi_item_result(
        vec![Field::text_single("name", "ignored").with_label("Name")],
        vec![vec![Field::new("name", None, vec!["Comte".into()])]],
    );
    assert!(res.reported.as_ref().unwrap().fields[0].values.is_empty());
    assert_eq!(res.check(), Ok(()));
    round_trips(&res.to_xml());
}

// --- every validation error kind ----------------------------------------------

#[test]
fn type_mismatch_regex_and_open_lists() {
    let def = form(
        "<x xmlns='jabber:x:data' type='form'>\
         <field var='code' type='text-single'><validate xmlns='http://jabber.org/protocol/xdata-validate'>\
           <regex>^[A-Z]{2}-[0-9]+$</regex></validate></field>\
         <field var='flag' type='boolean'/>\
         <field var='size' type='list-single'><validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:int'>\
           <range min='1' max='9'/></validate><option><value>1</value></option></field>\
         <field var='few' type='jid-multi'><validate xmlns='http://jabber.org/protocol/xdata-validate'>\
           <list-range max='1'/></validate></field>\
         <field var='odd'><validate xmlns='http://jabber.org/protocol/xdata-validate'>\
           <regex>(a)\\1</regex></validate></field></x>",
    );
    let ok = form(
        "<x xmlns='jabber:x:data' type='submit'><field var='code'><value>AB-12</value></field>\
         <field var='flag' type='boolean'><value>1</value></field>\
         <field var='size'><value>7</value></field>\
         <field var='few'><value>a@example.com</value><value>b@example.com</value></field>\
         <field var='odd'><value>whatever</value></field></x>",
    );
    // size: a range on a list implies <open/> (XEP-0122 §3.2); few: list-range
    // only applies to list-multi (§3.3); odd: a pattern outside the subset.
    assert_eq!(validate_submission(&def, &ok), Ok(()));
    let unchecked = validate::unchecked_rules(&def);
    assert_eq!(unchecked.len(), 1);
    assert_eq!(unchecked[0].0, "odd");

    let bad = form(
        "<x xmlns='jabber:x:data' type='submit'><field var='code'><value>ab-12</value></field>\
         <field var='flag' type='text-single'><value>1</value></field>\
         <field var='size'><value>10</value></field></x>",
    );
    let errors = validate_submission(&def, &bad).unwrap_err();
    assert_eq!(
        errors,
        [
            ValidationError::NoMatch {
                var: "code".into(),
                value: "ab-12".into(),
                pattern: "^[A-Z]{2}-[0-9]+$".into()
            },
            ValidationError::TypeMismatch {
                var: "flag".into(),
                expected: FieldType::Boolean,
                found: FieldType::TextSingle
            },
            ValidationError::OutOfRange {
                var: "size".into(),
                value: "10".into(),
                min: Some("1".into()),
                max: Some("9".into())
            },
        ]
    );
    assert_eq!(
        errors[0].to_string(),
        "field 'code': 'ab-12' does not match the pattern '^[A-Z]{2}-[0-9]+$'"
    );
}

#[test]
fn form_type_is_checked_even_when_the_definition_has_none_visible() {
    let def = DataForm::with_form_type(FormType::Form, "urn:example:a", vec![]);
    let none = DataForm::new(FormType::Submit);
    assert_eq!(
        validate_submission(&def, &none).unwrap_err(),
        [ValidationError::FormTypeMismatch {
            expected: "urn:example:a".into(),
            found: None
        }]
    );
    let untyped = DataForm::new(FormType::Submit).with_field(Field::new(
        FORM_TYPE,
        None,
        vec!["urn:example:a".into()],
    ));
    assert_eq!(validate_submission(&def, &untyped), Ok(()));
}

#[test]
fn structural_rules_of_one_form() {
    let f = form(
        "<x xmlns='jabber:x:data' type='form'>\
         <field var='FORM_TYPE' type='text-single'><value>urn:example:t</value></field>\
         <field type='boolean'/>\
         <field var='a'/><field var='a'/>\
         <field var='t' type='text-single'><value>1</value><value>2</value><option><value>x</value></option></field>\
         <field var='l' type='list-single'><option label='A'><value>x</value></option>\
           <option label='A'><value>y</value></option><option><value>x</value></option></field>\
         <field var='r'><validate xmlns='http://jabber.org/protocol/xdata-validate'><range min='a'/></validate></field>\
         <field var='n'><validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:int'><range max='ten'/></validate></field>\
         </x>",
    );
    use ValidationError::*;
    let errors = f.check().unwrap_err();
    assert_eq!(
        errors,
        [
            BadFormType {
                reason: "the field must be of type 'hidden' (found 'text-single'), otherwise it is no form type (XEP-0068)".into()
            },
            MissingVar { index: 1 },
            DuplicateVar { var: "a".into() },
            TooManyValues {
                var: "t".into(),
                type_: FieldType::TextSingle,
                count: 2
            },
            OptionsOnNonList { var: "t".into() },
            DuplicateOption {
                var: "l".into(),
                option: "A".into()
            },
            DuplicateOption {
                var: "l".into(),
                option: "x".into()
            },
            BadRule {
                var: "r".into(),
                reason: "a <range/> on xs:string (XEP-0122 §3.2.3 forbids it)".into()
            },
            BadRule {
                var: "n".into(),
                reason: "range bound 'ten' is not a valid xs:int".into()
            },
        ]
    );
    assert_eq!(
        errors[1].to_string(),
        "field #2: a field that is not 'fixed' needs a 'var'"
    );

    let cancel = DataForm::cancel().with_field(Field::text_single("a", "b"));
    assert_eq!(cancel.check().unwrap_err(), [FieldsInCancel]);
    let ctx = DataForm::cancel().with_field(Field::hidden(FORM_TYPE, "urn:example:t"));
    assert_eq!(ctx.check(), Ok(()));

    let mixed = form(
        "<x xmlns='jabber:x:data' type='result'><field var='top'/>\
         <reported><field var='a'/></reported><item><field var='a'/><field var='b'/></item></x>",
    );
    assert_eq!(
        mixed.check().unwrap_err(),
        [MixedResult, UnreportedField { var: "b".into() }]
    );
    let orphan = form("<x xmlns='jabber:x:data' type='result'><item><field var='a'/></item></x>");
    assert_eq!(orphan.check().unwrap_err(), [MixedResult]);
}

// --- XEP-0068 -------------------------------------------------------------------

#[test]
fn form_type_rules() {
    let typed_shown = form(
        "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='text-single'><value>urn:example:t</value></field></x>",
    );
    assert_eq!(typed_shown.form_type(), None);
    assert_eq!(typed_shown.form_type_lenient(), Some("urn:example:t"));
    let e = typed_shown.check_form_type().unwrap_err();
    assert_eq!(e.path(), "x/field");
    let two = DataForm::new(FormType::Form).with_field(Field::new(
        FORM_TYPE,
        Some(FieldType::Hidden),
        vec!["a".into(), "b".into()],
    ));
    assert!(
        two.check_form_type()
            .unwrap_err()
            .to_string()
            .contains("expected one value, found 2")
    );
    assert_eq!(DataForm::new(FormType::Form).form_type(), None);
    assert_eq!(DataForm::new(FormType::Form).check_form_type(), Ok(()));
    assert_eq!(
        split_clark("{urn:example:x}f"),
        Some(("urn:example:x", "f"))
    );
    assert_eq!(split_clark("{}f"), None);
    assert_eq!(split_clark("{urn:example:x"), None);
}

// --- elements -------------------------------------------------------------------

fn element_round_trips<T: XmlElement + PartialEq + std::fmt::Debug>(xml: &str) -> T {
    let v = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
    let a: xep_element::minidom::Element = xml.parse().unwrap();
    assert!(
        xep_element::is_equivalent(&a, &v.to_element()),
        "{xml}\n{}",
        v.to_xml()
    );
    assert_eq!(T::from_xml(v.to_xml().as_bytes()).unwrap(), v);
    v
}

#[test]
fn each_element_round_trips_alone() {
    let f: Field = element_round_trips(
        "<field xmlns='jabber:x:data' var='f' type='list-multi' label='F'><desc>Help</desc><required/>\
         <value>a</value><option label='A'><value>a</value></option><option><value>b</value></option></field>",
    );
    assert_eq!(f.desc.as_deref(), Some("Help"));
    let o: FieldOption =
        element_round_trips("<option xmlns='jabber:x:data' label='L'><value>v</value></option>");
    assert_eq!(o.value, "v");
    let r: Reported = element_round_trips(
        "<reported xmlns='jabber:x:data'><field var='a' type='text-single' label='A'/></reported>",
    );
    assert_eq!(r.fields.len(), 1);
    let i: Item = element_round_trips(
        "<item xmlns='jabber:x:data'><field var='a'><value>1</value></field></item>",
    );
    assert_eq!(i.field("a").unwrap().values, ["1"]);
    let m: Media = element_round_trips(
        "<media xmlns='urn:xmpp:media-element' width='16' height='16'>\
         <uri type='audio/x-wav'>http://media.example/a.wav</uri><uri type='image/png'>cid:sha1+0123@bob.xmpp.org</uri></media>",
    );
    assert_eq!((m.width, m.height, m.uris.len()), (Some(16), Some(16), 2));
    let u: MediaUri = element_round_trips(
        "<uri xmlns='urn:xmpp:media-element' type='image/png'>http://a.example/p.png</uri>",
    );
    assert_eq!(u.type_, "image/png");
    for (method, expect) in [
        ("<basic/>", Some(Method::Basic)),
        ("<open/>", Some(Method::Open)),
        ("<range min='2020-01-01' max='2030-12-31'/>", None),
        (
            "<regex>^x+$</regex>",
            Some(Method::Regex(Regex {
                pattern: "^x+$".into(),
            })),
        ),
        ("", None),
    ] {
        let v: Validate = element_round_trips(&format!(
            "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:date'>{method}<list-range min='1'/></validate>"
        ));
        assert_eq!(
            v.list_range,
            Some(ListRange {
                min: Some(1),
                max: None
            })
        );
        if expect.is_some() {
            assert_eq!(v.method, expect);
        }
    }
    let lr: ListRange = element_round_trips(
        "<list-range xmlns='http://jabber.org/protocol/xdata-validate' max='3'/>",
    );
    assert_eq!(lr.max, Some(3));
    let rg: Range =
        element_round_trips("<range xmlns='http://jabber.org/protocol/xdata-validate' min='0'/>");
    assert_eq!(rg.min.as_deref(), Some("0"));
}

#[test]
fn unknown_validation_methods_are_kept_and_count_as_basic() {
    let v: Validate = element_round_trips(
        "<validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:int'><fuzzy tolerance='2'/></validate>",
    );
    assert_eq!(v.method, None);
    assert_eq!(v.other.len(), 1);
    let def =
        DataForm::new(FormType::Form).with_field(Field::text_single("n", "").with_validate(v));
    let sub = DataForm::new(FormType::Submit).with_field(Field::new("n", None, vec!["x".into()]));
    assert_eq!(
        validate_submission(&def, &sub).unwrap_err(),
        [ValidationError::InvalidDatatype {
            var: "n".into(),
            value: "x".into(),
            datatype: "xs:int".into()
        }]
    );
}

#[test]
fn bad_elements_name_their_path() {
    for (xml, path) in [
        (
            "<x xmlns='jabber:x:data' type='form'><field var='l' type='list-multi'><option><value>a</value><value>b</value></option></field></x>",
            "x/field/option",
        ),
        (
            "<x xmlns='jabber:x:data' type='form'><field var='m'><media xmlns='urn:xmpp:media-element'><uri>http://a.example/</uri></media></field></x>",
            "x/field/media/uri",
        ),
        (
            "<x xmlns='jabber:x:data' type='form'><field var='m'><media xmlns='urn:xmpp:media-element' width='wide'/></field></x>",
            "x/field/media",
        ),
        (
            "<x xmlns='jabber:x:data' type='form'><field var='v'><validate xmlns='http://jabber.org/protocol/xdata-validate'><basic/><open/></validate></field></x>",
            "x/field/validate",
        ),
        (
            "<x xmlns='jabber:x:data' type='form'><field var='v'><color>red</color></field></x>",
            "x/field",
        ),
        (
            "<x xmlns='jabber:x:data' type='form'><title>a</title><title>b</title></x>",
            "x",
        ),
        (
            "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported><reported/></x>",
            "x",
        ),
    ] {
        let e = DataForm::from_xml(xml.as_bytes()).expect_err(xml);
        assert_eq!(e.path(), path, "{xml}: {e}");
    }
}

// --- views ----------------------------------------------------------------------

#[derive(xep_element::XmlValue, Debug, Clone, PartialEq)]
enum Mood {
    Calm,
    Grumpy,
}
crate::form_value!(Mood);

crate::form_view! {
    /// A second view, for field types the Rust type does not say.
    struct BotView = "urn:example:bot-config" {
        /// Mood.
        mood: Option<Mood> = "bot#mood",
        /// Moods allowed.
        moods: Vec<Mood> = "bot#moods",
        /// Greeting lines.
        greeting: Vec<String> = "bot#greeting" as TextMulti,
        /// A password.
        secret: Option<String> = "bot#secret" as TextPrivate,
    }
}

#[test]
fn views_with_enums_and_overridden_types() {
    let v = BotView {
        mood: Some(Mood::Grumpy),
        moods: vec![Mood::Calm, Mood::Grumpy],
        greeting: vec!["Hi".into(), "there".into()],
        secret: Some("s3cret".into()),
        ..BotView::default()
    };
    let f = v.to_form(FormType::Form);
    let types: Vec<_> = f.fields.iter().map(|f| f.type_.clone().unwrap()).collect();
    assert_eq!(
        types,
        [
            FieldType::Hidden,
            FieldType::ListSingle,
            FieldType::ListMulti,
            FieldType::TextMulti,
            FieldType::TextPrivate
        ]
    );
    assert_eq!(f.values("bot#moods").unwrap(), ["calm", "grumpy"]);
    assert_eq!(BotView::from_form(&f).unwrap(), v);
    assert_eq!(<BotView as FormView>::FORM_TYPE, "urn:example:bot-config");

    let bad = DataForm::submit(
        "urn:example:bot-config",
        vec![Field::new("bot#mood", None, vec!["happy".into()])],
    );
    let e = BotView::from_form(&bad).unwrap_err();
    assert_eq!(e.path(), "x/field");
    assert!(e.to_string().contains("field 'bot#mood'"), "{e}");
    let two = DataForm::submit(
        "urn:example:bot-config",
        vec![Field::new("bot#secret", None, vec!["a".into(), "b".into()])],
    );
    assert!(BotView::from_form(&two).is_err());
    // A FORM_TYPE that is not hidden in a form is no form type (XEP-0068).
    let mut shown = v.to_form(FormType::Form);
    shown.fields[0].type_ = Some(FieldType::TextSingle);
    assert!(BotView::from_form(&shown).is_err());
}

#[test]
fn validation_methods_in_the_data_forms_namespace_are_rejected() {
    let e = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' xmlns:xdv='http://jabber.org/protocol/xdata-validate' type='form'>\
          <field var='d'><xdv:validate datatype='xs:date'><basic/></xdv:validate></field></x>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "x/field/validate");
    assert!(e.to_string().contains("jabber:x:data namespace"), "{e}");
}
