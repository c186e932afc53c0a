//! `karte docs`: a self-contained static documentation site of a compiled project, for the
//! domain experts who write the models and the reviewers who read them.
//!
//! `generate` writes `target/docs/`: `index.html` and `assets/` (embedded in the binary: no
//! network, no CDN), `data/index.js` (one index of every relation for the list and search),
//! `data/graph.js` (the project graph of the selection) and `data/nodes/nNNNNN.js` (one page's
//! data each, loaded when the page opens). Data files are scripts that hand their JSON to a
//! global function, so the site works from `file://` (where browsers refuse `fetch`) and from
//! any static host (S3). Graphs are laid out here (`graph.rs`, `layout-rs`) and shipped as SVG.
//! Metadata and SQL only: no row of any table is read or written.
//!
//! `serve` (`serve.rs`) serves that folder on a loopback address.

mod data;
pub mod graph;
pub mod serve;
pub mod text;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use data::{Detail, Entry, LastRun, SiteData};
pub use text::Lang;

use crate::diag::{display_path, Code, Diagnostic};
use crate::graph::Compiled;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");

/// How to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// The site's language until the reader switches it.
    pub lang: Lang,
    /// The project graph is drawn when the selection has at most this many relations.
    pub graph_limit: usize,
    /// The `--select` expressions (shown on the graph page).
    pub select: Vec<String>,
}

/// Default of `--graph-limit`.
pub const GRAPH_LIMIT: usize = 400;

/// What `generate` wrote.
#[derive(Debug, Clone)]
pub struct GeneratedSite {
    /// `target/docs`.
    pub dir: PathBuf,
    /// Relations documented, by kind (`model`, `source` …).
    pub counts: std::collections::BTreeMap<&'static str, usize>,
    /// Relations in the project graph (`None`: more than the limit, not drawn).
    pub graph_nodes: Option<usize>,
    /// Files written.
    pub files: usize,
    /// Warnings (W960, W961).
    pub warnings: Vec<Diagnostic>,
}

/// Errors of `karte docs`.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// A file of the site could not be written.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `serve`: there is no site to serve.
    #[error("no site in `{0}`")]
    NoSite(PathBuf),
    /// `serve`: the address cannot be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// host:port.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// `serve`: the host is not a loopback address.
    #[error("not a loopback address: {0}")]
    NotLoopback(String),
}

impl DocsError {
    /// The diagnostic users see, in `lang`.
    pub fn to_diagnostic(&self, lang: Lang) -> Diagnostic {
        match self {
            DocsError::Write { path, source } => Diagnostic::error(
                Code::DocsWrite,
                text::cannot_write(lang, &display_path(path), source),
            )
            .help(text::cannot_write_help(lang)),
            DocsError::NoSite(dir) => {
                Diagnostic::error(Code::DocsNoSite, text::no_site(lang, &display_path(dir)))
                    .help(text::no_site_help(lang))
            }
            DocsError::Listen { addr, source } => {
                Diagnostic::error(Code::DocsListen, text::cannot_listen(lang, addr, source))
                    .help(text::cannot_listen_help(lang))
            }
            DocsError::NotLoopback(host) => {
                Diagnostic::error(Code::DocsNotLoopback, text::not_loopback(lang, host))
                    .help(text::not_loopback_help(lang))
            }
        }
    }
}

/// The site's folder of a project.
pub fn site_dir(project_root: &Path) -> PathBuf {
    project_root.join("target").join("docs")
}

