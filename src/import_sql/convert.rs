//! From statements to a karte project: models, sources, names rewritten, and what is not
//! converted (with why).

use std::collections::BTreeMap;
use std::ops::Range;

use super::messages::{self, Lang};
use super::split::{self, Script, Statement};
use super::statement::{self, Column, Kind, Name, Prop, TableDdl, Value};
use super::write::Existing;
use super::NotConverted;
use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::t;

/// A config value as written to YAML.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    /// A text.
    Text(String),
    /// A whole number.
    Number(String),
    /// A list of texts.
    List(Vec<String>),
    /// A mapping of texts (`table_properties`).
    Map(Vec<(String, String)>),
}

/// A place in a script.
#[derive(Debug, Clone)]
pub struct Place {
    /// Index of the script.
    pub script: usize,
    /// Byte offset.
    pub at: usize,
}

/// One model made from one or more statements.
#[derive(Debug, Clone)]
pub struct Model {
    /// The model's name (the file stem).
    pub name: String,
    /// Its layer (`models/<layer>/`).
    pub layer: String,
    /// The table the scripts wrote.
    pub table: Name,
    /// From the first comment line above the statement.
    pub description: Option<String>,
    /// The model file's text.
    pub sql: String,
    /// Its config, in the order written.
    pub config: Vec<(String, ConfigValue)>,
    /// Columns of a `CREATE TABLE (…)` it came from (for its properties).
    pub columns: Vec<Column>,
    /// The statements it came from: (place, what).
    pub origins: Vec<(Place, String)>,
    /// Notes for the report.
    pub notes: Vec<String>,
}

/// A declared source table.
#[derive(Debug, Clone)]
pub struct SourceTable {
    /// The table name.
    pub name: String,
    /// Its description (the DDL's COMMENT).
    pub description: Option<String>,
    /// Its columns (partition columns last).
    pub columns: Vec<Column>,
    /// Location, format, delimiter as the DDL said (`meta:`).
    pub meta: Vec<(String, String)>,
    /// The statement it came from, if an external table (else: only read).
    pub origin: Option<Place>,
    /// Where a query first reads it (script, byte range).
    pub read_at: Option<(usize, Range<usize>)>,
}

/// A source: one schema of tables read.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// The schema in the catalog.
    pub schema: String,
    /// Its tables, by name.
    pub tables: BTreeMap<String, SourceTable>,
}

/// A statement handled without a model of its own (a DROP before its CREATE, CREATE DATABASE).
#[derive(Debug, Clone)]
pub struct Absorbed {
    /// Where.
    pub place: Place,
    /// The statement's first words.
    pub what: String,
    /// Why nothing else is needed.
    pub why: String,
}

/// A statement not converted.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// Where.
    pub place: Place,
    /// Why.
    pub reason: NotConverted,
    /// The table it names, if any.
    pub table: String,
}

/// The result of the conversion.
#[derive(Debug)]
pub struct Conversion {
    /// The scripts read.
    pub scripts: Vec<Script>,
    /// Statements read.
    pub statements: usize,
    /// The layer of the models.
    pub layer: String,
    /// The schema every converted table had in the scripts, when they all had the same one.
    pub common_schema: Option<String>,
    /// Models, in the order of their first statement.
    pub models: Vec<Model>,
    /// Sources by name.
    pub sources: BTreeMap<String, Source>,
    /// Handled without a model.
    pub absorbed: Vec<Absorbed>,
    /// Not converted.
    pub skipped: Vec<Skipped>,
    /// Warnings (W970–W974).
    pub diagnostics: Diagnostics,
    /// Notes for the report that belong to no model (why an external table stayed a source).
    pub notes: Vec<String>,
    /// `external_location`s, per model name, to check against the lake root when writing.
    pub locations: Vec<(String, String, Place)>,
    /// Ingest rules made from external tables over delimited text (`--ingest`).
    pub ingest_rules: Vec<IngestRule>,
}

/// An ingest rule made from a `CREATE EXTERNAL TABLE` over delimited text, with the bronze
/// view that gives its columns their types.
#[derive(Debug, Clone)]
pub struct IngestRule {
    /// The bronze table `karte ingest` writes (`<table>_files`).
    pub name: String,
    /// Its description.
    pub description: String,
    /// The `files:` pattern.
    pub files: String,
    /// `cp932` or `utf-8`.
    pub encoding: String,
    /// `","`, `"\t"`, …
    pub delimiter: String,
    /// `'"'` (OpenCSVSerde) or none.
    pub quoted: bool,
    /// The files have a header line (`skip.header.line.count`).
    pub header: bool,
    /// Columns (name, description).
    pub columns: Vec<(String, Option<String>)>,
    /// Partition columns: the table's, then `karte_file`.
    pub partitioned_by: Vec<String>,
    /// The statement it came from.
    pub origin: Place,
    /// The S3 location the files were read from.
    pub location: String,
}

/// Where a table name written in a query points.
#[derive(Clone)]
enum Target {
    Model(usize),
    Source(String, String),
}

