//! One Athena query: submit (idempotent by ClientRequestToken), poll with growing intervals,
//! stop on timeout or Ctrl-C, retry only what Athena marks retryable (and Iceberg commit
//! conflicts), and record bytes scanned and engine time.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};
use sha2::{Digest, Sha256};

use super::retry;
use super::{AthenaEngine, MIN_BILLED_BYTES};
use crate::engine::EngineError;

/// A finished query.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Query execution id.
    pub id: String,
    /// Bytes scanned.
    pub bytes_scanned: u64,
}

/// The ClientRequestToken of a statement: from the step's idempotency key (which includes the
/// run id once `{run_id}` is filled in), the statement and its index within the step. Athena
/// accepts 32–128 characters.
pub fn token(idempotency_key: &str, sql: &str, index: usize) -> String {
    let mut h = Sha256::new();
    h.update(idempotency_key.as_bytes());
    h.update([0]);
    h.update(sql.as_bytes());
    h.update([0]);
    h.update(index.to_le_bytes());
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("karte-{}", &hex[..48])
}

/// Why a query failed, as Athena says.
struct Failure {
    id: String,
    message: String,
    retryable: bool,
}

/// Run a statement to completion. A query that fails retryably (Athena's `Retryable` flag, or
/// an Iceberg commit conflict) is submitted again with a new token after a backoff.
pub async fn run(e: &AthenaEngine, sql: &str, key: &str) -> Result<Finished, EngineError> {
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        // A retry is a new query: a new token (the old one names the failed execution).
        let token = if attempt == 1 {
            key.to_string()
        } else {
            format!("{}-r{attempt}", &key[..key.len().min(100)])
        };
        match run_once(e, sql, &token).await? {
            Ok(done) => return Ok(done),
            Err(f) if f.retryable && attempt < e.settings.backoff.max_attempts => {
                e.totals.retries.fetch_add(1, Ordering::SeqCst);
                eprintln!(
                    "  Athena query {} failed retryably ({}); retrying",
                    f.id,
                    first_line(&f.message)
                );
                tokio::time::sleep(e.settings.backoff.delay(attempt)).await;
            }
            Err(f) => {
                return Err(EngineError::project(format!(
                    "Athena query {} failed: {}",
                    f.id, f.message
                )))
            }
        }
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
        return Err(EngineError::environment(
            "interrupted before the query started",
        ));
    }
    if let Some(budget) = e.settings.max_bytes_scanned {
        let used = e.totals.bytes_scanned.load(Ordering::SeqCst);
        if used >= budget {
            return Err(EngineError::project(format!(
                "--max-bytes-scanned reached: {} scanned in this run, the budget is {}; no further queries are started",
                super::human_bytes(used),
                super::human_bytes(budget)
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
    let r = retry::call(e, "StartQueryExecution", false, || {
        e.athena
            .start_query_execution()
            .query_string(sql)
            .client_request_token(token)
            .query_execution_context(context.clone())
            .set_work_group(e.settings.workgroup.clone())
            .set_result_configuration(results.clone())
            .send()
    })
    .await?;
    r.query_execution_id()
        .map(str::to_string)
        .ok_or_else(|| EngineError::internal("Athena returned no query execution id"))
}

/// An AWS error as an EngineError: permission and validation problems are the project's (or
/// the account's) to fix, the rest the environment's.
pub fn classify(message: &str, code: Option<&str>, operation: &str) -> EngineError {
    let text = format!("{operation}: {message}");
    match code {
        Some("AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation") => {
            EngineError::environment(format!(
                "{text} — the AWS identity karte runs as lacks a permission; docs/athena.md lists the IAM actions needed"
            ))
        }
        Some("InvalidRequestException" | "ValidationException" | "InvalidInputException") => {
            EngineError::project(text)
        }
        _ => EngineError::environment(text),
    }
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
            return Err(EngineError::environment(format!(
                "Athena query {id} was stopped: {reason}"
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
    #[test]
    fn tokens_are_stable_distinct_and_valid() {
        let a = super::token("k", "SELECT 1", 0);
        assert_eq!(a, super::token("k", "SELECT 1", 0));
        assert_ne!(a, super::token("k", "SELECT 1", 1));
        assert_ne!(a, super::token("k2", "SELECT 1", 0));
        assert!((32..=128).contains(&a.len()), "{}", a.len());
    }
}
