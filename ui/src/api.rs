//! Calls into the desktop shell. Every argument is a struct serialised to a plain JS object.

use serde::{Serialize, de::DeserializeOwned};
use tongban_domain::desk::{
    ActForm, AttachForm, AuditRow, CasePage, CaseQuery, CaseView, DeskStatus, EnrollForm,
    ErrorCode, PageThumb, PendingFiles, ShownCase, SyncStatus, UiError, Unmasked, WorkQueues,
};
use tongban_domain::{CaseField, Catalogue, Registration};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    /// Resolves to the function that stops listening.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], catch)]
    async fn listen(event: &str, handler: &js_sys::Function) -> Result<JsValue, JsValue>;
}

/// Calls `handle` with each sync status the desk pushes (its `sync-status` event) until the
/// returned function is called.
pub async fn on_sync_status(
    handle: impl Fn(SyncStatus) + 'static,
) -> Result<js_sys::Function, UiError> {
    #[derive(serde::Deserialize)]
    struct Pushed {
        payload: SyncStatus,
    }
    let handler = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
        if let Ok(pushed) = serde_wasm_bindgen::from_value::<Pushed>(event) {
            handle(pushed.payload);
        }
    });
    let stop = listen("sync-status", handler.as_ref().unchecked_ref())
        .await
        .map_err(|e| broken(format!("{e:?}")))?;
    // The handler lives as long as the listener; the window stops listening when it leaves.
    handler.forget();
    stop.dyn_into::<js_sys::Function>()
        .map_err(|e| broken(format!("{e:?}")))
}

fn broken(detail: impl std::fmt::Display) -> UiError {
    UiError {
        code: ErrorCode::Internal,
        en: format!("the window and the desk disagree: {detail}"),
        zh: format!("界面与后台通信异常：{detail}"),
    }
}

async fn call<A: Serialize, R: DeserializeOwned>(cmd: &str, args: &A) -> Result<R, UiError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args.serialize(&serializer).map_err(broken)?;
    match invoke(cmd, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value).map_err(broken),
        Err(error) => Err(serde_wasm_bindgen::from_value::<UiError>(error.clone())
            .unwrap_or_else(|_| broken(format!("{error:?}")))),
    }
}

#[derive(Serialize)]
struct NoArgs {}

pub async fn desk_status() -> Result<DeskStatus, UiError> {
    call("desk_status", &NoArgs {}).await
}

pub async fn catalog() -> Result<Catalogue, UiError> {
    call("catalog", &NoArgs {}).await
}

pub async fn enroll(form: EnrollForm) -> Result<DeskStatus, UiError> {
    #[derive(Serialize)]
    struct Args {
        form: EnrollForm,
    }
    call("enroll", &Args { form }).await
}

pub async fn recover(passphrase: String) -> Result<DeskStatus, UiError> {
    #[derive(Serialize)]
    struct Args {
        passphrase: String,
    }
    call("recover", &Args { passphrase }).await
}

pub async fn sign_in(
    user: String,
    password: String,
    code: Option<String>,
) -> Result<DeskStatus, UiError> {
    #[derive(Serialize)]
    struct Args {
        user: String,
        password: String,
        code: Option<String>,
    }
    call(
        "sign_in",
        &Args {
            user,
            password,
            code,
        },
    )
    .await
}

/// Changes the person's password (the current one and code must be right), then signs in with
/// the new one.
pub async fn change_password(
    user: String,
    current: String,
    code: Option<String>,
    new: String,
) -> Result<DeskStatus, UiError> {
    #[derive(Serialize)]
    struct Args {
        user: String,
        current: String,
        code: Option<String>,
        new: String,
    }
    call(
        "change_password",
        &Args {
            user,
            current,
            code,
            new,
        },
    )
    .await
}

pub async fn sign_out() -> Result<(), UiError> {
    call("sign_out", &NoArgs {}).await
}

pub async fn register(registration: Registration) -> Result<ShownCase, UiError> {
    #[derive(Serialize)]
    struct Args {
        registration: Registration,
    }
    call("register", &Args { registration }).await
}

pub async fn list_cases(query: CaseQuery) -> Result<CasePage, UiError> {
    #[derive(Serialize)]
    struct Args {
        query: CaseQuery,
    }
    call("list_cases", &Args { query }).await
}

pub async fn case_detail(number: String) -> Result<CaseView, UiError> {
    #[derive(Serialize)]
    struct Args {
        number: String,
    }
    call("case_detail", &Args { number }).await
}

pub async fn set_field(
    number: String,
    field: CaseField,
    value: String,
) -> Result<ShownCase, UiError> {
    #[derive(Serialize)]
    struct Args {
        number: String,
        field: CaseField,
        value: String,
    }
    call(
        "set_field",
        &Args {
            number,
            field,
            value,
        },
    )
    .await
}

