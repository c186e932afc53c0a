//! Stage 3, `analyze`: rendered SQL → [`AnalyzedModel`]: the relations each query reads,
//! resolved to models, seeds, snapshots, sources or declared externals; the compiled SQL with
//! every relation replaced by the target's fully-qualified name by source span; and the checks
//! for what non-engineers type by mistake.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde::Serialize;

use super::{analyze_sql, find_suspicious_chars, replace_spans, RelationRef};
use crate::diag::{suggest, Code, Diagnostic, Diagnostics, Location};
use crate::project::{Node, NodeConfig, NodeKind, Project, Target};
use crate::render::RenderedModel;

/// What a node reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "id")]
pub enum Dependency {
    /// Another node (index into `Project::nodes`).
    Node(usize),
    /// A declared source table (index into `Project::sources`).
    Source(usize),
    /// A relation declared in `external_relations` (`schema.table`).
    External(String),
    /// A model of a project of `dependencies:` (index into `Project::upstream.models`): read
    /// at the upstream's relation, never built or planned here.
    Upstream(usize),
}

/// A relation of the rendered SQL and what replaces it in the compiled SQL.
#[derive(Debug, Clone)]
pub struct ResolvedRelation {
    /// Span in the rendered SQL.
    pub span: Range<usize>,
    /// What it names.
    pub dep: Dependency,
    /// The fully-qualified name written instead (None: kept as written, e.g. externals).
    pub replacement: Option<String>,
}

/// A node after analysis.
#[derive(Debug, Clone)]
pub struct AnalyzedModel {
    /// Index into `Project::nodes`.
    pub node: usize,
    /// SQL with relations replaced by fully-qualified names; everything else as written.
    pub compiled_sql: String,
    /// What it reads, sorted, without duplicates.
    pub depends_on: Vec<Dependency>,
    /// Final config.
    pub config: NodeConfig,
    /// False if the SQL did not parse and dependencies came from the fallback scan.
    pub parsed: bool,
    /// The rendered SQL, before relations were replaced.
    pub rendered_sql: String,
    /// Each resolved relation in `rendered_sql`.
    pub relations: Vec<ResolvedRelation>,
    /// True if the file used Jinja.
    pub templated: bool,
    /// The query's shape, for column lineage (None: it did not parse, or is not a query).
    pub shape: Option<super::shape::QueryShape>,
}

impl AnalyzedModel {
    /// Write `compiled_sql` again: the rendered SQL with each resolved relation replaced by its
    /// `replacement`, everything else byte for byte. Analysis calls it once; `--defer`
    /// (`crate::state::defer`) calls it after pointing some replacements at other relations.
    pub fn recompile(&mut self) {
        let replacements: Vec<(Range<usize>, String)> = self
            .relations
            .iter()
            .filter_map(|r| Some((r.span.clone(), r.replacement.clone()?)))
            .collect();
        self.compiled_sql = replace_spans(&self.rendered_sql, &replacements);
    }

    /// SHA-256 of the SQL as rendered (Jinja done, table names still the logical `layer.model`
    /// names, so the same on every target): for a file without Jinja, the file's own checksum.
    /// It changes when a macro, a variable or the file changes what the model says.
    pub fn sql_checksum(&self, node: &Node) -> String {
        use sha2::{Digest, Sha256};
        if self.templated {
            format!("{:x}", Sha256::digest(self.rendered_sql.as_bytes()))
        } else {
            node.checksum.clone()
        }
    }
}

/// Resolution of relation names for one project and target.
struct Namespace<'a> {
    project: &'a Project,
    target: &'a Target,
    /// (namespace, name), lower-case → target. Namespaces: layer names and layer schemas for
    /// nodes, source names and source schemas for sources.
    qualified: HashMap<(String, String), Dependency>,
    /// name, lower-case → nodes with that name.
    bare: HashMap<String, Vec<usize>>,
    externals: GlobSet,
    qualified_names: Vec<String>,
    /// Nodes with `enabled: false`: reading one is an error.
    disabled: &'a HashSet<usize>,
    /// Upstream models that are not public, by (layer or schema, name): reading one is E902.
    not_public: HashMap<(String, String), usize>,
}

