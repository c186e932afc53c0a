//! Help texts in the user's language: every command's and option's help comes from the message
//! catalogue (`src/i18n/{en,ja}/cli.ftl`), so `karte --help` and `karte build --help` read the
//! same in Japanese and English. The doc comments on the argument structs are for readers of
//! the code; the catalogue is what users see (a test checks every command and option has both).
//!
//! Keys: `cli-<command path>` for a command's about (`cli-karte`, `cli-build`,
//! `cli-source-freshness`), `cli-<command path>--<option id>` for an option of one command, else
//! `cli-opt-<option id>` for an option several commands share (`cli-opt-project_dir`).

use clap::{Arg, ArgAction, Command};

use crate::i18n;

/// The catalogue key for a command's about text.
fn command_key(path: &str) -> String {
    format!("cli-{path}")
}

/// The catalogue key for an option's help: the command's own, else the shared one.
fn arg_key(path: &str, id: &str) -> Option<String> {
    [format!("cli-{path}--{id}"), format!("cli-opt-{id}")]
        .into_iter()
        .find(|k| i18n::has(k))
}

/// clap's own flags, whose help clap writes.
fn builtin(id: &str) -> bool {
    matches!(id, "help" | "version")
}

/// `cmd` (at `path`) and all its subcommands with help texts and headings from the catalogue.
pub fn localize(cmd: Command, lang: i18n::Lang) -> Command {
    localize_at(cmd, "karte", lang)
}

fn localize_at(mut cmd: Command, path: &str, lang: i18n::Lang) -> Command {
    if i18n::has(&command_key(path)) {
        let about = i18n::format_in(lang, &command_key(path), &[]);
        cmd = cmd.about(about.clone()).long_about(about);
    }
    let options = i18n::format_in(lang, "cli-heading-options", &[]);
    let arguments = i18n::format_in(lang, "cli-heading-arguments", &[]);
    cmd = cmd
        .subcommand_help_heading(i18n::format_in(lang, "cli-heading-commands", &[]))
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{}: {{usage}}\n\n{{all-args}}{{after-help}}",
            i18n::format_in(lang, "cli-heading-usage", &[])
        ))
        .disable_help_subcommand(true);
    // clap's own --help and --version, replaced by the same flags with help in the language.
    cmd = cmd.disable_help_flag(true).arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help(i18n::format_in(lang, "cli-opt-help", &[])),
    );
    if path == "karte" {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(i18n::format_in(lang, "cli-opt-version", &[])),
        );
    }
    let p = path.to_string();
    cmd = cmd.mut_args(move |a: Arg| {
        let id = a.get_id().as_str().to_string();
        let heading = if a.is_positional() {
            arguments.clone()
        } else {
            options.clone()
        };
        let a = a.help_heading(heading);
        match arg_key(&p, &id) {
            Some(k) => {
                let text = i18n::format_in(lang, &k, &[]);
                a.help(text.clone()).long_help(text)
            }
            None => a,
        }
    });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = if path == "karte" {
            name.clone()
        } else {
            format!("{path}-{name}")
        };
        cmd = cmd.mut_subcommand(&name, |s| localize_at(s, &sub_path, lang));
    }
    cmd
}

/// Every `(key, what)` the command tree needs, for the test and for writing the catalogue.
pub fn needed(cmd: &Command) -> Vec<(String, String)> {
    let mut out = Vec::new();
    needed_at(cmd, "karte", &mut out);
    out
}

fn needed_at(cmd: &Command, path: &str, out: &mut Vec<(String, String)>) {
    out.push((command_key(path), format!("command `{path}`")));
    for a in cmd.get_arguments() {
        let id = a.get_id().as_str();
        if builtin(id) {
            continue;
        }
        let key = arg_key(path, id).unwrap_or_else(|| format!("cli-{path}--{id}"));
        out.push((key, format!("option `{id}` of `{path}`")));
    }
    for s in cmd.get_subcommands() {
        let sub_path = if path == "karte" {
            s.get_name().to_string()
        } else {
            format!("{path}-{}", s.get_name())
        };
        needed_at(s, &sub_path, out);
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn every_command_and_option_has_help_in_both_languages() {
        let missing: Vec<_> = needed(&crate::cli::Cli::command())
            .into_iter()
            .filter(|(k, _)| !i18n::has(k))
            .collect();
        // Both languages have the same keys: `i18n::tests` checks that.
        assert!(
            missing.is_empty(),
            "add these to src/i18n/en/cli.ftl and src/i18n/ja/cli.ftl: {missing:#?}"
        );
    }

    #[test]
    fn help_is_in_the_chosen_language() {
        for (lang, word) in [(i18n::Lang::En, "Options"), (i18n::Lang::Ja, "オプション")] {
            let mut cmd = localize_in(lang);
            let build = cmd.find_subcommand_mut("build").unwrap();
            let help = build.render_help().to_string();
            assert!(help.contains(word), "{lang:?}: {help}");
        }
    }

    fn localize_in(lang: i18n::Lang) -> Command {
        localize(crate::cli::Cli::command(), lang)
    }
}
