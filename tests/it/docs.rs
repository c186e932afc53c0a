//! Documentation stays true: every diagnostic code is in docs/errors.md, the local engine's
//! function table in docs/local-engine.md is the one in the code.

#[test]
fn every_code_is_documented() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/errors.md")).unwrap();
    for code in karte::diag::Code::ALL {
        let needle = format!("| {} |", code.as_str());
        assert!(
            doc.contains(&needle),
            "{} is not in docs/errors.md",
            code.as_str()
        );
    }
}

/// docs/operations.md documents every field of the generic webhook's body (and so every
/// template variable) and of its items.
#[test]
fn the_webhook_body_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md"))
        .unwrap();
    let item = serde_json::to_value(&karte::notify::message::sample().failed[0]).unwrap();
    let item_keys = item.as_object().unwrap().keys().cloned();
    for key in karte::notify::message::webhook_keys()
        .into_iter()
        .chain(item_keys)
    {
        assert!(
            doc.contains(&format!("| `{key}` |")),
            "`{key}` is not documented in docs/operations.md"
        );
    }
}

/// docs/local-engine.md holds the translation's function table as generated from the code.
#[cfg(feature = "duckdb-engine")]
#[test]
fn local_engine_function_table_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/local-engine.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let (begin, end) = ("<!-- functions:begin -->\n", "<!-- functions:end -->");
    let start = doc.find(begin).expect("begin marker") + begin.len();
    let stop = doc.find(end).expect("end marker");
    let table = karte::engine::duckdb::translate::functions_markdown();
    if doc[start..stop] != table {
        if std::env::var_os("KARTE_UPDATE_DOCS").is_some() {
            let new = format!("{}{}{}", &doc[..start], table, &doc[stop..]);
            std::fs::write(path, new).unwrap();
            return;
        }
        panic!("docs/local-engine.md's function table is out of date: run the tests with KARTE_UPDATE_DOCS=1");
    }
}
