//! The hub's keys, kept outside the data they protect: a folder only the hub's user can read
//! (0700, files 0600), beside the data folder by default (`DATA_DIR-keys`), or the service
//! manager's credentials (`$CREDENTIALS_DIRECTORY`). Losing this folder loses the data, so it is
//! backed up apart from the data (README: deploying the hub).
//!
//! - `storage.key`: the root of encryption at rest (database, sealed columns, pages).
//! - `audit.key`: signs the audit log's checkpoints.
//! - `tls.crt`, `tls.key`: the hub's TLS certificate and key, made on first start unless a
//!   county's certificate is given; its fingerprint travels in every enrolment code.
//! - `tls-next.crt`, `tls-next.key`: the key desks are told to trust next (`key rotate`).

use crate::error::{HubError, HubResult};
use crate::sealing::StorageKey;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::Write;
use std::path::{Path, PathBuf};
use tongban_audit::ed25519_dalek::SigningKey;
use tongban_trust::Fingerprint;
use zeroize::Zeroizing;

pub const STORAGE_KEY: &str = "storage.key";
pub const AUDIT_KEY: &str = "audit.key";
pub const TLS_CERT: &str = "tls.crt";
pub const TLS_KEY: &str = "tls.key";
pub const NEXT_TLS_CERT: &str = "tls-next.crt";
pub const NEXT_TLS_KEY: &str = "tls-next.key";
pub const OLD_TLS_CERT: &str = "tls-previous.crt";
pub const OLD_TLS_KEY: &str = "tls-previous.key";

fn keys_error(what: &str, path: &Path, e: impl std::fmt::Display) -> HubError {
    HubError::Keys(format!(
        "{what} {}: {e} / 密钥文件{}出错：{e}",
        path.display(),
        path.display()
    ))
}

#[derive(Debug, Clone)]
pub struct KeyDir {
    dir: PathBuf,
}

/// The hub's TLS certificate chain and key, with the fingerprint desks pin.
pub struct TlsIdentity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub fingerprint: Fingerprint,
}

impl TlsIdentity {
    pub fn load(cert: &Path, key: &Path) -> HubResult<Self> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| keys_error("TLS certificate", cert, e))?;
        let leaf = chain
            .first()
            .ok_or_else(|| keys_error("TLS certificate", cert, "no certificate in the file"))?;
        let fingerprint = Fingerprint::of_certificate(leaf.as_ref())
            .map_err(|e| keys_error("TLS certificate", cert, e))?;
        check_private(key)?;
        let key = PrivateKeyDer::from_pem_file(key).map_err(|e| keys_error("TLS key", key, e))?;
        Ok(Self {
            chain,
            key,
            fingerprint,
        })
    }

    pub fn certificate(&self) -> &[u8] {
        self.chain.first().map_or(&[], |c| c.as_ref())
    }
}

