//! 好差评 at the hub: the applicant rates a decided case on its query page, once. The hub
//! writes the rating into the case as its own event (so it reaches the township's desks with
//! the next sync, and every figure reads it from the timeline) and as its own signed entry in
//! the township's log. A 差评 is due for rectification so many working days on; a township
//! supervisor closes it on a desk, as a move the hub checks like any other.

use super::citizen::CitizenView;
use super::{Hub, doc_context, now_ms};
use crate::db::{HubDb, HubError, HubResult, SyncedDoc};
use std::net::IpAddr;
use tongban_audit::{AuditAction, AuditEvent, Outcome};
use tongban_domain::rating::{
    self, BadReason, DEFAULT_RECTIFY_DAYS, MAX_RECTIFY_DAYS, Rating, RatingRefused, Satisfaction,
};
use tongban_domain::{EventKind, Localized, text};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::case_doc;

const RECTIFY_DAYS_KEY: &str = "rectify_days";
/// How often the write is tried again when a desk's sync stored the case meanwhile.
const MAX_WRITE_ATTEMPTS: usize = 8;

/// What the rating form sends, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub comment: String,
}

impl RatingForm {
    fn rating(&self) -> HubResult<Rating> {
        let level = Satisfaction::parse(&self.level).ok_or_else(|| {
            HubError::BadRequest(text!(
                "choose one of the five levels, from very satisfied to very dissatisfied",
                "请选择评价等级（非常满意至非常不满意）"
            ))
        })?;
        let reason = match self.reason.trim() {
            "" => None,
            given => Some(BadReason::parse(given).ok_or_else(|| {
                HubError::BadRequest(text!(
                    "{given:?} is not a reason on the list",
                    "“{given}”不是可选的差评原因"
                ))
            })?),
        };
        Rating::checked(level, reason, Some(&self.comment)).map_err(refused)
    }
}

fn refused(e: RatingRefused) -> HubError {
    match e {
        RatingRefused::NotDecided | RatingRefused::AlreadyRated => HubError::Forbidden(e.text()),
        _ => HubError::BadRequest(e.text()),
    }
}

impl<D: HubDb> Hub<D> {
    /// Working days a township has to rectify a 差评.
    pub async fn rectify_days(&self) -> HubResult<u16> {
        Ok(self
            .db
            .setting("", RECTIFY_DAYS_KEY)
            .await?
            .and_then(|text| text.parse().ok())
            .unwrap_or(DEFAULT_RECTIFY_DAYS))
    }

    pub async fn set_rectify_days(&self, days: u16) -> HubResult<()> {
        if !(1..=MAX_RECTIFY_DAYS).contains(&days) {
            return Err(HubError::BadRequest(text!(
                "rectification takes 1 to {MAX_RECTIFY_DAYS} working days",
                "整改期限须为1至{MAX_RECTIFY_DAYS}个工作日"
            )));
        }
        self.db
            .put_setting("", RECTIFY_DAYS_KEY, &days.to_string())
            .await
    }

    /// Takes the applicant's rating of a decided case, for whoever holds its number and query
    /// code, and answers the page as it now stands.
    pub async fn rate(
        &self,
        number: &str,
        code: &str,
        peer: IpAddr,
        form: &RatingForm,
    ) -> HubResult<CitizenView> {
        let case = self.citizen_case(number, code, peer).await?;
        let rating = form.rating()?;
        let calendar = self.work_calendar().await?;
        let days = self.rectify_days().await?;
        let township = case.number.township().to_owned();
        let number = case.number.as_str();
        let hub_device = tongban_audit::hub_device(&township);
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let stored = self
                .db
                .doc(&township, number)
                .await?
                .ok_or_else(|| HubError::internal("a rated case is gone"))?;
            let bytes = self
                .sealer
                .open(&doc_context(&township, number), &stored.bytes)?;
            let mut doc = AutoCommit::load(&bytes).map_err(HubError::internal)?;
            let before = case_doc::read(&doc).map_err(HubError::internal)?;
            let event = rating::plan_rating(
                &before,
                rating.clone(),
                now_ms(),
                &hub_device,
                &calendar,
                days,
            )
            .map_err(refused)?;
            case_doc::record_hub_event(&mut doc, &hub_device, &event)
                .map_err(HubError::internal)?;
            let after = case_doc::read(&doc).map_err(HubError::internal)?;
            let reported = after.events.iter().any(|e| e.kind == EventKind::Forwarded);
            let shared_with = if reported {
                self.shared_unit(&township).await?
            } else {
                None
            };
            let pages = after
                .all_pages()
                .map(|(_, _, p)| p.sha256.clone())
                .collect();
            let write = self.sealed_write(
                &township,
                number,
                &mut doc,
                Some(&after),
                Some(stored.version),
                pages,
            )?;
            let digest = write.digest.clone();
            let synced = SyncedDoc {
                township: township.clone(),
                doc_id: number.to_owned(),
                shared_with,
                write: Some(write),
                state: None,
            };
            if !self
                .db
                .put_synced(&hub_device, vec![synced])
                .await?
                .is_empty()
            {
                // A desk's sync stored the case first: read it again, rated or not.
                continue;
            }
            self.log_rating(&township, number, &event, digest).await?;
            tracing::info!(case = %number, level = rating.level.as_str(), "rated");
            // The page as it now stands, from the case just written: no second read, and no
            // second pass through the wrong-code check.
            return self.view_of(&after, &calendar).await;
        }
        Err(HubError::internal(format!("case {number} kept changing")))
    }

    /// The rating as the hub's own entry in the township's log: the level, the reason from the
    /// list and the last day to rectify; never the applicant's words.
    async fn log_rating(
        &self,
        township: &str,
        number: &str,
        event: &tongban_domain::CaseEvent,
        digest: String,
    ) -> HubResult<()> {
        let rating = event
            .rating
            .as_ref()
            .ok_or_else(|| HubError::internal("a rating event without its rating"))?;
        let mut detail = format!("好差评：{}", rating.level.label_zh());
        if let Some(reason) = rating.reason {
            detail.push_str(&format!("（{}）", reason.label_zh()));
        }
        if let Some(due) = &event.due {
            detail.push_str(&format!("，整改期限{due}"));
        }
        let entry = AuditEvent {
            at_ms: event.at_ms,
            user: rating::APPLICANT.to_owned(),
            action: AuditAction::Rate,
            object: number.to_owned(),
            outcome: Outcome::Done,
            detail,
            digest,
            ..tongban_audit::next_event(None, "", 0)
        };
        self.audit.log_own(&self.db, township, entry).await?;
        Ok(())
    }
}
