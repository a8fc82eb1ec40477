//! Tongban's domain: cases, applicants, service items and the rules that hold for them. No I/O
//! and no clock: callers pass the date and time in, so the same rules run in the desktop's
//! wasm UI, the CLI and the hub.
#![forbid(unsafe_code)]

pub mod agent;
pub mod archival;
pub mod arrival;
pub mod assistance;
#[cfg(test)]
mod assistance_tests;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod citizen;
pub mod clock;
#[cfg(test)]
mod county_tests;
pub mod delivery;
pub mod denied;
pub mod desk;
pub mod figures;
pub mod holidays;
pub mod identity;
#[cfg(test)]
mod intake_tests;
pub mod l10n;
pub mod materials;
pub mod moves;
pub mod page;
pub mod paper;
#[cfg(test)]
mod procedure_tests;
pub mod query;
pub mod rating;
pub mod refusal;
pub mod registration;
pub mod role;
pub mod schedule;
pub mod secret;
pub mod session;
pub mod sharing;
pub mod township;
pub mod travel_id;
pub mod warnings;
pub mod workflow;
#[cfg(test)]
mod workflow_tests;

pub use agent::{Agent, AgentRelation};
pub use calendar::{DeadlineFlag, WorkCalendar};
pub use case::{
    Applicant, ApplicantError, ApplicantId, Case, CaseEvent, CaseField, CaseNumber,
    CaseNumberError, CaseStatus, DecisionSeal, Desk, EventKind, FieldEdit, MaterialState,
    MaterialStatus, Registration, RegistrationError,
};
pub use catalogue::{
    AppealOrgans, ApplicantKind, Catalogue, Catalogues, DecidingLevel, ItemKind, MaterialForm,
    MaterialSpec, ServiceItem,
};
pub use delivery::{Delivery, DeliveryMethod};
pub use identity::{Mobile, ResidentId, Uscc};
pub use l10n::{Localized, Text};
pub use moves::Move;
pub use page::PageRef;
pub use paper::{Paper, PaperKind};
pub use role::{Action, Role};
pub use secret::Secret;
pub use session::{SecurityPolicy, SignInError};
pub use township::{TownshipCode, TownshipCodeError};
pub use travel_id::{ForeignPr, HmtPermit, IdType, Passport};
pub use workflow::{Conflict, Denied, Request};
