//! The routes, each one line of the endpoint table: take the checked request, call the service,
//! encode the answer. Failures become statuses here and nowhere else; every request is logged
//! with its peer and counted.

use super::metrics::Metrics;
use super::signed::{DepartmentSigned, Open, Signed, peer};
use crate::db::{HubDb, HubError};
use crate::service::Hub;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tongban_domain::Localized;
use tongban_domain::text;
use tongban_sync::endpoint::{
    ArchiveGet, AuditAppend, AuditLogRead, Directory, Endpoint, Enroll, Exchange, ExchangeGet,
    HEALTH_PATH, Lookup, METRICS_PATH, Manifest, PageGet, PagePut, PageStatus, Rekey, Sync,
};
use tongban_sync::wire::{self, CONTENT_TYPE, ErrorBody, PageChunkAck, Refusal};

/// How long a request body may take (a base, plus its length at the slowest rate a township's
/// link is expected to manage), and how much memory all bodies in flight may take together.
#[derive(Debug, Clone)]
pub struct Timeouts {
    pub body_base: Duration,
    pub min_body_bytes_per_sec: u64,
    pub bodies_in_flight_mib: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            body_base: Duration::from_secs(30),
            min_body_bytes_per_sec: 4 * 1024,
            bodies_in_flight_mib: 512,
        }
    }
}

#[derive(Clone)]
pub struct AppState<D> {
    pub hub: Hub<D>,
    pub metrics: Arc<Metrics>,
    pub timeouts: Timeouts,
    /// Permits of 1 KiB for bodies being read and served: desks sending large bodies at once
    /// wait their turn instead of exhausting the hub's memory.
    pub bodies: Arc<tokio::sync::Semaphore>,
}

impl<D> AppState<D> {
    pub fn new(hub: Hub<D>, metrics: Arc<Metrics>, timeouts: Timeouts) -> Self {
        let bodies = Arc::new(tokio::sync::Semaphore::new(
            timeouts.bodies_in_flight_mib as usize * 1024,
        ));
        Self {
            hub,
            metrics,
            timeouts,
            bodies,
        }
    }
}

/// The refusal's code travels to the access log in the response.
#[derive(Clone, Copy)]
struct Refused(Refusal);

pub(super) fn status(code: Refusal) -> StatusCode {
    match code {
        Refusal::BadRequest => StatusCode::BAD_REQUEST,
        Refusal::Unauthorized => StatusCode::UNAUTHORIZED,
        Refusal::Forbidden | Refusal::Revoked => StatusCode::FORBIDDEN,
        Refusal::NotFound => StatusCode::NOT_FOUND,
        Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Refusal::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Refusal::TimedOut => StatusCode::REQUEST_TIMEOUT,
        Refusal::Conflict => StatusCode::CONFLICT,
        // A page damaged at rest: the desk keeps it pending and asks again later.
        Refusal::Damaged => StatusCode::SERVICE_UNAVAILABLE,
        Refusal::Internal | Refusal::Other => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let code = self.refusal();
        let text = if code == Refusal::Internal {
            tracing::error!(detail = %self, "request failed");
            text!(
                "the hub could not finish this request; try again later",
                "中心暂时无法处理请求，请稍后重试"
            )
        } else {
            self.text()
        };
        let statement = match &self {
            Self::Revoked(signed) => Some(
                base64::engine::general_purpose::STANDARD
                    .encode(wire::encode_plain(signed.as_ref())),
            ),
            _ => None,
        };
        let body = ErrorBody {
            error: code,
            message: text.to_string(),
            text,
            statement,
        };
        let mut response = (status(code), Json(body)).into_response();
        response.extensions_mut().insert(Refused(code));
        response
    }
}

/// An answer as the endpoint declares it.
struct Reply<E: Endpoint>(E::Response);

impl<E: Endpoint> IntoResponse for Reply<E> {
    fn into_response(self) -> Response {
        let mut response = wire::encode(&self.0).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        response
    }
}

type Answer<E> = Result<Reply<E>, HubError>;

pub fn router<D: HubDb>(state: AppState<D>) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(healthz::<D>))
        .route(METRICS_PATH, get(metrics::<D>))
        .route(Enroll::PATH, post(enroll::<D>))
        .route(Directory::PATH, post(directory::<D>))
        .route(Rekey::PATH, post(rekey::<D>))
        .route(Manifest::PATH, post(manifest::<D>))
        .route(Sync::PATH, post(sync::<D>))
        .route(PageStatus::PATH, post(page_status::<D>))
        .route(PagePut::PATH, post(page_put::<D>))
        .route(PageGet::PATH, post(page_get::<D>))
        .route(ArchiveGet::PATH, post(archive_get::<D>))
        .route(AuditAppend::PATH, post(audit_append::<D>))
        .route(AuditLogRead::PATH, post(audit_read::<D>))
        .route(Lookup::PATH, post(lookup::<D>))
        .route(Exchange::PATH, post(exchange::<D>))
        .route(ExchangeGet::PATH, post(exchange_get::<D>))
        .merge(super::county_page::routes::<D>())
        .merge(super::citizen_page::routes::<D>())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access_log::<D>,
        ))
        .with_state(state)
}

