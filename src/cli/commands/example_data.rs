//! `karte example-data`: write the example project's synthetic deliveries and answer key.

use std::path::PathBuf;
use std::time::Instant;

use crate::diag::{display_path, Code, Diagnostic, Diagnostics};
use crate::example_data::{generate, Options, Size};

/// The command's options.
#[derive(Debug, clap::Args)]
pub struct ExampleDataArgs {
    /// How much: tiny (300 persons), small (10k), large (1M; for benchmarks).
    #[arg(long, value_enum, default_value = "tiny")]
    size: SizeArg,
    /// Random seed: the same size and seed give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output directory (cleared of an earlier run's files; any other file is refused).
    #[arg(long, default_value = "example_project/deliveries")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SizeArg {
    Tiny,
    Small,
    Large,
}

/// Generate the data.
pub fn run(args: &ExampleDataArgs) -> Result<(), Diagnostics> {
    let size = match args.size {
        SizeArg::Tiny => Size::Tiny,
        SizeArg::Small => Size::Small,
        SizeArg::Large => Size::Large,
    };
    let out = &args.out;
    let started = Instant::now();
    let summary = generate(&Options {
        size,
        seed: args.seed,
        out: out.clone(),
    })
    .map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::AlreadyExists {
            Code::InvalidArgument
        } else {
            Code::Io
        };
        Diagnostics(vec![Diagnostic::error(
            code,
            crate::t!(
                "example-data-cannot-write",
                path = out,
                error = e.to_string()
            ),
        )])
    })?;
    println!(
        "{}",
        crate::t!(
            "example-data-wrote",
            zips = summary.zip_files.to_string(),
            files = summary.entries.to_string(),
            mb = format!("{:.1}", summary.zip_bytes as f64 / 1_000_000.0),
            persons = summary.persons.to_string(),
            first = summary.first_month.to_string(),
            last = summary.last_month.to_string(),
            seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
            receipts = summary.medical_receipts.to_string(),
            answer = display_path(&out.join("answer_key.json")),
        )
    );
    Ok(())
}