/// Convert the scripts.
pub fn convert(
    scripts: Vec<Script>,
    layer: &str,
    existing: &Existing,
    ingest: bool,
    lang: Lang,
) -> Result<Conversion, Diagnostics> {
    // 1. Statements and their kinds; every unreadable one is reported.
    let mut errors = Diagnostics::default();
    let mut stmts: Vec<(Statement, Kind)> = Vec::new();
    for (i, script) in scripts.iter().enumerate() {
        let split = match split::split(i, script) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e.diagnostic(&scripts, lang));
                continue;
            }
        };
        for s in split {
            match statement::classify(&s, &script.parse) {
                Ok(k) => {
                    let k = scheduler_text_outside_query(script, &s, k);
                    stmts.push((s, k))
                }
                Err(e) => errors.push(e.diagnostic(&scripts, lang)),
            }
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    let mut c = Conversion {
        statements: stmts.len(),
        layer: layer.to_string(),
        common_schema: None,
        models: Vec::new(),
        sources: BTreeMap::new(),
        absorbed: Vec::new(),
        skipped: Vec::new(),
        diagnostics: Diagnostics::default(),
        notes: Vec::new(),
        locations: Vec::new(),
        ingest_rules: Vec::new(),
        scripts,
    };
    let place = |s: &Statement| Place {
        script: s.script,
        at: s.range.start,
    };
    let places: Vec<Place> = stmts.iter().map(|(s, _)| place(s)).collect();

    // 2. What creates what: models (CTAS, views, empty tables) and external tables.
    let mut model_of: BTreeMap<String, usize> = BTreeMap::new(); // display name → model
    let mut created_at: BTreeMap<String, usize> = BTreeMap::new(); // display name → statement
    let mut externals: BTreeMap<String, Target> = BTreeMap::new();
    let mut typed: Vec<(usize, usize)> = Vec::new(); // (statement, bronze view model)
    let mut empty: BTreeMap<String, (usize, TableDdl)> = BTreeMap::new();
    let mut views = std::collections::BTreeSet::new();
    let mut schemas = std::collections::BTreeSet::new();
    for (i, (s, kind)) in stmts.iter().enumerate() {
        // A table is created once: a second CREATE of the same name is not converted.
        if let Some(key) = created_name(kind) {
            if created_at.contains_key(&key) {
                c.skipped.push(Skipped {
                    place: place(s),
                    reason: NotConverted::CreatedTwice,
                    table: key,
                });
                continue;
            }
            created_at.insert(key, i);
        }
        match kind {
            Kind::Ctas { name, .. } | Kind::View { name, .. } | Kind::CreateEmpty { name, .. } => {
                let key = name.display();
                if let Kind::CreateEmpty { ddl, .. } = kind {
                    empty.insert(key, (i, ddl.clone()));
                    continue;
                }
                if matches!(kind, Kind::View { .. }) {
                    views.insert(key.clone());
                }
                let idx = new_model(&mut c, name, existing);
                model_of.insert(key, idx);
                schemas.insert(name.schema.clone());
            }
            Kind::External { name, ddl } => {
                let key = name.display();
                if ingest && existing.has_layer("bronze") {
                    match ingest_rule(&mut c, name, ddl, place(s), existing, lang) {
                        Ok(m) => {
                            externals.insert(key, Target::Model(m));
                            typed.push((i, m));
                            continue;
                        }
                        Err(why) => c.notes.push(why),
                    }
                }
                let (source, schema) = source_for(name.schema.as_deref());
                let src = c.sources.entry(source.clone()).or_insert_with(|| Source {
                    schema,
                    ..Default::default()
                });
                let mut columns = ddl.columns.clone();
                columns.extend(ddl.partitioned_by.iter().cloned());
                let mut meta = Vec::new();
                if let Some(l) = &ddl.location {
                    meta.push(("location".into(), l.clone()));
                }
                // Hive's default is text files (ROW FORMAT DELIMITED, or nothing said).
                let format = ddl.format.clone().unwrap_or_else(|| "textfile".into());
                meta.push(("format".into(), format));
                if let Some(d) = &ddl.delimiter {
                    meta.push(("delimiter".into(), d.clone()));
                }
                if !ddl.partitioned_by.is_empty() {
                    let names: Vec<String> =
                        ddl.partitioned_by.iter().map(|c| c.name.clone()).collect();
                    meta.push(("partitioned_by".into(), names.join(", ")));
                }
                for p in &ddl.properties {
                    meta.push((p.key.clone(), p.value.text()));
                }
                src.tables.insert(
                    name.table.clone(),
                    SourceTable {
                        name: name.table.clone(),
                        description: ddl.comment.clone(),
                        columns,
                        meta,
                        origin: Some(place(s)),
                        read_at: None,
                    },
                );
                externals.insert(key, Target::Source(source, name.table.clone()));
            }
            _ => {}
        }
    }

    // 3. INSERTs: into a CTAS's table (incremental), an empty table, or a table no script
    //    creates.
    let mut insert_of: BTreeMap<usize, usize> = BTreeMap::new(); // model → statement
    for (i, (s, kind)) in stmts.iter().enumerate() {
        let Kind::Insert { name, .. } = kind else {
            continue;
        };
        let key = name.display();
        if externals.contains_key(&key) || views.contains(&key) {
            c.skipped.push(Skipped {
                place: place(s),
                reason: NotConverted::InsertIntoNonTable,
                table: key,
            });
            continue;
        }
        let idx = match model_of.get(&key) {
            Some(&m) => m,
            None => {
                let m = new_model(&mut c, name, existing);
                model_of.insert(key.clone(), m);
                schemas.insert(name.schema.clone());
                m
            }
        };
        if insert_of.contains_key(&idx) {
            c.skipped.push(Skipped {
                place: place(s),
                reason: NotConverted::SecondInsert,
                table: key,
            });
            continue;
        }
        insert_of.insert(idx, i);
    }
    for (key, (i, _)) in &empty {
        if !model_of.contains_key(key) {
            c.skipped.push(Skipped {
                place: place(&stmts[*i].0),
                reason: NotConverted::EmptyTable,
                table: key.clone(),
            });
        }
    }
    if schemas.len() == 1 {
        c.common_schema = schemas.into_iter().next().flatten();
    }

    // 4. Resolve names: created tables → `layer.model`, external → `source.table`, others
    //    declared as sources.
    let resolve = |parts: &[String], c: &mut Conversion| -> Option<Target> {
        let parts: Vec<String> = parts.iter().map(|p| p.to_lowercase()).collect();
        let (schema, table) = match parts.as_slice() {
            [t] => (None, t.clone()),
            [.., s, t] => (Some(s.clone()), t.clone()),
            [] => return None,
        };
        if let Some(k) = find_key(&model_of, schema.as_deref(), &table) {
            return Some(Target::Model(model_of[&k]));
        }
        if let Some(k) = find_key(&externals, schema.as_deref(), &table) {
            return Some(externals[&k].clone());
        }
        // Known to the project already (its models, sources, external relations).
        let written = match &schema {
            Some(s) => format!("{s}.{table}"),
            None => table.clone(),
        };
        let wildcard = schema.as_ref().map(|s| format!("{s}.*"));
        if existing.relations.contains(&written)
            || wildcard.is_some_and(|w| existing.relations.contains(&w))
        {
            return None;
        }
        // Read, not created: a source named by its schema.
        let (source, schema) = source_for(schema.as_deref());
        let src = c.sources.entry(source.clone()).or_insert_with(|| Source {
            schema,
            ..Default::default()
        });
        src.tables.entry(table.clone()).or_insert(SourceTable {
            name: table.clone(),
            description: None,
            columns: Vec::new(),
            meta: Vec::new(),
            origin: None,
            read_at: None,
        });
        Some(Target::Source(source, table))
    };

    // 5. Each model's text and config.
    let mut order: Vec<(usize, usize)> = Vec::new(); // (first statement, model)
    let mut drops_for: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (s, kind)) in stmts.iter().enumerate() {
        match kind {
            Kind::Drop { name } => {
                let key = name.display();
                match created_at.get(&key) {
                    Some(&j) if j > i => drops_for.entry(key).or_default().push(i),
                    _ => c.skipped.push(Skipped {
                        place: place(s),
                        reason: NotConverted::DropOnly,
                        table: key,
                    }),
                }
            }
            Kind::CreateSchema => c.absorbed.push(Absorbed {
                place: place(s),
                what: first_words(&c.scripts[s.script].text, s),
                why: t!(lang => "import-text-karte-creates-the-schema-glue"),
            }),
            Kind::Other(reason) => c.skipped.push(Skipped {
                place: place(s),
                reason: reason.clone(),
                table: table_named(s),
            }),
            _ => {}
        }
    }
    let mut model_stmts: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (key, &m) in &model_of {
        if let Some(&i) = created_at.get(key) {
            model_stmts.entry(m).or_default().push(i);
        }
        if let Some(&i) = insert_of.get(&m) {
            model_stmts.entry(m).or_default().push(i);
        }
    }
    for (&m, list) in &model_stmts {
        order.push((*list.iter().min().unwrap_or(&0), m));
    }
    for (m, list) in &model_stmts {
        let m = *m;
        let key = c.models[m].table.display();
        let mut create: Option<usize> = None;
        let mut insert: Option<usize> = None;
        for &i in list {
            match stmts[i].1 {
                Kind::Insert { .. } => insert = Some(i),
                _ => create = Some(i),
            }
        }
        let mut lead = String::new();
        for &d in drops_for.get(&key).into_iter().flatten() {
            let (s, _) = &stmts[d];
            lead.push_str(&s.lead);
            c.absorbed.push(Absorbed {
                place: place(s),
                what: first_words(&c.scripts[s.script].text, s),
                why: t!(lang => "import-text-karte-replaces-key-on-every", key = key),
            });
        }
        let mut create_query = None;
        let mut config: Vec<(String, ConfigValue)> = Vec::new();
        if let Some(i) = create {
            let (s, kind) = &stmts[i];
            let text = &c.scripts[s.script].text;
            lead.push_str(&s.lead);
            let (query, what) = match kind {
                Kind::Ctas { query, .. } => (Some(query.clone()), "CREATE TABLE … AS SELECT"),
                Kind::View { query, .. } => (Some(query.clone()), "CREATE VIEW … AS SELECT"),
                _ => (None, "CREATE TABLE (…)"),
            };
            if let Some(q) = &query {
                // Comments inside the CREATE … AS part (e.g. beside a property) go on top.
                for cm in s.comments.iter().filter(|cm| cm.end <= q.start) {
                    lead.push_str(text[cm.clone()].trim_end());
                    lead.push('\n');
                }
                // A view reads its tables when it is queried, not when it is created: the
                // order of the scripts does not matter for it.
                let order_matters = !matches!(kind, Kind::View { .. });
                create_query = Some(rewrite_query(
                    &mut c,
                    s.script,
                    q.clone(),
                    m,
                    false,
                    if order_matters { i } else { usize::MAX },
                    &created_at,
                    &places,
                    &model_of,
                    &resolve_table(&resolve),
                    lang,
                ));
            }
            c.models[m].origins.push((place(s), what.into()));
            match kind {
                Kind::Ctas { props, .. } => {
                    config = table_config(&mut c, m, props, s.script, lang);
                }
                Kind::View { .. } => {
                    config.push(("materialized".into(), ConfigValue::Text("view".into())))
                }
                Kind::CreateEmpty { ddl, .. } => {
                    config = ddl_config(&mut c, m, ddl, place(s));
                    c.models[m].columns = ddl.columns.clone();
                }
                _ => {}
            }
        }
        let mut insert_query = None;
        if let Some(i) = insert {
            let (s, kind) = &stmts[i];
            if let Kind::Insert { query, columns, .. } = kind {
                insert_query = Some((
                    s.lead.clone(),
                    rewrite_query(
                        &mut c,
                        s.script,
                        query.clone(),
                        m,
                        true,
                        i,
                        &created_at,
                        &places,
                        &model_of,
                        &resolve_table(&resolve),
                        lang,
                    ),
                ));
                if !columns.is_empty() {
                    c.models[m].notes.push(
                        t!(lang => "import-text-insert-columns", columns = columns.join(", ")),
                    );
                }
            }
            c.models[m]
                .origins
                .push((place(s), "INSERT INTO … SELECT".into()));
            if create.is_none() {
                c.models[m]
                    .notes
                    .push(t!(lang => "import-text-no-script-creates-key-karte", key = key));
                config.insert(
                    0,
                    ("materialized".into(), ConfigValue::Text("table".into())),
                );
            }
            // Incremental, appending like INSERT INTO did.
            config.retain(|(k, _)| k != "materialized");
            config.insert(
                0,
                (
                    "materialized".into(),
                    ConfigValue::Text("incremental".into()),
                ),
            );
            config.insert(
                1,
                (
                    "incremental_strategy".into(),
                    ConfigValue::Text("append".into()),
                ),
            );
        }
        let body = match (create_query, insert_query) {
            (Some(cq), Some((ilead, iq))) if squash(&cq) == squash(&iq) => {
                lead.push_str(&ilead);
                cq
            }
            (Some(cq), Some((ilead, iq))) => format!(
                "{{% if is_incremental() %}}\n{ilead}{}\n{{% else %}}\n{}\n{{% endif %}}",
                iq.trim_end(),
                cq.trim_end()
            ),
            (Some(q), None) => q,
            (None, Some((ilead, iq))) => {
                lead.push_str(&ilead);
                iq
            }
            (None, None) => String::new(),
        };
        let model = &mut c.models[m];
        model.description = description(&lead);
        model.sql = format!("{lead}{}\n", body.trim_end());
        model.config = config;
    }
    order.extend(typed.iter().copied());
    order.sort();
    let models = std::mem::take(&mut c.models);
    c.models = order.iter().map(|&(_, m)| models[m].clone()).collect();
    c.skipped.sort_by_key(|s| (s.place.script, s.place.at));
    c.absorbed.sort_by_key(|s| (s.place.script, s.place.at));
    for s in &c.skipped {
        let script = &c.scripts[s.place.script];
        c.diagnostics.push(
            Diagnostic::warning(
                Code::ImportSqlNotConverted,
                messages::not_converted(lang, &s.reason.what(lang)),
            )
            .at(Location::from_span(
                &script.path,
                &script.text,
                first_word(&script.text, s.place.at),
            ))
            .note(s.reason.reason(lang, &s.table))
            .help(messages::not_converted_help(lang, super::write::REPORT)),
        );
    }
    // Sources that hold only read tables: a warning each.
    for (name, src) in &c.sources {
        for t in src.tables.values().filter(|t| t.origin.is_none()) {
            let mut d = Diagnostic::warning(
                Code::ImportSqlTableNotCreated,
                messages::unknown_table(lang, &format!("{}.{}", src.schema, t.name), name),
            )
            .help(messages::unknown_table_help(lang));
            if let Some((script, span)) = &t.read_at {
                let s = &c.scripts[*script];
                d = d.at(Location::from_span(&s.path, &s.text, span.clone()));
            }
            c.diagnostics.push(d);
        }
    }
    let vars = c.vars_used();
    if !vars.is_empty() {
        let names: Vec<&str> = vars.keys().map(String::as_str).collect();
        c.notes
            .push(t!(lang => "import-note-vars", names = names.join(", ")));
    }
    c.diagnostics.sort();
    Ok(c)
}

