//! The run lock of an Athena target: an S3 object `<lake_root>_karte/locks/<target>.json`,
//! created only if absent (`If-None-Match: *`), renewed while the run goes on and deleted at
//! the end only if it is still ours (`If-Match` on its ETag). See [`crate::engine::lock`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;

use super::retry::call_allowing;
use super::{s3, AthenaEngine};
use crate::engine::lock::{held_error, Holder, LockGuard};
use crate::engine::EngineError;

/// The key of a target's lock object.
pub fn lock_uri(lake_root: &str, target: &str) -> String {
    format!("{lake_root}_karte/locks/{target}.json")
}

/// Take the lock of `target`, or say who holds it. `break_stale`: take over a lock whose lease
/// has run out.
pub fn take(
    e: &AthenaEngine,
    target: &str,
    holder: &Holder,
    break_stale: bool,
) -> Result<LockGuard, EngineError> {
    let uri = lock_uri(&e.settings.lake_root, target);
    let (bucket, key) = s3::split(&uri)?;
    let lease = e.settings.lock_lease;
    let ours = |h: &Holder| Holder {
        expires: Some(expiry(lease)),
        ..h.clone()
    };
    let etag = e.block_on(async {
        if let Some(etag) = put(e, &bucket, &key, &ours(holder), Condition::Absent).await? {
            return Ok(etag);
        }
        let (other, etag) = read(e, &bucket, &key).await?;
        // A retried create whose first attempt succeeded (its reply lost) meets its own lock.
        if other.is_same_taking(holder) {
            return Ok(etag);
        }
        let stale = other
            .expires
            .as_deref()
            .and_then(|x| chrono::DateTime::parse_from_rfc3339(x).ok())
            .is_none_or(|x| x < chrono::Utc::now());
        if other.is_dead_here() {
            eprintln!(
                "{}",
                crate::t!(
                    "lock-taking-over",
                    target = target,
                    holder = other.describe()
                )
            );
        } else if stale && break_stale {
            eprintln!(
                "{}",
                crate::t!("lock-breaking", target = target, holder = other.describe())
            );
        } else {
            return Err(held_error(target, &other, stale));
        }
        put(e, &bucket, &key, &ours(holder), Condition::Matches(etag))
            .await?
            .ok_or_else(|| {
                EngineError::project(crate::t!(
                    "engine-lock-taken-while-breaking",
                    target = target
                ))
            })
    })?;
    let state = Arc::new(Mutex::new(etag));
    *e.held_lock.lock().expect("held lock") = Some(HeldLock {
        bucket: bucket.clone(),
        key: key.clone(),
        etag: state.clone(),
    });
    let renewal = e.rt.spawn(renew(
        e.s3.clone(),
        bucket,
        key,
        holder.clone(),
        lease,
        state,
        e.cancel.clone(),
    ));
    Ok(Box::new(S3Lock {
        held: e.held_lock.clone(),
        s3: e.s3.clone(),
        handle: e.rt.handle().clone(),
        renewal,
    }))
}

fn expiry(lease: Duration) -> String {
    (chrono::Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::zero()))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

enum Condition {
    Absent,
    Matches(String),
}

/// Write the lock object if `cond` holds: Some(new ETag), or None if it does not (412).
async fn put(
    e: &AthenaEngine,
    bucket: &str,
    key: &str,
    holder: &Holder,
    cond: Condition,
) -> Result<Option<String>, EngineError> {
    let body = serde_json::to_vec_pretty(holder).expect("holders serialise");
    let out = call_allowing(e, "PutObject", &["PreconditionFailed"], false, || {
        let req =
            e.s3.put_object()
                .bucket(bucket)
                .key(key)
                .content_type("application/json")
                .body(ByteStream::from(body.clone()));
        match &cond {
            Condition::Absent => req.if_none_match("*"),
            Condition::Matches(etag) => req.if_match(etag),
        }
        .send()
    })
    .await?;
    Ok(out.map(|o| o.e_tag().unwrap_or_default().to_string()))
}

