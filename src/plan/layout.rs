//! Where data lives: `<lake_root>/<schema>/<table>/<run>/…`. Every table owns its prefix; a
//! prefix outside the lake root, or inside another table's, is refused.

use crate::diag::{Code, Diagnostic, Location};
use crate::project::{Target, TargetType};

/// The lake root of a target, always ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lake {
    root: String,
}

impl Lake {
    /// The lake of a target: `lake_root` on Athena (an `s3://` URI), `lake_dir` locally
    /// (default `target/lake`, relative to the project). An unsafe layout is an error (E408).
    pub fn of(target: &Target) -> Result<Lake, Diagnostic> {
        let root = match target.config.kind {
            TargetType::Athena => s3_root(target)?,
            TargetType::Local => {
                let dir = target.config.lake_dir.as_deref().unwrap_or("target/lake");
                if dir.trim_matches('/').is_empty() {
                    return Err(layout_error(
                        crate::t!("plan-lake-dir-root", target = target.name, dir = dir),
                        &crate::t!("plan-lake-dir-root-help"),
                    ));
                }
                dir.to_string()
            }
        };
        let prefix = &target.config.schema_prefix;
        if prefix.contains(['/', '\\']) || prefix.contains("..") {
            return Err(layout_error(
                crate::t!(
                    "plan-schema-prefix-bad",
                    target = target.name,
                    prefix = prefix
                ),
                &crate::t!("plan-schema-prefix-bad-help"),
            ));
        }
        Ok(Lake::new(&root))
    }

    /// A lake rooted at `root`.
    pub fn new(root: &str) -> Lake {
        let mut root = root.to_string();
        if !root.ends_with('/') {
            root.push('/');
        }
        Lake { root }
    }

    /// The root, ending in `/`.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The prefix a table owns by default.
    pub fn table_prefix(&self, schema: &str, table: &str) -> String {
        format!("{}{schema}/{table}/", self.root)
    }

    /// True if `prefix` lies strictly inside the lake root.
    pub fn contains(&self, prefix: &str) -> bool {
        let p = normalise(prefix);
        p.starts_with(&self.root) && p.len() > self.root.len()
    }
}

/// `lake_root` of an Athena target: `s3://bucket/prefix/`, never a bucket root, no `..`, `.` or
/// empty segments.
fn s3_root(target: &Target) -> Result<String, Diagnostic> {
    let karte_yml = || Location::file_only(std::path::Path::new("karte.yml"));
    let Some(root) = target.config.lake_root.clone() else {
        return Err(Diagnostic::error(
            Code::TargetIncomplete,
            crate::t!("plan-no-lake-root", target = target.name),
        )
        .at(karte_yml())
        .help(crate::t!("plan-no-lake-root-help")));
    };
    let rest = root.strip_prefix("s3://").unwrap_or("");
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(Diagnostic::error(
            Code::TargetIncomplete,
            crate::t!(
                "plan-lake-root-no-bucket",
                target = target.name,
                root = root
            ),
        )
        .at(karte_yml())
        .help(crate::t!("plan-lake-root-no-bucket-help")));
    }
    if key.trim_matches('/').is_empty() {
        return Err(layout_error(
            crate::t!(
                "plan-lake-root-whole-bucket",
                target = target.name,
                root = root
            ),
            &crate::t!("plan-lake-root-whole-bucket-help"),
        ));
    }
    if let Some(problem) = path_problem(&root) {
        return Err(layout_error(
            crate::t!(
                "plan-lake-root-bad-path",
                target = target.name,
                root = root,
                problem = problem
            ),
            &crate::t!("plan-lake-root-bad-path-help"),
        ));
    }
    Ok(root)
}

fn layout_error(message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::UnsafeLayout, message)
        .at(Location::file_only(std::path::Path::new("karte.yml")))
        .help(help.to_string())
}

pub use crate::project::names::segment_problem;

/// What is wrong with the path of a location (`s3://bucket/a/b/` or a directory): a `..` or `.`
/// segment, or an empty one (`//`), if anything.
pub fn path_problem(location: &str) -> Option<String> {
    let path = match location.strip_prefix("s3://") {
        Some(rest) => rest.split_once('/').map(|(_, key)| key).unwrap_or(""),
        None => location.strip_prefix('/').unwrap_or(location),
    };
    let path = path.strip_suffix('/').unwrap_or(path);
    if path.is_empty() {
        return None;
    }
    path.split('/').find_map(|seg| match seg {
        "" => Some(crate::t!("plan-path-empty-segment")),
        "." | ".." => Some(crate::t!("plan-path-dot-segment", segment = seg)),
        _ => None,
    })
}

/// A prefix with exactly one trailing `/`.
pub fn normalise(prefix: &str) -> String {
    format!("{}/", prefix.trim_end_matches('/'))
}

/// True if one prefix contains the other (or they are equal).
pub fn overlaps(a: &str, b: &str) -> bool {
    let (a, b) = (normalise(a), normalise(b));
    a.starts_with(&b) || b.starts_with(&a)
}

/// True if `path` lies under `prefix`.
pub fn is_under(path: &str, prefix: &str) -> bool {
    normalise(path).starts_with(&normalise(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let lake = Lake::new("s3://b/lake");
        assert_eq!(lake.table_prefix("silver", "t"), "s3://b/lake/silver/t/");
        assert!(lake.contains("s3://b/lake/silver/t"));
        assert!(!lake.contains("s3://b/lake/"));
        assert!(!lake.contains("s3://b/lakehouse/x/"));
        assert!(overlaps("s3://b/lake/silver/t/", "s3://b/lake/silver/"));
        assert!(!overlaps("s3://b/lake/silver/t/", "s3://b/lake/silver/t2/"));
        assert!(is_under(
            "s3://b/lake/silver/t/2024/",
            "s3://b/lake/silver/t"
        ));
    }

    #[test]
    fn segments_and_paths() {
        assert_eq!(segment_problem("silver"), None);
        assert!(segment_problem("").is_some());
        assert!(segment_problem("..").is_some());
        assert!(segment_problem("a/b").is_some());
        assert_eq!(path_problem("s3://b/lake/silver/t/"), None);
        assert_eq!(path_problem("/abs/lake"), None);
        assert!(path_problem("s3://b/lake/../x/").is_some());
        assert!(path_problem("s3://b//lake/").is_some());
        assert!(path_problem("target/./lake").is_some());
    }
}
