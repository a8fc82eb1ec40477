//! Departments the hub shares cases with, and where each use of a case stands in its
//! township's log; one trait for both stores (`sqlite_sharing`, `postgres_sharing`).

use crate::error::HubResult;
use serde::Serialize;
use std::future::Future;

/// A department registered at the hub, with its system's key (hex Ed25519).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    pub code: String,
    pub name: String,
    /// RS, MZ, YB, CL, GA or CZ ([`tongban_domain::sharing::DEPARTMENT_KINDS`]).
    pub kind: String,
    pub public_key: String,
    pub added_at_ms: i64,
    pub disabled_at_ms: Option<i64>,
}

/// One use of a case, as indexed beside the log entry that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAccess {
    pub case_number: String,
    pub township: String,
    pub position: u64,
    pub grant_id: Option<String>,
    pub released: bool,
}

pub trait SharingDb {
    /// `false` when a department with that code exists already.
    fn add_department(
        &self,
        department: &Department,
    ) -> impl Future<Output = HubResult<bool>> + Send;
    fn department(&self, code: &str) -> impl Future<Output = HubResult<Option<Department>>> + Send;
    fn departments(&self) -> impl Future<Output = HubResult<Vec<Department>>> + Send;
    /// Stops a department's requests from `at_ms` on; `false` when there is no such department.
    fn disable_department(
        &self,
        code: &str,
        at_ms: i64,
    ) -> impl Future<Output = HubResult<bool>> + Send;
    fn add_case_access(&self, access: &CaseAccess) -> impl Future<Output = HubResult<()>> + Send;
    /// The uses of a case, in log order.
    fn case_accesses(
        &self,
        case_number: &str,
    ) -> impl Future<Output = HubResult<Vec<CaseAccess>>> + Send;
    /// The stored cases of the applicant with this index tag, as (township, doc id).
    fn cases_of_applicant(
        &self,
        tag: &str,
    ) -> impl Future<Output = HubResult<Vec<(String, String)>>> + Send;
    /// How many releases were made under a grant.
    fn grant_uses(&self, grant_id: &str) -> impl Future<Output = HubResult<u32>> + Send;
}
