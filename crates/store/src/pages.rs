//! Scanned pages in the profile: content-addressed blobs (SHA-256, encrypted with the rest of
//! the database, stored once however many cases use them), the case documents' references to
//! them, and the bookkeeping that lets page transfers resume where a cut link left them.

use crate::cases::now_ms;
use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, Transaction, params};
use time::OffsetDateTime;
use tongban_domain::page::MAX_PAGES_PER_MATERIAL;
use tongban_domain::session::Session;
use tongban_domain::text;
use tongban_domain::workflow;
use tongban_domain::{Action, Case, EventKind, PageRef, PaperKind};
use tongban_pages::{Page, sha256_hex};
use tongban_sync::case_doc;

/// One stored page of a case, in the order of its material's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePage {
    pub material: String,
    pub position: u32,
    pub page: PageRef,
    /// Whether the bytes are on this desk (pages from other desks arrive after their case).
    pub present: bool,
}

impl CasePage {
    /// The file name a page is exported under: only letters, digits, `_` and `-` from the
    /// case document go into it, so whatever a document says, an export stays in its folder.
    pub fn export_name(&self) -> String {
        tongban_domain::page::export_name(&self.material, self.position, &self.page)
    }
}

/// A blob the hub has not confirmed, or one this desk still has to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingBlob {
    pub sha256: String,
    pub size: u64,
    pub mime: String,
}

impl Store {
    /// Stores the pages and adds them to a material of the case, as one transaction and one
    /// document change.
    pub fn attach_pages(
        &mut self,
        number: &str,
        material: &str,
        pages: &[Page],
        session: &Session,
        now: OffsetDateTime,
    ) -> Result<Case, StoreError> {
        self.edit_case(number, session, now, |tx, current, doc, mut event| {
            let Some(state) = current.materials.iter().find(|m| m.code == material) else {
                let known: Vec<&str> = current.materials.iter().map(|m| m.code.as_str()).collect();
                let (listed, listed_zh) = (known.join(", "), known.join("、"));
                return Err(StoreError::Invalid(text!(
                    "case {number} has no material {material:?} (it has {listed})",
                    "办件{number}没有材料“{material}”（可选：{listed_zh}）"
                )));
            };
            let refs = store_pages(tx, material, state.pages.len(), pages, event.at_ms)?;
            event.kind = EventKind::PagesAttached;
            event.detail = format!("{} page(s) for {material}", refs.len());
            event.missing = vec![material.to_string()];
            Ok(case_doc::attach_pages(
                doc,
                material,
                &refs,
                &event,
                &session.key,
            )?)
        })
    }

    /// Stores the scanned pages of a signed paper (a withdrawal request, a delivery receipt)
    /// and adds them to the case. Whoever may edit the case may, in any state: a receipt comes
    /// after the case ended.
    pub fn attach_paper(
        &mut self,
        number: &str,
        kind: PaperKind,
        pages: &[Page],
        session: &Session,
        now: OffsetDateTime,
    ) -> Result<Case, StoreError> {
        let gate =
            |current: &Case| workflow::permit(current, &session.user, session.role, Action::Edit);
        self.edit_case_as(
            number,
            session,
            now,
            Action::Edit,
            gate,
            |tx, current, doc, mut event, ()| {
                let held = current.paper(kind).len();
                let refs = store_pages(tx, kind.as_str(), held, pages, event.at_ms)?;
                event.kind = EventKind::PagesAttached;
                event.detail = format!("{} page(s) for {}", refs.len(), kind.as_str());
                event.paper = Some(kind);
                Ok(case_doc::attach_paper(
                    doc,
                    kind,
                    &refs,
                    &event,
                    &session.key,
                )?)
            },
        )
    }

