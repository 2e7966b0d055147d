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
fn every_field_type_parses_and_unknown_types_are_rejected() {
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
    let e = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='form'><field var='f' type='color'/></x>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "x/field");
    assert!(e.to_string().contains("color"), "{e}");
    let e = DataForm::from_xml(b"<x xmlns='jabber:x:data' type='draft'/>").unwrap_err();
    assert_eq!(e.path(), "x");
    let e = DataForm::from_xml(b"<x xmlns='jabber:x:data'/>").unwrap_err();
    assert!(e.to_string().contains("'type'"), "{e}");
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
    assert_eq!(validate_submission(&definition(), &sub), []);
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
    let errors = validate_submission(&definition(), &sub);
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
    let not_submit = validate_submission(&definition(), &DataForm::new(FormType::Cancel));
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
        validate_submission(&def, &sub).is_empty()
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