/// Write `target/docs/` for a compiled project (its selection is the project graph's).
pub fn generate(c: &Compiled, opts: &GenerateOptions) -> Result<GeneratedSite, DocsError> {
    let root = &c.project.root;
    let dir = site_dir(root);
    let mut warnings = Vec::new();
    let last = read_last_run(root, opts.lang, &mut warnings);
    let mut site = data::gather(c, &last);
    let mut clock = crate::diag::timings::Clock::start();

    // The project graph: the selected relations and the sources and seeds they read.
    let selected_ids: BTreeSet<String> = c.selected.iter().map(|&i| c.project.node_id(i)).collect();
    let mut selected: BTreeSet<usize> = site
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| selected_ids.contains(&e.id))
        .map(|(k, _)| k)
        .collect();
    let with_parents: Vec<usize> = selected
        .iter()
        .flat_map(|&k| site.entries[k].parents.iter().copied())
        .collect();
    selected.extend(with_parents);
    let mut layout_failures = 0;
    let graph_svg = if selected.len() <= opts.graph_limit && !selected.is_empty() {
        match data::project_graph(&site, &selected) {
            Ok(svg) => Some(svg),
            Err(_) => {
                layout_failures += 1;
                None
            }
        }
    } else {
        if selected.len() > opts.graph_limit {
            warnings.push(
                Diagnostic::warning(
                    Code::DocsGraphTooLarge,
                    text::graph_too_large(opts.lang, selected.len(), opts.graph_limit),
                )
                .help(text::graph_too_large_help(opts.lang)),
            );
        }
        None
    };
    clock.lap("docs: project graph");
    let index = serde_json::json!({
        "project": c.project.config.name,
        "target": c.target.name,
        "karte_version": env!("CARGO_PKG_VERSION"),
        "lang": text::code(opts.lang),
        "layers": layers(c),
        "last_run": last.about,
        "entries": site.entries,
    });
    let graph = serde_json::json!({
        "select": opts.select,
        "nodes": selected.len(),
        "limit": opts.graph_limit,
        "ids": selected.iter().map(|&k| site.entries[k].id.as_str()).collect::<Vec<_>>(),
        "svg": graph_svg,
    });

    // Old pages first: a relation that no longer exists must not keep one.
    let data_dir = dir.join("data");
    if data_dir.is_dir() {
        std::fs::remove_dir_all(&data_dir).map_err(|source| DocsError::Write {
            path: data_dir.clone(),
            source,
        })?;
    }
    let files: Vec<(PathBuf, String)> = vec![
        (dir.join("index.html"), INDEX_HTML.to_string()),
        (dir.join("assets").join("app.js"), APP_JS.to_string()),
        (dir.join("assets").join("style.css"), STYLE_CSS.to_string()),
        (dir.join("data").join("index.js"), script("index", &index)),
        (dir.join("data").join("graph.js"), script("graph", &graph)),
    ];
    for dir in [dir.join("assets"), dir.join("data").join("nodes")] {
        std::fs::create_dir_all(&dir).map_err(|source| DocsError::Write { path: dir, source })?;
    }
    let write = |path: &PathBuf, text: &str| {
        std::fs::write(path, text).map_err(|source| DocsError::Write {
            path: path.clone(),
            source,
        })
    };
    files
        .par_iter()
        .try_for_each(|(path, text)| write(path, text))?;
    // Each page with its graphs, drawn, written and dropped one page at a time per thread.
    let details = std::mem::take(&mut site.details);
    let site = &site;
    let entries = &site.entries;
    layout_failures += details
        .into_par_iter()
        .enumerate()
        .map(|(k, mut detail)| {
            let failures = site.draw_graphs(c, k, &mut detail);
            write(&dir.join(&entries[k].file), &page_script(&detail)).map(|()| failures)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    if layout_failures > 0 {
        warnings.push(Diagnostic::warning(
            Code::DocsIncomplete,
            text::layout_failed(opts.lang, layout_failures),
        ));
    }
    let files = files.len() + entries.len();
    clock.lap("docs: pages and their graphs");
    let mut counts = std::collections::BTreeMap::new();
    for e in &site.entries {
        *counts.entry(e.kind).or_insert(0) += 1;
    }
    Ok(GeneratedSite {
        dir,
        counts,
        graph_nodes: graph["svg"].is_string().then_some(selected.len()),
        files,
        warnings,
    })
}

fn layers(c: &Compiled) -> serde_json::Value {
    c.project
        .config
        .layers
        .iter()
        .map(|(name, l)| {
            let description = match l {
                crate::project::LayerConfig::Full { description, .. } => description.clone(),
                crate::project::LayerConfig::Schema(_) => None,
            };
            (name.clone(), serde_json::json!(description))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn read_last_run(root: &Path, lang: Lang, warnings: &mut Vec<Diagnostic>) -> LastRun {
    let path = root.join("target").join("run_results.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return LastRun::default();
    };
    match LastRun::parse(&text) {
        Ok(l) => l,
        Err(why) => {
            warnings.push(Diagnostic::warning(
                Code::DocsIncomplete,
                text::run_results_unreadable(lang, &display_path(&path), &why),
            ));
            LastRun::default()
        }
    }
}

/// JSON that is safe inside a `<script>` and in any JavaScript parser: `<`, `>`, `&` and the
/// two line separators JSON allows but old parsers do not are written as `\u` escapes (they
/// only occur inside strings).
pub fn js_json<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(json.len() + 16);
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn script<T: serde::Serialize>(what: &str, value: &T) -> String {
    format!("KARTE_DOCS.load(\"{what}\", {});\n", js_json(value))
}

fn page_script(d: &Detail) -> String {
    format!("KARTE_DOCS.page({}, {});\n", js_json(&d.id), js_json(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_scripts_cannot_close_a_script_tag() {
        let s = js_json(&serde_json::json!({"d": "</script><b>&\u{2028}"}));
        assert_eq!(s, r#"{"d":"\u003c/script\u003e\u003cb\u003e\u0026\u2028"}"#);
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["d"], "</script><b>&\u{2028}");
    }
}