impl<'a> Namespace<'a> {
    fn new(
        project: &'a Project,
        target: &'a Target,
        disabled: &'a HashSet<usize>,
        diags: &mut Diagnostics,
    ) -> Self {
        let mut qualified = HashMap::new();
        let mut bare: HashMap<String, Vec<usize>> = HashMap::new();
        let mut qualified_names = Vec::new();
        for (i, s) in project.sources.iter().enumerate() {
            for ns in [&s.source, &s.schema] {
                qualified.insert(
                    (ns.to_lowercase(), s.name.to_lowercase()),
                    Dependency::Source(i),
                );
            }
            qualified_names.push(format!("{}.{}", s.source, s.name));
        }
        // Upstream projects' models (`dependencies:`): public ones resolve, others are E902.
        let mut not_public = HashMap::new();
        for (i, m) in project.upstream.models.iter().enumerate() {
            let public = m.access == crate::project::dependencies::AccessLevel::Public;
            for ns in [&m.layer, &m.schema] {
                let key = (ns.to_lowercase(), m.name.to_lowercase());
                if public {
                    qualified.insert(key, Dependency::Upstream(i));
                } else {
                    not_public.entry(key).or_insert(i);
                }
            }
            if public {
                qualified_names.push(format!("{}.{}", m.layer, m.name));
            }
        }
        // Nodes win over sources with the same qualified name.
        for (i, n) in project.nodes.iter().enumerate() {
            if !n.kind.is_relation() {
                continue;
            }
            let name = n.name.to_lowercase();
            for ns in [&n.layer, &n.schema] {
                qualified.insert((ns.to_lowercase(), name.clone()), Dependency::Node(i));
            }
            bare.entry(name).or_default().push(i);
            qualified_names.push(format!("{}.{}", n.layer, n.name));
        }
        qualified_names.sort();
        let mut builder = GlobSetBuilder::new();
        for pattern in &project.config.external_relations {
            match Glob::new(&pattern.to_lowercase()) {
                Ok(g) => {
                    builder.add(g);
                }
                Err(e) => diags.push(
                    Diagnostic::error(
                        Code::InvalidConfig,
                        crate::t!("e004-external-relations", error = e.to_string()),
                    )
                    .at(Location::file_only(std::path::Path::new("karte.yml"))),
                ),
            }
        }
        Namespace {
            project,
            target,
            qualified,
            bare,
            externals: builder.build().unwrap_or_else(|_| GlobSet::empty()),
            qualified_names,
            disabled,
            not_public,
        }
    }

    /// The fully-qualified name of a dependency on this target.
    fn fqn(&self, dep: &Dependency) -> Option<String> {
        match dep {
            Dependency::Node(i) => {
                let n = &self.project.nodes[*i];
                Some(join_fqn(
                    self.target.catalog(),
                    &self.target.schema(&n.schema),
                    &n.name,
                ))
            }
            Dependency::Source(i) => Some(source_fqn(&self.project.sources[*i], self.target)),
            Dependency::External(_) => None,
            Dependency::Upstream(i) => Some(self.project.upstream.models[*i].relation.clone()),
        }
    }
}

/// A declared source table's relation on `target` (its own catalog, else the target's).
pub fn source_fqn(s: &crate::project::SourceTable, target: &Target) -> String {
    join_fqn(
        s.catalog.as_deref().or(target.catalog()),
        &s.schema,
        &s.identifier,
    )
}

/// `catalog.schema.name`, quoting the parts that need it.
pub fn join_fqn(catalog: Option<&str>, schema: &str, name: &str) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(3);
    if let Some(c) = catalog {
        parts.push(quote_ident(c));
    }
    parts.push(quote_ident(schema));
    parts.push(quote_ident(name));
    parts.join(".")
}

