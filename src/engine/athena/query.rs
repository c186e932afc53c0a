//! One Athena query: submit (idempotent by a ClientRequestToken unique per run, step,
//! statement and generation), poll with growing intervals, stop on timeout or Ctrl-C, submit
//! again only what Athena marks retryable (and Iceberg commit conflicts) where a second
//! submission cannot write twice, and record bytes scanned and engine time.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};
use sha2::{Digest, Sha256};

use super::retry;
use super::{AthenaEngine, MIN_BILLED_BYTES};
use crate::engine::{EngineError, WorkCtx};

/// A finished query.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Query execution id.
    pub id: String,
    /// Bytes scanned.
    pub bytes_scanned: u64,
}

/// The ClientRequestToken of a statement: from the run id, the unit of work (step id or test
/// id), the statement's index within it and its generation (0, then one more per
/// resubmission). Unique per run, so a new run never meets an old execution; stable within a
/// run, so a resumed run finds the executions its earlier attempt started. Athena accepts
/// 32–128 characters and answers a reused token with the execution it first started.
pub fn token(run_id: &str, work_id: &str, index: usize, generation: u32) -> String {
    let mut h = Sha256::new();
    for part in [run_id.as_bytes(), work_id.as_bytes()] {
        h.update(part);
        h.update([0]);
    }
    h.update((index as u64).to_le_bytes());
    h.update(generation.to_le_bytes());
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("karte-{}", &hex[..48])
}

/// Why a query failed, as Athena says.
struct Failure {
    id: String,
    message: String,
    retryable: bool,
}

/// Attempts of one statement that Athena marked retryable, at most (each also draws from the
/// run's retry budget).
const MAX_QUERY_ATTEMPTS: u32 = 3;

/// Run statement `index` of the unit of work `ctx` to completion.
///
/// - Its token is [`token`]`(run, work, index, generation)`, starting at the generation the
///   journal holds for it.
/// - In a resumed run, an execution of the earlier attempt that failed or was stopped (second
///   Ctrl-C, query timeout) is not a result: the statement is submitted once more under the
///   next generation (journaled through `ctx.on_resubmit`).
/// - A failure Athena marks retryable (or an Iceberg commit conflict) is resubmitted under the
///   next generation after a backoff, at most [`MAX_QUERY_ATTEMPTS`] times and within the run's
///   retry budget — and only when sending it again cannot write twice (see
///   [`safe_to_resubmit`]).
pub async fn run(
    e: &AthenaEngine,
    sql: &str,
    ctx: &WorkCtx,
    index: usize,
) -> Result<Finished, EngineError> {
    let mut generation = ctx.generations.get(&index).copied().unwrap_or(0);
    let mut may_be_earlier = ctx.resumed;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let token = token(&ctx.run_id, &ctx.work_id, index, generation);
        let outcome = run_once(e, sql, &token).await?;
        let earlier = std::mem::take(&mut may_be_earlier);
        let f = match outcome {
            Ok(done) => return Ok(done),
            Err(f) => f,
        };
        let again = if earlier {
            // (Athena's message is not printed here: it may quote the SQL, secrets included;
            // the step's error, which is redacted, carries it if the statement fails for good.)
            eprintln!(
                "  {}",
                crate::t!("athena-query-resubmitted", id = f.id.to_string())
            );
            true
        } else {
            f.retryable
                && attempt < MAX_QUERY_ATTEMPTS.min(e.settings.backoff.max_attempts)
                && e.budget.try_take(retry::RETRY_COST)
        };
        if !again {
            return Err(EngineError::project(crate::t!(
                "engine-query-failed",
                id = f.id.to_string(),
                error = f.message.to_string()
            )));
        }
        if let Some(why) = not_safe_to_resubmit(e, sql).await? {
            return Err(EngineError::project(crate::t!(
                "engine-query-not-resubmitted",
                id = f.id.to_string(),
                error = first_line(&f.message).to_string(),
                why = why.to_string()
            )));
        }
        generation += 1;
        if let Some(hook) = &ctx.on_resubmit {
            hook(index, generation);
        }
        if !earlier {
            e.totals.retries.fetch_add(1, Ordering::SeqCst);
            eprintln!(
                "  {}",
                crate::t!("athena-query-retrying", id = f.id.to_string())
            );
            tokio::time::sleep(e.settings.backoff.delay(attempt)).await;
        }
    }
}

/// Why sending `sql` again could write its data twice (None: it cannot). A Hive `INSERT INTO`
/// that failed may have written part of its files, and a second run would add the rows again;
/// a CTAS writes into a location Athena requires to be empty, an Iceberg INSERT/MERGE commits
/// all or nothing, and reads write nothing.
async fn not_safe_to_resubmit(e: &AthenaEngine, sql: &str) -> Result<Option<String>, EngineError> {
    let Some(table) = inserted_table(sql) else {
        return Ok(None);
    };
    let state = super::glue::get_table(e, &table.schema, &table.name).await?;
    let iceberg = state.is_some_and(|s| s.kind == crate::plan::catalog::TableKind::Iceberg);
    Ok((!iceberg).then(|| {
        format!(
            "it inserts into the Hive table {table}, and a failed INSERT INTO may have written part of its files, which a second submission would duplicate; check the table's newest files, or rebuild it with --full-refresh"
        )
    }))
}

