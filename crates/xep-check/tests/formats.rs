//! The output formats for CI annotations, each checked against its
//! published format: GitHub's workflow commands and SARIF 2.1.0 (the OASIS
//! JSON schema, as the serde-sarif package ships it).

use xep_check::extract::{Entities, extract_examples_with};
use xep_check::{Checker, Expectations, to_github, to_json, to_sarif};

/// A document of our own: a failing example (an attribute misspelt on
/// its fourth line), one that is not XML, one that passes.
const DOC: &str = "<xep>
<example caption='Room presence, with a comma: and a colon'><![CDATA[
<presence from='room@muc.example/nick' to='ana@example.org/phone'>
  <x xmlns='http://jabber.org/protocol/muc#user'>
    <item affiliation='member'
          role='participnt'/>
  </x>
</presence>
]]></example>
<example caption='Broken'><![CDATA[
<message><body>never closed</message>
]]></example>
<example caption='Fine'><![CDATA[
<iq type='get' id='p1' to='example.org'><ping xmlns='urn:xmpp:ping'/></iq>
]]></example>
</xep>";

fn results() -> Vec<xep_check::ExampleResult> {
    let examples = extract_examples_with(DOC, Some(9999), &Entities::default());
    let mut res = Checker::new(Expectations::default()).check_examples("xep-9999.xml", &examples);
    for r in &mut res {
        r.path = "xeps/xep-9999.xml".into();
    }
    res
}

#[test]
fn the_fault_is_the_attribute_in_every_format() {
    let res = results();
    assert_eq!(res[0].fault, Some((6, 11)), "{:?}", res[0]);
    assert!(
        res[0]
            .detail
            .starts_with("line 6, column 11: at presence/x/item"),
        "{}",
        res[0].detail
    );
    let json: serde_json::Value = serde_json::from_str(&to_json(&res)).unwrap();
    assert_eq!(
        json["examples"][0]["fault"],
        serde_json::json!({"line": 6, "column": 11})
    );
    assert_eq!(json["examples"][2]["fault"], serde_json::Value::Null);
    // The XML error points at its own place.
    assert_eq!(res[1].fault, Some((11, 28)), "{:?}", res[1]);
}

#[test]
fn github_annotations_follow_the_workflow_command_syntax() {
    let out = to_github(&results());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    // ::error file={name},line={line},col={col},title={title}::{message}
    let (head, message) = lines[0]
        .split_once("::")
        .map(|(_, rest)| rest.split_once("::").unwrap())
        .unwrap();
    assert_eq!(
        head,
        "error file=xeps/xep-9999.xml,line=6,col=11,\
         title=XEP-9999 example 1 (fail)%3A Room presence%2C with a comma%3A and a colon"
    );
    assert!(
        message.starts_with("line 6, column 11: at presence/x/item: attribute 'role'"),
        "{message}"
    );
    assert!(
        lines[1].starts_with("::warning file=xeps/xep-9999.xml,line=11,col=28,"),
        "{}",
        lines[1]
    );
    // No raw line break or carriage return can end a command early.
    assert!(!out.trim_end().contains('\r'));
}

/// The SARIF 2.1.0 schema as serde-sarif (a dev-dependency, so cargo
/// has fetched it) ships it.
fn sarif_schema() -> serde_json::Value {
    let home = std::env::var("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo")
        });
    let src = home.join("registry").join("src");
    for index in std::fs::read_dir(&src).expect("cargo's registry sources") {
        for krate in std::fs::read_dir(index.unwrap().path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = krate.file_name().to_string_lossy().into_owned();
            if name.starts_with("serde-sarif-0.8") {
                let text = std::fs::read_to_string(krate.path().join("src/schema.json")).unwrap();
                return serde_json::from_str(&text).unwrap();
            }
        }
    }
    panic!(
        "serde-sarif's schema.json not found under {}",
        src.display()
    );
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let mut schema = sarif_schema();
    assert_eq!(schema["properties"]["version"]["enum"][0], "2.1.0");
    // The schema as published has a pattern a strict (ECMA-262 with `u`)
    // regex engine refuses: a stray `]` in the `language` properties.
    // Only that bracket is removed; our logs set no language.
    fn fix(v: &mut serde_json::Value) -> usize {
        match v {
            serde_json::Value::Object(m) => {
                let mut n = 0;
                if let Some(p) = m.get_mut("pattern")
                    && p == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"
                {
                    *p = serde_json::json!("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}?$");
                    n += 1;
                }
                n + m.values_mut().map(fix).sum::<usize>()
            }
            serde_json::Value::Array(a) => a.iter_mut().map(fix).sum(),
            _ => 0,
        }
    }
    assert!(fix(&mut schema) >= 1);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let log: serde_json::Value = serde_json::from_str(&to_sarif(&results())).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let found = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(found.len(), 2);
    let region = &found[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(6), Some(11))
    );
    assert_eq!(found[0]["ruleId"], "fail");
    // The typed model of serde-sarif reads it as well.
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(log.clone()).unwrap();
    assert_eq!(typed.runs.len(), 1);
    // And a log the schema refuses is refused: the test can fail.
    let mut broken = log;
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    assert!(!validator.is_valid(&broken));
}