impl Conversion {
    /// The scheduler variables (`${name}`) that became `var('name')` in a model, each with
    /// the value karte.yml starts it at: `""` when a use is next to a quote (a string), else 0.
    pub fn vars_used(&self) -> BTreeMap<String, &'static str> {
        let mut out = BTreeMap::new();
        for name in self.scripts.iter().flat_map(|s| &s.vars) {
            let call = format!("{{{{ var('{name}') }}}}");
            let mut used = false;
            let mut quoted = false;
            for m in &self.models {
                for (at, _) in m.sql.match_indices(&call) {
                    used = true;
                    let before = m.sql[..at].ends_with('\'');
                    let after = m.sql[at + call.len()..].starts_with('\'');
                    quoted |= before || after;
                }
            }
            if used {
                out.insert(name.clone(), if quoted { "\"\"" } else { "0" });
            }
        }
        out
    }
}

type Resolver<'a> = dyn Fn(&[String], &mut Conversion) -> Option<Target> + 'a;

fn resolve_table<'a>(
    f: &'a impl Fn(&[String], &mut Conversion) -> Option<Target>,
) -> &'a Resolver<'a> {
    f
}

/// The query's text with its table names rewritten; a parse problem or a read of a table a
/// later statement creates is a warning.
#[allow(clippy::too_many_arguments)]
fn rewrite_query(
    c: &mut Conversion,
    script: usize,
    range: Range<usize>,
    this_model: usize,
    incremental: bool,
    stmt_index: usize,
    created_at: &BTreeMap<String, usize>,
    places: &[Place],
    model_of: &BTreeMap<String, usize>,
    resolve: &Resolver,
    lang: Lang,
) -> String {
    let path = c.scripts[script].path.clone();
    let full = c.scripts[script].text.clone();
    let text = &full[range.clone()];
    // Parsed with the scheduler variables as names of the same length; written with them.
    let analysis = crate::sql::analyze_sql(&c.scripts[script].parse[range.clone()]);
    if let Some(e) = &analysis.parse_error {
        let at = range.start + e.offset.min(text.len());
        c.diagnostics.push(
            Diagnostic::warning(
                Code::ImportSqlQueryNotParsed,
                messages::query_not_parsed(lang, &e.message),
            )
            .at(Location::from_span(&path, &full, at..at + 1))
            .help(messages::query_not_parsed_help(lang)),
        );
    }
    let mut replacements = Vec::new();
    for r in &analysis.relations {
        let Some(target) = resolve(&r.parts, c) else {
            continue;
        };
        let new = match target {
            Target::Model(m) if m == this_model && incremental => "{{ this }}".to_string(),
            Target::Model(m) => {
                let key = c.models[m].table.display();
                if let Some(&j) = created_at.get(&key) {
                    if j > stmt_index && model_of.contains_key(&key) {
                        let at = range.start + r.span.start;
                        c.diagnostics.push(
                            Diagnostic::warning(
                                Code::ImportSqlOrderChanged,
                                messages::order_changed(lang, &key, &place_text(c, &places[j])),
                            )
                            .at(Location::from_span(
                                &path,
                                &full,
                                at..range.start + r.span.end,
                            ))
                            .help(messages::order_changed_help(lang)),
                        );
                    }
                }
                format!("{}.{}", c.models[m].layer, c.models[m].name)
            }
            Target::Source(s, t) => {
                if let Some(table) = c.sources.get_mut(&s).and_then(|src| src.tables.get_mut(&t)) {
                    if table.origin.is_none() && table.read_at.is_none() {
                        table.read_at =
                            Some((script, range.start + r.span.start..range.start + r.span.end));
                    }
                }
                format!("{s}.{t}")
            }
        };
        replacements.push((r.span.clone(), new));
    }
    let mut out = crate::sql::replace_spans(text, &replacements);
    for name in &c.scripts[script].vars {
        out = out.replace(&format!("${{{name}}}"), &format!("{{{{ var('{name}') }}}}"));
    }
    out
}

