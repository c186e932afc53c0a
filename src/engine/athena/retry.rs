//! Retries as the AWS SDKs' standard mode does them, and nothing more: throttling (Glue
//! `ThrottlingException`, S3 `SlowDown`, Athena `TooManyRequestsException`, …), transient
//! service errors (HTTP 5xx, `InternalServerException`, `ServiceUnavailable`, …), Glue's
//! `ConcurrentModificationException`, and — only for calls that are safe to send twice (reads,
//! and StartQueryExecution, which carries its ClientRequestToken) — timeouts and dropped
//! connections. Never a syntax, validation or permission error. Exponential backoff with full
//! jitter, a cap of attempts per call, and a retry budget per run ([`RetryBudget`], a token
//! bucket as in the SDKs' standard mode) that every retry of the run draws from, so retries
//! nested in retries (API calls inside a resubmitted query) cannot multiply. The SDK's own
//! retries are switched off (see `AthenaEngine::connect`), so this policy is the only one.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Duration;

use aws_sdk_glue::error::ProvideErrorMetadata;

/// Error codes that mean "slow down", across Athena, Glue and S3.
pub const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
];

/// Error codes of transient service faults, retried like throttling.
pub const TRANSIENT_CODES: &[&str] = &[
    "InternalServerException",
    "InternalServiceException",
    "InternalFailure",
    "InternalError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "ConcurrentModificationException",
    // S3: two conditional writes of one key at the same time; the docs say to retry.
    "ConditionalRequestConflict",
];

/// The retry budget of one run: a token bucket, as in the AWS SDKs' standard retry mode. A
/// retry takes [`RETRY_COST`] (a timeout or dropped connection [`TIMEOUT_RETRY_COST`]); a call
/// that succeeds puts one back. When the bucket is empty, failures are no longer retried: a
/// service in trouble is not hammered by every step of a long run, and retries nested inside
/// query resubmissions cannot multiply.
#[derive(Debug)]
pub struct RetryBudget {
    tokens: std::sync::atomic::AtomicU32,
    capacity: u32,
}

/// Tokens a retry takes from the budget.
pub const RETRY_COST: u32 = 5;
/// Tokens a retry after a timeout or a dropped connection takes.
pub const TIMEOUT_RETRY_COST: u32 = 10;
/// The budget of a run (the SDKs' default).
pub const RETRY_BUDGET: u32 = 500;

impl RetryBudget {
    /// A full bucket of `capacity` tokens.
    pub fn new(capacity: u32) -> RetryBudget {
        RetryBudget {
            tokens: std::sync::atomic::AtomicU32::new(capacity),
            capacity,
        }
    }

    /// Take `cost` tokens for a retry; false (nothing taken) if the bucket holds fewer.
    pub fn try_take(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// A call succeeded: one token back, up to the capacity.
    pub fn refund(&self) {
        let _ = self
            .tokens
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                (t < self.capacity).then_some(t + 1)
            });
    }

    /// Tokens left.
    pub fn left(&self) -> u32 {
        self.tokens.load(Ordering::SeqCst)
    }
}

/// Backoff settings.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// Attempts in all (1 = no retry).
    pub max_attempts: u32,
    /// First delay; doubled per attempt, capped at 20 s, with full jitter.
    pub base: Duration,
}

impl Backoff {
    /// The delay before attempt `attempt + 1` (attempt counts from 1).
    pub fn delay(&self, attempt: u32) -> Duration {
        let cap = Duration::from_secs(20);
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(cap);
        // Full jitter: uniform in [exp/2, exp] (never zero, so a burst spreads out).
        let nanos = exp.as_nanos() as u64;
        let jitter = if nanos > 1 {
            random_u64() % (nanos / 2 + 1)
        } else {
            0
        };
        Duration::from_nanos(nanos - jitter)
    }
}

/// A cheap random number (no crypto needed for jitter).
fn random_u64() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// True if an AWS error is throttling: by its error code, or an HTTP 429/503 without one.
pub fn is_throttling(code: Option<&str>, http_status: Option<u16>) -> bool {
    match code {
        Some(code) => THROTTLING_CODES.contains(&code),
        None => matches!(http_status, Some(429 | 503)),
    }
}

/// True if an AWS error may go away when the same request is sent again: throttling, a
/// transient service fault (by code, or any HTTP 5xx), or Glue's concurrent modification.
pub fn is_retryable(code: Option<&str>, http_status: Option<u16>) -> bool {
    is_throttling(code, http_status)
        || code.is_some_and(|c| TRANSIENT_CODES.contains(&c))
        || (code.is_none() && http_status.is_some_and(|s| (500..600).contains(&s)))
        || (matches!(http_status, Some(500 | 502 | 503 | 504))
            && !code.is_some_and(is_never_retried))
}

