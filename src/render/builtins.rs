//! The built-in macro library (`templates/macros/*.sql`), embedded in the binary. A project
//! macro with the same name overrides a built-in one.

/// (path shown in diagnostics, source) of every built-in macro file.
pub const BUILTIN_MACROS: &[(&str, &str)] = &[
    (
        "templates/macros/common.sql",
        include_str!("../../templates/macros/common.sql"),
    ),
    (
        "templates/macros/medical.sql",
        include_str!("../../templates/macros/medical.sql"),
    ),
];