/// A statement whose scheduler variables are not all in its query (a `${…}` in a table name,
/// a property, a location; or glued to a name): not converted, as before they were understood.
fn scheduler_text_outside_query(script: &Script, s: &Statement, kind: Kind) -> Kind {
    let original = &script.text[s.range.clone()];
    if !original.contains("${") {
        return kind;
    }
    let query = match &kind {
        Kind::Ctas { query, .. } | Kind::View { query, .. } | Kind::Insert { query, .. } => {
            query.clone()
        }
        _ => return Kind::Other(NotConverted::Template),
    };
    let outside = format!(
        "{}{}",
        &script.text[s.range.start..query.start],
        &script.text[query.end..s.range.end]
    );
    let in_query = &script.parse[query.clone()];
    if outside.contains("${") || in_query.contains("${") {
        return Kind::Other(NotConverted::Template);
    }
    kind
}

/// The byte range of the word at `at`.
fn first_word(text: &str, at: usize) -> Range<usize> {
    let len = text[at..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len() - at)
        .max(1);
    at..at + len
}

/// `path:line:col` of a place.
pub fn place_text(c: &Conversion, p: &Place) -> String {
    let s = &c.scripts[p.script];
    let (line, col) = crate::diag::LineIndex::new(&s.text).line_col(&s.text, p.at);
    format!("{}:{line}:{col}", crate::diag::display_path(&s.path))
}

