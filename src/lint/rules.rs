//! The lint rules: one row each. What a user reads about a rule is in the message catalogue:
//! `lint-<code>` (what is wrong) and `lint-<code>-help` (how to fix it) in
//! `src/i18n/{en,ja}/lint.ftl`.

use crate::diag::Code;

pub use crate::i18n::Lang;

/// One lint rule.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Its code (also in `diag/codes.rs` and docs/errors.md).
    pub code: Code,
    /// A name for karte.yml and `# noqa` (kebab-case), as readable as the code.
    pub name: &'static str,
    /// `--fix` can correct it (where the place maps exactly into the file written).
    pub fixable: bool,
}

impl Rule {
    /// The id of its message in the catalogue: `lint-l001` (its help: `lint-l001-help`).
    pub fn message_id(&self) -> String {
        format!("lint-{}", self.code.as_str().to_ascii_lowercase())
    }

    /// The one-line message.
    pub fn message(&self, lang: Lang) -> String {
        crate::i18n::format_in(lang, &self.message_id(), &[])
    }

    /// The help line.
    pub fn help(&self, lang: Lang) -> String {
        crate::i18n::format_in(lang, &format!("{}-help", self.message_id()), &[])
    }
}

/// Every rule, in code order.
pub static RULES: &[Rule] = &[
    Rule {
        code: Code::FullWidthChar,
        name: "full-width-character",
        fixable: true,
    },
    Rule {
        code: Code::LintIntegerDivision,
        name: "integer-division",
        fixable: true,
    },
    Rule {
        code: Code::LintNullComparison,
        name: "null-comparison",
        fixable: true,
    },
    Rule {
        code: Code::LintNotInNullable,
        name: "not-in-nullable-subquery",
        fixable: false,
    },
    Rule {
        code: Code::LintBetweenTimestampDate,
        name: "between-timestamp-date",
        fixable: false,
    },
    Rule {
        code: Code::LintDateComparedWithString,
        name: "date-compared-with-string",
        fixable: true,
    },
    Rule {
        code: Code::LintImplicitCrossJoin,
        name: "implicit-cross-join",
        fixable: false,
    },
    Rule {
        code: Code::LintUnqualifiedColumn,
        name: "unqualified-column-in-join",
        fixable: true,
    },
    Rule {
        code: Code::LintSelectStarInGold,
        name: "select-star-in-gold",
        fixable: false,
    },
    Rule {
        code: Code::LintOrderByInModel,
        name: "order-by-in-model",
        fixable: true,
    },
    Rule {
        code: Code::LintRowNumberTies,
        name: "row-number-ties",
        fixable: false,
    },
    Rule {
        code: Code::LintCountStarLeftJoin,
        name: "count-star-left-join",
        fixable: false,
    },
];

/// The rule of a code.
pub fn rule(code: Code) -> &'static Rule {
    RULES.iter().find(|r| r.code == code).unwrap_or(&RULES[0])
}

/// The rule named by a code (`L001`) or a name (`integer-division`), case-insensitively.
pub fn find(name: &str) -> Option<&'static Rule> {
    let name = name.trim();
    RULES
        .iter()
        .find(|r| r.code.as_str().eq_ignore_ascii_case(name) || r.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_both_languages_and_a_lint_code() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "{:?} twice", r.code);
            // A message missing from the catalogue comes back as its id.
            let id = r.message_id();
            for lang in Lang::ALL {
                let (message, help) = (r.message(lang), r.help(lang));
                assert!(
                    !message.trim().is_empty() && message != id,
                    "{}: no `{id}` in src/i18n/{}/lint.ftl",
                    r.name,
                    lang.code()
                );
                assert!(
                    !help.trim().is_empty() && help != format!("{id}-help"),
                    "{}: no `{id}-help` in src/i18n/{}/lint.ftl",
                    r.name,
                    lang.code()
                );
            }
            assert!(
                !r.message(Lang::Ja).is_ascii() && !r.help(Lang::Ja).is_ascii(),
                "{}: the Japanese is not Japanese",
                r.name
            );
            assert_ne!(r.message(Lang::En), r.message(Lang::Ja), "{}", r.name);
            assert_eq!(find(r.name), Some(r));
            assert_eq!(find(&r.code.as_str().to_lowercase()), Some(r));
        }
        // Every L code is a rule.
        for code in Code::ALL {
            if code.as_str().starts_with('L') {
                assert!(
                    RULES.iter().any(|r| r.code == *code),
                    "{code:?} has no rule"
                );
            }
        }
    }
}