    /// The pages of a case, by material, with whether their bytes are here yet.
    pub fn case_pages(&self, number: &str) -> Result<Vec<CasePage>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT r.material, r.position, r.sha256, r.size, r.mime, r.width, r.height,
                    b.sha256 IS NOT NULL
             FROM page_refs r LEFT JOIN blobs b ON b.sha256 = r.sha256
             WHERE r.case_number = ?1 ORDER BY r.material_index, r.position",
        )?;
        let rows = stmt.query_map([number], |r| {
            Ok(CasePage {
                material: r.get(0)?,
                position: r.get(1)?,
                page: PageRef {
                    sha256: r.get(2)?,
                    bytes: r.get::<_, i64>(3)?.unsigned_abs(),
                    mime: r.get(4)?,
                    width: r.get(5)?,
                    height: r.get(6)?,
                },
                present: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A page's bytes, checked against their digest: a damaged blob is an error, never data.
    pub fn page_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()?;
        match bytes {
            Some(bytes) if sha256_hex(&bytes) != sha256 => Err(StoreError::Corrupt(format!(
                "stored page {sha256} does not match its digest"
            ))),
            other => Ok(other),
        }
    }

    pub fn page_thumbnail(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT thumbnail FROM blobs WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Pages some case refers to that the hub has not confirmed yet, oldest first.
    pub fn pages_to_upload(&self) -> Result<Vec<PendingBlob>, StoreError> {
        self.pending(
            "SELECT b.sha256, b.size, b.mime FROM blobs b
             WHERE b.uploaded = 0
               AND EXISTS (SELECT 1 FROM page_refs r WHERE r.sha256 = b.sha256)
             ORDER BY b.created_at_ms, b.sha256",
        )
    }

    /// Pages some case refers to whose bytes are not on this desk.
    pub fn pages_to_download(&self) -> Result<Vec<PendingBlob>, StoreError> {
        self.pending(
            "SELECT r.sha256, max(r.size), max(r.mime) FROM page_refs r
             WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = r.sha256)
             GROUP BY r.sha256 ORDER BY min(r.case_number), r.sha256",
        )
    }

    fn pending(&self, sql: &str) -> Result<Vec<PendingBlob>, StoreError> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(PendingBlob {
                sha256: r.get(0)?,
                size: r.get::<_, i64>(1)?.unsigned_abs(),
                mime: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `len` bytes of a stored page from `offset`, for an upload chunk.
    pub fn page_slice(&self, sha256: &str, offset: u64, len: u64) -> Result<Vec<u8>, StoreError> {
        // substr on a blob counts bytes from 1.
        let slice: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT substr(bytes, ?2, ?3) FROM blobs WHERE sha256 = ?1",
                params![sha256, size_sql(offset) + 1, size_sql(len)],
                |r| r.get(0),
            )
            .optional()?;
        slice.ok_or_else(|| StoreError::Corrupt(format!("page {sha256} vanished during upload")))
    }

    pub fn mark_page_uploaded(&self, sha256: &str) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE blobs SET uploaded = 1 WHERE sha256 = ?1", [sha256])?;
        Ok(())
    }

    /// Records that a chunk is about to travel; true if it was tried before and lost (a link
    /// cut or a restart), so the sync can report what had to be sent again.
    pub fn note_page_attempt(
        &self,
        sha256: &str,
        index: u32,
        direction: &str,
    ) -> Result<bool, StoreError> {
        let inserted = self.conn.execute(
            "INSERT OR IGNORE INTO page_attempts (sha256, idx, direction) VALUES (?1, ?2, ?3)",
            params![sha256, index, direction],
        )?;
        Ok(inserted == 0)
    }

    pub fn clear_page_attempts(&self, sha256: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM page_attempts WHERE sha256 = ?1", [sha256])?;
        Ok(())
    }

    /// Chunks of a download already here, kept across restarts.
    pub fn received_parts(&self, sha256: &str) -> Result<Vec<u32>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT idx FROM blob_parts WHERE sha256 = ?1 ORDER BY idx")?;
        let rows = stmt.query_map([sha256], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn save_part(&self, sha256: &str, index: u32, bytes: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO blob_parts (sha256, idx, bytes) VALUES (?1, ?2, ?3)",
            params![sha256, index, bytes],
        )?;
        Ok(())
    }

    /// Joins a download's chunks and keeps the page if, and only if, the bytes match the
    /// digest its case names; a mismatch discards the chunks so they are fetched again.
    pub fn finish_download(&mut self, blob: &PendingBlob) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let bytes = {
            let mut stmt =
                tx.prepare("SELECT bytes FROM blob_parts WHERE sha256 = ?1 ORDER BY idx")?;
            let parts = stmt.query_map([&blob.sha256], |r| r.get::<_, Vec<u8>>(0))?;
            let mut bytes = Vec::with_capacity(usize::try_from(blob.size).unwrap_or(0));
            for part in parts {
                bytes.extend_from_slice(&part?);
            }
            bytes
        };
        tx.execute("DELETE FROM blob_parts WHERE sha256 = ?1", [&blob.sha256])?;
        let good = sha256_hex(&bytes) == blob.sha256;
        if good {
            let thumbnail = tongban_pages::thumbnail_of(&bytes);
            tx.execute(
                "INSERT OR IGNORE INTO blobs (sha256, mime, bytes, size, thumbnail, uploaded,
                                              created_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
                params![
                    blob.sha256,
                    blob.mime,
                    bytes,
                    size_sql(bytes.len() as u64),
                    thumbnail,
                    now_ms(OffsetDateTime::now_utc())
                ],
            )?;
        } else {
            tracing::warn!(sha256 = %blob.sha256, "downloaded page does not match its digest; fetching again");
        }
        tx.commit()?;
        Ok(good)
    }
}

fn put_blob(tx: &Transaction<'_>, page: &Page, at_ms: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO blobs (sha256, mime, bytes, size, thumbnail, uploaded, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)",
        params![
            page.sha256,
            page.mime,
            page.bytes,
            size_sql(page.bytes.len() as u64),
            page.thumbnail,
            at_ms
        ],
    )?;
    Ok(())
}

