//! Reaching PostgreSQL: TLS with the server's certificate verified against the given root
//! (`sslmode=verify-full&sslrootcert=FILE`, as libpq spells it), or plain only to a server on
//! this machine. A database URL that would send the hub's data across a network unverified is
//! refused before anything is sent.

use crate::error::{HubError, HubResult};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::PathBuf;
use std::str::FromStr;
use tokio_postgres::config::{Host, SslMode};

/// How the hub talks to its PostgreSQL server.
pub enum PgTransport {
    /// To a server on this machine (loopback or a Unix socket).
    Local,
    /// TLS, the server's certificate chained to `root` and naming the host.
    VerifyFull { root: PathBuf },
}

fn refused(reason: &str) -> HubError {
    HubError::Keys(format!(
        "database URL refused: {reason}. Use sslmode=verify-full&sslrootcert=CA_FILE for a server on another machine / 数据库地址不可用：连接其他主机上的 PostgreSQL 须使用 sslmode=verify-full 并以 sslrootcert 指定根证书"
    ))
}

/// Splits the TLS settings tokio-postgres does not read (`verify-full`, `sslrootcert`) off the
/// URL; the rest is the driver's configuration.
pub fn parse(url: &str) -> HubResult<(tokio_postgres::Config, PgTransport)> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = None;
    let mut root = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", value)) => mode = Some(value.to_string()),
            Some(("sslrootcert", value)) => root = Some(PathBuf::from(value)),
            _ => kept.push(pair),
        }
    }
    let clean = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config = tokio_postgres::Config::from_str(&clean)
        .map_err(|e| refused(&format!("it cannot be read ({e})")))?;
    let local = config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => {
            name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    });
    let transport = match mode.as_deref() {
        Some("verify-full") => {
            let root = root.ok_or_else(|| refused("verify-full needs sslrootcert"))?;
            config.ssl_mode(SslMode::Require);
            PgTransport::VerifyFull { root }
        }
        None | Some("disable" | "prefer" | "allow") if local => {
            config.ssl_mode(SslMode::Disable);
            PgTransport::Local
        }
        Some(other) => {
            return Err(refused(&format!(
                "sslmode={other} does not verify the server"
            )));
        }
        None => {
            return Err(refused(
                "the server is on another machine and no sslmode is set",
            ));
        }
    };
    Ok((config, transport))
}

/// The TLS connector for `verify-full`: the given roots only, host names checked.
pub fn connector(root: &std::path::Path) -> HubResult<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(root)
        .and_then(|c| c.collect::<Result<Vec<_>, _>>())
        .map_err(|e| refused(&format!("sslrootcert {}: {e}", root.display())))?;
    for cert in certs {
        roots
            .add(cert)
            .map_err(|e| refused(&format!("sslrootcert {}: {e}", root.display())))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(tongban_trust::provider())
        .with_safe_default_protocol_versions()
        .map_err(HubError::internal)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_verified_tls_leaves_this_machine() {
        let (config, transport) = parse("postgres://postgres@127.0.0.1:5432/tongban").unwrap();
        assert!(matches!(transport, PgTransport::Local));
        assert_eq!(config.get_ssl_mode(), SslMode::Disable);
        let (config, transport) = parse(
            "postgres://hub@db.county:5432/tongban?sslmode=verify-full&sslrootcert=/etc/ca.crt&connect_timeout=5",
        )
        .unwrap();
        assert!(
            matches!(transport, PgTransport::VerifyFull { root } if root == std::path::Path::new("/etc/ca.crt"))
        );
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        assert_eq!(
            config.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(5))
        );
        for refused in [
            "postgres://hub@db.county/tongban",
            "postgres://hub@db.county/tongban?sslmode=require",
            "postgres://hub@db.county/tongban?sslmode=verify-full",
            "postgres://hub@10.0.0.5/tongban?sslmode=disable",
        ] {
            let e = parse(refused).err().unwrap().to_string();
            assert!(e.contains("verify-full"), "{refused}: {e}");
        }
    }
}
