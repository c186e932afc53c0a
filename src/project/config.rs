//! `karte.yml`: the project file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::yaml::YamlValue;

/// The content of `karte.yml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// Project name.
    pub name: String,
    /// Free-form version of the project.
    #[serde(default)]
    pub version: Option<YamlValue>,
    /// Layer (first folder under `models/`) → schema. A layer not listed uses its own name.
    #[serde(default)]
    pub layers: BTreeMap<String, LayerConfig>,
    /// Project variables, read with `var('name')`.
    #[serde(default)]
    pub vars: BTreeMap<String, YamlValue>,
    /// Environment variables that models may read with `env_var()` (besides any `KARTE_*`).
    #[serde(default)]
    pub env_vars: Vec<String>,
    /// Environment variables that `{secret:NAME}` placeholders may fill in when a step runs
    /// (`secrets: [NAME]`, or a map of names to descriptions). Any other name is an error.
    #[serde(default)]
    pub secrets: Secrets,
    /// Per-folder model defaults, dbt-style (`+materialized: table` under folder names).
    #[serde(default)]
    pub models: Option<YamlValue>,
    /// Defaults for all seeds.
    #[serde(default)]
    pub seeds: Option<YamlValue>,
    /// Defaults for all snapshots.
    #[serde(default)]
    pub snapshots: Option<YamlValue>,
    /// Relations outside the project that plain SQL may read (`schema.table`, `schema.*`).
    #[serde(default)]
    pub external_relations: Vec<String>,
    /// Target used when `--target` is not given.
    #[serde(default = "default_target")]
    pub default_target: String,
    /// Where and how to run: `local` (embedded engine) and Athena targets.
    #[serde(default)]
    pub targets: BTreeMap<String, TargetConfig>,
    /// Who may read what: role name → principal and read rules (docs/governance.md). Applied
    /// as Lake Formation grants on Athena targets; `karte access` shows it everywhere.
    #[serde(default)]
    pub access: BTreeMap<String, AccessRole>,
    /// Personal-data classes, how functions change them, and which may appear where
    /// (docs/governance.md).
    #[serde(default)]
    pub governance: GovernanceConfig,
    /// Where to say how a build went: channel name → channel (docs/operations.md), checked
    /// into [`super::notifications::Channel`]s when the project loads.
    #[serde(default)]
    pub notifications: BTreeMap<String, NotificationConfig>,
    /// Upstream karte projects whose public models this project reads as `layer.model`:
    /// project name → where its manifest and run journals are (docs/project.md, checked and
    /// read by `crate::upstream`).
    #[serde(default)]
    pub dependencies: BTreeMap<String, DependencyConfig>,
    /// Which `karte lint` rules apply: for the whole project and per folder (docs/lint.md).
    #[serde(default)]
    pub lint: LintConfig,
    /// Set when the project is a dbt project (`dbt_project.yml`, read by `project/dbt/`):
    /// what karte keeps of it beyond the settings above. Never read from karte.yml.
    #[serde(skip)]
    pub dbt: Option<Box<super::dbt::DbtSettings>>,
}

/// One entry of `dependencies:`: a path (the upstream project's directory or its `target/`
/// directory), or where its published manifest and its run journals are.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DependencyConfig {
    /// `silver_team: ../silver` (a local project, or its `target/` directory).
    Path(String),
    /// `silver_team: {manifest: s3://…/manifest.json, runs: s3://…/_karte/journal/prod/}`.
    Full(DependencyLocation),
}

/// Where an upstream project publishes what karte reads of it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DependencyLocation {
    /// A local project directory or its `target/` directory (manifest and journals in it).
    #[serde(default)]
    pub path: Option<String>,
    /// Its manifest: a `manifest.json`, the directory holding it, or an `s3://` URI of either.
    #[serde(default)]
    pub manifest: Option<String>,
    /// Its run journals: `target/journal/` locally, or the journals' copy an Athena target
    /// keeps on S3 (`<lake_root>_karte/journal/<target>/`).
    #[serde(default)]
    pub runs: Option<String>,
}

