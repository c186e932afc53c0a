//! Retries that are right: only throttling (Glue `ThrottlingException`, S3 `SlowDown`/503,
//! Athena `TooManyRequestsException`, …) is retried, with exponential backoff and full jitter.
//! Everything else — a syntax error, a permission error, a missing table — fails at once. The
//! SDK's own retries are switched off (see `clients`), so this policy is the only one.

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

/// Run one AWS call (any service) with karte's retry policy: throttling is retried, and with
/// `retry_transport` also timeouts and dropped connections (for calls that only read). Errors
/// become an [`EngineError`] naming `operation`.
pub async fn call<T, E, F, Fut>(
    e: &super::AthenaEngine,
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
    e: &super::AthenaEngine,
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
    retry(
        e.settings.backoff,
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
                        let again = is_throttling(code.as_deref(), status)
                            || (retry_transport
                                && matches!(
                                    err,
                                    SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
                                ));
                        Attempt::Err(
                            super::query::classify(&msg, code.as_deref(), operation),
                            again,
                        )
                    }
                }
            }
        },
        |_, _| {
            e.totals.retries.fetch_add(1, Ordering::SeqCst);
        },
    )
    .await
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
}
