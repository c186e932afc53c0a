//! `karte docs serve`: a small static file server for `target/docs` on a loopback address.
//! GET and HEAD only; a path that leaves the site's folder (`..`, an absolute path, a link
//! pointing out) is refused. One thread per connection; the site is a few files per page.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::DocsError;

/// A response: status line, content type, body.
#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    /// 200, 403, 404, 405.
    pub status: u16,
    /// Content-Type.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }
}

/// Check that `root` holds a site and listen on `addr` (a loopback address).
pub fn bind(root: &Path, addr: SocketAddr) -> Result<(PathBuf, TcpListener), DocsError> {
    if !root.join("index.html").is_file() {
        return Err(DocsError::NoSite(root.to_path_buf()));
    }
    if !addr.ip().is_loopback() {
        return Err(DocsError::NotLoopback(addr.ip().to_string()));
    }
    let root = root
        .canonicalize()
        .map_err(|_| DocsError::NoSite(root.to_path_buf()))?;
    let listener = TcpListener::bind(addr).map_err(|source| DocsError::Listen {
        addr: addr.to_string(),
        source,
    })?;
    Ok((root, listener))
}

/// Answer connections until the process ends.
pub fn run(root: PathBuf, listener: TcpListener) {
    let root = std::sync::Arc::new(root);
    for stream in listener.incoming().flatten() {
        let root = root.clone();
        std::thread::spawn(move || {
            let _ = connection(&root, stream);
        });
    }
}

fn connection(root: &Path, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    // The headers are read and ignored.
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let resp = answer(root, method, target);
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len()
    )?;
    if method != "HEAD" {
        out.write_all(&resp.body)?;
    }
    out.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Method Not Allowed",
    }
}

/// The response to `method target` for a site in `root` (canonical).
pub fn answer(root: &Path, method: &str, target: &str) -> Response {
    if method != "GET" && method != "HEAD" {
        return Response::text(405, "only GET and HEAD\n");
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = match percent_encoding::percent_decode_str(path).decode_utf8() {
        Ok(p) => p.to_string(),
        Err(_) => return Response::text(404, "not found\n"),
    };
    let Some(rel) = decoded.strip_prefix('/') else {
        return Response::text(403, "forbidden\n");
    };
    let rel = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    // Only plain names: no `..`, no `.`, no empty segment, no backslash or NUL.
    if rel.contains(['\\', '\0'])
        || rel
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Response::text(403, "forbidden\n");
    }
    let file = root.join(&rel);
    // A link inside the site that points out of it is refused too.
    match file.canonicalize() {
        Ok(real) if real.starts_with(root) && real.is_file() => match std::fs::read(&real) {
            Ok(body) => Response {
                status: 200,
                content_type: content_type(&real),
                body,
            },
            Err(_) => Response::text(404, "not found\n"),
        },
        Ok(real) if !real.starts_with(root) => Response::text(403, "forbidden\n"),
        _ => Response::text(404, "not found\n"),
    }
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("docs");
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::write(root.join("index.html"), "<html>受診</html>").unwrap();
        std::fs::write(root.join("data/index.js"), "x()").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "no").unwrap();
        let root = root.canonicalize().unwrap();
        (dir, root)
    }

    #[test]
    fn serves_files_of_the_site() {
        let (_d, root) = site();
        let r = answer(&root, "GET", "/");
        assert_eq!(
            (r.status, r.content_type),
            (200, "text/html; charset=utf-8")
        );
        assert_eq!(String::from_utf8(r.body).unwrap(), "<html>受診</html>");
        let r = answer(&root, "GET", "/data/index.js?v=1");
        assert_eq!(
            (r.status, r.content_type),
            (200, "text/javascript; charset=utf-8")
        );
        assert_eq!(answer(&root, "GET", "/nope.js").status, 404);
        assert_eq!(answer(&root, "POST", "/").status, 405);
    }

    #[test]
    fn refuses_paths_outside_the_site() {
        let (_d, root) = site();
        for p in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/data/../../secret.txt",
            "/data/%2E%2E/%2e%2e/secret.txt",
            "//etc/passwd",
            "/..%5csecret.txt",
            "http://x/../secret.txt",
        ] {
            let r = answer(&root, "GET", p);
            assert_eq!(r.status, 403, "{p}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("../secret.txt"), root.join("out.txt")).unwrap();
            assert_eq!(answer(&root, "GET", "/out.txt").status, 403);
        }
    }

    #[test]
    fn answers_over_tcp_on_loopback_only() {
        let (_d, root) = site();
        assert!(matches!(
            bind(&root, "0.0.0.0:0".parse().unwrap()),
            Err(DocsError::NotLoopback(_))
        ));
        let (root, listener) = bind(&root, "127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || run(root, listener));
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut got = String::new();
        std::io::Read::read_to_string(&mut s, &mut got).unwrap();
        assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
        assert!(got.ends_with("<html>受診</html>"), "{got}");
    }
}
