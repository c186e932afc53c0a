//! Dependencies that must stay as Cargo.toml's comments say: a crate shared with
//! libduckdb-sys's build-dependencies must not change, or DuckDB's C++ is built again.

/// `(name, version, dependencies)` of every package in Cargo.lock.
fn locked() -> Vec<(String, String, Vec<String>)> {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
    lock.split("[[package]]")
        .skip(1)
        .map(|p| {
            let field = |key: &str| {
                p.lines()
                    .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                    .map(|v| v.trim_end_matches('"').to_string())
                    .unwrap_or_default()
            };
            let deps = p
                .split("dependencies = [")
                .nth(1)
                .map(|d| {
                    d.split(']')
                        .next()
                        .unwrap_or("")
                        .lines()
                        .map(|l| l.trim().trim_matches(',').trim_matches('"').to_string())
                        .filter(|l| !l.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            (field("name"), field("version"), deps)
        })
        .collect()
}

#[test]
fn notifications_share_nothing_with_duckdbs_build() {
    let packages = locked();
    // lettre 0.11.8 and later ask for idna 1 with its default features.
    let lettre = packages
        .iter()
        .find(|(n, ..)| n == "lettre")
        .expect("lettre");
    assert_eq!(
        lettre.1, "0.11.7",
        "see the comment above lettre in Cargo.toml"
    );
    // webpki-roots 0.26.9 and later depend on webpki-roots 1, which hyper-rustls shares with
    // libduckdb-sys's build.
    for (name, version, deps) in &packages {
        if name == "webpki-roots" && version.starts_with("0.26.") {
            assert!(
                !deps.iter().any(|d| d.starts_with("webpki-roots")),
                "webpki-roots {version} is a shim over webpki-roots 1: run `cargo update -p webpki-roots@{version} --precise 0.26.8` (see Cargo.toml)"
            );
        }
    }
}

#[test]
fn the_message_catalogue_shares_nothing_with_duckdbs_build() {
    // unic-langid-impl 0.9.5 and later use tinystr 0.8 with its `alloc` feature; tinystr 0.8 is
    // in libduckdb-sys's build (url → idna → icu), so the feature would rebuild DuckDB's C++.
    let packages = locked();
    let langid = packages
        .iter()
        .find(|(n, ..)| n == "unic-langid-impl")
        .expect("unic-langid-impl");
    assert_eq!(
        langid.1, "0.9.4",
        "see the comment above fluent-bundle in Cargo.toml"
    );
    assert!(
        langid.2.iter().any(|d| d.starts_with("tinystr 0.7")),
        "unic-langid-impl must use tinystr 0.7: {:?}",
        langid.2
    );
}