/// Keeps the bytes of pages about to be attached to `code`, which already has `held` pages,
/// and returns their references.
fn store_pages(
    tx: &Transaction<'_>,
    code: &str,
    held: usize,
    pages: &[Page],
    at_ms: i64,
) -> Result<Vec<PageRef>, StoreError> {
    if pages.is_empty() {
        return Err(StoreError::Invalid(text!(
            "no pages to attach",
            "没有要附加的页面"
        )));
    }
    if held + pages.len() > MAX_PAGES_PER_MATERIAL {
        return Err(StoreError::Invalid(text!(
            "{code} would have more than {MAX_PAGES_PER_MATERIAL} pages",
            "{code}将超过{MAX_PAGES_PER_MATERIAL}页"
        )));
    }
    let mut refs = Vec::with_capacity(pages.len());
    for page in pages {
        put_blob(tx, page, at_ms)?;
        refs.push(PageRef {
            sha256: page.sha256.clone(),
            bytes: page.bytes.len() as u64,
            mime: page.mime.to_string(),
            width: page.width,
            height: page.height,
        });
    }
    Ok(refs)
}

/// Rewrites the page references of one case from its document (called with every save).
pub(crate) fn project_pages(tx: &Transaction<'_>, case: &Case) -> Result<(), StoreError> {
    let number = case.number.as_str();
    tx.prepare_cached("DELETE FROM page_refs WHERE case_number = ?1")?
        .execute([number])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO page_refs
             (case_number, material, material_index, position, sha256, size, mime, width, height)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut position = 0u32;
    let mut last = None;
    for (code, m, page) in case.all_pages() {
        // Positions count within each material or paper.
        position = if last == Some(m) { position + 1 } else { 0 };
        last = Some(m);
        {
            insert.execute(params![
                number,
                code,
                m as u32,
                position,
                page.sha256,
                size_sql(page.bytes),
                page.mime,
                page.width,
                page.height
            ])?;
        }
    }
    Ok(())
}

/// SQLite integers are signed; sizes never come near the top bit.
fn size_sql(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