/// The table of an `INSERT INTO [catalog.]schema.table …` statement.
fn inserted_table(sql: &str) -> Option<crate::plan::TableRef> {
    let mut words = sql.split_whitespace();
    let (a, b) = (words.next()?, words.next()?);
    if !a.eq_ignore_ascii_case("INSERT") || !b.eq_ignore_ascii_case("INTO") {
        return None;
    }
    let name = words.next()?;
    let parts: Vec<&str> = name
        .split('.')
        .map(|p| p.trim_matches('"').trim_end_matches('('))
        .collect();
    match parts.as_slice() {
        [.., schema, table] => Some(crate::plan::TableRef {
            schema: schema.to_string(),
            name: table.to_string(),
        }),
        _ => None,
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Submit and wait once. Outer error: karte could not ask (or was stopped); inner: the query
/// failed.
async fn run_once(
    e: &AthenaEngine,
    sql: &str,
    token: &str,
) -> Result<Result<Finished, Failure>, EngineError> {
    if e.cancel.load(Ordering::SeqCst) {
        return Err(EngineError::environment(crate::t!(
            "engine-interrupted-before-start"
        )));
    }
    if let Some(budget) = e.settings.max_bytes_scanned {
        let used = e.totals.bytes_scanned.load(Ordering::SeqCst);
        if used >= budget {
            return Err(EngineError::project(crate::t!(
                "engine-budget-reached",
                used = super::human_bytes(used),
                budget = super::human_bytes(budget)
            )));
        }
    }
    // The concurrency cap: a slot for the query's whole life.
    let _slot = e
        .slots
        .acquire()
        .await
        .map_err(|_| EngineError::internal("query slots closed"))?;
    let id = submit(e, sql, token).await?;
    e.running.lock().expect("running").push(id.clone());
    let result = wait(e, &id).await;
    e.running.lock().expect("running").retain(|r| r != &id);
    result
}

async fn submit(e: &AthenaEngine, sql: &str, token: &str) -> Result<String, EngineError> {
    let context = QueryExecutionContext::builder()
        .catalog(&e.catalog_name)
        .build();
    let results = e
        .settings
        .s3_staging_dir
        .as_ref()
        .map(|out| ResultConfiguration::builder().output_location(out).build());
    // Safe to send again after a timeout or a dropped connection: the token makes it
    // idempotent (Athena returns the execution it first started).
    let r = {
        let op = crate::engine::failpoint::op(|| {
            format!("athena: StartQueryExecution {}", first_line(sql))
        });
        let out = retry::call(e, "StartQueryExecution", true, || {
            e.athena
                .start_query_execution()
                .query_string(sql)
                .client_request_token(token)
                .query_execution_context(context.clone())
                .set_work_group(e.settings.workgroup.clone())
                .set_result_configuration(results.clone())
                .send()
        })
        .await;
        op.done();
        out
    }?;
    r.query_execution_id()
        .map(str::to_string)
        .ok_or_else(|| EngineError::internal("Athena returned no query execution id"))
}

async fn wait(e: &AthenaEngine, id: &str) -> Result<Result<Finished, Failure>, EngineError> {
    let started = Instant::now();
    let mut interval = e.settings.poll_interval;
    loop {
        // The first Ctrl-C lets running queries finish (nothing new starts, see `run_once`);
        // the second one stops them through `AthenaEngine::stopper`. A timeout stops one here.
        let stop_reason = (started.elapsed() > e.settings.query_timeout).then(|| {
            format!(
                "it ran longer than the target's query_timeout_seconds ({} s)",
                e.settings.query_timeout.as_secs()
            )
        });
        if let Some(reason) = stop_reason {
            let _ = e
                .athena
                .stop_query_execution()
                .query_execution_id(id)
                .send()
                .await;
            return Err(EngineError::environment(crate::t!(
                "engine-query-stopped",
                id = id,
                reason = reason.to_string()
            )));
        }
        // Reading a status is idempotent: throttling and transport hiccups are retried.
        let got = retry::call(e, "GetQueryExecution", true, || {
            e.athena.get_query_execution().query_execution_id(id).send()
        })
        .await?;
        let Some(q) = got.query_execution() else {
            return Err(EngineError::internal(format!(
                "no execution for query {id}"
            )));
        };
        let status = q.status();
        let state = status.and_then(|s| s.state()).cloned();
        match state {
            Some(QueryExecutionState::Succeeded) => {
                let stats = q.statistics();
                let scanned = stats
                    .and_then(|s| s.data_scanned_in_bytes())
                    .unwrap_or(0)
                    .max(0) as u64;
                let engine_ms = stats
                    .and_then(|s| s.engine_execution_time_in_millis())
                    .unwrap_or(0)
                    .max(0) as u64;
                e.totals.queries.fetch_add(1, Ordering::SeqCst);
                e.totals.bytes_scanned.fetch_add(scanned, Ordering::SeqCst);
                e.totals
                    .bytes_billed
                    .fetch_add(scanned.max(MIN_BILLED_BYTES), Ordering::SeqCst);
                e.totals.engine_ms.fetch_add(engine_ms, Ordering::SeqCst);
                return Ok(Ok(Finished {
                    id: id.to_string(),
                    bytes_scanned: scanned,
                }));
            }
            Some(QueryExecutionState::Failed) | Some(QueryExecutionState::Cancelled) => {
                let err = status.and_then(|s| s.athena_error());
                let reason = status
                    .and_then(|s| s.state_change_reason())
                    .or_else(|| err.and_then(|a| a.error_message()))
                    .unwrap_or(if state == Some(QueryExecutionState::Cancelled) {
                        "the query was cancelled"
                    } else {
                        "no reason given"
                    })
                    .to_string();
                let retryable =
                    err.is_some_and(|a| a.retryable()) || reason.contains("ICEBERG_COMMIT_ERROR");
                return Ok(Err(Failure {
                    id: id.to_string(),
                    message: reason,
                    retryable: retryable && state == Some(QueryExecutionState::Failed),
                }));
            }
            _ => {
                tokio::time::sleep(interval).await;
                interval = (interval * 3 / 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// All rows of a finished query as text (NULL as None), without the header row Athena adds
/// for SELECTs. `limit` stops early.
pub async fn results(
    e: &AthenaEngine,
    id: &str,
    limit: Option<usize>,
) -> Result<(Vec<String>, Vec<Vec<Option<String>>>), EngineError> {
    let mut token: Option<String> = None;
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    let mut first = true;
    loop {
        let page = retry::call(e, "GetQueryResults", true, || {
            e.athena
                .get_query_results()
                .query_execution_id(id)
                .set_next_token(token.clone())
                .max_results(1000)
                .send()
        })
        .await?;
        if let Some(rs) = page.result_set() {
            if first {
                columns = rs
                    .result_set_metadata()
                    .map(|m| {
                        m.column_info()
                            .iter()
                            .map(|c| c.name().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
            }
            let mut data = rs.rows().iter();
            if first && !columns.is_empty() {
                // The header row of a SELECT repeats the column names.
                let mut peek = data.clone();
                if let Some(h) = peek.next() {
                    let names: Vec<Option<&str>> =
                        h.data().iter().map(|d| d.var_char_value()).collect();
                    if names
                        .iter()
                        .zip(&columns)
                        .all(|(n, c)| *n == Some(c.as_str()))
                    {
                        data.next();
                    }
                }
            }
            for r in data {
                rows.push(
                    r.data()
                        .iter()
                        .map(|d| d.var_char_value().map(str::to_string))
                        .collect(),
                );
                if limit.is_some_and(|l| rows.len() >= l) {
                    return Ok((columns, rows));
                }
            }
        }
        first = false;
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok((columns, rows));
        }
    }
}

/// The Athena types of a finished query's columns.
pub async fn column_types(e: &AthenaEngine, id: &str) -> Result<Vec<String>, EngineError> {
    Ok(metadata(e, id).await?.into_iter().map(|(_, t)| t).collect())
}

/// The names of a finished query's columns.
pub async fn column_names(e: &AthenaEngine, id: &str) -> Result<Vec<String>, EngineError> {
    Ok(metadata(e, id).await?.into_iter().map(|(n, _)| n).collect())
}

async fn metadata(e: &AthenaEngine, id: &str) -> Result<Vec<(String, String)>, EngineError> {
    let r = retry::call(e, "GetQueryResults", true, || {
        e.athena
            .get_query_results()
            .query_execution_id(id)
            .max_results(1)
            .send()
    })
    .await?;
    Ok(r.result_set()
        .and_then(|rs| rs.result_set_metadata())
        .map(|m| {
            m.column_info()
                .iter()
                .map(|c| (c.name().to_string(), c.r#type().to_string()))
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::token;

    #[test]
    fn tokens_are_unique_per_run_work_statement_and_generation() {
        let a = token("run_1", "m/01-sql", 0, 0);
        assert_eq!(a, token("run_1", "m/01-sql", 0, 0), "stable within a run");
        assert_ne!(
            a,
            token("run_2", "m/01-sql", 0, 0),
            "a new run never reuses one"
        );
        assert_ne!(a, token("run_1", "m/02-sql", 0, 0));
        assert_ne!(a, token("run_1", "m/01-sql", 1, 0));
        assert_ne!(a, token("run_1", "m/01-sql", 0, 1));
        // No ambiguity between the parts.
        assert_ne!(token("run_1", "m", 0, 0), token("run_1m", "", 0, 0));
        assert!((32..=128).contains(&a.len()), "{}", a.len());
    }

    #[test]
    fn inserted_tables() {
        let t = super::inserted_table("INSERT INTO \"awsdatacatalog\".\"silver\".\"t\"\nSELECT 1");
        assert_eq!(t.unwrap().to_string(), "silver.t");
        assert!(super::inserted_table("CREATE TABLE a.b AS SELECT 1").is_none());
        assert!(super::inserted_table("MERGE INTO a.b USING c").is_none());
    }
}
