//! Archival packages at the hub: checks trust the hub's own key and the enrolled desks of the
//! package's township, as the hub's records list them, and the report is signed by the hub.

use super::Hub;
use crate::db::HubDb;
use crate::error::{HubError, HubResult};
use std::path::Path;
use tongban_archive::{Report, Stage, Trust};

/// The townships whose packages are at `path`: from each bag's External-Identifier (a case
/// number begins with its township's code).
fn townships_at(path: &Path) -> Vec<String> {
    let bags = if path.join("bagit.txt").is_file() {
        vec![path.to_path_buf()]
    } else {
        tongban_archive::packages_in(path)
    };
    let mut townships: Vec<String> = bags
        .iter()
        .filter_map(|bag| std::fs::read_to_string(bag.join("bag-info.txt")).ok())
        .filter_map(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("External-Identifier:"))
                .and_then(|id| id.trim().split('-').next().map(str::to_string))
        })
        .collect();
    townships.sort();
    townships.dedup();
    townships
}

impl<D: HubDb> Hub<D> {
    pub async fn check_archive(&self, path: &Path, stage: Stage) -> HubResult<Report> {
        let hub = self.audit.verifying_key();
        let mut signers = vec![hub];
        for township in townships_at(path) {
            for device in self.db.devices(&township).await? {
                if let Ok(key) = tongban_sync::auth::parse_public_key(&device.public_key) {
                    signers.push(key);
                }
            }
        }
        let china = time::UtcOffset::from_hms(8, 0, 0).map_err(HubError::internal)?;
        let now = time::OffsetDateTime::now_utc().to_offset(china);
        let now = now.replace_nanosecond(0).unwrap_or(now);
        let trust = Trust {
            signers,
            hub: Some(hub),
            other_codes: None,
            fonds: None,
            year: now.year(),
            scanner: tongban_archive::installed_scanner(),
        };
        let at = now
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(HubError::internal)?;
        let report = tongban_archive::check_path(path, stage, &trust, &at)
            .map_err(|e| HubError::BadRequest(tongban_domain::Localized::text(&e)))?;
        Ok(self.audit.sign_archive_report(report))
    }
}
