//! Writing to stdout and stderr without panicking when the reader is gone. `karte ls | head -1`
//! closes the pipe after one line; std's `println!` panics on the next write ("failed printing
//! to stdout: Broken pipe"). The crate's `print!`/`println!`/`eprint!`/`eprintln!` (lib.rs)
//! come here instead: a write that fails stops all further writes to that stream, quietly, and
//! the command goes on and exits as it would have (a build is never cut short because the
//! terminal or pager reading its summary went away).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

/// Write to stdout; nothing once a write to it failed.
pub fn out(args: std::fmt::Arguments) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut o = std::io::stdout().lock();
    if o.write_fmt(args).is_err() {
        STDOUT_GONE.store(true, Ordering::Relaxed);
    }
}

/// Write to stderr; nothing once a write to it failed.
pub fn err(args: std::fmt::Arguments) {
    if STDERR_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut e = std::io::stderr().lock();
    if e.write_fmt(args).is_err() {
        STDERR_GONE.store(true, Ordering::Relaxed);
    }
}
