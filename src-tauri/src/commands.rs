//! The window's commands. Thin: check who is signed in, call the core, translate errors.
//! Blocking work (SQLCipher, Argon2, HTTP) runs off the window's thread.

use crate::desk::{Desk, message, store_error};
use std::sync::Arc;
use tauri::State;
use tongban_domain::desk::{
    ActForm, AuditRow, CasePage, CaseQuery, CaseView, DeskStatus, EnrollForm, ErrorCode, ShownCase,
    SyncStatus, UiError, Unmasked, WorkQueues,
};
use tongban_domain::workflow::{self, Request};
use tongban_domain::{Case, CaseField, Catalogue, FieldEdit, Move, Registration};
use tongban_store::CaseFilter;

fn today() -> time::Date {
    tongban_store::china_now().date()
}

pub(crate) type Answer<T> = Result<T, UiError>;

pub(crate) async fn blocking<T: Send + 'static>(
    desk: &State<'_, Arc<Desk>>,
    f: impl FnOnce(&Desk) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    let desk = Arc::clone(desk);
    tauri::async_runtime::spawn_blocking(move || f(&desk))
        .await
        .map_err(|e| message(ErrorCode::Internal, &e.to_string(), "内部错误，请重试"))?
}

#[tauri::command]
pub async fn desk_status(desk: State<'_, Arc<Desk>>) -> Answer<DeskStatus> {
    blocking(&desk, |d| Ok(d.status())).await
}

/// The catalogue new cases are registered under: the newest this desk received.
#[tauri::command]
pub async fn catalog(desk: State<'_, Arc<Desk>>) -> Answer<Catalogue> {
    blocking(&desk, |d| {
        d.with_store(|s| {
            s.catalogues()
                .map(|c| c.latest().clone())
                .map_err(store_error)
        })
    })
    .await
}

#[tauri::command]
pub async fn enroll(desk: State<'_, Arc<Desk>>, form: EnrollForm) -> Answer<DeskStatus> {
    blocking(&desk, move |d| {
        let request = tongban_client::EnrollRequest {
            hub_url: &form.hub_url,
            code: &form.code,
            user: &form.user,
            label: "desktop",
            password: &form.password,
            recovery_passphrase: &form.recovery_passphrase,
        };
        tongban_client::enroll_desk(&d.profile, &request)
            .map_err(|e| UiError::of(ErrorCode::Enroll, &e))?;
        // An account with a one-time code signs in on the next screen.
        let _ = d.sign_in(&form.user, &form.password, None);
        Ok(d.status())
    })
    .await
}

#[tauri::command]
pub async fn recover(desk: State<'_, Arc<Desk>>, passphrase: String) -> Answer<DeskStatus> {
    blocking(&desk, move |d| {
        let store = d.profile.recover(&passphrase).map_err(store_error)?;
        d.adopt_store(store);
        Ok(d.status())
    })
    .await
}

#[tauri::command]
pub async fn sign_in(
    desk: State<'_, Arc<Desk>>,
    user: String,
    password: String,
    code: Option<String>,
) -> Answer<DeskStatus> {
    blocking(&desk, move |d| {
        d.sign_in(&user, &password, code.as_deref())?;
        Ok(d.status())
    })
    .await
}

/// A person's new password: their key sealed again here (the hub takes it at the next sync),
/// then signed in with it. Also how a password the county reset is replaced.
#[tauri::command]
pub async fn change_password(
    desk: State<'_, Arc<Desk>>,
    user: String,
    current: String,
    code: Option<String>,
    new: String,
) -> Answer<DeskStatus> {
    blocking(&desk, move |d| {
        let now = tongban_store::now_ms(time::OffsetDateTime::now_utc());
        d.with_store(|s| {
            s.change_password(&user, &current, code.as_deref(), &new, now)
                .map_err(store_error)
        })?;
        d.sign_in(&user, &new, code.as_deref())?;
        Ok(d.status())
    })
    .await
}