/// An identifier as Athena reads it: bare if lower-case ASCII, else in double quotes.
pub fn quote_ident(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

/// Analyse every rendered node. A text's parse ([`analyze_sql`], a function of the text alone)
/// comes from `cache` when the same text was parsed before (`target/cache/sql.bin`, keyed by
/// the text's hash); the cache is then saved with this compile's texts.
pub fn analyze(
    project: &Project,
    target: &Target,
    rendered: Vec<RenderedModel>,
    disabled: &HashSet<usize>,
    cache: &crate::cache::Cache,
) -> (Vec<AnalyzedModel>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let ns = Namespace::new(project, target, disabled, &mut diags);
    let results: Vec<(Option<AnalyzedModel>, Vec<Diagnostic>, Parsed)> = rendered
        .into_par_iter()
        .map(|r| analyze_one(&ns, r, cache))
        .collect();
    let mut out = Vec::with_capacity(results.len());
    let mut entries = Vec::with_capacity(results.len());
    for (m, ds, parsed) in results {
        diags.extend(ds);
        out.extend(m);
        entries.push(parsed);
    }
    if !cache.is_off() {
        let parsed = entries.iter().filter(|(_, fresh)| fresh.is_some()).count();
        crate::diag::timings::note(format_args!(
            "cache sql: {} found, {parsed} parsed",
            entries.len() - parsed
        ));
        cache.save(entries.iter().filter_map(|(key, fresh)| {
            Some((*key, fresh.as_deref().or_else(|| cache.raw(*key))?))
        }));
    }
    (out, diags)
}

/// A text's cache key, and its encoded parse when it was parsed now (not found in the cache).
type Parsed = (crate::cache::Key, Option<Vec<u8>>);

/// The parse of `sql`, from the cache or made now.
fn parse_cached(sql: &str, cache: &crate::cache::Cache) -> (super::SqlAnalysis, Parsed) {
    if cache.is_off() {
        return (analyze_sql(sql), (0, None));
    }
    let key = crate::cache::KeyBuilder::new("sql").str(sql).finish();
    if let Some(found) = cache.get(key) {
        return (found, (key, None));
    }
    let analysis = analyze_sql(sql);
    let bytes = crate::cache::encode(&analysis);
    (analysis, (key, bytes))
}

fn analyze_one(
    ns: &Namespace,
    r: RenderedModel,
    cache: &crate::cache::Cache,
) -> (Option<AnalyzedModel>, Vec<Diagnostic>, Parsed) {
    let node = &ns.project.nodes[r.node];
    let mut diags = Vec::new();
    hygiene(node, &mut diags);
    // A parse failure caused by a full-width character is already explained by E102.
    let hygiene_errors = !diags.is_empty();

    let (analysis, parsed) = parse_cached(&r.sql, cache);
    let at = |span: Range<usize>| locate(node, &r, span);
    if analysis.statement_count == 0 {
        diags.push(
            Diagnostic::error(
                Code::EmptyModel,
                crate::t!("e104-empty-model", name = node.name),
            )
            .at(Location::file_only(&node.path))
            .help(crate::t!("e104-help")),
        );
        return (None, diags, parsed);
    }
    if let Some(off) = analysis.second_statement_at {
        diags.push(
            Diagnostic::error(
                Code::MultipleStatements,
                crate::t!("e103-multiple-statements"),
            )
            .at(at(off..off + 1))
            .label(crate::t!("e103-label"))
            .help(crate::t!("e103-help")),
        );
    }
    if !analysis.is_query && node.kind != NodeKind::Test {
        diags.push(
            Diagnostic::error(Code::NotAQuery, crate::t!("e105-not-a-query"))
                .at(at(first_token(&r.sql)))
                .label(crate::t!("e105-label"))
                .help(crate::t!("e105-help")),
        );
    }
    if let (Some(err), false) = (&analysis.parse_error, hygiene_errors) {
        diags.push(
            Diagnostic::warning(
                Code::SqlNotParsed,
                crate::t!("w101-not-parsed", error = err.message.as_str()),
            )
            .at(at(err.offset..err.offset + 1))
            .note(crate::t!("w101-note"))
            .help(crate::t!("w101-help")),
        );
    }

    let mut deps = BTreeSet::new();
    let mut relations = Vec::new();
    for rel in &analysis.relations {
        match resolve(ns, node, &r, rel) {
            Ok(dep) => {
                let replacement = ns.fqn(&dep);
                relations.push(ResolvedRelation {
                    span: rel.span.clone(),
                    dep: dep.clone(),
                    replacement,
                });
                // An incremental model reading its own table is not a dependency.
                if dep != Dependency::Node(r.node) {
                    deps.insert(dep);
                }
            }
            Err(d) => diags.push(d),
        }
    }
    // ref()/source() calls count even where the SQL scan missed them.
    for name in &r.refs {
        if let Some(&[i]) = ns.bare.get(&name.to_lowercase()).map(Vec::as_slice) {
            if i != r.node && !ns.disabled.contains(&i) {
                deps.insert(Dependency::Node(i));
            }
        }
    }
    for (src, table) in &r.sources {
        if let Some(d) = ns
            .qualified
            .get(&(src.to_lowercase(), table.to_lowercase()))
        {
            deps.insert(d.clone());
        }
    }
    let failed = diags.iter().any(Diagnostic::is_error);
    let mut model = AnalyzedModel {
        node: r.node,
        compiled_sql: String::new(),
        depends_on: deps.into_iter().collect(),
        config: r.config,
        parsed: analysis.parse_error.is_none(),
        templated: r.templated,
        rendered_sql: r.sql,
        relations,
        shape: analysis.shape,
    };
    model.recompile();
    (if failed { None } else { Some(model) }, diags, parsed)
}

/// Resolve one relation. A self-reference is allowed for incremental models only.
fn resolve(
    ns: &Namespace,
    node: &Node,
    r: &RenderedModel,
    rel: &RelationRef,
) -> Result<Dependency, Diagnostic> {
    let parts: Vec<String> = rel.parts.iter().map(|p| p.to_lowercase()).collect();
    let written = rel.parts.join(".");
    let (schema, name) = match parts.as_slice() {
        [name] => (None, name.clone()),
        [schema, name] => (Some(schema.clone()), name.clone()),
        [_catalog, schema, name] => (Some(schema.clone()), name.clone()),
        _ => (None, parts.last().cloned().unwrap_or_default()),
    };
    let found = match &schema {
        Some(s) => ns.qualified.get(&(s.clone(), name.clone())).cloned(),
        None => match ns.bare.get(&name).map(Vec::as_slice) {
            Some([i]) => Some(Dependency::Node(*i)),
            _ => None,
        },
    };
    match found {
        Some(Dependency::Node(i)) if ns.disabled.contains(&i) => {
            let n = &ns.project.nodes[i];
            Err(Diagnostic::error(
                Code::DisabledNode,
                crate::t!(
                    "e214-disabled",
                    name = node.name,
                    table = format!("{}.{}", n.layer, n.name)
                ),
            )
            .at(locate(node, r, rel.span.clone()))
            .label(crate::t!("e214-label"))
            .help(crate::t!("e214-help", name = n.name)))
        }
        Some(Dependency::Node(i)) if i == r.node => {
            if r.config.materialized() == "incremental" {
                Ok(Dependency::Node(i))
            } else {
                Err(Diagnostic::error(
                    Code::SelfReference,
                    crate::t!("e304-self-reference", name = node.name),
                )
                .at(locate(node, r, rel.span.clone()))
                .label(crate::t!("e304-label"))
                .help(crate::t!("e304-help")))
            }
        }
        Some(dep) => Ok(dep),
        None => {
            let key = match &schema {
                Some(s) => format!("{s}.{name}"),
                None => name.clone(),
            };
            if ns.externals.is_match(&key) {
                return Ok(Dependency::External(key));
            }
            if let Some(&u) = schema
                .as_ref()
                .and_then(|s| ns.not_public.get(&(s.clone(), name.clone())))
            {
                return Err(not_public(ns.project, u, node, r, rel));
            }
            let candidates = ns.qualified_names.iter().map(String::as_str);
            let help = match &schema {
                Some(_) => suggest(&written, candidates),
                None => ns
                    .qualified_names
                    .iter()
                    .filter(|q| {
                        q.rsplit('.')
                            .next()
                            .is_some_and(|n| strsim::jaro_winkler(n, &name) > 0.85)
                    })
                    .min()
                    .cloned(),
            };
            let code = match &schema {
                Some(s)
                    if ns
                        .project
                        .sources
                        .iter()
                        .any(|x| x.source.eq_ignore_ascii_case(s)) =>
                {
                    Code::UnknownSource
                }
                _ => Code::UnknownRelation,
            };
            Err(
                Diagnostic::error(code, crate::t!("e210-unknown-table", name = written))
                    .at(locate(node, r, rel.span.clone()))
                    .label(crate::t!("e210-label"))
                    .help(match help {
                        Some(h) => crate::t!("project-did-you-mean", name = h),
                        None => crate::t!("e210-help"),
                    }),
            )
        }
    }
}

/// E902: a model reads an upstream model that is not `access: public`.
fn not_public(
    project: &Project,
    u: usize,
    node: &Node,
    r: &RenderedModel,
    rel: &RelationRef,
) -> Diagnostic {
    let m = &project.upstream.models[u];
    let owner = &project.upstream.projects[m.project].name;
    Diagnostic::error(
        Code::NotPublic,
        crate::t!(
            "e902-not-public",
            name = node.name,
            table = format!("{}.{}", m.layer, m.name),
            owner = owner,
            access = m.access.as_str()
        ),
    )
    .at(locate(node, r, rel.span.clone()))
    .label(crate::t!(
        "e902-label",
        access = m.access.as_str(),
        owner = owner
    ))
    .help(crate::t!("e902-help", owner = owner, name = m.name))
}

/// Diagnostics for full-width and typographic characters in the source.
fn hygiene(node: &Node, diags: &mut Vec<Diagnostic>) {
    const MAX_PER_FILE: usize = 5;
    let found = find_suspicious_chars(&node.text);
    if found.is_empty() {
        return;
    }
    let index = crate::diag::LineIndex::new(&node.text);
    for c in found.iter().take(MAX_PER_FILE) {
        let mut d = Diagnostic::error(
            Code::FullWidthChar,
            crate::t!(
                "e102-full-width",
                what = c.describe(),
                found = c.found.to_string(),
                code_point = format!("U+{:04X}", c.found as u32)
            ),
        )
        .at(Location::from_span_indexed(
            &node.path,
            &node.text,
            &index,
            c.span.clone(),
        ))
        .label(crate::t!("e102-label"))
        .help(crate::t!("e102-help", replacement = c.replacement));
        if c.found == '\u{3000}' {
            d = d.note(crate::t!("e102-space-note"));
        }
        diags.push(d);
    }
    if found.len() > MAX_PER_FILE {
        if let Some(last) = diags.last_mut() {
            last.notes
                .push(crate::t!("e102-more", count = found.len() - MAX_PER_FILE));
        }
    }
}

fn first_token(sql: &str) -> Range<usize> {
    let start = sql.len() - sql.trim_start().len();
    let end = sql[start..]
        .find(char::is_whitespace)
        .map(|i| start + i)
        .unwrap_or(sql.len());
    start..end
}

/// Point a span of the rendered SQL at the file the author wrote. For plain SQL the two are the
/// same text; for templates, the rendered text is looked up in the template source.
pub fn locate(node: &Node, r: &RenderedModel, span: Range<usize>) -> Location {
    locate_in(node, &r.sql, r.templated, span)
}

/// [`locate`] for a node's rendered SQL.
pub fn locate_in(node: &Node, rendered: &str, templated: bool, span: Range<usize>) -> Location {
    if !templated {
        return Location::from_span(&node.path, &node.text, span);
    }
    let snippet = rendered.get(span.clone()).unwrap_or_default();
    if !snippet.trim().is_empty() {
        if let Some(i) = node.text.find(snippet) {
            return Location::from_span(&node.path, &node.text, i..i + snippet.len());
        }
    }
    // Fall back to the rendered line, if the template has it verbatim.
    let index = crate::diag::LineIndex::new(rendered);
    let (line, col) = index.line_col(rendered, span.start);
    let line_text = &rendered[index.line_range(rendered, line)];
    if !line_text.trim().is_empty() {
        if let Some(i) = node.text.find(line_text.trim()) {
            return Location::from_span(&node.path, &node.text, i..i + line_text.trim().len());
        }
    }
    let mut loc = Location::from_span(&node.path, rendered, span);
    loc.file = crate::t!(
        "sql-rendered-location",
        path = node.path,
        line = line,
        col = col
    );
    loc
}
