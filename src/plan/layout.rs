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
    /// (default `target/lake`, relative to the project).
    pub fn of(target: &Target) -> Result<Lake, Diagnostic> {
        let root = match target.config.kind {
            TargetType::Athena => {
                let Some(root) = target.config.lake_root.clone() else {
                    return Err(Diagnostic::error(
                        Code::TargetIncomplete,
                        format!("target `{}` has no `lake_root`", target.name),
                    )
                    .at(Location::file_only(std::path::Path::new("karte.yml")))
                    .help("set `lake_root: s3://<bucket>/<prefix>/` on the target: karte writes and deletes only under it"));
                };
                if !root.starts_with("s3://") || root.trim_end_matches('/').len() <= "s3://".len() {
                    return Err(Diagnostic::error(
                        Code::TargetIncomplete,
                        format!("`lake_root` of target `{}` must be an s3:// URI with a bucket, not `{root}`", target.name),
                    )
                    .at(Location::file_only(std::path::Path::new("karte.yml")))
                    .help("write `lake_root: s3://my-bucket/lake/`"));
                }
                root
            }
            TargetType::Local => target
                .config
                .lake_dir
                .clone()
                .unwrap_or_else(|| "target/lake".to_string()),
        };
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
}