#[tauri::command]
pub fn sign_out(desk: State<'_, Arc<Desk>>) {
    desk.sign_out();
}

#[tauri::command]
pub async fn register(desk: State<'_, Arc<Desk>>, registration: Registration) -> Answer<ShownCase> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        let case = d.with_store(|s| {
            let case = s
                .register(registration, &session, tongban_store::china_now())
                .map_err(store_error)?;
            s.save_draft(&session, "intake", "").map_err(store_error)?;
            Ok(case)
        })?;
        let _ = d.sync_now.send(());
        Ok(case.into())
    })
    .await
}

#[tauri::command]
pub async fn list_cases(desk: State<'_, Arc<Desk>>, query: CaseQuery) -> Answer<CasePage> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        let day = query
            .date
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|t| {
                tongban_store::day_bounds_ms(t).map_err(|e| UiError::of(ErrorCode::Invalid, &e))
            })
            .transpose()?;
        let filter = CaseFilter {
            status: query.status,
            item: query.item.filter(|i| !i.is_empty()),
            query: query.text,
            created_from_ms: day.map(|(from, _)| from),
            created_before_ms: day.map(|(_, before)| before),
            today: Some(today()),
            limit: Some(query.limit.clamp(1, 500)),
            offset: query.offset,
            ..CaseFilter::default()
        };
        d.with_store(|s| {
            let found = s
                .search(&session, filter, tongban_store::china_now())
                .map_err(store_error)?;
            Ok(CasePage {
                total: found.total,
                items: found.cases,
            })
        })
    })
    .await
}

#[tauri::command]
pub async fn case_detail(desk: State<'_, Arc<Desk>>, number: String) -> Answer<CaseView> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        d.with_store(|s| {
            let case = s
                .view(&session, &number, tongban_store::china_now())
                .map_err(store_error)?;
            view(s, &session, case).map_err(store_error)
        })
    })
    .await
}

pub(crate) fn view(
    store: &tongban_store::Store,
    session: &tongban_domain::session::Session,
    case: Case,
) -> Result<CaseView, tongban_store::StoreError> {
    let calendar = store.calendar()?;
    let workflow::Standing {
        deadline,
        flag,
        deemed_accepted,
        delivery_due,
        provisional,
    } = workflow::standing(&case, &calendar, today());
    Ok(CaseView {
        actions: store.allowed_actions(session, &case, today())?,
        deadline: deadline.map(tongban_domain::calendar::date_text),
        flag,
        deemed_accepted,
        provisional,
        delivery_due: delivery_due.map(tongban_domain::calendar::date_text),
        forward_due: tongban_domain::clock::forward_due(
            &case,
            store.catalogues()?.item_of(&case),
            &calendar,
        )
        .map(tongban_domain::calendar::date_text),
        commitment_check_due: tongban_domain::clock::commitment_check_due(&case, &calendar)
            .map(tongban_domain::calendar::date_text),
        may_unmask: session.role.may(tongban_domain::Action::Unmask),
        may_read_audit: session.role.may(tongban_domain::Action::ReadAudit),
        may_edit: workflow::permit(
            &case,
            &session.user,
            session.role,
            tongban_domain::Action::Edit,
        )
        .is_ok(),
        case: case.into(),
    })
}

/// The applicant's whole ID and phone, for a user with the right; audited.
#[tauri::command]
pub async fn unmask(desk: State<'_, Arc<Desk>>, number: String) -> Answer<Unmasked> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        d.with_store(|s| {
            let (id, phone) = s
                .unmask(&session, &number, tongban_store::china_now())
                .map_err(store_error)?;
            Ok(Unmasked { id, phone })
        })
    })
    .await
}

/// Who saw or changed a case: for supervisors.
#[tauri::command]
pub async fn case_audit(desk: State<'_, Arc<Desk>>, number: String) -> Answer<Vec<AuditRow>> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        d.with_store(|s| {
            s.case_audit(&session, &number, tongban_store::china_now())
                .map_err(store_error)
        })
    })
    .await
}

