//! Documentation stays true: every diagnostic code is in docs/errors.md.

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