/// Codes that are never retried whatever the HTTP status says: the request itself is wrong or
/// not allowed.
fn is_never_retried(code: &str) -> bool {
    matches!(
        code,
        "AccessDeniedException"
            | "AccessDenied"
            | "UnauthorizedOperation"
            | "InvalidRequestException"
            | "InvalidInputException"
            | "ValidationException"
            | "EntityNotFoundException"
            | "AlreadyExistsException"
    )
}

/// An AWS error as an EngineError: permission and validation problems are the project's (or
/// the account's) to fix, the rest the environment's.
pub fn classify(message: &str, code: Option<&str>, operation: &str) -> crate::engine::EngineError {
    use crate::engine::EngineError;
    let text = format!("{operation}: {message}");
    match code {
        Some("AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation") => {
            EngineError::environment(crate::t!("engine-access-denied", error = text))
        }
        Some("InvalidRequestException" | "ValidationException" | "InvalidInputException") => {
            EngineError::project(text)
        }
        _ => EngineError::environment(text),
    }
}

/// Code, HTTP status and message of an SDK error, for classification and messages.
pub fn describe<E, R>(
    err: &aws_sdk_glue::error::SdkError<E, R>,
) -> (Option<String>, Option<u16>, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + HttpStatus,
{
    use aws_sdk_glue::error::SdkError;
    let status = err.raw_response().and_then(|r| r.http_status());
    let code = err.code().map(str::to_string);
    let message = match err {
        SdkError::ServiceError(e) => {
            let inner = e.err();
            match (inner.code(), inner.message()) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (Some(c), None) => c.to_string(),
                _ => aws_smithy_types::error::display::DisplayErrorContext(inner).to_string(),
            }
        }
        other => aws_smithy_types::error::display::DisplayErrorContext(other).to_string(),
    };
    (code, status, message)
}

/// The HTTP status of a raw response.
pub trait HttpStatus {
    /// Status code.
    fn http_status(&self) -> Option<u16>;
}

impl HttpStatus for aws_smithy_runtime_api::http::Response {
    fn http_status(&self) -> Option<u16> {
        Some(self.status().as_u16())
    }
}

/// What makes AWS calls under the run's retry policy: a budget, a backoff, a retry counter.
pub trait Caller {
    /// The run's retry budget.
    fn budget(&self) -> &RetryBudget;
    /// The backoff of one call.
    fn backoff(&self) -> Backoff;
    /// Count a retry (for the run's totals).
    fn retried(&self) {}
}

impl Caller for super::AthenaEngine {
    fn budget(&self) -> &RetryBudget {
        &self.budget
    }
    fn backoff(&self) -> Backoff {
        self.settings.backoff
    }
    fn retried(&self) {
        self.totals.retries.fetch_add(1, Ordering::SeqCst);
    }
}

/// Run one AWS call (any service) with karte's retry policy: throttling and transient service
/// faults are retried, and with `retry_transport` also timeouts and dropped connections (for
/// calls that are safe to send twice). Errors become an [`EngineError`] naming `operation`.
pub async fn call<T, E, F, Fut>(
    e: &impl Caller,
    operation: &str,
    retry_transport: bool,
    f: F,
) -> Result<T, crate::engine::EngineError>
where
    F: FnMut() -> Fut,
    Fut: Future<
        Output = Result<
            T,
            aws_sdk_glue::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
        >,
    >,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    call_allowing(e, operation, &[], retry_transport, f)
        .await
        .map(|r| r.expect("no error code is allowed, so every error is returned"))
}

/// [`call`], where the error codes in `ok_codes` count as success (e.g.
/// `AlreadyExistsException` for CreateDatabase): then `Ok(None)`.
pub async fn call_allowing<T, E, F, Fut>(
    e: &impl Caller,
    operation: &str,
    ok_codes: &[&str],
    retry_transport: bool,
    mut f: F,
) -> Result<Option<T>, crate::engine::EngineError>
where
    F: FnMut() -> Fut,
    Fut: Future<
        Output = Result<
            T,
            aws_sdk_glue::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
        >,
    >,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let budget = e.budget();
    let out = retry(
        e.backoff(),
        |_| {
            let fut = f();
            async move {
                match fut.await {
                    Ok(v) => Attempt::Ok(Some(v)),
                    Err(err) => {
                        let (code, status, msg) = describe(&err);
                        if code.as_deref().is_some_and(|c| ok_codes.contains(&c)) {
                            return Attempt::Ok(None);
                        }
                        use aws_sdk_glue::error::SdkError;
                        let transport = matches!(
                            err,
                            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
                        );
                        let cost = if transport {
                            TIMEOUT_RETRY_COST
                        } else {
                            RETRY_COST
                        };
                        let again = (is_retryable(code.as_deref(), status)
                            || (retry_transport && transport))
                            && budget.try_take(cost);
                        Attempt::Err(classify(&msg, code.as_deref(), operation), again)
                    }
                }
            }
        },
        |_, _| e.retried(),
    )
    .await;
    if out.is_ok() {
        budget.refund();
    }
    out
}