impl KeyDir {
    /// `explicit`, or `DATA_DIR-keys` beside the data folder. Never inside the data folder.
    pub fn locate(data_dir: &Path, explicit: Option<&Path>) -> HubResult<Self> {
        let absolute = |p: &Path| std::path::absolute(p).map_err(|e| keys_error("folder", p, e));
        let data = absolute(data_dir)?;
        let dir = match explicit {
            Some(dir) => absolute(dir)?,
            None => {
                let name = data.file_name().ok_or_else(|| {
                    HubError::Keys(format!(
                        "pass --key-dir: {} has no name to put the keys beside / 请用 --key-dir 指定密钥目录",
                        data.display()
                    ))
                })?;
                let mut name = name.to_os_string();
                name.push("-keys");
                data.with_file_name(name)
            }
        };
        if dir.starts_with(&data) {
            return Err(HubError::Keys(format!(
                "the key folder {} is inside the data folder {}; keys must live apart from the data they protect / 密钥目录不能位于数据目录之内",
                dir.display(),
                data.display()
            )));
        }
        Ok(Self { dir })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn ensure_dir(&self) -> HubResult<()> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.dir)
            .map_err(|e| keys_error("key folder", &self.dir, e))
    }

    /// A file from the service manager's credentials, when it provides one of that name.
    fn credential(name: &str) -> Option<PathBuf> {
        let dir = std::env::var_os("CREDENTIALS_DIRECTORY")?;
        let path = Path::new(&dir).join(name);
        path.is_file().then_some(path)
    }

    /// Writes a new key file unless one appeared meanwhile (another hub process): the content
    /// goes to a private temporary file, which is then linked into place; linking fails if the
    /// name exists, so two processes never both win. `true` when this call made it.
    fn create_file(&self, name: &str, content: &[u8]) -> HubResult<bool> {
        self.ensure_dir()?;
        let path = self.file(name);
        let tmp = self.file(&format!(".{name}.{}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&tmp).and_then(|mut f| {
            f.write_all(content)?;
            f.sync_all()
        });
        let linked = written.and_then(|()| std::fs::hard_link(&tmp, &path));
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(keys_error("key", &path, e)),
        }
    }

    /// A 32-byte secret kept as hex, made when `create` allows and it is missing.
    fn secret(&self, name: &str, create: bool) -> HubResult<Option<Zeroizing<[u8; 32]>>> {
        let path = Self::credential(name).unwrap_or_else(|| self.file(name));
        if !path.exists() {
            if !create {
                return Ok(None);
            }
            let mut bytes = Zeroizing::new([0u8; 32]);
            getrandom::fill(bytes.as_mut_slice()).map_err(HubError::internal)?;
            self.create_file(
                name,
                format!("{}\n", hex::encode(bytes.as_slice())).as_bytes(),
            )?;
        }
        check_private(&path)?;
        let text = Zeroizing::new(
            std::fs::read_to_string(&path).map_err(|e| keys_error("key", &path, e))?,
        );
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), bytes.as_mut_slice())
            .map_err(|_| keys_error("key", &path, "not 64 hex digits"))?;
        Ok(Some(bytes))
    }

    /// The storage key; made only when `create` (a database not yet holding anything).
    pub fn storage_key(&self, create: bool) -> HubResult<StorageKey> {
        self.secret(STORAGE_KEY, create)?
            .map(|bytes| StorageKey::from_bytes(*bytes))
            .ok_or_else(|| {
                HubError::Keys(format!(
                    "the hub's storage key {} is missing; put back the key folder that belongs to this data (a new key cannot open it) / 中心存储密钥{}缺失，请放回与数据配套的密钥目录",
                    self.file(STORAGE_KEY).display(),
                    self.file(STORAGE_KEY).display()
                ))
            })
    }

    /// The audit signing key: the given one the first time (moved out of an older database),
    /// otherwise made on first use.
    pub fn audit_key(&self, moved_from_database: Option<[u8; 32]>) -> HubResult<SigningKey> {
        if let Some(bytes) = moved_from_database
            && !self.file(AUDIT_KEY).exists()
        {
            self.create_file(AUDIT_KEY, format!("{}\n", hex::encode(bytes)).as_bytes())?;
        }
        let bytes = self
            .secret(AUDIT_KEY, true)?
            .ok_or_else(|| HubError::Keys("audit key vanished".into()))?;
        Ok(SigningKey::from_bytes(&bytes))
    }

    /// The hub's TLS identity: the county's certificate when given, else the one in this
    /// folder, made (self-signed, for `hosts`) when `create` allows and there is none.
    pub fn tls(
        &self,
        given: Option<(&Path, &Path)>,
        create: bool,
        hosts: &[String],
    ) -> HubResult<TlsIdentity> {
        if let Some((cert, key)) = given {
            return TlsIdentity::load(cert, key);
        }
        let (cert, key) = (self.file(TLS_CERT), self.file(TLS_KEY));
        if !cert.exists() && create {
            let (cert_pem, key_pem) = self_signed(hosts)?;
            if self.create_file(TLS_KEY, key_pem.as_bytes())? {
                self.create_file(TLS_CERT, cert_pem.as_bytes())?;
            } else {
                // Another hub process starting at the same moment made the key: its
                // certificate follows within moments.
                for _ in 0..50 {
                    if cert.exists() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            }
        }
        TlsIdentity::load(&cert, &key)
    }

    /// The key announced to desks as the next one, if a rotation is under way.
    pub fn next_tls(&self) -> HubResult<Option<TlsIdentity>> {
        let (cert, key) = (self.file(NEXT_TLS_CERT), self.file(NEXT_TLS_KEY));
        if !cert.exists() {
            return Ok(None);
        }
        TlsIdentity::load(&cert, &key).map(Some)
    }

    /// Starts a rotation: the next key (the given certificate, or a new self-signed one).
    pub fn prepare_next_tls(
        &self,
        given: Option<(&Path, &Path)>,
        hosts: &[String],
    ) -> HubResult<TlsIdentity> {
        if self.file(NEXT_TLS_CERT).exists() {
            return Err(HubError::Keys(
                "a key rotation is already under way; finish it with `tongban-hub key promote` / 密钥轮换已在进行中，请先用 tongban-hub key promote 完成"
                    .into(),
            ));
        }
        let (cert_pem, key_pem) = match given {
            Some((cert, key)) => (
                std::fs::read_to_string(cert)
                    .map_err(|e| keys_error("TLS certificate", cert, e))?,
                std::fs::read_to_string(key).map_err(|e| keys_error("TLS key", key, e))?,
            ),
            None => self_signed(hosts)?,
        };
        self.create_file(NEXT_TLS_KEY, key_pem.as_bytes())?;
        self.create_file(NEXT_TLS_CERT, cert_pem.as_bytes())?;
        TlsIdentity::load(&self.file(NEXT_TLS_CERT), &self.file(NEXT_TLS_KEY))
    }

    /// Ends a rotation: the next key becomes the hub's key; the old one is kept aside.
    pub fn promote_next_tls(&self) -> HubResult<TlsIdentity> {
        let next = self.next_tls()?.ok_or_else(|| {
            HubError::Keys(
                "no key rotation is under way; start one with `tongban-hub key rotate` / 没有进行中的密钥轮换".into(),
            )
        })?;
        let rename = |from: &str, to: &str| {
            std::fs::rename(self.file(from), self.file(to))
                .map_err(|e| keys_error("key", &self.file(from), e))
        };
        rename(TLS_CERT, OLD_TLS_CERT)?;
        rename(TLS_KEY, OLD_TLS_KEY)?;
        rename(NEXT_TLS_KEY, TLS_KEY)?;
        rename(NEXT_TLS_CERT, TLS_CERT)?;
        Ok(next)
    }
}

