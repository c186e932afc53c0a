//! The compile cache under `target/cache/`: results of pure per-model steps, each stored under a
//! key that hashes *everything* the result depends on (so a stale entry is never found, only
//! missed), kept across runs so that an unchanged model is not parsed again.
//!
//! One file per kind of result (`target/cache/<kind>.bin`), read once whole and checked before
//! any entry is used; entries are decoded lazily, each on the thread that needs it. The file
//! holds:
//!
//! ```text
//! "karte-cache\n"  format u32  build u64  count u32  (key u128, length u32) × count
//! entry bytes …    xxh64 of everything before it (u64)
//! ```
//!
//! `build` identifies the karte binary (its version, and the size and modification time of the
//! executable): another build's file is ignored. So is a file that is cut short, has a wrong
//! checksum or an entry that does not decode: the cache then starts empty and the next save
//! rewrites it. A cache is never needed: deleting `target/cache/` is always safe, and
//! `KARTE_NO_CACHE=1` neither reads nor writes it. The file is replaced by a rename, so
//! two karte processes on one project never see half a file.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

/// Bumped when what any cached kind stores changes shape or meaning.
const FORMAT: u32 = 1;
const MAGIC: &[u8] = b"karte-cache\n";

/// A cache key: a 128-bit hash of everything the result depends on.
pub type Key = u128;

/// Builds a [`Key`] from the inputs of a result, each one length-delimited (so `("ab", "c")` and
/// `("a", "bc")` differ).
#[derive(Default)]
pub struct KeyBuilder(Xxh3);

impl KeyBuilder {
    /// A key for results of `kind` (each kind its own key space).
    pub fn new(kind: &str) -> Self {
        let mut k = KeyBuilder(Xxh3::new());
        k.bytes(kind.as_bytes());
        k
    }

    /// Adds an input.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
        self
    }

    /// Adds a text input.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// The key.
    pub fn finish(&self) -> Key {
        self.0.digest128()
    }
}

/// Whether the cache is used (`KARTE_NO_CACHE` unset, empty or `0`).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        !std::env::var_os("KARTE_NO_CACHE").is_some_and(|v| v != "0" && !v.is_empty())
    })
}

/// What identifies this karte binary: a file written by another build is not read.
fn build_id() -> u64 {
    static ID: OnceLock<u64> = OnceLock::new();
    *ID.get_or_init(|| {
        let mut h = xxhash_rust::xxh64::Xxh64::new(0);
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        if let Some(meta) = std::env::current_exe()
            .ok()
            .and_then(|p| std::fs::metadata(p).ok())
        {
            h.update(&meta.len().to_le_bytes());
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            h.update(&modified.to_le_bytes());
        }
        h.digest()
    })
}

/// The cache file of one kind of result, as read at the start of a compile.
#[derive(Debug, Default)]
pub struct Cache {
    path: Option<PathBuf>,
    bytes: Vec<u8>,
    index: HashMap<Key, Range<usize>>,
}

impl Cache {
    /// The cache of `kind` for the project at `root` (empty if there is none, it is unreadable or
    /// stale, or the cache is off).
    pub fn open(root: &Path, kind: &str) -> Cache {
        if !enabled() {
            return Cache::default();
        }
        let path = root
            .join("target")
            .join("cache")
            .join(format!("{kind}.bin"));
        let (bytes, index) = std::fs::read(&path)
            .ok()
            .and_then(|bytes| {
                let index = parse(&bytes)?;
                Some((bytes, index))
            })
            .unwrap_or_default();
        Cache {
            path: Some(path),
            bytes,
            index,
        }
    }

    /// A cache that holds nothing and is never written.
    pub fn off() -> Cache {
        Cache::default()
    }

    /// True for a cache that is never read or written (`KARTE_NO_CACHE`, [`Cache::off`]).
    pub fn is_off(&self) -> bool {
        self.path.is_none()
    }

    /// Number of entries read.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True if no entry was read.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The stored bytes of `key`.
    pub fn raw(&self, key: Key) -> Option<&[u8]> {
        self.index.get(&key).map(|r| &self.bytes[r.clone()])
    }

    /// The value of `key`, decoded (None: not there, or it does not decode).
    pub fn get<T: DeserializeOwned>(&self, key: Key) -> Option<T> {
        postcard::from_bytes(self.raw(key)?).ok()
    }

    /// Replaces the file by these entries (those of this compile), unless they are exactly the
    /// ones read. Failing to write is not an error: the next compile only finds less.
    pub fn save<'a>(&self, entries: impl IntoIterator<Item = (Key, &'a [u8])>) {
        let Some(path) = &self.path else { return };
        let mut entries: Vec<(Key, &[u8])> = entries.into_iter().collect();
        entries.sort_unstable_by_key(|(k, _)| *k);
        entries.dedup_by_key(|(k, _)| *k);
        let unchanged = entries.len() == self.index.len()
            && entries
                .iter()
                .all(|(k, v)| self.raw(*k).is_some_and(|old| old == *v));
        if unchanged {
            return;
        }
        let _ = write(path, &entries);
    }
}

