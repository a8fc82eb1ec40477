//! Archival packages as a desk sees them: what a package check here may trust (the hub's key
//! and its township's desks', as enrolment and sync gave them), and the report signed with this
//! desk's key.

use crate::{Store, StoreError};
use std::path::Path;
use time::OffsetDateTime;
use tongban_archive::{Report, Stage, Trust};
use tongban_sync::ed25519_dalek::SigningKey;

fn rfc3339(now: OffsetDateTime) -> String {
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A check on a machine with no profile: nothing is trusted, so signatures and proofs fail.
pub fn check_untrusted(
    path: &Path,
    stage: Stage,
    now: OffsetDateTime,
) -> Result<Report, StoreError> {
    let trust = Trust {
        year: now.year(),
        scanner: tongban_archive::installed_scanner(),
        ..Trust::default()
    };
    tongban_archive::check_path(path, stage, &trust, &rfc3339(now))
        .map_err(|e| StoreError::Invalid(tongban_domain::Localized::text(&e)))
}

impl Store {
    pub fn archive_trust(&self, now: OffsetDateTime) -> Result<Trust, StoreError> {
        let hub = self.hub_audit_key()?;
        let mut signers = vec![hub];
        let mut stmt = self.conn.prepare("SELECT public_key FROM devices")?;
        for key in stmt.query_map([], |r| r.get::<_, String>(0))? {
            if let Ok(key) = tongban_sync::auth::parse_public_key(&key?) {
                signers.push(key);
            }
        }
        signers.push(SigningKey::from_bytes(self.device_key()?.expose()).verifying_key());
        Ok(Trust {
            signers,
            hub: Some(hub),
            other_codes: None,
            fonds: None,
            year: now.year(),
            scanner: tongban_archive::installed_scanner(),
        })
    }

    /// Checks the package (or batch) at `path` and signs the report with this desk's key.
    pub fn check_archive(
        &self,
        path: &Path,
        stage: Stage,
        now: OffsetDateTime,
    ) -> Result<Report, StoreError> {
        let trust = self.archive_trust(now)?;
        let report = tongban_archive::check_path(path, stage, &trust, &rfc3339(now))
            .map_err(|e| StoreError::Invalid(tongban_domain::Localized::text(&e)))?;
        let enrollment = self.enrollment()?;
        let key = SigningKey::from_bytes(self.device_key()?.expose());
        Ok(report.sign(
            &format!("{} {}", enrollment.township_name, enrollment.device_id),
            &key,
        ))
    }
}
