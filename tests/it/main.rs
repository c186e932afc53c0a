//! karte's integration tests: one binary, a module per area.

mod support;

mod cli;
mod compile;
mod diagnostics;
mod docs;
mod plan;
mod select;