/// The key (`schema.table` or `table`) of `map` a name written as `schema.table` (or `table`)
/// means: a schema-qualified name is looked up directly (or as a table created without a
/// schema, in the current database); a bare name must match exactly one table.
fn find_key<V>(map: &BTreeMap<String, V>, schema: Option<&str>, table: &str) -> Option<String> {
    if let Some(s) = schema {
        let full = format!("{s}.{table}");
        if map.contains_key(&full) {
            return Some(full);
        }
        return map.contains_key(table).then(|| table.to_string());
    }
    let suffix = format!(".{table}");
    let mut matching = map.keys().filter(|k| *k == table || k.ends_with(&suffix));
    match (matching.next(), matching.next()) {
        (Some(k), None) => Some(k.clone()),
        _ => None,
    }
}

/// An external table over delimited text → an ingest rule (`<table>_files`, bronze) and a bronze
/// view named like the table giving its columns their types; Err: why it stays a source.
fn ingest_rule(
    c: &mut Conversion,
    name: &Name,
    ddl: &TableDdl,
    origin: Place,
    existing: &Existing,
    lang: Lang,
) -> Result<usize, String> {
    let table = name.display();
    let stays =
        |why: &str| t!(lang => "import-text-table-stays-a-source-not", table = table, why = why);
    let format = ddl.format.as_deref().unwrap_or("textfile");
    if format != "csv" && format != "textfile" {
        return Err(stays(
            &t!(lang => "import-text-its-files-are-format-karte", format = format),
        ));
    }
    let Some(location) = ddl.location.clone() else {
        return Err(stays(&t!(lang => "import-text-it-has-no-location")));
    };
    let mut casts = Vec::new();
    for col in ddl.columns.iter().chain(&ddl.partitioned_by) {
        match athena_type(&col.data_type) {
            Some(t) => casts.push((col.name.clone(), t)),
            None => {
                return Err(stays(&t!(lang => "import-text-column-not-text",
                    column = col.name.as_str(),
                    data_type = col.data_type.as_str())))
            }
        }
    }
    let files_table = format!("{}_files", name.table);
    if existing.models.contains(&name.table) || existing.models.contains(&files_table) {
        return Err(stays(&t!(lang => "import-text-the-project-has-a-model")));
    }
    let prop = |key: &str| {
        ddl.serde_properties
            .iter()
            .chain(&ddl.properties)
            .find(|p| p.key == key)
            .map(|p| p.value.text())
    };
    let encoding = match prop("serialization.encoding").map(|e| e.to_lowercase()) {
        Some(e) if ["sjis", "shift_jis", "ms932", "windows-31j", "cp932"].contains(&e.as_str()) => {
            "cp932"
        }
        _ => "utf-8",
    };
    let delimiter = prop("separatorchar")
        .or_else(|| prop("field.delim"))
        .or_else(|| ddl.delimiter.clone())
        .unwrap_or_else(|| {
            if format == "csv" {
                ",".into()
            } else {
                "\u{1}".into()
            }
        });
    let delimiter = match delimiter.as_str() {
        "\\t" | "\t" => "\t".to_string(),
        d => d.to_string(),
    };
    if delimiter.chars().count() != 1 && delimiter != "\t" {
        return Err(stays(
            &t!(lang => "import-text-its-delimiter-delimiter-is-not", delimiter = delimiter),
        ));
    }
    let header = prop("skip.header.line.count").is_some_and(|n| n.trim() != "0");
    let folder = location
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("files")
        .to_string();
    let mut files = folder;
    for p in &ddl.partitioned_by {
        files.push_str(&format!("/{0}={{{0}}}", p.name));
    }
    files.push_str("/{karte_file}");
    let mut partitioned_by: Vec<String> =
        ddl.partitioned_by.iter().map(|p| p.name.clone()).collect();
    partitioned_by.push("karte_file".into());
    let description =
        t!(lang => "import-text-the-files-of-table-location", location = location, table = table);
    c.ingest_rules.push(IngestRule {
        name: files_table.clone(),
        description,
        files,
        encoding: encoding.into(),
        delimiter,
        quoted: format == "csv",
        header,
        columns: ddl
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.comment.clone()))
            .collect(),
        partitioned_by,
        origin: origin.clone(),
        location,
    });
    // The view that reads it as the scripts' table did.
    let m = new_model(c, name, existing);
    let model = &mut c.models[m];
    model.layer = "bronze".into();
    let mut sql = format!(
        "-- {}\nselect\n",
        t!(lang => "import-text-typed-view", table = table.as_str(), files_table = files_table.as_str())
    );
    let n = casts.len();
    for (i, (col, t)) in casts.iter().enumerate() {
        let comma = if i + 1 < n { "," } else { "" };
        match t {
            None => sql.push_str(&format!("    {col}{comma}\n")),
            Some(t) => sql.push_str(&format!("    try_cast({col} as {t}) as {col}{comma}\n")),
        }
    }
    sql.push_str(&format!("from bronze.{files_table}\n"));
    model.sql = sql;
    model.description = ddl.comment.clone();
    model.config = vec![("materialized".into(), ConfigValue::Text("view".into()))];
    model.columns = ddl
        .columns
        .iter()
        .chain(&ddl.partitioned_by)
        .cloned()
        .collect();
    model.origins.push((origin, "CREATE EXTERNAL TABLE".into()));
    Ok(m)
}

