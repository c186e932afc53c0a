//! `karte lint`: the mistakes of Athena SQL, found on the compiled project (docs/lint.md).

use std::io::Write;

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::{Code, Diagnostics};
use crate::lint::{self, Lang, Settings};

/// What `karte lint` was asked.
pub struct LintArgs<'a> {
    /// Node selection.
    pub select: &'a SelectArgs,
    /// Apply the safe fixes to the files.
    pub fix: bool,
    /// JSON for CI instead of text.
    pub json: bool,
    /// The language of the messages.
    pub lang: Lang,
}

/// Lint; Ok(true) when nothing is left to report (exit 0), Ok(false) on findings (exit 1).
pub fn run(args: &ProjectArgs, a: &LintArgs) -> Result<bool, Diagnostics> {
    let lang = a.lang;
    let started = std::time::Instant::now();
    let opts = args.compile_options(a.select)?;
    // Full-width characters first: a file with one does not compile, and they are fixed in
    // the file itself.
    let (project, _) = crate::project::load(&opts.project_dir)?;
    let settings = Settings::of(&project)?;
    let mut findings = lint::full_width(&project, &settings);
    let mut fixed = lint::Fixed::default();
    if a.fix && findings.iter().any(|f| !f.fix.is_empty()) {
        let (done, left) =
            lint::apply_fixes(&project, findings).map_err(|d| Diagnostics(vec![d]))?;
        fixed = done;
        findings = left;
    }
    drop(project);
    let compiled = match crate::compile(&opts) {
        Ok(c) => c,
        Err(mut diags) => {
            // Full-width characters are reported as findings above.
            diags.0.retain(|d| d.code != Code::FullWidthChar);
            print(&findings, &fixed, lang, a.json, 0);
            if diags.is_empty() {
                return Ok(false);
            }
            return Err(diags);
        }
    };
    report(&compiled.diagnostics);
    let mut more = lint::lint(&compiled, &settings);
    if a.fix && more.iter().any(|f| !f.fix.is_empty()) {
        let (done, left) =
            lint::apply_fixes(&compiled.project, more).map_err(|d| Diagnostics(vec![d]))?;
        fixed.fixed += done.fixed;
        fixed.deferred += done.deferred;
        fixed.files.extend(done.files);
        more = left;
    }
    findings.extend(more);
    let checked = compiled
        .selected
        .iter()
        .filter(|&&i| {
            matches!(
                compiled.project.nodes[i].kind,
                crate::project::NodeKind::Model | crate::project::NodeKind::Snapshot
            )
        })
        .count();
    print(&findings, &fixed, lang, a.json, checked);
    if !a.json {
        eprintln!(
            "{}",
            match lang {
                Lang::En => format!(
                    "linted {checked} models in {:.2}s: {} finding{}{}",
                    started.elapsed().as_secs_f64(),
                    findings.len(),
                    if findings.len() == 1 { "" } else { "s" },
                    if fixed.fixed > 0 {
                        format!(", {} fixed", fixed.fixed)
                    } else {
                        String::new()
                    }
                ),
                Lang::Ja => format!(
                    "{checked} 個のモデルを {:.2} 秒で確認しました: 指摘 {} 件{}",
                    started.elapsed().as_secs_f64(),
                    findings.len(),
                    if fixed.fixed > 0 {
                        format!("、{} 件を直しました", fixed.fixed)
                    } else {
                        String::new()
                    }
                ),
            }
        );
    }
    std::mem::forget(compiled);
    Ok(findings.is_empty())
}

fn print(findings: &[lint::Finding], fixed: &lint::Fixed, lang: Lang, json: bool, checked: usize) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        let body = serde_json::json!({
            "findings": findings.iter().map(|f| f.json(lang)).collect::<Vec<_>>(),
            "fixed": fixed.fixed,
            "fixed_files": fixed.files,
            "deferred": fixed.deferred,
            "checked": checked,
        });
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        );
        return;
    }
    for f in findings {
        let _ = writeln!(out, "{}", crate::diag::render(&f.diagnostic(lang)));
    }
    if fixed.deferred > 0 {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "some fixes touch the same text as others: run `karte lint --fix` again",
                "同じ場所を直す指摘が残っています。もう一度 `karte lint --fix` を実行してください",
            )
        );
    }
}