pub async fn sync_status() -> Result<SyncStatus, UiError> {
    call("sync_status", &NoArgs {}).await
}

pub async fn sync_now() -> Result<(), UiError> {
    call("sync_now", &NoArgs {}).await
}

#[derive(Serialize)]
struct DraftArgs {
    key: String,
    value: String,
}

pub async fn save_draft(key: &str, value: String) -> Result<(), UiError> {
    call(
        "save_draft",
        &DraftArgs {
            key: key.into(),
            value,
        },
    )
    .await
}

pub async fn load_draft(key: &str) -> Result<Option<String>, UiError> {
    #[derive(Serialize)]
    struct Args {
        key: String,
    }
    call("load_draft", &Args { key: key.into() }).await
}

pub async fn set_hub_url(url: String) -> Result<DeskStatus, UiError> {
    #[derive(Serialize)]
    struct Args {
        url: String,
    }
    call("set_hub_url", &Args { url }).await
}

pub async fn act(form: ActForm) -> Result<CaseView, UiError> {
    #[derive(Serialize)]
    struct Args {
        form: ActForm,
    }
    call("act", &Args { form }).await
}

pub async fn queues() -> Result<WorkQueues, UiError> {
    call("queues", &NoArgs {}).await
}

pub async fn pending_files() -> Result<PendingFiles, UiError> {
    call("pending_files", &NoArgs {}).await
}

pub async fn pick_files() -> Result<(), UiError> {
    call("pick_files", &NoArgs {}).await
}

pub async fn scan_page() -> Result<(), UiError> {
    call("scan_page", &NoArgs {}).await
}

pub async fn attach_pages(form: AttachForm) -> Result<CaseView, UiError> {
    #[derive(Serialize)]
    struct Args {
        form: AttachForm,
    }
    call("attach_pages", &Args { form }).await
}

pub async fn case_pages(number: String) -> Result<Vec<PageThumb>, UiError> {
    #[derive(Serialize)]
    struct Args {
        number: String,
    }
    call("case_pages", &Args { number }).await
}

pub async fn print_document(number: String, kind: &str) -> Result<String, UiError> {
    #[derive(Serialize)]
    struct Args {
        number: String,
        kind: String,
    }
    let kind = kind.to_string();
    call("print_document", &Args { number, kind }).await
}

pub async fn unmask(number: String) -> Result<Unmasked, UiError> {
    #[derive(Serialize)]
    struct Args {
        number: String,
    }
    call("unmask", &Args { number }).await
}

pub async fn case_audit(number: String) -> Result<Vec<AuditRow>, UiError> {
    #[derive(Serialize)]
    struct Args {
        number: String,
    }
    call("case_audit", &Args { number }).await
}

/// The period and grouping a dashboard shows (dates YYYY-MM-DD; empty: this month).
#[derive(Serialize, Clone, Default)]
pub struct FiguresArgs {
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: Option<String>,
}

pub async fn figures_report(args: FiguresArgs) -> Result<tongban_domain::figures::Report, UiError> {
    call("figures_report", &args).await
}

pub async fn figures_cases(
    args: FiguresArgs,
    key: Option<String>,
    measure: tongban_domain::figures::Measure,
) -> Result<Vec<tongban_domain::desk::CaseSummary>, UiError> {
    #[derive(Serialize)]
    struct Args {
        #[serde(flatten)]
        period: FiguresArgs,
        key: Option<String>,
        measure: tongban_domain::figures::Measure,
    }
    call(
        "figures_cases",
        &Args {
            period: args,
            key,
            measure,
        },
    )
    .await
}

pub async fn figures_export(args: FiguresArgs, format: &str) -> Result<String, UiError> {
    #[derive(Serialize)]
    struct Args {
        #[serde(flatten)]
        period: FiguresArgs,
        format: String,
    }
    call(
        "figures_export",
        &Args {
            period: args,
            format: format.to_string(),
        },
    )
    .await
}

pub async fn warnings() -> Result<Vec<tongban_domain::warnings::Warning>, UiError> {
    call("warnings", &NoArgs {}).await
}

pub async fn archived_cases() -> Result<Vec<tongban_domain::desk::ArchivedCase>, UiError> {
    call("archived_cases", &NoArgs {}).await
}

pub async fn archive_export(number: &str) -> Result<String, UiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        number: &'a str,
    }
    call("archive_export", &Args { number }).await
}

pub async fn archive_check(
    path: &str,
    stage: &str,
) -> Result<tongban_domain::desk::PackageCheck, UiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        path: &'a str,
        stage: &'a str,
    }
    call("archive_check", &Args { path, stage }).await
}

pub async fn pick_package() -> Result<Option<String>, UiError> {
    call("pick_package", &NoArgs {}).await
}
