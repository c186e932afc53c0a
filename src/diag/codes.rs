//! Stable diagnostic codes. Every code here is documented in docs/errors.md (a test checks it).

use serde::{Serialize, Serializer};

use super::Blame;

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $blame:ident; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $name, )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as shown, e.g. `E204`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// Who has to act on diagnostics with this code.
            pub fn blame(self) -> Blame {
                match self { $(Code::$name => Blame::$blame,)* }
            }
        }
    };
}

codes! {
    /// A bug in karte.
    Internal = "E000", Internal;
    /// A file or directory could not be read or written.
    Io = "E001", Environment;
    /// `karte.yml` is missing.
    NoProject = "E002", Project;
    /// A YAML file is not valid YAML or does not have the expected shape.
    InvalidYaml = "E003", Project;
    /// A value in the project configuration is not allowed.
    InvalidConfig = "E004", Project;
    /// A target named on the command line or as default is not defined.
    UnknownTarget = "E005", Project;
    /// A command-line argument is malformed (e.g. `--vars`).
    InvalidArgument = "E006", Project;
    /// A file is not UTF-8 text.
    NotUtf8 = "E101", Project;
    /// A full-width or typographic character outside a string literal or comment.
    FullWidthChar = "E102", Project;
    /// A model file holds more than one SQL statement.
    MultipleStatements = "E103", Project;
    /// A model file holds no SQL statement.
    EmptyModel = "E104", Project;
    /// A model's statement is not a query (SELECT / WITH … SELECT / VALUES).
    NotAQuery = "E105", Project;
    /// A Jinja syntax error.
    TemplateSyntax = "E201", Project;
    /// A name used in a template is not defined.
    UndefinedName = "E202", Project;
    /// `var()` names a variable that is not set and has no default.
    UnknownVar = "E203", Project;
    /// `ref()` or a plain-SQL relation names a model that does not exist.
    UnknownModel = "E204", Project;
    /// `source()` or a plain-SQL relation names a source or table that is not declared.
    UnknownSource = "E205", Project;
    /// `env_var()` names a variable the project does not declare.
    EnvVarNotAllowed = "E206", Project;
    /// `env_var()` names a variable that is not set and has no default.
    EnvVarMissing = "E207", Project;
    /// `config()`, `ref()`, `source()`, `var()` called with the wrong arguments.
    BadCall = "E208", Project;
    /// Any other error raised while rendering a template.
    TemplateError = "E209", Project;
    /// A relation in plain SQL could not be resolved to a model, seed, snapshot or source.
    UnknownRelation = "E210", Project;
    /// A `{secret:NAME}` placeholder names a secret the project does not declare.
    SecretNotDeclared = "E211", Project;
    /// A column reference names no column of the relations the query reads.
    UnknownColumn = "E212", Project;
    /// An unqualified column reference names a column of two relations the query reads.
    AmbiguousColumn = "E213", Project;
    /// A model reads a node that is disabled (`enabled: false`).
    DisabledNode = "E214", Project;
    /// The models depend on each other in a cycle.
    Cycle = "E301", Project;
    /// Two nodes have the same name.
    DuplicateName = "E302", Project;
    /// A `--select` / `--exclude` expression is malformed.
    InvalidSelector = "E303", Project;
    /// A model reads from itself without being incremental.
    SelfReference = "E304", Project;
    /// The saved manifest of `--state` is missing, unreadable, of another format version or
    /// another project, or a `state:` selector was used without `--state`.
    StateInvalid = "E305", Project;
    /// A `source_status:` selector was used where karte does not read the catalog (it compares
    /// the sources' data with what each node was built from: `build`, `run`, `snapshot`,
    /// `ingest --then-build`), or with a value other than `fresher`.
    SourceStatusUnavailable = "E306", Project;
    /// A source (or an `external_relations` table) that a node of the run reads does not
    /// exist on the target: nothing was loaded into it locally.
    SourceNotLoaded = "E307", Project;
    /// `karte show`: nothing has the name asked for, the target is not local, or the query
    /// (`--sql`, `--where`) cannot run on the local lake.
    ShowFailed = "E308", Project;
    /// `karte new model`: the path is not `layer/name`, the layer is not in karte.yml, the name
    /// is taken, the file exists (with `--from-sql`), or the model is already described.
    NewModelFailed = "E309", Project;
    /// A config value is not one karte accepts (e.g. `materialized: tabel`).
    InvalidConfigValue = "E401", Project;
    /// Config keys that do not work together (e.g. `merge` on a Hive table).
    InvalidCombination = "E402", Project;
    /// A location outside the lake root, or inside another table's prefix.
    UnsafeLocation = "E403", Project;
    /// A statement longer than Athena's 262,144-byte limit.
    StatementTooLong = "E404", Project;
    /// A table or column name Athena cannot use as written (upper case, invalid characters).
    InvalidName = "E405", Project;
    /// The target lacks a setting planning needs (e.g. `lake_root`).
    TargetIncomplete = "E406", Project;
    /// A table exists in the catalog but karte does not manage it: karte will not replace it.
    NotManaged = "E407", Project;
    /// The lake layout is unsafe: a `lake_root` that is a bucket root or has `..` or empty
    /// segments, a schema, `schema_prefix` or table name that is not one path segment.
    UnsafeLayout = "E408", Project;
    /// `partition_projection` is malformed: an unknown type, a bad range or format, a column
    /// that is not a partition column, a partition column without a projection.
    InvalidProjection = "E409", Project;
    /// Partition projection on a table karte cannot project without losing atomic
    /// replacement (Iceberg, `insert_overwrite`, ingest tables, …), or a projected table whose
    /// projection was switched on or off without `--full-refresh`.
    ProjectionUnsupported = "E410", Project;
    /// `optimize` / `vacuum` is malformed, or set on a table that is not an incremental Iceberg
    /// model or snapshot.
    InvalidMaintenance = "E411", Project;
    /// The engine could not do what a step asked (the message says why).
    EngineFailed = "E501", Environment;
    /// SQL that the local engine cannot run with Athena's meaning.
    Untranslatable = "E502", Project;
    /// Another run holds the target's run lock (one run at a time per target).
    RunLocked = "E503", Environment;
    /// `karte build --plan FILE`: the catalog changed since the plan was made, or the file is
    /// not a plan this build can run.
    PlanStale = "E504", Project;
    /// An ingest rule (`ingest/*.yml`) is malformed.
    InvalidIngestRule = "E601", Project;
    /// A model, seed or snapshot has the same relation as an ingest rule's table.
    IngestTableClash = "E602", Project;
    /// An `access:` rule in karte.yml is malformed or names a layer, folder, model, tag or
    /// column class the project does not have.
    InvalidAccessRule = "E701", Project;
    /// A class named in karte.yml or on a column is not in the taxonomy.
    UnknownClass = "E702", Project;
    /// A model's column is declared with fewer classes than its lineage gives it, without a
    /// `classification_reason`.
    ReclassifiedWithoutReason = "E703", Project;
    /// A column holds a class that a policy forbids in its model.
    PolicyViolation = "E704", Project;
    /// A channel of `notifications:` in karte.yml is malformed (a missing or foreign key, an
    /// unknown event, type or target, a selector or template that does not work).
    InvalidNotification = "E801", Project;
    /// A secret (webhook URL, token, routing key, password) is written in karte.yml instead of
    /// named by the environment variable that holds it.
    SecretInConfig = "E802", Project;
    /// An entry of `dependencies:` in karte.yml cannot be used: malformed, its manifest missing
    /// or unreadable, of another project, or compiled for another engine.
    InvalidDependency = "E901", Project;
    /// A model reads a model of an upstream project that is not `access: public`.
    NotPublic = "E902", Project;
    /// A `layer.model` name is both this project's and an upstream project's (or two
    /// upstreams').
    UpstreamNameClash = "E903", Project;
    /// A model's `access` is not `public`, `protected` or `private`.
    InvalidAccess = "E904", Project;
    /// `--wait-for-upstream`: the upstream's newest run of the models read here failed.
    UpstreamFailed = "E905", Environment;
    /// `--wait-for-upstream`: no newer successful upstream run before the timeout.
    UpstreamLate = "E906", Environment;
    /// `karte docs generate`: a file of the site could not be written.
    DocsWrite = "E960", Environment;
    /// `karte docs serve`: there is no site in target/docs (not generated yet).
    DocsNoSite = "E961", Project;
    /// `karte docs serve`: the port cannot be listened on (in use, not allowed).
    DocsListen = "E962", Environment;
    /// `karte docs serve`: `--host` is not a loopback address.
    DocsNotLoopback = "E963", Project;
    /// `karte import-sql`: a statement of a script cannot be read (unclosed quote or
    /// parenthesis, a malformed `WITH (…)`, no query after `AS`).
    ImportSqlUnreadable = "E970", Project;
    /// `karte import-sql`: a file or source it would write exists already in the project.
    ImportSqlNameClash = "E971", Project;
    /// `karte import-sql`: an input path does not exist or holds no `.sql` file, `--out` is not
    /// empty and not a karte project, or `--layer` is not a layer of that project.
    ImportSqlArguments = "E972", Project;
    /// dbt project: dbt_project.yml cannot be used (no name, bad paths, an `env_var` unset).
    DbtProject = "E980", Project;
    /// dbt project: profiles.yml cannot be used (not found in --profiles-dir, no such profile,
    /// no outputs).
    DbtProfile = "E981", Project;
    /// dbt project: a target of a type karte does not run (not duckdb or athena).
    DbtAdapter = "E982", Project;
    /// dbt project: a template uses what karte does not support yet (`adapter.dispatch`,
    /// `run_query`, `statement`, …).
    DbtJinja = "E983", Project;
    /// dbt project: it uses packages (packages.yml / dependencies.yml).
    DbtPackages = "E984", Project;
    /// dbt project: a file karte cannot build (a Python model, `{% test %}`, `{% snapshot %}`
    /// or `{% materialization %}` blocks).
    DbtUnsupported = "E985", Project;
    /// dbt project: a config that would make karte build another table than dbt (`alias`,
    /// `pre_hook`/`post_hook`, `sql_header`).
    DbtConfig = "E986", Project;
    /// Lint: integer divided by integer (the fraction is dropped).
    LintIntegerDivision = "L001", Project;
    /// Lint: `= NULL` / `<> NULL` (never true).
    LintNullComparison = "L002", Project;
    /// Lint: `NOT IN` over a subquery that may return NULL.
    LintNotInNullable = "L003", Project;
    /// Lint: `BETWEEN` on a timestamp with a date as upper bound.
    LintBetweenTimestampDate = "L004", Project;
    /// Lint: a date compared with a string.
    LintDateComparedWithString = "L005", Project;
    /// Lint: tables joined by a comma with no condition (an implicit cross join).
    LintImplicitCrossJoin = "L006", Project;
    /// Lint: a column without its table in a query that joins tables.
    LintUnqualifiedColumn = "L007", Project;
    /// Lint: `SELECT *` in a gold model.
    LintSelectStarInGold = "L008", Project;
    /// Lint: `ORDER BY` without `LIMIT` in a model (the table does not keep it).
    LintOrderByInModel = "L009", Project;
    /// Lint: `row_number()` ordered by keys that can tie (non-deterministic numbers).
    LintRowNumberTies = "L010", Project;
    /// Lint: `count(*)` over a `LEFT JOIN` (unmatched rows count as 1).
    LintCountStarLeftJoin = "L011", Project;
    /// A configuration key karte does not know (probably a typo).
    UnknownConfigKey = "W001", Project;
    /// A file in the project is ignored.
    IgnoredFile = "W002", Project;
    /// A property file describes a node that does not exist.
    PropertiesForUnknownNode = "W003", Project;
    /// The SQL could not be parsed; dependencies come from `ref()`/`source()` and a token scan.
    SqlNotParsed = "W101", Project;
    /// A source's columns are not declared: column lineage and column checks stop there.
    ColumnsUnknown = "W102", Project;
    /// `karte import-sql`: a statement is not converted (listed in import-report.md with why).
    ImportSqlNotConverted = "W970", Project;
    /// `karte import-sql`: a query sqlparser cannot parse was converted as written; its tables
    /// were found by a token scan.
    ImportSqlQueryNotParsed = "W971", Project;
    /// `karte import-sql`: a script reads a table that a later script creates (karte builds
    /// it first).
    ImportSqlOrderChanged = "W972", Project;
    /// `karte import-sql`: a table property was not kept as written (a value karte does not
    /// support, a location outside the lake root).
    ImportSqlPropertyChanged = "W973", Project;
    /// `karte import-sql`: a table is read but no script creates it: declared as a source.
    ImportSqlTableNotCreated = "W974", Project;
    /// A selector matched no node.
    SelectorMatchedNothing = "W303", Project;
    /// `--defer`: a selected node reads a parent that is neither selected, built on the
    /// target, nor in the saved manifest.
    CannotDefer = "W304", Project;
    /// `source_status:`: karte cannot tell whether a source received data (not an ingest table,
    /// no `loaded_at_field`, no partitions), so it never makes a node fresher.
    SourceStatusUnknown = "W305", Project;
    /// `karte new model`: the model's columns could not be inferred from its SQL (it does not
    /// compile yet, or reads `*` of a relation whose columns karte does not know).
    ColumnsNotInferred = "W306", Project;
    /// dbt project: no profiles.yml was found; it builds on the local engine in schema `main`.
    DbtNoProfile = "W980", Project;
    /// dbt project: a setting karte does not act on (hooks of on-run-start/end, unit tests,
    /// exposures, a profile's key karte decides itself).
    DbtIgnored = "W981", Project;
    /// dbt project: `exceptions.warn(...)` in a template.
    DbtWarn = "W982", Project;
    /// `karte docs generate`: the project graph of the selection has more tables than
    /// `--graph-limit` and is not drawn.
    DocsGraphTooLarge = "W960", Project;
    /// `karte docs generate`: part of the site is incomplete (a graph could not be laid out,
    /// or target/run_results.json could not be read).
    DocsIncomplete = "W961", Environment;
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