/// `lint:` in karte.yml: rules by code (`L001`) or name (`integer-division`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Only these rules (default: all).
    #[serde(default)]
    pub select: Option<Vec<String>>,
    /// Not these rules.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per folder (`gold`, `silver/legacy` under `models/`; `snapshots`): `select` replaces the
    /// rules of the folders above, `ignore` takes rules away.
    #[serde(default)]
    pub folders: BTreeMap<String, LintRules>,
}

/// The rules of one folder of `lint: folders:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintRules {
    /// Only these rules here.
    #[serde(default)]
    pub select: Option<Vec<String>>,
    /// Not these rules here.
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// One channel of `notifications:` as written. Which keys apply depends on `type`; the
/// check (`project/notifications.rs`, E801/E802) says which are missing or do not belong.
/// Secrets are never values here: the `*_env` keys name the environment variables that hold
/// them, and the keys a secret would be written under (`webhook_url`, `url`, `token`,
/// `routing_key`, `password`) are read only to refuse them with a located error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationConfig {
    /// `slack`, `teams`, `webhook`, `pagerduty` or `email`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Events that send: `failure`, `success`, `warnings`, `recovery`.
    #[serde(default, deserialize_with = "one_or_many")]
    pub on: Vec<String>,
    /// Only runs whose selected nodes (dbt selector syntax) failed or warned.
    #[serde(default)]
    pub select: Option<String>,
    /// Only runs whose nodes with one of these tags failed or warned.
    #[serde(default, deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    /// Only runs on these targets (default: every target).
    #[serde(default, deserialize_with = "one_or_many")]
    pub targets: Vec<String>,
    /// The message (minijinja), instead of the channel's default.
    #[serde(default)]
    pub template: Option<String>,
    /// A file (relative to the project) holding the message template.
    #[serde(default)]
    pub template_file: Option<String>,
    /// The language of the default message: `ja` or `en` (default: the language karte runs
    /// in).
    #[serde(default)]
    pub lang: Option<String>,
    /// Slack and Teams: the variable holding the webhook URL.
    #[serde(default)]
    pub webhook_url_env: Option<String>,
    /// Slack (bot): the variable holding the bot token (`xoxb-…`).
    #[serde(default)]
    pub token_env: Option<String>,
    /// Slack (bot): the channel to post to (`#data-alerts` or an id).
    #[serde(default)]
    pub channel: Option<String>,
    /// Slack (bot): the Web API's base URL (default `https://slack.com/api`).
    #[serde(default)]
    pub api_url: Option<String>,
    /// Webhook: the variable holding the URL.
    #[serde(default)]
    pub url_env: Option<String>,
    /// Webhook: header name → the variable holding its value (e.g. `Authorization`).
    #[serde(default)]
    pub headers_env: BTreeMap<String, String>,
    /// PagerDuty: the variable holding the integration's routing key.
    #[serde(default)]
    pub routing_key_env: Option<String>,
    /// PagerDuty: the Events API v2 URL (default `https://events.pagerduty.com/v2/enqueue`).
    #[serde(default)]
    pub events_url: Option<String>,
    /// PagerDuty: `critical`, `error` (default), `warning` or `info`.
    #[serde(default)]
    pub severity: Option<String>,
    /// E-mail: the SMTP server.
    #[serde(default)]
    pub smtp_host: Option<String>,
    /// E-mail: the SMTP port (default 587 with `starttls`, 465 with `tls`, 25 with `none`).
    #[serde(default)]
    pub smtp_port: Option<u16>,
    /// E-mail: `starttls` (default), `tls` or `none`.
    #[serde(default)]
    pub tls: Option<String>,
    /// E-mail: the variable holding the SMTP user name.
    #[serde(default)]
    pub username_env: Option<String>,
    /// E-mail: the variable holding the SMTP password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// E-mail: the sender.
    #[serde(default)]
    pub from: Option<String>,
    /// E-mail: the recipients.
    #[serde(default, deserialize_with = "one_or_many")]
    pub to: Vec<String>,
    /// E-mail: the subject (minijinja; default: the run's one-line title).
    #[serde(default)]
    pub subject: Option<String>,
    /// Seconds one attempt may take (default 10, at most 30).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// Attempts before giving up (default 3, at most 5).
    #[serde(default)]
    pub attempts: Option<u32>,
    /// Refused: a secret written in karte.yml (use `webhook_url_env`).
    #[serde(default)]
    pub webhook_url: Option<YamlValue>,
    /// Refused: a secret written in karte.yml (use `url_env`).
    #[serde(default)]
    pub url: Option<YamlValue>,
    /// Refused: a secret written in karte.yml (use `token_env`).
    #[serde(default)]
    pub token: Option<YamlValue>,
    /// Refused: a secret written in karte.yml (use `routing_key_env`).
    #[serde(default)]
    pub routing_key: Option<YamlValue>,
    /// Refused: a secret written in karte.yml (use `password_env`).
    #[serde(default)]
    pub password: Option<YamlValue>,
}

