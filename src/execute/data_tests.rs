//! Running the plan's data tests ([`crate::plan::data_tests`]): fill in secrets, count the
//! failing rows, show a few with classified columns hidden, store them if asked.

use std::collections::BTreeSet;

use crate::plan::data_tests::DataTest;

/// Run one data test with its secrets filled in, into `r`: pass, or fail/warn with a count and
/// a few failing rows (classified columns hidden, filled secrets redacted), or error.
pub fn run(
    engine: &dyn crate::engine::Engine,
    t: &DataTest,
    vault: &crate::execute::secrets::Vault,
    ctx: &crate::engine::WorkCtx,
    r: &mut super::results::NodeResult,
) {
    use super::results::Status;
    // The engine operations of the test (and its store_failures) are named by it.
    let _work = crate::engine::failpoint::working_on(&ctx.work_id);
    let (sql, filled) = match vault.fill_sql(&t.sql) {
        Ok(x) => x,
        Err(message) => {
            r.status = Status::Error;
            r.message = Some(message);
            return;
        }
    };
    match engine.run_test(&sql, 5, ctx) {
        Ok(out) if out.failures == 0 => r.status = Status::Pass,
        Ok(out) => {
            r.status = if t.severity == "warn" {
                Status::Warn
            } else {
                Status::Fail
            };
            r.failures = Some(out.failures);
            let mut msg = crate::t!("run-test-failing-rows", count = out.failures);
            if !out.sample.is_empty() {
                msg.push_str(&crate::t!(
                    "run-test-example",
                    rows = filled.redact(&sample_text(&out.columns, &out.sample, &t.masked))
                ));
            }
            if let Some(table) = &t.store_failures {
                match engine.store_failures(table, &sql, ctx) {
                    Ok(()) => {
                        msg.push_str(&crate::t!("run-test-stored", table = table.to_string()))
                    }
                    Err(e) => msg.push_str(&crate::t!(
                        "run-test-not-stored",
                        error = filled.redact(&e.message)
                    )),
                }
            }
            r.message = Some(msg);
        }
        Err(e) => {
            r.status = Status::Error;
            r.message = Some(filled.redact(&e.message));
        }
    }
}

/// Up to three failing rows as `(col=value, …)`, with `***` for the values of `masked` columns
/// (of every column when the project classifies none).
fn sample_text(columns: &[String], rows: &[Vec<String>], masked: &BTreeSet<String>) -> String {
    rows.iter()
        .take(3)
        .map(|r| {
            let pairs: Vec<String> = columns
                .iter()
                .zip(r)
                .map(|(c, v)| {
                    if masked.contains(crate::plan::data_tests::MASK_ALL)
                        || masked.contains(&c.to_lowercase())
                    {
                        format!("{c}=***")
                    } else {
                        format!("{c}={v}")
                    }
                })
                .collect();
            format!("({})", pairs.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" ")
}