/// The Athena type a Hive column is cast to from text: Some(None) for text (no cast), None
/// when it cannot be read from text (arrays, maps, structs).
fn athena_type(hive: &str) -> Option<Option<String>> {
    let t = hive.trim().to_lowercase();
    let base = t.split('(').next().unwrap_or_default().trim();
    Some(match base {
        "string" | "varchar" | "char" | "" => None,
        "int" | "integer" => Some("integer".into()),
        "tinyint" | "smallint" | "bigint" | "double" | "boolean" | "date" | "timestamp" => {
            Some(base.into())
        }
        "float" => Some("real".into()),
        "decimal" => Some(t.replace(' ', "")),
        _ => return None,
    })
}

/// The source (name, schema) of a table in `schema`; a table named without a schema is in
/// Athena's current database, `default` (a keyword in SQL, so the source is `default_db`).
/// The display name of the table or view a statement creates, if it creates one.
fn created_name(kind: &Kind) -> Option<String> {
    match kind {
        Kind::Ctas { name, .. }
        | Kind::View { name, .. }
        | Kind::CreateEmpty { name, .. }
        | Kind::External { name, .. } => Some(name.display()),
        _ => None,
    }
}

fn source_for(schema: Option<&str>) -> (String, String) {
    match schema {
        Some(s) => (s.to_string(), s.to_string()),
        None => ("default_db".into(), "default".into()),
    }
}