/// `governance:` in karte.yml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernanceConfig {
    /// Classes added to (or redefining) the built-in taxonomy.
    #[serde(default)]
    pub classes: BTreeMap<String, ClassConfig>,
    /// Function name → how it changes the classes of what it reads.
    #[serde(default)]
    pub functions: BTreeMap<String, FunctionRule>,
    /// Which classes may appear where.
    #[serde(default)]
    pub policies: Vec<PolicyConfig>,
}

/// One class of the taxonomy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassConfig {
    /// The class it is a kind of (a policy forbidding the parent forbids it too).
    #[serde(default)]
    pub parent: Option<String>,
    /// What it means.
    #[serde(default)]
    pub description: Option<String>,
}

/// How a function changes classes: `becomes: pseudonym` (any class in, this one out), or
/// `generalizes: [quasi_identifier]` (these classes, and their kinds, are gone).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionRule {
    /// The class of the result, whatever the classes of the input.
    #[serde(default)]
    pub becomes: Option<String>,
    /// Classes the result no longer has.
    #[serde(default, deserialize_with = "one_or_many")]
    pub generalizes: Vec<String>,
}

/// A policy: for the models it selects, classes that must not appear, and a smallest cell.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Models of this layer.
    #[serde(default)]
    pub layer: Option<String>,
    /// Models under this folder of `models/`.
    #[serde(default)]
    pub folder: Option<String>,
    /// This model.
    #[serde(default)]
    pub model: Option<String>,
    /// Models with this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// Classes no column may have.
    #[serde(default)]
    pub forbid: Vec<String>,
    /// Counts of persons below this are failures (a data test on each person count).
    #[serde(default)]
    pub min_cell_size: Option<u32>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// One role of `access:`: a Lake Formation principal and what it may read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRole {
    /// IAM role or user ARN, or another Lake Formation principal identifier.
    pub principal: String,
    /// What the role is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Read rules; a table the role may read is one some rule selects.
    #[serde(default)]
    pub read: Vec<AccessRule>,
}

/// One read rule: `all`, or one selector (`layer`, `folder`, `model`, `tag`) with the column
/// classes it leaves out.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AccessRule {
    /// `all`: every table karte builds.
    Keyword(String),
    /// `{layer: gold, except_classes: [quasi_identifier]}`.
    Select(AccessSelector),
}

/// The selector of a read rule (exactly one of `layer`, `folder`, `model`, `tag`, `all`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessSelector {
    /// Every table of a layer.
    #[serde(default)]
    pub layer: Option<String>,
    /// Every table under a folder (`gold/marts`, under `models/`; or `seeds`, `snapshots/x`).
    #[serde(default)]
    pub folder: Option<String>,
    /// One model, seed or snapshot by name.
    #[serde(default)]
    pub model: Option<String>,
    /// Every model with this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// `all: true`, the map form of `all`.
    #[serde(default)]
    pub all: Option<bool>,
    /// Columns of these classes are left out.
    #[serde(default)]
    pub except_classes: Vec<String>,
}

/// The secrets a project declares: names (environment variables) with optional descriptions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "SecretsSpec")]
pub struct Secrets(pub BTreeMap<String, Option<String>>);

/// `secrets:` as written: a list of names, or a map of names to descriptions.
#[derive(Deserialize)]
#[serde(untagged)]
enum SecretsSpec {
    Names(Vec<String>),
    Described(BTreeMap<String, Option<String>>),
}