#[tauri::command]
pub async fn act(desk: State<'_, Arc<Desk>>, form: ActForm) -> Answer<CaseView> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        let action = form
            .action
            .ok_or_else(|| message(ErrorCode::Invalid, "no action chosen", "未选择操作"))?;
        let due = match form.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(text) => Some(tongban_domain::calendar::parse_date(text).ok_or_else(|| {
                message(
                    ErrorCode::Invalid,
                    "the deadline is not a date (YYYY-MM-DD)",
                    "补交期限不是有效日期（年-月-日）",
                )
            })?),
            None => None,
        };
        let request = Request {
            reason: form.reason,
            missing: form.missing,
            assignee: form.assignee,
            outcome: form.outcome,
            deferred: form.deferred,
            due,
            ground: form.ground,
            refer_to: form.refer_to,
            days: form.days,
            delivery: form.delivery,
            step: form.step,
            publicity: form.publicity,
            members: form.members,
            // The window has no grant form yet: grants are made with `tongban case grant`.
            grant: None,
            rectification: form.rectification,
        };
        let the_move = Move::new(action, request).ok_or_else(|| {
            message(
                ErrorCode::Invalid,
                "that is not a move on a case",
                "该操作不是办件流转",
            )
        })?;
        let view = d.with_store(|s| {
            let case = s
                .act(
                    &session,
                    &form.number,
                    &the_move,
                    tongban_store::china_now(),
                )
                .map_err(store_error)?;
            view(s, &session, case).map_err(store_error)
        })?;
        let _ = d.sync_now.send(());
        Ok(view)
    })
    .await
}

#[tauri::command]
pub async fn queues(desk: State<'_, Arc<Desk>>) -> Answer<WorkQueues> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        d.with_store(|s| s.queues(&session, today()).map_err(store_error))
    })
    .await
}

#[tauri::command]
pub async fn set_field(
    desk: State<'_, Arc<Desk>>,
    number: String,
    field: CaseField,
    value: String,
) -> Answer<ShownCase> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        let edit =
            FieldEdit::new(field, &value).map_err(|e| UiError::of(ErrorCode::Invalid, &e))?;
        let case = d.with_store(|s| {
            s.set_field(&number, &edit, &session, tongban_store::china_now())
                .map_err(store_error)
        })?;
        let _ = d.sync_now.send(());
        Ok(case.into())
    })
    .await
}

#[tauri::command]
pub fn sync_status(desk: State<'_, Arc<Desk>>) -> SyncStatus {
    desk.sync_status()
}

#[tauri::command]
pub fn sync_now(desk: State<'_, Arc<Desk>>) {
    let _ = desk.sync_now.send(());
}

#[tauri::command]
pub async fn save_draft(desk: State<'_, Arc<Desk>>, key: String, value: String) -> Answer<()> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        d.with_store(|s| s.save_draft(&session, &key, &value).map_err(store_error))
    })
    .await
}

#[tauri::command]
pub async fn load_draft(desk: State<'_, Arc<Desk>>, key: String) -> Answer<Option<String>> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        d.with_store(|s| s.draft(&session, &key).map_err(store_error))
    })
    .await
}

#[tauri::command]
pub async fn set_hub_url(desk: State<'_, Arc<Desk>>, url: String) -> Answer<DeskStatus> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        // The same hub at another address: the pinned key still decides whom the desk trusts,
        // and plain HTTP is for this machine only.
        let url =
            tongban_client::check_url(&url).map_err(|e| UiError::of(ErrorCode::Invalid, &e))?;
        let url = url.as_str().trim_end_matches('/').to_string();
        d.with_store(|s| {
            s.change_hub_url(&session, &url, tongban_store::china_now())
                .map_err(store_error)
        })?;
        Ok(d.status())
    })
    .await
}