fn new_model(c: &mut Conversion, name: &Name, existing: &Existing) -> usize {
    // Only this import's names: a model the project has is a clash (E971) when writing.
    let _ = existing;
    let taken = |n: &str, c: &Conversion| c.models.iter().any(|m| m.name == n);
    let mut model_name = name.table.clone();
    if taken(&model_name, c) {
        if let Some(s) = &name.schema {
            model_name = format!("{s}_{}", name.table);
        }
    }
    let mut n = 2;
    let base = model_name.clone();
    while taken(&model_name, c) {
        model_name = format!("{base}_{n}");
        n += 1;
    }
    c.models.push(Model {
        name: model_name,
        layer: c.layer.clone(),
        table: name.clone(),
        description: None,
        sql: String::new(),
        config: Vec::new(),
        columns: Vec::new(),
        origins: Vec::new(),
        notes: Vec::new(),
    });
    c.models.len() - 1
}

/// `WITH (…)` of a CTAS → karte config.
fn table_config(
    c: &mut Conversion,
    m: usize,
    props: &[Prop],
    script: usize,
    lang: Lang,
) -> Vec<(String, ConfigValue)> {
    let mut config = vec![(
        "materialized".to_string(),
        ConfigValue::Text("table".into()),
    )];
    let mut table_properties = Vec::new();
    let list = |v: &Value| match v {
        Value::Array(items) => items.clone(),
        other => vec![other.text()],
    };
    let warn = |c: &mut Conversion, p: &Prop, why: String| {
        let s = &c.scripts[script];
        let d = Diagnostic::warning(
            Code::ImportSqlPropertyChanged,
            messages::property_changed(lang, &p.key, &why),
        )
        .at(Location::from_span(&s.path, &s.text, p.span.clone()));
        c.diagnostics.push(d);
        c.models[m]
            .notes
            .push(messages::property_changed(lang, &p.key, &why));
    };
    for p in props {
        let text = p.value.text();
        let lower = text.to_lowercase();
        match p.key.as_str() {
            "format" => {
                if ["parquet", "orc", "avro", "json", "textfile"].contains(&lower.as_str()) {
                    config.push(("format".into(), ConfigValue::Text(lower)));
                } else {
                    warn(c, p, messages::value_not_supported(lang, &text));
                }
            }
            "write_compression" | "parquet_compression" | "orc_compression" => {
                let v = if lower == "uncompressed" {
                    "none".to_string()
                } else {
                    lower
                };
                if ["snappy", "zstd", "gzip", "lz4", "none"].contains(&v.as_str()) {
                    config.push(("write_compression".into(), ConfigValue::Text(v)));
                } else {
                    warn(c, p, messages::value_not_supported(lang, &text));
                }
            }
            "partitioned_by" | "partitioning" => {
                config.push(("partitioned_by".into(), ConfigValue::List(list(&p.value))));
            }
            "bucketed_by" => config.push(("bucketed_by".into(), ConfigValue::List(list(&p.value)))),
            "bucket_count" => config.push(("bucket_count".into(), ConfigValue::Number(text))),
            "external_location" | "location" => {
                c.locations.push((
                    c.models[m].name.clone(),
                    text.clone(),
                    Place {
                        script,
                        at: p.span.start,
                    },
                ));
                config.push(("external_location".into(), ConfigValue::Text(text)));
            }
            "table_type" => {
                if lower == "iceberg" || lower == "hive" {
                    config.push(("table_type".into(), ConfigValue::Text(lower)));
                } else {
                    warn(c, p, messages::value_not_supported(lang, &text));
                }
            }
            "is_external" => c.models[m]
                .notes
                .push(t!(lang => "import-text-is-external-text-karte-sets", text = text)),
            _ => table_properties.push((p.key.clone(), text)),
        }
    }
    if !config.iter().any(|(k, _)| k == "format") {
        c.models[m]
            .notes
            .push(t!(lang => "import-text-the-script-named-no-format"));
    }
    if !config.iter().any(|(k, _)| k == "external_location") {
        c.models[m]
            .notes
            .push(t!(lang => "import-text-the-script-named-no-location"));
    }
    if !table_properties.is_empty() {
        config.push((
            "table_properties".into(),
            ConfigValue::Map(table_properties),
        ));
    }
    config
}

