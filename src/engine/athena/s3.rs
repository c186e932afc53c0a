//! S3: listing and deleting objects, only under prefixes karte owns inside the lake root
//! (checked here, at execution time, whatever the plan said), in DeleteObjects batches of
//! 1,000 with per-key errors checked and throttling (`SlowDown`, 503) retried.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use super::retry::{call, Caller};
use super::AthenaEngine;
use crate::engine::{failpoint, EngineError};
use crate::plan::layout::{is_under, normalise};

/// `s3://bucket/key/prefix/` → (bucket, key prefix).
pub fn split(uri: &str) -> Result<(String, String), EngineError> {
    let rest = uri
        .strip_prefix("s3://")
        .ok_or_else(|| EngineError::project(crate::t!("engine-not-s3", uri = uri)))?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(EngineError::project(crate::t!(
            "engine-no-bucket",
            uri = uri
        )));
    }
    Ok((bucket.to_string(), key.to_string()))
}

/// May `prefix` be deleted? Only strictly inside the lake root and under the owner's prefix,
/// and never a bucket root.
pub fn check_deletable(prefix: &str, owned: &str, lake_root: &str) -> Result<(), EngineError> {
    check_inside(prefix, owned, lake_root, false)
}

/// [`check_deletable`], or with `write` the same check before writing into `prefix`.
pub fn check_inside(
    prefix: &str,
    owned: &str,
    lake_root: &str,
    write: bool,
) -> Result<(), EngineError> {
    let p = normalise(prefix);
    let root = normalise(lake_root);
    let (_, key) = split(&p)?;
    let refuse = |why: String| {
        EngineError::project(if write {
            crate::t!("engine-refuse-write-into", path = p.as_str(), why = why)
        } else {
            crate::t!("engine-refuse-delete", path = p.as_str(), why = why)
        })
    };
    if key.trim_matches('/').is_empty() {
        return Err(refuse(crate::t!("engine-why-whole-bucket")));
    }
    if !(is_under(&p, &root) && p.len() > root.len()) {
        return Err(refuse(crate::t!(
            "engine-why-outside-lake-root",
            root = root.as_str()
        )));
    }
    if !is_under(&p, owned) {
        return Err(refuse(crate::t!(
            "engine-why-outside-owned",
            owned = normalise(owned)
        )));
    }
    Ok(())
}

/// Keys under a prefix (ListObjectsV2, paginated).
pub async fn list(e: &AthenaEngine, prefix: &str) -> Result<Vec<String>, EngineError> {
    let (bucket, key) = split(&normalise(prefix))?;
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = call(e, "ListObjectsV2", true, || {
            e.s3.list_objects_v2()
                .bucket(&bucket)
                .prefix(&key)
                .set_continuation_token(token.clone())
                .send()
        })
        .await?;
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
        token = page.next_continuation_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(keys)
}

/// True if any object lies under `prefix` (one ListObjectsV2 call of one key).
pub async fn any(e: &AthenaEngine, prefix: &str) -> Result<bool, EngineError> {
    let (bucket, key) = split(&normalise(prefix))?;
    let page = call(e, "ListObjectsV2", true, || {
        e.s3.list_objects_v2()
            .bucket(&bucket)
            .prefix(&key)
            .max_keys(1)
            .send()
    })
    .await?;
    Ok(!page.contents().is_empty())
}

/// Delete every object under `prefix`. The caller has checked ownership; the keys are checked
/// once more against the prefix they were listed under.
pub async fn delete_prefix(e: &AthenaEngine, prefix: &str) -> Result<u64, EngineError> {
    let prefix = normalise(prefix);
    let (bucket, key_prefix) = split(&prefix)?;
    let keys = list(e, &prefix).await?;
    let mut deleted = 0;
    for chunk in keys.chunks(1000) {
        let op = failpoint::op(|| format!("s3: DeleteObjects {prefix} ({} keys)", chunk.len()));
        let out = delete_objects(
            e,
            &e.s3,
            &bucket,
            chunk.iter().filter(|k| k.starts_with(&key_prefix)),
            false,
            &prefix,
            "object(s)",
        )
        .await;
        op.done();
        out?;
        deleted += chunk.len() as u64;
    }
    Ok(deleted)
}

/// One DeleteObjects call: `keys` (at most 1,000) deleted from `bucket`, the call retried as
/// `call` does (transport errors too if `retry_transport`). A key S3 reports as not deleted is
/// an error: `DeleteObjects under <under>: <n> <what> not deleted, e.g. <key>: <message>`.
pub(super) async fn delete_objects<'k>(
    caller: &impl Caller,
    client: &aws_sdk_s3::Client,
    bucket: &str,
    keys: impl Iterator<Item = &'k String>,
    retry_transport: bool,
    under: &str,
    what: &str,
) -> Result<(), EngineError> {
    let objects: Vec<ObjectIdentifier> = keys
        .map(|k| ObjectIdentifier::builder().key(k).build().expect("key set"))
        .collect();
    let delete = Delete::builder()
        .set_objects(Some(objects))
        .quiet(true)
        .build()
        .map_err(|err| EngineError::internal(err.to_string()))?;
    let r = call(caller, "DeleteObjects", retry_transport, || {
        client
            .delete_objects()
            .bucket(bucket)
            .delete(delete.clone())
            .send()
    })
    .await?;
    if let Some(first) = r.errors().first() {
        return Err(EngineError::environment(format!(
            "DeleteObjects under {under}: {} {what} not deleted, e.g. {}: {}",
            r.errors().len(),
            first.key().unwrap_or("?"),
            first.message().or(first.code()).unwrap_or("?")
        )));
    }
    Ok(())
}

