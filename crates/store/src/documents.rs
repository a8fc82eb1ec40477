//! Printed documents of a case as this desk holds it: the papers assembled by tongban-papers from
//! the case, this desk's catalogue, calendar and the decisions' seals; each print is audited.

use crate::{Access, Store, StoreError};
use time::OffsetDateTime;
use tongban_audit::AuditAction;
use tongban_domain::Case;
use tongban_domain::Localized;
use tongban_domain::calendar::china_date;
use tongban_domain::session::Session;
use tongban_papers::{PaperContext, PaperError};

pub use tongban_papers::DocKind;

impl Store {
    /// The PDF of one document of a case, for a user who may see the case.
    pub fn print_document(
        &self,
        session: &Session,
        number: &str,
        kind: DocKind,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, StoreError> {
        let case = self.view(session, number, now)?;
        let reprint = self.printed_before(number, kind)?;
        let pdf = self
            .paper(case, kind, reprint, false, now)?
            .pdf()
            .map_err(|e| StoreError::Invalid(e.text()))?;
        let digest = tongban_pages::sha256_hex(&pdf);
        let access = Access {
            detail: kind.as_str(),
            digest: &digest,
            ..Access::done(&session.user, AuditAction::Print, number)
        };
        self.audit(&access, crate::now_ms(now))?;
        Ok(pdf)
    }
}

impl Store {
    /// A document of `case` as paper, before it is rendered for the printer or the archives;
    /// refused when the case has no such document. The archives keep no query code: it opens
    /// the case to whoever holds it.
    pub(crate) fn paper(
        &self,
        case: Case,
        kind: DocKind,
        reprint: bool,
        archival: bool,
        now: OffsetDateTime,
    ) -> Result<tongban_print::Paper, StoreError> {
        let township_name = self.enrollment()?.township_name;
        let catalogues = self.catalogues()?;
        let calendar = self.calendar()?;
        let device_key = |device: &str| self.device_public_key(device).ok().flatten();
        let mut ctx = PaperContext {
            township_name: &township_name,
            catalogues: &catalogues,
            calendar: &calendar,
            doc: self.load_doc(case.number.as_str())?,
            device_key: &device_key,
            query: if archival {
                None
            } else {
                self.query_code(&case)?.map(|q| q.shown())
            },
            query_url: if archival {
                None
            } else {
                self.query_url(&case)?
            },
        };
        let today = china_date(crate::now_ms(now));
        tongban_papers::paper(&mut ctx, case, kind, reprint, today).map_err(|e| match e {
            PaperError::Corrupt(detail) => StoreError::Corrupt(detail),
            other => StoreError::Invalid(other.text()),
        })
    }
}

impl Store {
    /// Whether this document of the case was printed before, on any desk whose record reached
    /// this one (the township's audit log) or on this desk.
    fn printed_before(&self, number: &str, kind: DocKind) -> Result<bool, StoreError> {
        // Receipts printed before the intake paper got its name were recorded as "receipt".
        let named = |detail: &str| {
            detail == kind.as_str() || (kind == DocKind::Intake && detail == "receipt")
        };
        Ok(self.audit_rows(Some(number), u32::MAX)?.iter().any(|row| {
            row.action == AuditAction::Print.as_str() && named(&row.detail) && !row.refused
        }))
    }
}