impl From<SecretsSpec> for Secrets {
    fn from(spec: SecretsSpec) -> Self {
        match spec {
            SecretsSpec::Names(names) => Secrets(names.into_iter().map(|n| (n, None)).collect()),
            SecretsSpec::Described(map) => Secrets(map),
        }
    }
}

impl Secrets {
    /// True if `name` is declared.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The declared names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

fn default_target() -> String {
    "local".to_string()
}

/// A layer's settings: a schema name, or a map.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum LayerConfig {
    /// `silver: silver_db`
    Schema(String),
    /// `silver: { schema: silver_db, description: … }`
    Full {
        /// Schema (Glue database) of the layer.
        schema: String,
        /// What the layer holds.
        #[serde(default)]
        description: Option<String>,
    },
}

impl LayerConfig {
    /// The schema name.
    pub fn schema(&self) -> &str {
        match self {
            LayerConfig::Schema(s) => s,
            LayerConfig::Full { schema, .. } => schema,
        }
    }
}

/// Which engine a target runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    /// Embedded DuckDB over a local lake directory.
    #[default]
    Local,
    /// Amazon Athena + Glue + S3.
    Athena,
}

/// One target. No secrets here: AWS credentials come from the standard credential chain.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// Engine.
    #[serde(rename = "type", default)]
    pub kind: TargetType,
    /// Prefix added to every layer's schema (e.g. `dev_` gives `dev_silver`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub schema_prefix: String,
    /// Catalog name used in fully-qualified names (`awsdatacatalog` on Athena).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// Local lake directory (local targets), relative to the project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lake_dir: Option<String>,
    /// Local targets: how much memory DuckDB may use before it spills to disk (`2GiB`,
    /// `500MB`, `25%` of the machine; default a quarter of the machine's memory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<String>,
    /// Local targets: DuckDB's worker threads (default one per core).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duckdb_threads: Option<u32>,
    /// AWS region (Athena targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Athena workgroup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workgroup: Option<String>,
    /// Athena query result location (`s3://…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_staging_dir: Option<String>,
    /// Root of the lake (`s3://bucket/prefix/`): karte writes and deletes only under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lake_root: Option<String>,
    /// AWS profile name (credentials stay in ~/.aws, never here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Endpoint override (tests, VPC endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    /// Maximum concurrent queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<u32>,
    /// Athena: queries karte runs at the same time (default 5, well under the DML quota).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    /// Athena: seconds one query may run before karte stops it (default 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_timeout_seconds: Option<u64>,
    /// Athena: price in USD per TB scanned, for the cost shown (default 5.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usd_per_tb_scanned: Option<f64>,
    /// Athena: attempts for a throttled call or a retryable query failure (default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// Athena: first backoff delay in milliseconds, doubled per attempt, with jitter (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_base_delay_ms: Option<u64>,
    /// Athena: milliseconds between two GetQueryExecution polls at first (default 500; grows to 5 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_ms: Option<u64>,
    /// Athena: seconds the run lock's lease lasts unless renewed (default 300; renewed every
    /// quarter of it while the run goes on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_lease_seconds: Option<u64>,
}

/// The target a command runs against, with its name.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// Name in `karte.yml`.
    pub name: String,
    /// Settings.
    #[serde(flatten)]
    pub config: TargetConfig,
}

impl Target {
    /// The implicit `local` target of a project that defines none.
    pub fn default_local() -> Target {
        Target {
            name: "local".into(),
            config: TargetConfig::default(),
        }
    }

    /// Schema of a layer schema on this target (applies `schema_prefix`).
    pub fn schema(&self, schema: &str) -> String {
        format!("{}{}", self.config.schema_prefix, schema)
    }

    /// Catalog prefix of fully-qualified names, if any.
    pub fn catalog(&self) -> Option<&str> {
        match (&self.config.catalog, self.config.kind) {
            (Some(c), _) => Some(c),
            (None, TargetType::Athena) => Some("awsdatacatalog"),
            (None, TargetType::Local) => None,
        }
    }
}
