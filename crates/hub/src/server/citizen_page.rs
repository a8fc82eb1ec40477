//! The citizen's query page over TLS, and its JSON for portals. Anyone may ask; the service
//! limits wrong codes. The code arrives in a form's body, or in the address a receipt's QR
//! code carries; the access log records only the route, never the address's query.

use super::api::AppState;
use super::citizen_html;
use super::county_page::page_headers;
use super::signed::peer;
use crate::db::{HubDb, HubError};
use crate::service::rating::RatingForm;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use tongban_domain::Localized;
use tongban_sync::endpoint::{
    QUERY_API_PATH, QUERY_PATH, QUERY_PROOF_PATH, QUERY_RATE_API_PATH, QUERY_RATE_PATH,
    QUERY_STYLE_PATH,
};

/// A query form or its JSON: a few hundred bytes.
const BODY_LIMIT: usize = 4096;

pub fn routes<D: HubDb>() -> Router<AppState<D>> {
    let pages = Router::new()
        .route(QUERY_PATH, get(query_page::<D>).post(query_form::<D>))
        .route(QUERY_STYLE_PATH, get(style))
        .route(QUERY_PROOF_PATH, post(proof::<D>))
        .route(QUERY_RATE_PATH, post(rate_form::<D>))
        .layer(axum::middleware::map_response(page_headers));
    Router::new()
        .route(QUERY_API_PATH, post(query_api::<D>))
        .route(QUERY_RATE_API_PATH, post(rate_api::<D>))
        .merge(pages)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
}

#[derive(serde::Deserialize, Default)]
pub struct Asked {
    #[serde(default)]
    case: String,
    #[serde(default)]
    code: String,
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        citizen_html::STYLE,
    )
}

/// The form; with `case` and `code` (a receipt's QR code), the case at once.
async fn query_page<D: HubDb>(
    State(state): State<AppState<D>>,
    parts: Parts,
    Query(asked): Query<Asked>,
) -> Response {
    if asked.case.is_empty() && asked.code.is_empty() {
        return Html(citizen_html::form("", None).into_string()).into_response();
    }
    answer(&state, &parts, &asked).await
}

async fn query_form<D: HubDb>(
    State(state): State<AppState<D>>,
    parts: Parts,
    Form(asked): Form<Asked>,
) -> Response {
    answer(&state, &parts, &asked).await
}

async fn answer<D: HubDb>(state: &AppState<D>, parts: &Parts, asked: &Asked) -> Response {
    let Ok(addr) = peer(parts) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match state
        .hub
        .citizen_view(&asked.case, &asked.code, addr.ip())
        .await
    {
        Ok(view) => {
            Html(citizen_html::case(&view, asked.code.trim(), None).into_string()).into_response()
        }
        Err(e) => refused(asked, e),
    }
}

/// A rating as the page's form sends it: the case and its code, the level, and for a 差评 the
/// reason and a comment.
#[derive(serde::Deserialize, Default)]
pub struct Rated {
    #[serde(flatten)]
    asked: Asked,
    #[serde(flatten)]
    form: RatingForm,
}

/// Takes the rating and shows the case with it; a rating the rules refuse shows the case again
/// with the reason, under the status the API gives it.
async fn rate_form<D: HubDb>(
    State(state): State<AppState<D>>,
    parts: Parts,
    Form(rated): Form<Rated>,
) -> Response {
    let Ok(addr) = peer(&parts) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let (asked, code) = (&rated.asked, rated.asked.code.trim());
    match state
        .hub
        .rate(&asked.case, &asked.code, addr.ip(), &rated.form)
        .await
    {
        Ok(view) => {
            let notice = citizen_html::Notice::Thanks;
            Html(citizen_html::case(&view, code, Some(notice)).into_string()).into_response()
        }
        Err(e @ (HubError::Forbidden(_) | HubError::BadRequest(_))) => {
            // The code was right (a wrong one is NotFound): show the case with why.
            match state
                .hub
                .citizen_view(&asked.case, &asked.code, addr.ip())
                .await
            {
                Ok(view) => {
                    let notice = citizen_html::Notice::Refused(e.text().zh);
                    let page = citizen_html::case(&view, code, Some(notice));
                    (super::api::status(e.refusal()), Html(page.into_string())).into_response()
                }
                Err(_) => refused(asked, e),
            }
        }
        Err(e) => refused(asked, e),
    }
}

/// The rating as JSON, for a portal: answers the view as it now stands.
async fn rate_api<D: HubDb>(
    State(state): State<AppState<D>>,
    parts: Parts,
    Json(rated): Json<Rated>,
) -> Result<Json<crate::service::citizen::CitizenView>, HubError> {
    let addr = peer(&parts)?;
    let asked = &rated.asked;
    Ok(Json(
        state
            .hub
            .rate(&asked.case, &asked.code, addr.ip(), &rated.form)
            .await?,
    ))
}

/// A refusal the citizen can act on (a malformed number or code, no match, too many misses) is
/// the form again with its reason, under the status the API gives it; anything else is the
/// hub's error.
fn refused(asked: &Asked, e: HubError) -> Response {
    match e {
        HubError::BadRequest(_) | HubError::NotFound(_) | HubError::QueryThrottled => {
            let page = citizen_html::form(asked.case.trim(), Some(&e.text().zh));
            (super::api::status(e.refusal()), Html(page.into_string())).into_response()
        }
        e => e.into_response(),
    }
}

/// The same view as JSON, for a portal that shows it in its own pages.
async fn query_api<D: HubDb>(
    State(state): State<AppState<D>>,
    parts: Parts,
    Json(asked): Json<Asked>,
) -> Result<Json<crate::service::citizen::CitizenView>, HubError> {
    let addr = peer(&parts)?;
    Ok(Json(
        state
            .hub
            .citizen_view(&asked.case, &asked.code, addr.ip())
            .await?,
    ))
}

/// The use entries with their proofs, as a file to keep (the audit extract's format).
async fn proof<D: HubDb>(
    State(state): State<AppState<D>>,
    parts: Parts,
    Form(asked): Form<Asked>,
) -> Response {
    let Ok(addr) = peer(&parts) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match state
        .hub
        .citizen_proof(&asked.case, &asked.code, addr.ip())
        .await
    {
        Ok(extract) => {
            let Ok(json) = serde_json::to_string_pretty(&extract) else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            let safe: String = asked
                .case
                .trim()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let name = format!("attachment; filename=\"uses-{safe}.json\"");
            (
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (header::CONTENT_DISPOSITION, name),
                ],
                json,
            )
                .into_response()
        }
        Err(e) => refused(&asked, e),
    }
}
