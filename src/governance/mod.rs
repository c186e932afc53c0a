//! Stage 3c, `governance`: personal-data classes that follow the data, and the policies that
//! say where they may appear — checked at compile time, before anything runs.
//!
//! - A taxonomy ([`Taxonomy`]): built-in classes that fit Japanese law and medical practice
//!   (`direct_identifier` 氏名・住所・電話番号, `identification_code` 被保険者番号・個人識別符号,
//!   `quasi_identifier` 生年月日・郵便番号・性別, `sensitive` 要配慮個人情報, `pseudonym`,
//!   `aggregate`), plus the project's own under `governance: classes:` (nested by `parent`).
//! - Classes are declared on the columns of ingest rules, sources and seeds, and flow down the
//!   column lineage ([`crate::lineage`]): a copied or transformed column keeps its inputs'
//!   classes; a function with `becomes:` (built in: `hmac_sha256`, which `pseudonymize` uses)
//!   makes a `pseudonym`; one with `generalizes:` removes classes; an aggregate that does not
//!   return one of the values (count, sum, avg …) makes an `aggregate`. A model's column may
//!   declare its class in YAML; fewer classes than its lineage gives need a written
//!   `classification_reason`.
//! - Policies (`governance: policies:`) select models by layer, folder, model or tag and
//!   forbid classes (a forbidden class forbids its kinds too); a violation is an error at the
//!   column, with the path that carried the class. `min_cell_size` becomes data tests.

mod classes;
mod policy;

pub use classes::{infer, ColumnClass, ProjectClasses, Taxonomy};
pub use policy::{check, person_counts, trace, PersonCount};