/// The holder written in the lock object, and its ETag.
async fn read(e: &AthenaEngine, bucket: &str, key: &str) -> Result<(Holder, String), EngineError> {
    let got = call_allowing(e, "GetObject", &["NoSuchKey"], true, || {
        e.s3.get_object().bucket(bucket).key(key).send()
    })
    .await?
    .ok_or_else(|| {
        EngineError::environment(crate::t!(
            "engine-lock-released",
            uri = format!("s3://{bucket}/{key}")
        ))
    })?;
    let etag = got.e_tag().unwrap_or_default().to_string();
    let bytes = got
        .body
        .collect()
        .await
        .map_err(|err| {
            EngineError::environment(crate::t!(
                "engine-lock-reading",
                uri = format!("s3://{bucket}/{key}"),
                error = err.to_string()
            ))
        })?
        .into_bytes();
    let holder = serde_json::from_slice(&bytes).map_err(|err| {
        EngineError::environment(crate::t!(
            "engine-lock-not-a-lock",
            uri = format!("s3://{bucket}/{key}"),
            error = err.to_string()
        ))
    })?;
    Ok((holder, etag))
}

/// Renew the lease every quarter of it; if the lock is lost (someone broke it), stop starting
/// new steps.
#[allow(clippy::too_many_arguments)]
async fn renew(
    client: aws_sdk_s3::Client,
    bucket: String,
    key: String,
    holder: Holder,
    lease: Duration,
    etag: Arc<Mutex<String>>,
    cancel: Arc<AtomicBool>,
) {
    // Runs until the lock is released (the task is aborted then).
    loop {
        tokio::time::sleep(lease / 4).await;
        let current = etag.lock().expect("lock etag").clone();
        let body = serde_json::to_vec_pretty(&Holder {
            expires: Some(expiry(lease)),
            ..holder.clone()
        })
        .expect("holders serialise");
        let got = client
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .if_match(&current)
            .body(ByteStream::from(body))
            .send()
            .await;
        match got {
            Ok(out) => *etag.lock().expect("lock etag") = out.e_tag().unwrap_or_default().into(),
            Err(err) => {
                use aws_sdk_s3::error::ProvideErrorMetadata;
                if err.code() == Some("PreconditionFailed") {
                    eprintln!(
                        "{}",
                        crate::t!("lock-taken-over", location = format!("s3://{bucket}/{key}"))
                    );
                    cancel.store(true, Ordering::SeqCst);
                    return;
                }
                // A failed renewal is tried again at the next tick; the lease still runs.
            }
        }
    }
}

/// The lock this process holds, for a release on a second Ctrl-C (which exits at once).
pub struct HeldLock {
    bucket: String,
    key: String,
    etag: Arc<Mutex<String>>,
}

impl HeldLock {
    /// Delete the lock object if it is still ours.
    pub async fn release(&self, s3: &aws_sdk_s3::Client) -> bool {
        let etag = self.etag.lock().map(|e| e.clone()).unwrap_or_default();
        let delete = s3
            .delete_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .if_match(etag)
            .send();
        matches!(
            tokio::time::timeout(Duration::from_secs(30), delete).await,
            Ok(Ok(_))
        )
    }
}

struct S3Lock {
    held: Arc<Mutex<Option<HeldLock>>>,
    s3: aws_sdk_s3::Client,
    handle: tokio::runtime::Handle,
    renewal: tokio::task::JoinHandle<()>,
}

impl Drop for S3Lock {
    fn drop(&mut self) {
        self.renewal.abort();
        let Some(held) = self.held.lock().ok().and_then(|mut h| h.take()) else {
            return; // released already (second Ctrl-C)
        };
        // Only our own lock goes (If-Match): a lock broken and taken by another run stays.
        if !self.handle.block_on(held.release(&self.s3)) {
            eprintln!(
                "{}",
                crate::t!(
                    "lock-not-released",
                    location = format!("s3://{}/{}", held.bucket, held.key)
                )
            );
        }
    }
}