/// `CREATE TABLE t (…) PARTITIONED BY … LOCATION … TBLPROPERTIES (…)` → karte config.
fn ddl_config(
    c: &mut Conversion,
    m: usize,
    ddl: &TableDdl,
    at: Place,
) -> Vec<(String, ConfigValue)> {
    let mut config = vec![(
        "materialized".to_string(),
        ConfigValue::Text("table".into()),
    )];
    let iceberg = ddl
        .properties
        .iter()
        .any(|p| p.key == "table_type" && p.value.text().eq_ignore_ascii_case("iceberg"));
    if iceberg {
        config.push(("table_type".into(), ConfigValue::Text("iceberg".into())));
    }
    let from_properties = ddl
        .properties
        .iter()
        .find(|p| p.key == "format")
        .map(|p| p.value.text());
    if let Some(f) = from_properties.or_else(|| ddl.format.clone()) {
        let f = f.to_lowercase();
        if ["parquet", "orc", "avro", "json", "textfile"].contains(&f.as_str()) {
            config.push(("format".into(), ConfigValue::Text(f)));
        }
    }
    if !ddl.partitioned_by.is_empty() {
        config.push((
            "partitioned_by".into(),
            ConfigValue::List(ddl.partitioned_by.iter().map(|c| c.name.clone()).collect()),
        ));
    }
    if let Some(l) = &ddl.location {
        c.locations.push((c.models[m].name.clone(), l.clone(), at));
        config.push(("external_location".into(), ConfigValue::Text(l.clone())));
    }
    if let Some(p) = ddl.properties.iter().find(|p| p.key == "write_compression") {
        let v = p.value.text().to_lowercase();
        if ["snappy", "zstd", "gzip", "lz4", "none"].contains(&v.as_str()) {
            config.push(("write_compression".into(), ConfigValue::Text(v)));
        }
    }
    let rest: Vec<(String, String)> = ddl
        .properties
        .iter()
        .filter(|p| !["table_type", "format", "write_compression"].contains(&p.key.as_str()))
        .map(|p| (p.key.clone(), p.value.text()))
        .collect();
    if !rest.is_empty() {
        config.push(("table_properties".into(), ConfigValue::Map(rest)));
    }
    config
}

/// Whitespace-insensitive text, to see whether two queries are the same.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first comment line of a header, as a description.
fn description(lead: &str) -> Option<String> {
    lead.lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("--")
                .trim_start_matches("/*")
                .trim_end_matches("*/")
                .trim()
        })
        .find(|l| !l.is_empty() && !l.chars().all(|c| c == '-' || c == '=' || c == '*'))
        .map(String::from)
}

/// The first line of a statement, shortened, for the report.
pub fn first_words(text: &str, s: &Statement) -> String {
    statement_head(text, s.range.clone())
}

/// The first line of the text in `range`, at most 60 characters.
pub fn statement_head(text: &str, range: Range<usize>) -> String {
    let t = &text[range];
    let line = t.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 60 {
        format!("{} …", line.chars().take(60).collect::<String>())
    } else {
        line.to_string()
    }
}

/// The table a statement names (best effort, for the report): the first dotted name after
/// TABLE / INTO / REPAIR TABLE.
fn table_named(s: &Statement) -> String {
    use sqlparser::tokenizer::Token;
    let toks = &s.tokens;
    for (i, t) in toks.iter().enumerate() {
        if matches!(&t.token, Token::Word(w) if w.quote_style.is_none() && (w.value.eq_ignore_ascii_case("TABLE") || w.value.eq_ignore_ascii_case("INTO")))
        {
            let mut parts = Vec::new();
            let mut j = i + 1;
            while let Some(Token::Word(w)) = toks.get(j).map(|t| &t.token) {
                if w.quote_style.is_none()
                    && ["IF", "NOT", "EXISTS"].contains(&w.value.to_uppercase().as_str())
                    && parts.is_empty()
                {
                    j += 1;
                    continue;
                }
                parts.push(w.value.to_lowercase());
                if toks.get(j + 1).map(|t| &t.token) == Some(&Token::Period) {
                    j += 2;
                } else {
                    break;
                }
            }
            if !parts.is_empty() {
                return parts.join(".");
            }
        }
    }
    String::new()
}
