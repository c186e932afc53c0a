//! `karte docs generate` and `karte docs serve`: thin wrappers around `crate::docs_site`.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::{display_path, Diagnostics};
use crate::docs_site::{self, text, GenerateOptions, Lang};

/// Compile the project and write target/docs.
pub fn generate(
    args: &ProjectArgs,
    select: &SelectArgs,
    lang: Option<&str>,
    graph_limit: usize,
) -> Result<(), Diagnostics> {
    let started = Instant::now();
    let lang = Lang::choose(lang);
    let compiled = crate::compile(&args.compile_options(select)?)?;
    report(&compiled.diagnostics);
    let site = docs_site::generate(
        &compiled,
        &GenerateOptions {
            lang,
            graph_limit,
            select: select.select.clone(),
        },
    )
    .map_err(|e| Diagnostics(vec![e.to_diagnostic(lang)]))?;
    report(&Diagnostics(site.warnings.clone()));
    println!(
        "{}",
        text::generated(
            lang,
            &site.counts,
            &display_path(&site.dir),
            started.elapsed().as_secs_f64()
        )
    );
    std::mem::forget(compiled);
    Ok(())
}

/// Serve target/docs until interrupted.
pub fn serve(
    args: &ProjectArgs,
    host: IpAddr,
    port: u16,
    lang: Option<&str>,
) -> Result<(), Diagnostics> {
    let lang = Lang::choose(lang);
    let dir = docs_site::site_dir(&args.project_dir);
    let (root, listener) = docs_site::serve::bind(&dir, SocketAddr::new(host, port))
        .map_err(|e| Diagnostics(vec![e.to_diagnostic(lang)]))?;
    let addr = listener.local_addr().map_err(|source| {
        Diagnostics(vec![docs_site::DocsError::Listen {
            addr: format!("{host}:{port}"),
            source,
        }
        .to_diagnostic(lang)])
    })?;
    let url = match addr {
        SocketAddr::V4(a) => format!("http://{}:{}/", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("http://[{}]:{}/", a.ip(), a.port()),
    };
    println!("{}", text::serving(lang, &display_path(&dir), &url));
    docs_site::serve::run(root, listener);
    Ok(())
}
