//! Secrets at run time: the `{secret:NAME}` placeholders of a step or data test
//! ([`crate::sql::secrets`]) are filled from the environment variable NAME when it runs.
//!
//! - Only names declared under `secrets:` in karte.yml are filled; an undeclared name is
//!   refused (it was already error `E211` at compile time).
//! - The placeholders of the text are filled in one pass: a value that itself holds
//!   `{secret:…}` or `{run_id}` is inserted as it is.
//! - Every value filled into a step is removed again ([`Filled::redact`]) from whatever the
//!   engine says about that step (engines echo the SQL in their errors) before the message is
//!   printed, journaled or written to run_results.json; so are the values from the data it
//!   quotes ([`super::scrub`]).

use crate::project::Secrets;
use crate::sql::secrets::{placeholders, valid_name, SECRET_PREFIX};

/// Reads a secret's value by name.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + Send + Sync + 'a>;

/// Where secrets come from: the names the project declares, and their values.
pub struct Vault<'a> {
    declared: &'a Secrets,
    env: Lookup<'a>,
}

impl<'a> Vault<'a> {
    /// The declared secrets, read from the process environment.
    pub fn from_env(declared: &'a Secrets) -> Self {
        Self::new(declared, |name| std::env::var(name).ok())
    }

    /// The declared secrets, read with `env` (tests).
    pub fn new(
        declared: &'a Secrets,
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'a,
    ) -> Self {
        Vault {
            declared,
            env: Box::new(env),
        }
    }

    /// `sql` with every placeholder replaced by its value as SQL string content (quotes
    /// doubled), and the values filled.
    pub fn fill_sql(&self, sql: &str) -> Result<(String, Filled), String> {
        self.fill(sql, &|v| v.replace('\'', "''"))
    }

    /// `text` with every placeholder replaced by `encode(value)`, in one pass: what a value
    /// holds is never filled again.
    pub fn fill(
        &self,
        text: &str,
        encode: &dyn Fn(&str) -> String,
    ) -> Result<(String, Filled), String> {
        let mut out = String::with_capacity(text.len());
        let mut filled = Filled::default();
        let mut last = 0;
        for (range, name) in placeholders(text) {
            if !valid_name(name) {
                return Err(crate::t!(
                    "run-secret-bad-placeholder",
                    placeholder = format!("{SECRET_PREFIX}{name}}}")
                ));
            }
            if !self.declared.contains(name) {
                return Err(crate::t!("run-secret-not-declared", name = name));
            }
            let value =
                (self.env)(name).ok_or_else(|| crate::t!("run-secret-not-set", name = name))?;
            out.push_str(&text[last..range.start]);
            out.push_str(&encode(&value));
            filled.add(name, value);
            last = range.end;
        }
        out.push_str(&text[last..]);
        Ok((out, filled))
    }
}

/// The secrets filled into one step or test: their values are redacted from what the engine
/// says about it.
#[derive(Debug, Clone, Default)]
pub struct Filled(Vec<(String, String)>);

impl Filled {
    /// One secret read elsewhere (a notification channel's URL or token), to redact from what
    /// may echo it.
    pub fn secret(name: &str, value: String) -> Filled {
        let mut f = Filled::default();
        f.add(name, value);
        f
    }

    fn add(&mut self, name: &str, value: String) {
        if !self.0.iter().any(|(n, _)| n == name) {
            self.0.push((name.to_string(), value));
            // Longest first, so that a value inside another is not replaced in it first.
            self.0.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        }
    }

    /// Add what another fill filled.
    pub fn extend(&mut self, other: Filled) {
        for (name, value) in other.0 {
            self.add(&name, value);
        }
    }

