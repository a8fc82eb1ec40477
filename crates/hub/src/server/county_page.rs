//! The county's supervision page over TLS: sign-in with a county account, the figures across
//! townships with their rankings and the red list, and the export. Server-rendered HTML with
//! no script and nothing loaded from elsewhere; a strict content security policy says so.

use super::api::AppState;
use super::county_html::{self, PageData};
use super::signed::peer;
use crate::db::{HubDb, HubError};
use crate::service::figures::Scope;
use crate::service::officers::{Officer, SESSION_SECS};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use tongban_domain::Localized;
use tongban_domain::figures::{GroupBy, Query as ReportQuery};
use tongban_sync::endpoint::{
    PAGE_STYLE_PATH, SIGN_IN_PATH, SIGN_OUT_PATH, SUPERVISION_EXPORT_PATH, SUPERVISION_PATH,
};
use zeroize::Zeroizing;

const COOKIE: &str = "tongban_officer";

pub fn routes<D: HubDb>() -> Router<AppState<D>> {
    Router::new()
        .route(SIGN_IN_PATH, get(sign_in_form).post(sign_in::<D>))
        .route(SIGN_OUT_PATH, post(sign_out::<D>))
        .route(SUPERVISION_PATH, get(supervision::<D>))
        .route(SUPERVISION_EXPORT_PATH, get(export::<D>))
        .route(PAGE_STYLE_PATH, get(style))
        // A sign-in form is a few hundred bytes.
        .layer(axum::extract::DefaultBodyLimit::max(4096))
        .layer(axum::middleware::map_response(page_headers))
}

/// No script, no frame, nothing from elsewhere, nothing cached, nothing sent on as a referrer.
pub(super) async fn page_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(
        HeaderName::from_static("x-frame-options"),
        HeaderValue::from_static("DENY"),
    );
    response
}

/// A county officer signed in with this browser; anyone else is sent to the sign-in page.
pub struct SignedIn {
    officer: Officer,
    token: String,
}

impl<D: HubDb> FromRequestParts<AppState<D>> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<D>,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(COOKIE).map(|c| c.value().to_string()) else {
            return Err(Redirect::to(SIGN_IN_PATH).into_response());
        };
        match state.hub.officer(&token).await {
            Ok(officer) => Ok(Self { officer, token }),
            // An ended session's cookie is cleared on the way to the sign-in page.
            Err(HubError::Unauthorized(_)) => {
                let gone = Cookie::build((COOKIE, "")).path("/county");
                Err((jar.remove(gone), Redirect::to(SIGN_IN_PATH)).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        county_html::STYLE,
    )
}

async fn sign_in_form() -> Html<String> {
    Html(county_html::sign_in(None).into_string())
}

#[derive(serde::Deserialize)]
struct SignInForm {
    name: String,
    password: String,
    #[serde(default)]
    code: String,
}

async fn sign_in<D: HubDb>(
    State(state): State<AppState<D>>,
    jar: CookieJar,
    parts: axum::http::request::Parts,
    Form(form): Form<SignInForm>,
) -> Response {
    let Ok(addr) = peer(&parts) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // A form posted from another site (signing the victim in as the attacker, or guessing from
    // the victim's address) is refused; browsers say where a request comes from.
    let site = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| !matches!(s, "same-origin" | "none")) {
        let page = county_html::sign_in(Some("请从本页面登录"));
        return (StatusCode::FORBIDDEN, Html(page.into_string())).into_response();
    }
    let code = Some(form.code.trim()).filter(|c| !c.is_empty());
    let password = Zeroizing::new(form.password);
    match state
        .hub
        .sign_in_officer(form.name.trim(), password, code, addr.ip())
        .await
    {
        Ok(token) => {
            let cookie = Cookie::build((COOKIE, token))
                .path("/county")
                .http_only(true)
                .secure(true)
                .same_site(SameSite::Strict)
                .max_age(time::Duration::seconds(SESSION_SECS));
            (jar.add(cookie), Redirect::to(SUPERVISION_PATH)).into_response()
        }
        Err(
            e @ (HubError::Unauthorized(_) | HubError::RateLimited(_) | HubError::BadRequest(_)),
        ) => {
            let status = if matches!(e, HubError::RateLimited(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let message = e.text().zh;
            (
                status,
                Html(county_html::sign_in(Some(&message)).into_string()),
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn sign_out<D: HubDb>(
    State(state): State<AppState<D>>,
    jar: CookieJar,
    signed_in: SignedIn,
) -> Response {
    if let Err(e) = state.hub.sign_out_officer(&signed_in.token).await {
        return e.into_response();
    }
    let gone = Cookie::build((COOKIE, "")).path("/county");
    (jar.remove(gone), Redirect::to(SIGN_IN_PATH)).into_response()
}

#[derive(serde::Deserialize, Default)]
struct PageQuery {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

fn today() -> time::Date {
    tongban_domain::calendar::china_date(crate::service::now_ms())
}

fn parse(query: &PageQuery, default_by: GroupBy) -> Result<ReportQuery, HubError> {
    let words = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut parsed = ReportQuery::parse(
        words(&query.from).as_deref(),
        words(&query.to).as_deref(),
        words(&query.by).as_deref(),
        today(),
    )
    .map_err(|e| HubError::BadRequest(e.text()))?;
    parsed.by = parsed.by.or(Some(default_by));
    Ok(parsed)
}

fn county_scope(officer: &Officer) -> Scope {
    Scope::County(officer.unit.get(..6).unwrap_or_default().to_string())
}

async fn supervision<D: HubDb>(
    State(state): State<AppState<D>>,
    signed_in: SignedIn,
    Query(query): Query<PageQuery>,
) -> Response {
    let hub = &state.hub;
    let officer = &signed_in.officer;
    let scope = county_scope(officer);
    let page = async {
        let unit = hub.township_name(&officer.unit).await?.unwrap_or_default();
        // The page always shows both rankings; its grouping words are the export's.
        let period = PageQuery { by: None, ..query };
        let query = match parse(&period, GroupBy::Township) {
            Ok(q) => q,
            Err(e) => {
                let message = e.text().zh;
                return Ok::<_, HubError>((
                    StatusCode::BAD_REQUEST,
                    county_html::refused_query(&unit, &officer.name, &message),
                ));
            }
        };
        let view = hub.county_view(&scope, &query, today()).await?;
        let data = PageData {
            unit: &unit,
            officer: &officer.name,
            townships: &view.townships,
            items: &view.items,
            red: &view.red,
            names: &view.names,
        };
        Ok((StatusCode::OK, county_html::supervision(&data)))
    };
    match page.await {
        Ok((status, markup)) => (status, Html(markup.into_string())).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn export<D: HubDb>(
    State(state): State<AppState<D>>,
    signed_in: SignedIn,
    Query(query): Query<PageQuery>,
) -> Response {
    let officer = &signed_in.officer;
    let file = async {
        let query = parse(&query, GroupBy::Township)?;
        let report = state.hub.report(&county_scope(officer), &query).await?;
        let unit = state
            .hub
            .township_name(&officer.unit)
            .await?
            .unwrap_or_default();
        tongban_print::report_xlsx(&report, &unit).map_err(|e| HubError::internal(e.to_string()))
    };
    match file.await {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"supervision.xlsx\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
