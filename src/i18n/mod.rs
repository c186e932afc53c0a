//! Messages in Japanese and English: one catalogue of Fluent files compiled into the binary.
//!
//! Every text karte shows a person — diagnostics, summaries, progress lines, help — is a message
//! id in `src/i18n/en/<area>.ftl` and `src/i18n/ja/<area>.ftl`, formatted by [`t!`] in the
//! language chosen once per process ([`set_lang`]): `--lang ja|en`, else `KARTE_LANG`, else the
//! locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: `ja_JP.UTF-8` → Japanese), else English.
//! Fluent does the argument formatting and plural selection (`{ $count -> [one] … *[other] … }`);
//! a test checks that both languages have the same ids with the same arguments.
//!
//! Codes, file:line:col and carets are not messages: they are the same in both languages.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language karte speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl Lang {
    /// Both languages, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    /// `ja` or `en`, as `--lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// A language from `--lang`, `KARTE_LANG` or a locale name (`ja`, `ja_JP.UTF-8`, `en_US`…).
    pub fn parse(value: &str) -> Option<Lang> {
        let v = value.trim().to_ascii_lowercase();
        if v.starts_with("ja") {
            Some(Lang::Ja)
        } else if v.starts_with("en") || v == "c" || v.starts_with("c.") || v == "posix" {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// `--lang` if given, else `KARTE_LANG`, else the locale, else English.
    pub fn choose(flag: Option<&str>) -> Lang {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        flag.and_then(Lang::parse)
            .or_else(|| env("KARTE_LANG").as_deref().and_then(Lang::parse))
            // POSIX order: LC_ALL overrides LC_MESSAGES overrides LANG.
            .or_else(|| {
                ["LC_ALL", "LC_MESSAGES", "LANG"]
                    .iter()
                    .find_map(|n| env(n))
                    .as_deref()
                    .and_then(Lang::parse)
            })
            .unwrap_or(Lang::En)
    }

    /// Pick the text of this language (for texts that are data, not messages, e.g. a rule
    /// table that carries both).
    pub fn pick<'a>(self, en: &'a str, ja: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }
}

/// 0: not chosen yet (chosen from the environment on first use), 1: English, 2: Japanese.
static LANG: AtomicU8 = AtomicU8::new(0);

/// Set the language of this process (the CLI does, once, from `--lang`).
pub fn set_lang(lang: Lang) {
    LANG.store(
        match lang {
            Lang::En => 1,
            Lang::Ja => 2,
        },
        Ordering::Relaxed,
    );
}

/// The language of this process.
pub fn lang() -> Lang {
    match LANG.load(Ordering::Relaxed) {
        1 => Lang::En,
        2 => Lang::Ja,
        _ => {
            let l = Lang::choose(None);
            set_lang(l);
            l
        }
    }
}

macro_rules! areas {
    ($($area:literal),* $(,)?) => {
        /// `(area, English source, Japanese source)` of every catalogue file.
        pub const FILES: &[(&str, &str, &str)] = &[
            $(($area,
               include_str!(concat!("en/", $area, ".ftl")),
               include_str!(concat!("ja/", $area, ".ftl"))),)*
        ];
    };
}

// One file per area; add a line when you add a pair of files.
#[rustfmt::skip]
areas![
    "diag",
    "cli",
    "project",
    "render",
    "sql",
    "graph",
    "lineage",
    "governance",
    "access",
    "state",
    "compile",
    "lint",
    "run",
    "show",
    "scaffold",
    "commands",
    "plan",
    "upstream",
    "engine",
    "ingest",
    "import_sql",
    "dbt",
    "build",
    "translate",
    "notify",
];

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang) -> &'static Bundle {
    static EN: OnceLock<Bundle> = OnceLock::new();
    static JA: OnceLock<Bundle> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::Ja => &JA,
    };
    cell.get_or_init(|| {
        let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
        let mut b = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks around arguments: output goes to terminals and logs.
        b.set_use_isolating(false);
        for (_, en, ja) in FILES {
            let src = match lang {
                Lang::En => en,
                Lang::Ja => ja,
            };
            // A syntax error in a catalogue file keeps the messages that parsed; the test
            // `catalogue_files_parse` fails on it, so it never ships.
            let res = FluentResource::try_new((*src).to_string()).unwrap_or_else(|(r, _)| r);
            // Duplicate ids are caught by the same test; the first one wins here.
            let _ = b.add_resource(res);
        }
        b
    })
}

/// An argument of a message: strings and numbers (numbers select plural forms).
pub trait Arg {
    /// As a Fluent value.
    fn value(&self) -> FluentValue<'static>;
}

impl Arg for str {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.to_string())
    }
}
impl Arg for String {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.clone())
    }
}
impl Arg for smol_str::SmolStr {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.to_string())
    }
}
impl Arg for std::path::Path {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(crate::diag::display_path(self))
    }
}
impl Arg for std::path::PathBuf {
    fn value(&self) -> FluentValue<'static> {
        self.as_path().value()
    }
}
impl<T: Arg + ?Sized> Arg for &T {
    fn value(&self) -> FluentValue<'static> {
        (**self).value()
    }
}
macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn value(&self) -> FluentValue<'static> {
                FluentValue::from(*self)
            }
        }
    )*};
}
number_args!(usize, u64, u32, u16, u8, i64, i32, f64);

/// Format message `id` in `lang` with `args`. An id missing from the catalogue gives the id
/// itself (a test checks every id the code uses exists in both languages).
pub fn format_in(lang: Lang, id: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    let b = bundle(lang);
    let Some(pattern) = b.get_message(id).and_then(|m| m.value()) else {
        return id.to_string();
    };
    let fargs = (!args.is_empty()).then(|| {
        let mut a = FluentArgs::with_capacity(args.len());
        for (k, v) in args {
            a.set(*k, v.clone());
        }
        a
    });
    let mut errors = Vec::new();
    b.format_pattern(pattern, fargs.as_ref(), &mut errors)
        .into_owned()
}

/// Format message `id` in the process's language.
pub fn format(id: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    format_in(lang(), id, args)
}

/// True if the catalogue has message `id` (both languages are checked by a test).
pub fn has(id: &str) -> bool {
    bundle(Lang::En).has_message(id)
}

/// A message in the process's language: `t!("summary-errors", count = n)`.
/// Arguments are strings, paths or numbers (see [`Arg`]); `t!(lang => "summary-errors", count = n)` picks the
/// language explicitly.
#[macro_export]
macro_rules! t {
    ($lang:expr => $id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::format_in(
            $lang,
            $id,
            &[$((stringify!($name), $crate::i18n::Arg::value(&$value))),*],
        )
    };
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::format(
            $id,
            &[$((stringify!($name), $crate::i18n::Arg::value(&$value))),*],
        )
    };
}

pub mod recorded;

#[cfg(test)]
mod tests;
