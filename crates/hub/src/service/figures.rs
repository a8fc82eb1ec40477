//! The county's supervision figures (电子监察): the domain's report over the facts kept beside
//! every stored case of the county, or of one township. Documents stored before facts were kept
//! are read once, here, and their facts kept.

use super::{Hub, doc_context};
use crate::db::{HubDb, HubError, HubResult};
use tongban_domain::TownshipCode;
use tongban_domain::figures::{self, CaseFacts, GroupBy, Measure, Query, RedCase, Report};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::case_doc;

/// What the figures keep of a stored document: none when it does not read as a case.
pub(super) fn facts_of(doc: &AutoCommit) -> Option<String> {
    facts_of_case(&case_doc::read(doc).ok()?)
}

pub(super) fn facts_of_case(case: &tongban_domain::Case) -> Option<String> {
    serde_json::to_string(&CaseFacts::of(case)).ok()
}

/// Whose cases a report covers: a county (its code's six digits) or one township.
#[derive(Debug, Clone)]
pub enum Scope {
    County(String),
    Township(TownshipCode),
}

impl Scope {
    fn prefix(&self) -> &str {
        match self {
            Self::County(code) => code,
            Self::Township(code) => code.as_str(),
        }
    }
}

impl<D: HubDb> Hub<D> {
    /// A township's (or the county unit's) name, as the report's heading gives it.
    pub async fn township_name(&self, code: &str) -> HubResult<Option<String>> {
        Ok(self.db.township(code).await?.map(|t| t.name))
    }

    pub async fn report(&self, scope: &Scope, query: &Query) -> HubResult<Report> {
        let facts = self.scope_facts(scope).await?;
        let calendar = self.work_calendar().await?;
        let query = *query;
        let mut report = tokio::task::spawn_blocking(move || Report::of(&facts, &calendar, &query))
            .await
            .map_err(HubError::internal)?;
        if query.by == Some(GroupBy::Township) {
            let names = self.township_names(scope).await?;
            report.relabel(|key| names.get(key).cloned());
        }
        Ok(report)
    }

    /// What the county page shows, from one reading of the facts: the figures by township and
    /// by item, and the red list as of `today`.
    pub async fn county_view(
        &self,
        scope: &Scope,
        query: &Query,
        today: time::Date,
    ) -> HubResult<CountyView> {
        let facts = self.scope_facts(scope).await?;
        let calendar = self.work_calendar().await?;
        let by = |by| Query {
            by: Some(by),
            ..*query
        };
        let (townships, items) = (by(GroupBy::Township), by(GroupBy::Item));
        let mut view = tokio::task::spawn_blocking(move || CountyView {
            townships: Report::of(&facts, &calendar, &townships),
            items: Report::of(&facts, &calendar, &items),
            red: figures::red_cases(&facts, &calendar, today),
            names: std::collections::HashMap::new(),
        })
        .await
        .map_err(HubError::internal)?;
        view.names = self.township_names(scope).await?;
        view.townships.relabel(|key| view.names.get(key).cloned());
        Ok(view)
    }

    /// The numbers of the cases behind one figure (in the group `key`, when grouped).
    pub async fn cases_behind(
        &self,
        scope: &Scope,
        query: &Query,
        key: Option<&str>,
        measure: Measure,
    ) -> HubResult<Vec<String>> {
        let facts = self.scope_facts(scope).await?;
        let calendar = self.work_calendar().await?;
        Ok(figures::cases_behind(
            &facts, &calendar, query, key, measure,
        ))
    }

    /// The names of the scope's townships, by code.
    pub async fn township_names(
        &self,
        scope: &Scope,
    ) -> HubResult<std::collections::HashMap<String, String>> {
        let mut names = std::collections::HashMap::new();
        for code in self.db.township_codes().await? {
            if code.starts_with(scope.prefix())
                && let Some(township) = self.db.township(&code).await?
            {
                names.insert(code, township.name);
            }
        }
        Ok(names)
    }

    /// Every open case of the scope past its promised date on `today`, longest overdue first.
    pub async fn red_cases(&self, scope: &Scope, today: time::Date) -> HubResult<Vec<RedCase>> {
        let facts = self.scope_facts(scope).await?;
        let calendar = self.work_calendar().await?;
        Ok(figures::red_cases(&facts, &calendar, today))
    }

    async fn scope_facts(&self, scope: &Scope) -> HubResult<Vec<CaseFacts>> {
        self.fill_facts().await?;
        let rows = self.db.case_facts(scope.prefix()).await?;
        let mut facts = Vec::with_capacity(rows.len());
        for row in rows {
            match serde_json::from_str(&row) {
                Ok(kept) => facts.push(kept),
                Err(e) => tracing::warn!(error = %e, "kept facts unreadable; case left out"),
            }
        }
        Ok(facts)
    }

    /// Reads the facts of documents stored before facts were kept (or left without them), once
    /// in this process: every document written since has its facts written with it. A document
    /// that does not open is logged and left for the next process.
    async fn fill_facts(&self) -> HubResult<()> {
        self.facts_filled
            .get_or_try_init(|| async {
                let mut read = Vec::new();
                for (township, doc_id) in self.db.docs_without_facts().await? {
                    let Some(stored) = self.db.doc(&township, &doc_id).await? else {
                        continue;
                    };
                    let context = doc_context(&township, &doc_id);
                    let bytes = match self.sealer.open(&context, &stored.bytes) {
                        Ok(bytes) => bytes,
                        Err(e) => {
                            tracing::warn!(%township, %doc_id, error = %e,
                                "stored case does not open; its facts are left out");
                            continue;
                        }
                    };
                    let facts = AutoCommit::load(&bytes).ok().and_then(|doc| facts_of(&doc));
                    read.push((township, doc_id, facts));
                    if read.len() == 1000 {
                        self.db.put_facts(std::mem::take(&mut read)).await?;
                    }
                }
                self.db.put_facts(read).await?;
                Ok::<_, HubError>(())
            })
            .await
            .map(|_| ())
    }
}

/// The county page's figures.
#[derive(Debug, Clone)]
pub struct CountyView {
    pub townships: Report,
    pub items: Report,
    pub red: Vec<RedCase>,
    /// The scope's township names by code, for the red list.
    pub names: std::collections::HashMap<String, String>,
}