    /// True if nothing was filled.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `message` with every filled value, as written or escaped the ways engines echo SQL
    /// (quotes doubled, backslash or JSON escapes), replaced by its placeholder. An engine's
    /// `LINE n:` context, which may cut a value in the middle, is dropped.
    pub fn redact(&self, message: &str) -> String {
        if self.0.is_empty() {
            return super::scrub::without_values(message);
        }
        // Values become markers first, so that a short value is not replaced inside the
        // placeholder of another.
        let marker = |i: usize| format!("\u{1}{}\u{1}", "\u{2}".repeat(i + 1));
        let mut out = message.replace(['\u{1}', '\u{2}'], "");
        for (i, (_, value)) in self.0.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let json = serde_json::to_string(value).expect("strings serialise");
            let forms = [
                value.replace('\'', "''"),
                value.clone(),
                value.escape_debug().to_string(),
                json[1..json.len() - 1].to_string(),
            ];
            for form in forms {
                out = out.replace(&form, &marker(i));
            }
        }
        for (i, (name, _)) in self.0.iter().enumerate() {
            out = out.replace(&marker(i), &format!("{SECRET_PREFIX}{name}}}"));
        }
        super::scrub::without_values(&out)
    }

    /// An engine error with [`Filled::redact`] applied.
    pub fn redact_error(&self, mut e: crate::engine::EngineError) -> crate::engine::EngineError {
        e.message = self.redact(&e.message);
        e
    }
}

/// E211 for each placeholder of `sql` that names an undeclared secret or is malformed;
#[cfg(test)]
mod tests {
    use super::*;

    fn declared(names: &[&str]) -> Secrets {
        Secrets(names.iter().map(|n| (n.to_string(), None)).collect())
    }

    #[test]
    fn fills_declared_names_once() {
        let d = declared(&["A", "B"]);
        let v = Vault::new(&d, |n| match n {
            "A" => Some("x{secret:B}'{run_id}".into()),
            "B" => Some("b".into()),
            _ => None,
        });
        let (sql, filled) = v
            .fill_sql("'{secret:A}' || '{secret:B}' || '{secret:A}'")
            .unwrap();
        assert_eq!(
            sql,
            "'x{secret:B}''{run_id}' || 'b' || 'x{secret:B}''{run_id}'"
        );
        assert_eq!(filled.0.len(), 2);
        let err = v.fill_sql("'{secret:HOME}'").unwrap_err();
        assert!(err.contains("`HOME` is not declared"), "{err}");
        let err = v.fill_sql("'{secret:a b}'").unwrap_err();
        assert!(err.contains("not a valid"), "{err}");
        let d = declared(&["C"]);
        let err = Vault::new(&d, |_| None).fill_sql("{secret:C}").unwrap_err();
        assert!(err.contains("C is not set"), "{err}");
    }

    #[test]
    fn redacts_values_as_engines_echo_them() {
        let d = declared(&["S"]);
        let v = Vault::new(&d, |_| Some("it's-s3cr\\et".into()));
        let (_, filled) = v.fill_sql("'{secret:S}'").unwrap();
        let msg = "Conversion Error: Could not convert string 'it's-s3cr\\et' to INT32\n\nLINE 1: SELECT CAST('it''s-s3cr\\et' AS INTEGER) AS x FROM t WHERE y = 'it''s-s3c...\n                    ^";
        assert_eq!(
            filled.redact(msg),
            "Conversion Error: Could not convert string '{secret:S}' to INT32"
        );
        assert_eq!(
            filled.redact("json: \"it's-s3cr\\\\et\""),
            "json: \"{secret:S}\""
        );
        // With nothing filled, the values from the data still go.
        assert_eq!(
            Filled::default().redact("Could not convert string 'P-1' to INT32\nLINE 1: x"),
            "Could not convert string '...' to INT32"
        );
        // A short value is not replaced inside the placeholder of another.
        let d = declared(&["LONG", "E"]);
        let v = Vault::new(&d, |n| {
            Some(if n == "E" { "e" } else { "long-value" }.into())
        });
        let (_, filled) = v.fill_sql("{secret:LONG}{secret:E}").unwrap();
        assert_eq!(filled.redact("long-value, e"), "{secret:LONG}, {secret:E}");
    }
}