/// Upload one object.
pub async fn put_object(e: &AthenaEngine, uri: &str, body: Vec<u8>) -> Result<(), EngineError> {
    let (bucket, key) = split(uri)?;
    {
        let op = failpoint::op(|| format!("s3: PutObject {uri}"));
        let out = call(e, "PutObject", false, || {
            e.s3.put_object()
                .bucket(&bucket)
                .key(&key)
                .body(ByteStream::from(body.clone()))
                .send()
        })
        .await;
        op.done();
        out
    }?;
    Ok(())
}

/// Reads objects outside any engine run (`--state s3://…`), with the standard retries.
struct Reader {
    budget: super::retry::RetryBudget,
}

impl Caller for Reader {
    fn budget(&self) -> &super::retry::RetryBudget {
        &self.budget
    }
    fn backoff(&self) -> super::retry::Backoff {
        super::retry::Backoff {
            max_attempts: 5,
            base: std::time::Duration::from_millis(300),
        }
    }
}

/// A runtime, an S3 client and a retry budget of their own, with the AWS settings of `target`:
/// for reads made without an engine (a saved manifest, an upstream project's runs).
fn standalone(
    target: &crate::project::Target,
) -> Result<(tokio::runtime::Runtime, aws_sdk_s3::Client, Reader), EngineError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| {
            EngineError::environment(crate::t!("engine-no-runtime", error = e.to_string()))
        })?;
    let cfg = super::sdk_config(&rt, target)?;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&cfg)
            .force_path_style(target.config.endpoint_url.is_some())
            .build(),
    );
    let reader = Reader {
        budget: super::retry::RetryBudget::new(super::retry::RETRY_BUDGET),
    };
    Ok((rt, s3, reader))
}

/// Read whole objects by `s3://` URI, with the AWS settings of `target` (None: no such
/// object). Used for a saved manifest and its compiled SQL (`--state s3://…`).
pub fn fetch_objects(
    target: &crate::project::Target,
    uris: &[String],
) -> Result<Vec<Option<Vec<u8>>>, EngineError> {
    let (rt, s3, reader) = standalone(target)?;
    rt.block_on(async {
        let mut out = Vec::with_capacity(uris.len());
        for uri in uris {
            let (bucket, key) = split(uri)?;
            let got =
                super::retry::call_allowing(&reader, "GetObject", &["NoSuchKey"], true, || {
                    s3.get_object().bucket(&bucket).key(&key).send()
                })
                .await?;
            let Some(got) = got else {
                out.push(None);
                continue;
            };
            let bytes = got.body.collect().await.map_err(|e| {
                EngineError::environment(crate::t!(
                    "engine-cannot-read",
                    path = uri.to_string(),
                    error = e.to_string()
                ))
            })?;
            out.push(Some(bytes.into_bytes().to_vec()));
        }
        Ok(out)
    })
}

/// The "folders" directly under an `s3://` prefix (ListObjectsV2 with delimiter `/`, every
/// page), by name, with the AWS settings of `target`: the run ids of a journal copy, for an
/// upstream project's runs (`crate::upstream::runs`).
pub fn list_folders(
    target: &crate::project::Target,
    uri: &str,
) -> Result<Vec<String>, EngineError> {
    let (rt, s3, reader) = standalone(target)?;
    let (bucket, prefix) = split(&format!("{}/", uri.trim_end_matches('/')))?;
    rt.block_on(async {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = super::retry::call(&reader, "ListObjectsV2", true, || {
                s3.list_objects_v2()
                    .bucket(&bucket)
                    .prefix(&prefix)
                    .delimiter("/")
                    .set_continuation_token(token.clone())
                    .send()
            })
            .await?;
            out.extend(page.common_prefixes().iter().filter_map(|p| {
                let rest = p.prefix()?.strip_prefix(prefix.as_str())?;
                Some(rest.trim_end_matches('/').to_string())
            }));
            token = page.next_continuation_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletable_only_inside_the_lake_and_the_owned_prefix() {
        let root = "s3://b/lake/";
        let owned = "s3://b/lake/silver/t/";
        assert!(check_deletable("s3://b/lake/silver/t/run_1/", owned, root).is_ok());
        assert!(check_deletable("s3://b/lake/silver/t", owned, root).is_ok());
        assert!(check_deletable("s3://b/lake/silver/t2/", owned, root).is_err());
        assert!(check_deletable("s3://b/lake/", "s3://b/lake/", root).is_err());
        assert!(check_deletable("s3://b/", "s3://b/", "s3://b/").is_err());
        assert!(check_deletable("s3://other/lake/silver/t/", owned, root).is_err());
        assert!(check_deletable("/tmp/x", owned, root).is_err());
    }
}