/// Logs every request with its peer, refusals with their reason, and counts them.
async fn access_log<D: HubDb>(
    State(state): State<AppState<D>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let peer = peer(&parts).map(|p| p.to_string()).unwrap_or_default();
    let route = parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let up = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let method = parts.method.clone();
    let response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status().as_u16();
    let down = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .unwrap_or(0);
    let seconds = started.elapsed().as_secs_f64();
    state.metrics.observe(&route, status, seconds, up, down);
    match response.extensions().get::<Refused>() {
        Some(Refused(code)) => {
            state.metrics.refused(code.as_str());
            tracing::warn!(%peer, %method, %route, status, reason = code.as_str(), ms = (seconds * 1000.0) as u64, "request refused");
        }
        None => {
            tracing::info!(%peer, %method, %route, status, ms = (seconds * 1000.0) as u64, "request")
        }
    }
    response
}

async fn healthz<D: HubDb>(
    State(state): State<AppState<D>>,
    request: Request,
) -> Result<&'static str, HubError> {
    let (parts, _) = request.into_parts();
    let peer = peer(&parts)?;
    state
        .hub
        .limit_rate(
            HEALTH_PATH,
            peer.ip(),
            state.hub.limits.open_requests_per_minute,
        )
        .await?;
    state.hub.db.ping().await?;
    Ok("ok")
}

/// For a Prometheus on this machine only: the counts say how busy townships are.
async fn metrics<D: HubDb>(
    State(state): State<AppState<D>>,
    request: Request,
) -> Result<String, HubError> {
    let (parts, _) = request.into_parts();
    if !peer(&parts)?.ip().is_loopback() {
        return Err(HubError::Forbidden(text!(
            "metrics are answered to this machine only",
            "监控指标仅对本机开放"
        )));
    }
    let size = state.hub.db.database_bytes().await?;
    Ok(state.metrics.render(size))
}

async fn enroll<D: HubDb>(State(state): State<AppState<D>>, open: Open<Enroll>) -> Answer<Enroll> {
    Ok(Reply(state.hub.enrol(open.request, open.peer.ip()).await?))
}

async fn directory<D: HubDb>(
    State(state): State<AppState<D>>,
    s: Signed<Directory>,
) -> Answer<Directory> {
    Ok(Reply(state.hub.directory_for(&s.device, s.request).await?))
}

async fn rekey<D: HubDb>(State(state): State<AppState<D>>, s: Signed<Rekey>) -> Answer<Rekey> {
    state.hub.rekey(&s.device, &s.request.rekey).await?;
    Ok(Reply(wire::RekeyResponse { accepted: true }))
}

async fn manifest<D: HubDb>(
    State(state): State<AppState<D>>,
    s: Signed<Manifest>,
) -> Answer<Manifest> {
    Ok(Reply(state.hub.manifest(&s.device, s.request).await?))
}

async fn sync<D: HubDb>(State(state): State<AppState<D>>, s: Signed<Sync>) -> Answer<Sync> {
    Ok(Reply(state.hub.apply_batch(&s.device, s.request).await?))
}

async fn page_status<D: HubDb>(
    State(state): State<AppState<D>>,
    s: Signed<PageStatus>,
) -> Answer<PageStatus> {
    Ok(Reply(state.hub.page_status(&s.device, s.request).await?))
}

async fn page_put<D: HubDb>(
    State(state): State<AppState<D>>,
    s: Signed<PagePut>,
) -> Answer<PagePut> {
    let complete = state.hub.put_page_chunk(&s.device, s.request).await?;
    Ok(Reply(PageChunkAck { complete }))
}

async fn page_get<D: HubDb>(
    State(state): State<AppState<D>>,
    s: Signed<PageGet>,
) -> Answer<PageGet> {
    let req = s.request;
    Ok(Reply(
        state
            .hub
            .page_chunk(&s.device, &req.sha256, req.index)
            .await?,
    ))
}

async fn archive_get<D: HubDb>(
    State(state): State<AppState<D>>,
    s: Signed<ArchiveGet>,
) -> Answer<ArchiveGet> {
    let req = s.request;
    Ok(Reply(
        state
            .hub
            .archive_chunk(&s.device, &req.case, req.index)
            .await?,
    ))
}

async fn audit_append<D: HubDb>(
    State(state): State<AppState<D>>,
    s: Signed<AuditAppend>,
) -> Answer<AuditAppend> {
    Ok(Reply(
        state
            .hub
            .audit
            .push(&state.hub.db, &s.device, s.request)
            .await?,
    ))
}

async fn audit_read<D: HubDb>(
    State(state): State<AppState<D>>,
    s: Signed<AuditLogRead>,
) -> Answer<AuditLogRead> {
    Ok(Reply(state.hub.audit_read(&s.device, s.request).await?))
}

async fn exchange<D: HubDb>(
    State(state): State<AppState<D>>,
    s: DepartmentSigned<Exchange>,
) -> Answer<Exchange> {
    Ok(Reply(
        state
            .hub
            .exchange(&s.department, s.request, &s.body_sha256)
            .await?,
    ))
}

async fn exchange_get<D: HubDb>(
    State(state): State<AppState<D>>,
    s: DepartmentSigned<ExchangeGet>,
) -> Answer<ExchangeGet> {
    Ok(Reply(
        state.hub.exchange_chunk(&s.department, s.request).await?,
    ))
}

async fn lookup<D: HubDb>(State(state): State<AppState<D>>, s: Signed<Lookup>) -> Answer<Lookup> {
    Ok(Reply(state.hub.lookup(&s.device, s.request).await?))
}