/// Encodes a value for [`Cache::save`].
pub fn encode<T: Serialize>(value: &T) -> Option<Vec<u8>> {
    postcard::to_allocvec(value).ok()
}

/// The entries' byte ranges, if the file is whole and of this format and build.
fn parse(b: &[u8]) -> Option<HashMap<Key, Range<usize>>> {
    let body_len = b.len().checked_sub(8)?;
    let (body, sum) = b.split_at(body_len);
    if xxhash_rust::xxh64::xxh64(body, 0) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut r = Reader { body, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let format = u32::from_le_bytes(r.take(4)?.try_into().ok()?);
    let build = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
    if format != FORMAT || build != build_id() {
        return None;
    }
    let count = u32::from_le_bytes(r.take(4)?.try_into().ok()?) as usize;
    let mut lens = Vec::with_capacity(count.min(body.len() / 20));
    for _ in 0..count {
        let key = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
        let len = u32::from_le_bytes(r.take(4)?.try_into().ok()?) as usize;
        lens.push((key, len));
    }
    let mut index = HashMap::with_capacity(lens.len());
    for (key, len) in lens {
        let start = r.at;
        r.take(len)?;
        index.insert(key, start..r.at);
    }
    (r.at == body.len()).then_some(index)
}

/// Reads a file's parts in order.
struct Reader<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.body.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
}

fn write(path: &Path, entries: &[(Key, &[u8])]) -> std::io::Result<()> {
    let total: usize = entries.iter().map(|(_, v)| v.len() + 20).sum::<usize>() + 64;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&build_id().to_le_bytes());
    let count = u32::try_from(entries.len()).map_err(std::io::Error::other)?;
    out.extend_from_slice(&count.to_le_bytes());
    for (key, value) in entries {
        out.extend_from_slice(&key.to_le_bytes());
        let len = u32::try_from(value.len()).map_err(std::io::Error::other)?;
        out.extend_from_slice(&len.to_le_bytes());
    }
    for (_, value) in entries {
        out.extend_from_slice(value);
    }
    let sum = xxhash_rust::xxh64::xxh64(&out, 0);
    out.extend_from_slice(&sum.to_le_bytes());
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, &out)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        KeyBuilder::new("test").str(s).finish()
    }

    #[test]
    fn keys_delimit_their_inputs() {
        let a = KeyBuilder::new("k").str("ab").str("c").finish();
        let b = KeyBuilder::new("k").str("a").str("bc").finish();
        assert_ne!(a, b);
        assert_ne!(KeyBuilder::new("k").finish(), KeyBuilder::new("l").finish());
    }

    #[test]
    fn entries_come_back_and_any_damage_empties_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let first = Cache::open(root, "t");
        assert!(first.is_empty());
        let one = encode(&("one".to_string(), 1u32)).unwrap();
        let two = encode(&vec![2u8; 300]).unwrap();
        first.save([(key("1"), one.as_slice()), (key("2"), two.as_slice())]);
        let again = Cache::open(root, "t");
        assert_eq!(again.len(), 2);
        assert_eq!(
            again.get::<(String, u32)>(key("1")),
            Some(("one".into(), 1))
        );
        assert_eq!(again.get::<Vec<u8>>(key("2")), Some(vec![2u8; 300]));
        assert_eq!(again.get::<Vec<u8>>(key("3")), None);
        // A value of another type does not decode: a miss, not a panic.
        assert_eq!(again.get::<Vec<String>>(key("2")), None);

        let path = root.join("target/cache/t.bin");
        let whole = std::fs::read(&path).unwrap();
        // Every truncation, and a flipped byte anywhere, is an empty cache.
        for cut in 0..whole.len() {
            std::fs::write(&path, &whole[..cut]).unwrap();
            assert!(Cache::open(root, "t").is_empty(), "cut at {cut}");
        }
        for i in (0..whole.len()).step_by(7) {
            let mut bad = whole.clone();
            bad[i] ^= 0x5a;
            std::fs::write(&path, &bad).unwrap();
            assert!(Cache::open(root, "t").is_empty(), "byte {i}");
        }
        std::fs::write(&path, b"not a cache at all").unwrap();
        assert!(Cache::open(root, "t").is_empty());
        // And a save over a damaged file writes a whole one again.
        Cache::open(root, "t").save([(key("1"), one.as_slice())]);
        assert_eq!(Cache::open(root, "t").len(), 1);
    }

    #[test]
    fn an_unchanged_cache_is_not_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let v = encode(&1u8).unwrap();
        Cache::open(root, "t").save([(key("a"), v.as_slice())]);
        let path = root.join("target/cache/t.bin");
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        Cache::open(root, "t").save([(key("a"), v.as_slice())]);
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
        // Entries no longer used are dropped.
        let w = encode(&2u8).unwrap();
        Cache::open(root, "t").save([(key("b"), w.as_slice())]);
        let c = Cache::open(root, "t");
        assert_eq!((c.len(), c.get::<u8>(key("b"))), (1, Some(2)));
    }
}