/// What one attempt returned: done, or an error and whether it may be retried.
pub enum Attempt<T, E> {
    /// Success.
    Ok(T),
    /// Failed; `true` if retrying may help.
    Err(E, bool),
}

/// Run `f` until it succeeds, fails for good, or `backoff.max_attempts` is reached. `on_retry`
/// sees every retry (for logging and counting).
pub async fn retry<T, E, F, Fut>(
    backoff: Backoff,
    mut f: F,
    on_retry: impl Fn(u32, &E),
) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Attempt<T, E>>,
{
    let mut attempt = 1;
    loop {
        match f(attempt).await {
            Attempt::Ok(v) => return Ok(v),
            Attempt::Err(e, retryable) if retryable && attempt < backoff.max_attempts => {
                on_retry(attempt, &e);
                tokio::time::sleep(backoff.delay(attempt)).await;
                attempt += 1;
            }
            Attempt::Err(e, _) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_capped() {
        let b = Backoff {
            max_attempts: 10,
            base: Duration::from_millis(100),
        };
        for attempt in 1..12 {
            let d = b.delay(attempt);
            let exp =
                Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_secs(20));
            assert!(
                d <= exp && d >= exp / 2,
                "attempt {attempt}: {d:?} vs {exp:?}"
            );
        }
    }

    #[tokio::test]
    async fn retries_only_what_may_be_retried() {
        let b = Backoff {
            max_attempts: 5,
            base: Duration::from_millis(1),
        };
        let calls = std::sync::atomic::AtomicU32::new(0);
        let r: Result<u32, &str> = retry(
            b,
            |n| {
                calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move {
                    if n < 3 {
                        Attempt::Err("throttled", true)
                    } else {
                        Attempt::Ok(n)
                    }
                }
            },
            |_, _| {},
        )
        .await;
        assert_eq!(r, Ok(3));
        let calls2 = std::sync::atomic::AtomicU32::new(0);
        let r: Result<u32, &str> = retry(
            b,
            |_| {
                calls2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async { Attempt::Err("syntax error", false) }
            },
            |_, _| {},
        )
        .await;
        assert_eq!(r, Err("syntax error"));
        assert_eq!(calls2.load(std::sync::atomic::Ordering::SeqCst), 1);
        let r: Result<u32, &str> =
            retry(b, |_| async { Attempt::Err("throttled", true) }, |_, _| {}).await;
        assert_eq!(r, Err("throttled"), "gives up after max_attempts");
    }

    #[test]
    fn what_is_retried() {
        assert!(is_retryable(Some("ThrottlingException"), Some(400)));
        assert!(is_retryable(Some("InternalServerException"), Some(500)));
        assert!(is_retryable(Some("ServiceUnavailable"), Some(503)));
        assert!(is_retryable(
            Some("ConcurrentModificationException"),
            Some(400)
        ));
        assert!(is_retryable(None, Some(502)));
        assert!(is_retryable(Some("SomethingNew"), Some(503)));
        assert!(!is_retryable(Some("InvalidRequestException"), Some(400)));
        assert!(!is_retryable(Some("AccessDeniedException"), Some(400)));
        assert!(!is_retryable(Some("AccessDeniedException"), Some(500)));
        assert!(!is_retryable(Some("EntityNotFoundException"), Some(400)));
        assert!(!is_retryable(None, Some(400)));
    }

    #[test]
    fn the_budget_runs_out_and_refills_slowly() {
        let b = RetryBudget::new(12);
        assert!(b.try_take(RETRY_COST));
        assert!(b.try_take(RETRY_COST));
        assert!(!b.try_take(RETRY_COST), "2 left, a retry costs 5");
        assert_eq!(b.left(), 2);
        for _ in 0..20 {
            b.refund();
        }
        assert_eq!(b.left(), 12, "never above the capacity");
        assert!(!b.try_take(TIMEOUT_RETRY_COST + 5));
    }
}
