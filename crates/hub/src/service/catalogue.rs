//! The county's implementation list: the catalogue versions it published, handed to every desk
//! with the directory, and the ones the hub judges each case by.

use super::Hub;
use super::admin::HUB_SCOPE;
use crate::db::{HubDb, HubError, HubResult};
use serde::{Deserialize, Serialize};
use tongban_domain::{Catalogue, Catalogues, Localized};

const CATALOGUES_KEY: &str = "catalogues";

/// A catalogue version as the county published it, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub at_ms: i64,
    pub catalogue: Catalogue,
}

impl<D: HubDb> Hub<D> {
    /// Publishes a new catalogue version: checked as an implementation list and newer than every
    /// version known, it reaches desks with their next sync; cases registered before keep theirs.
    pub async fn set_catalogue(&self, json: &str) -> HubResult<Catalogue> {
        let catalogue = Catalogue::from_json(json).map_err(|e| HubError::BadRequest(e.text()))?;
        let mut published = self.published_catalogues().await?;
        Catalogues::with(published.iter().map(|p| p.catalogue.clone()))
            .admit(&catalogue)
            .map_err(|e| HubError::BadRequest(e.text()))?;
        published.push(Published {
            at_ms: super::now_ms(),
            catalogue: catalogue.clone(),
        });
        let text = serde_json::to_string(&published).map_err(HubError::internal)?;
        self.db
            .put_setting(HUB_SCOPE, CATALOGUES_KEY, &text)
            .await?;
        Ok(catalogue)
    }

    /// The versions published at this hub, oldest first (the shipped ones are not listed).
    pub async fn published_catalogues(&self) -> HubResult<Vec<Published>> {
        match self.db.setting(HUB_SCOPE, CATALOGUES_KEY).await? {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| HubError::internal(format!("stored catalogues: {e}"))),
            None => Ok(Vec::new()),
        }
    }

    /// Every version cases may be judged by: shipped and published.
    pub async fn catalogues(&self) -> HubResult<Catalogues> {
        let published = self.published_catalogues().await?;
        Ok(Catalogues::with(published.into_iter().map(|p| p.catalogue)))
    }
}
