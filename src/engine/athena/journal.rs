//! The run journal's copy on S3: `<lake_root>_karte/journal/<target>/<run id>/plan.json` and
//! `events.jsonl`, replaced whole at every journal write (a PutObject is atomic: a reader sees
//! the old or the new file, never part of one). With it, a run whose machine died is resumed or
//! rolled back from any machine that can read the lake. See [`crate::execute::journal`].

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;

use super::retry::{call, call_allowing, Backoff, Caller, RetryBudget};
use super::{s3, AthenaEngine};
use crate::engine::mirror::Mirror;
use crate::engine::EngineError;

/// The S3 copy of one target's journals.
pub struct S3Journal {
    s3: aws_sdk_s3::Client,
    handle: tokio::runtime::Handle,
    budget: Arc<RetryBudget>,
    backoff: Backoff,
    bucket: String,
    /// Key prefix of the target's journals, ending in `/`.
    prefix: String,
    /// The same as an `s3://` URI.
    uri: String,
}

impl Caller for S3Journal {
    fn budget(&self) -> &RetryBudget {
        &self.budget
    }
    fn backoff(&self) -> Backoff {
        self.backoff
    }
}

/// Where a target's journals are kept.
pub fn journal_uri(lake_root: &str, target: &str) -> String {
    format!("{lake_root}_karte/journal/{target}/")
}

impl S3Journal {
    /// The copy of `target`'s journals under the engine's lake root.
    pub fn new(e: &AthenaEngine, target: &str) -> Result<S3Journal, EngineError> {
        let uri = journal_uri(&e.settings.lake_root, target);
        let (bucket, prefix) = s3::split(&uri)?;
        Ok(S3Journal {
            s3: e.s3.clone(),
            handle: e.rt.handle().clone(),
            budget: e.budget.clone(),
            backoff: e.settings.backoff,
            bucket,
            prefix,
            uri,
        })
    }

    /// Run `f` to the end on the engine's runtime, from any thread: the journal is written from
    /// plain threads and from inside the engine's own async code (a resubmission is journaled
    /// while its step runs), so the call gets a thread of its own.
    fn run<T: Send>(&self, f: impl std::future::Future<Output = T> + Send) -> T {
        std::thread::scope(|s| {
            s.spawn(|| self.handle.block_on(f))
                .join()
                .expect("journal thread")
        })
    }

    fn key(&self, run_id: &str, name: &str) -> String {
        format!("{}{run_id}/{name}", self.prefix)
    }
}

impl Mirror for S3Journal {
    fn put(&self, run_id: &str, name: &str, body: &[u8]) -> Result<(), EngineError> {
        let key = self.key(run_id, name);
        self.run(async {
            call(self, "PutObject", false, || {
                self.s3
                    .put_object()
                    .bucket(&self.bucket)
                    .key(&key)
                    .body(ByteStream::from(body.to_vec()))
                    .send()
            })
            .await
            .map(|_| ())
        })
    }

    fn get(&self, run_id: &str, name: &str) -> Result<Option<Vec<u8>>, EngineError> {
        let key = self.key(run_id, name);
        self.run(async {
            let Some(out) = call_allowing(self, "GetObject", &["NoSuchKey"], true, || {
                self.s3.get_object().bucket(&self.bucket).key(&key).send()
            })
            .await?
            else {
                return Ok(None);
            };
            let bytes = out.body.collect().await.map_err(|e| {
                EngineError::environment(crate::t!(
                    "engine-cannot-read",
                    path = format!("s3://{}/{key}", self.bucket),
                    error = e.to_string()
                ))
            })?;
            Ok(Some(bytes.into_bytes().to_vec()))
        })
    }

    fn runs(&self) -> Result<Vec<String>, EngineError> {
        self.run(async {
            let mut runs = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let page = call(self, "ListObjectsV2", true, || {
                    self.s3
                        .list_objects_v2()
                        .bucket(&self.bucket)
                        .prefix(&self.prefix)
                        .delimiter("/")
                        .set_continuation_token(token.clone())
                        .send()
                })
                .await?;
                runs.extend(page.common_prefixes().iter().filter_map(|p| {
                    p.prefix()?
                        .strip_prefix(&self.prefix)?
                        .strip_suffix('/')
                        .map(str::to_string)
                }));
                token = page.next_continuation_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            Ok(runs)
        })
    }

    fn remove(&self, run_ids: &[String]) -> Result<(), EngineError> {
        // Exactly the journal's two files per run: nothing else is listed or deleted.
        let keys: Vec<String> = run_ids
            .iter()
            .flat_map(|r| [self.key(r, "plan.json"), self.key(r, "events.jsonl")])
            .collect();
        self.run(async {
            for chunk in keys.chunks(1000) {
                s3::delete_objects(
                    self,
                    &self.s3,
                    &self.bucket,
                    chunk.iter(),
                    true,
                    &self.uri,
                    "journal file(s)",
                )
                .await?;
            }
            Ok(())
        })
    }

    fn location(&self, run_id: &str) -> String {
        format!("{}{run_id}/", self.uri)
    }
}
