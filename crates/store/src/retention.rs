//! Audit retention: an administrator may remove this desk's events once they are older than the
//! retention period and the hub has logged them (the township log keeps them). The newest event
//! always stays, and the last removed event's head is kept as the anchor the remaining trail is
//! verified from.

use crate::audit::Access;
use crate::{Store, StoreError, now_ms};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};
use time::OffsetDateTime;
use tongban_audit::{AuditAction, Head};
use tongban_domain::session::Session;
use tongban_domain::{Action, Denied};

/// Audit events are kept at least this long.
pub const RETENTION_DAYS: i64 = 180;
const ANCHOR: &str = "audit_anchor";

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum RetentionError {
    TooRecent(String),
    NotLogged(u64),
}

impl tongban_domain::l10n::Localized for RetentionError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::TooRecent(date) => text!(
                "audit events are kept at least {RETENTION_DAYS} days: choose a date on or before {date}",
                "审计记录至少保留{RETENTION_DAYS}天：请选择{date}或更早的日期"
            ),
            Self::NotLogged(event) => text!(
                "audit event {event} from before that date has not reached the hub yet; sync first",
                "该日期前的第{event}条审计记录尚未上传中心，请先同步"
            ),
        }
    }
}

impl Store {
    /// Removes this desk's events recorded before `before_ms`; returns how many went.
    pub fn prune_audit(
        &mut self,
        session: &Session,
        before_ms: i64,
        now: OffsetDateTime,
    ) -> Result<Result<u64, RetentionError>, StoreError> {
        if !session.role.may(Action::PruneAudit) {
            let denied = Denied::Role(session.role, Action::PruneAudit);
            self.refuse(session, Action::PruneAudit, None, &denied, now)?;
            return Err(denied.into());
        }
        let latest = now - time::Duration::days(RETENTION_DAYS);
        if before_ms > now_ms(latest) {
            let day = latest.to_offset(crate::china_now().offset()).date();
            return Ok(Err(RetentionError::TooRecent(day.to_string())));
        }
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let newest = crate::audit::head(&tx)?.map_or(0, |h| h.seq);
        // A prefix of the trail goes, ending before its first event that is still young (a
        // clock set back could put one early), and never the newest event.
        let young: Option<i64> = tx.query_row(
            "SELECT min(seq) FROM audit_events WHERE at_ms >= ?1",
            [before_ms],
            |r| r.get(0),
        )?;
        let end = young.map_or(newest as i64, |y| y.min(newest as i64));
        let last: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT seq, hash FROM audit_events WHERE seq < ?1 ORDER BY seq DESC LIMIT 1",
                [end],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((last, hash)) = last else {
            return Ok(Ok(0));
        };
        let unlogged: Option<i64> = tx.query_row(
            "SELECT min(seq) FROM audit_events WHERE seq <= ?1 AND hub_position IS NULL",
            [last],
            |r| r.get(0),
        )?;
        if let Some(seq) = unlogged {
            return Ok(Err(RetentionError::NotLogged(seq as u64)));
        }
        let removed = tx.execute("DELETE FROM audit_events WHERE seq <= ?1", [last])?;
        Self::put_setting(
            &tx,
            ANCHOR,
            format!("{last}:{}", hex::encode(hash)).as_bytes(),
        )?;
        let detail = format!("removed {removed} audit events up to {last}");
        let access = Access {
            detail: &detail,
            ..Access::done(&session.user, AuditAction::Key, "")
        };
        crate::audit::append(&tx, &access, now_ms(now))?;
        crate::witness::commit(tx, self.witness.as_ref())?;
        Ok(Ok(removed as u64))
    }

    /// The head of the last removed event, which the kept trail continues from.
    pub(crate) fn audit_anchor(&self) -> Result<Option<Head>, StoreError> {
        self.setting(ANCHOR)?
            .map(|text| {
                String::from_utf8(text)
                    .ok()
                    .and_then(|t| crate::audit::parse_head(&t))
                    .ok_or_else(|| StoreError::Corrupt(ANCHOR.into()))
            })
            .transpose()
    }
}