/// A self-signed certificate with an ECDSA P-256 key (every browser and TLS library takes it),
/// for the given host names and addresses; it never expires, since desks trust the key itself.
fn self_signed(hosts: &[String]) -> HubResult<(String, String)> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    names.extend(hosts.iter().filter(|h| !h.is_empty()).cloned());
    names.dedup();
    let mut params = rcgen::CertificateParams::new(names).map_err(HubError::internal)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "tongban-hub");
    let key = rcgen::KeyPair::generate().map_err(HubError::internal)?;
    let cert = params.self_signed(&key).map_err(HubError::internal)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Key files readable by anyone but the hub's user are refused, as ssh refuses them.
fn check_private(path: &Path) -> HubResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| keys_error("key", path, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(HubError::Keys(format!(
                "{} can be read by other users (mode {:o}); run chmod 600 on it / 密钥文件{}可被其他用户读取，请执行 chmod 600",
                path.display(),
                mode & 0o777,
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn keys_live_beside_the_data_are_private_and_made_once() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("hub");
        let keys = KeyDir::locate(&data, None).unwrap();
        assert_eq!(keys.path(), root.path().join("hub-keys"));
        assert!(KeyDir::locate(&data, Some(&data.join("keys"))).is_err());

        assert!(keys.storage_key(false).is_err());
        let first = keys.storage_key(true).unwrap().sqlcipher();
        assert_eq!(*keys.storage_key(false).unwrap().sqlcipher(), *first);
        let audit = keys.audit_key(None).unwrap();
        assert_eq!(
            keys.audit_key(Some([1; 32])).unwrap().to_bytes(),
            audit.to_bytes()
        );

        let tls = keys.tls(None, true, &["hub.example".into()]).unwrap();
        let again = keys.tls(None, false, &[]).unwrap();
        assert_eq!(tls.fingerprint, again.fingerprint);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for name in [STORAGE_KEY, AUDIT_KEY, TLS_KEY] {
                let mode = std::fs::metadata(keys.file(name))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600, "{name}");
            }
            let mode = std::fs::metadata(keys.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
            std::fs::set_permissions(
                keys.file(STORAGE_KEY),
                std::fs::Permissions::from_mode(0o644),
            )
            .unwrap();
            let refused = keys.storage_key(false).err().unwrap().to_string();
            assert!(refused.contains("chmod 600"), "{refused}");
        }
    }

    #[test]
    fn a_rotation_announces_then_promotes_the_next_key() {
        let root = tempfile::tempdir().unwrap();
        let keys = KeyDir::locate(&root.path().join("hub"), None).unwrap();
        let current = keys.tls(None, true, &[]).unwrap();
        assert!(keys.next_tls().unwrap().is_none());
        assert!(keys.promote_next_tls().is_err());
        let next = keys.prepare_next_tls(None, &[]).unwrap();
        assert_ne!(next.fingerprint, current.fingerprint);
        assert!(keys.prepare_next_tls(None, &[]).is_err());
        assert_eq!(
            keys.next_tls().unwrap().unwrap().fingerprint,
            next.fingerprint
        );
        keys.promote_next_tls().unwrap();
        assert_eq!(
            keys.tls(None, false, &[]).unwrap().fingerprint,
            next.fingerprint
        );
        assert!(keys.next_tls().unwrap().is_none());
    }
}
