//! The lint rules: one row each, with every text a user reads about it, in English and
//! Japanese (the message catalogue of issue 18 can take these rows over as they are).

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
    /// What is wrong, one line, English.
    pub en: &'static str,
    /// What is wrong, one line, Japanese.
    pub ja: &'static str,
    /// How to fix it, English.
    pub help_en: &'static str,
    /// How to fix it, Japanese.
    pub help_ja: &'static str,
}

impl Rule {
    /// The one-line message.
    pub fn message(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ja => self.ja,
        }
    }

    /// The help line.
    pub fn help(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.help_en,
            Lang::Ja => self.help_ja,
        }
    }
}

/// Every rule, in code order.
pub static RULES: &[Rule] = &[
    Rule {
        code: Code::FullWidthChar,
        name: "full-width-character",
        fixable: true,
        en: "full-width or typographic character in SQL (Athena rejects it)",
        ja: "SQL の中に全角の文字や記号があります (Athena はエラーにします)",
        help_en: "replace it with its ASCII character; `karte lint --fix` does it",
        help_ja: "半角の文字に直してください。`karte lint --fix` で直せます",
    },
    Rule {
        code: Code::LintIntegerDivision,
        name: "integer-division",
        fixable: true,
        en: "integer divided by integer: Athena drops the fraction (1 / 2 is 0)",
        ja: "整数どうしの割り算です。Athena では小数点以下が切り捨てられます (1 / 2 は 0)",
        help_en: "make one side a double: `cast(a as double) / b`",
        help_ja: "片方を小数にしてください: `cast(a as double) / b`",
    },
    Rule {
        code: Code::LintNullComparison,
        name: "null-comparison",
        fixable: true,
        en: "comparison with NULL is never true",
        ja: "NULL と = や <> で比べても、結果は決して「真」になりません",
        help_en: "write `IS NULL` or `IS NOT NULL`",
        help_ja: "`IS NULL` または `IS NOT NULL` と書いてください",
    },
    Rule {
        code: Code::LintNotInNullable,
        name: "not-in-nullable-subquery",
        fixable: false,
        en: "NOT IN over a subquery that may return NULL: one NULL and no row matches",
        ja: "NOT IN の中の SELECT が NULL を返すと、1 行も残りません",
        help_en: "add `WHERE col IS NOT NULL` inside the subquery, or write NOT EXISTS",
        help_ja: "中の SELECT に `WHERE 列 IS NOT NULL` を足すか、NOT EXISTS で書いてください",
    },
    Rule {
        code: Code::LintBetweenTimestampDate,
        name: "between-timestamp-date",
        fixable: false,
        en: "BETWEEN on a timestamp with a date as upper bound leaves out that last day after 00:00",
        ja: "日時の列を BETWEEN で日付まで絞ると、最後の日の 0 時より後が入りません",
        help_en: "write `ts >= DATE 'from' AND ts < DATE 'to' + INTERVAL '1' DAY`",
        help_ja: "`ts >= DATE '開始日' AND ts < DATE '終了日' + INTERVAL '1' DAY` と書いてください",
    },
    Rule {
        code: Code::LintDateComparedWithString,
        name: "date-compared-with-string",
        fixable: true,
        en: "a date is compared with a string: Athena refuses it (`cannot be applied to date, varchar`)",
        ja: "日付と文字列を比べています。Athena ではエラーになります",
        help_en: "write a date literal: `DATE '2024-04-01'`",
        help_ja: "日付として書いてください: `DATE '2024-04-01'`",
    },
    Rule {
        code: Code::LintImplicitCrossJoin,
        name: "implicit-cross-join",
        fixable: false,
        en: "tables listed with a comma and no condition joining them: every row meets every row",
        ja: "カンマで並べた表をつなぐ条件がありません。すべての行どうしが組み合わさります",
        help_en: "write `JOIN … ON …`, or `CROSS JOIN` if every combination is meant",
        help_ja: "`JOIN … ON …` で条件を書いてください。全組み合わせが目的なら `CROSS JOIN` と書きます",
    },
    Rule {
        code: Code::LintUnqualifiedColumn,
        name: "unqualified-column-in-join",
        fixable: true,
        en: "column without its table in a join: it breaks when another joined table gets a column of that name",
        ja: "結合した SELECT で、列にどの表のものかが書いてありません。同じ名前の列が他の表に増えると動かなくなります",
        help_en: "write the table's alias in front: `alias.column`",
        help_ja: "列の前に表の別名を付けてください: `別名.列`",
    },
    Rule {
        code: Code::LintSelectStarInGold,
        name: "select-star-in-gold",
        fixable: false,
        en: "`SELECT *` in a gold model: its columns change whenever an upstream table changes",
        ja: "gold のモデルで `SELECT *` を使っています。元の表が変わると、出す列も黙って変わります",
        help_en: "list the columns the mart delivers",
        help_ja: "出す列を 1 つずつ書いてください",
    },
    Rule {
        code: Code::LintOrderByInModel,
        name: "order-by-in-model",
        fixable: true,
        en: "ORDER BY without LIMIT in a model: a table or view does not keep row order",
        ja: "LIMIT のない ORDER BY です。テーブルやビューは行の順番を覚えていません",
        help_en: "remove it, and sort where the rows are read",
        help_ja: "消して、読むときの SELECT で並べ替えてください",
    },
    Rule {
        code: Code::LintRowNumberTies,
        name: "row-number-ties",
        fixable: false,
        en: "row_number() whose ORDER BY can tie: rows that tie get their numbers in any order, different on every run",
        ja: "row_number() の並び順が同じになる行があり得ます。その行の番号は実行のたびに変わります",
        help_en: "add a column that is unique per row to the window's ORDER BY (a tie-breaker)",
        help_ja: "ORDER BY に、行ごとに違う列 (明細番号など) を足してください",
    },
    Rule {
        code: Code::LintCountStarLeftJoin,
        name: "count-star-left-join",
        fixable: false,
        en: "count(*) over a LEFT JOIN counts a row with no match as 1",
        ja: "LEFT JOIN の結果を count(*) で数えると、相手のない行も 1 と数えます",
        help_en: "count a column of the joined table: `count(r.id)` counts only matches",
        help_ja: "つないだ表の列を数えてください: `count(r.id)` なら相手のある行だけ数えます",
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
            for text in [r.en, r.ja, r.help_en, r.help_ja] {
                assert!(!text.trim().is_empty(), "{} lacks a text", r.name);
            }
            assert!(!r.ja.is_ascii(), "{}: the Japanese is not Japanese", r.name);
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
