//! HTTP handlers. Each is thin: authenticate, decode, hand to `sync_docs`/the store, encode.

use crate::audit_log::AuditLogs;
use crate::db::{DbError, Device, HubDb, NewDevice};
use crate::pages::PageStore;
use crate::sync_docs;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::HashSet;
use std::sync::Arc;
use tongban_domain::CaseNumber;
use tongban_domain::session::check_user_name;
use tongban_sync::auth::{self, AuthError, SignedHeaders};
use tongban_sync::wire::{
    self, AuditPush, AuditRead, AuditReadResponse, CONTENT_TYPE, DirectoryRequest,
    DirectoryResponse, EnrollRequest, EnrollResponse, ErrorBody, MAX_BODY_BYTES, ManifestRequest,
    ManifestResponse, PageChunk, PageChunkAck, PageFetch, PageStatusRequest, PageStatusResponse,
    SyncBatch,
};

/// A desk asks about at most this many pages at once.
const MAX_STATUS_PAGES: usize = 1_000;

/// A desk lists at most this many changed documents in one manifest.
const MAX_MANIFEST_DOCS: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The device was revoked: desks wipe their local data when they see this code.
    #[error("{0}")]
    Revoked(String),
    #[error("request body is larger than {MAX_BODY_BYTES} bytes / 请求体超过{MAX_BODY_BYTES}字节")]
    TooLarge,
    #[error(
        "the hub could not finish this request; try again later / 中心暂时无法处理请求，请稍后重试"
    )]
    Internal(String),
}

impl ApiError {
    fn code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Revoked(_) => (StatusCode::FORBIDDEN, "revoked"),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<wire::WireError> for ApiError {
    fn from(e: wire::WireError) -> Self {
        match e {
            wire::WireError::TooLarge => Self::TooLarge,
            other => Self::BadRequest(other.to_string()),
        }
    }
}

impl From<BytesRejection> for ApiError {
    fn from(e: BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::TooLarge
        } else {
            Self::BadRequest(format!("unreadable request body: {e} / 请求体无法读取"))
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.code();
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        } else {
            tracing::warn!(status = status.as_u16(), code, message = %self, "request refused");
        }
        let body = ErrorBody {
            error: code.to_string(),
            message: self.to_string(),
        };
        (status, Json(body)).into_response()
    }
}

#[derive(Clone)]
pub struct AppState<D> {
    pub db: D,
    pub pages: Arc<PageStore>,
    pub audit: Arc<AuditLogs>,
}

pub fn router<D: HubDb>(db: D, pages: PageStore, audit: AuditLogs) -> Router {
    Router::new()
        .route("/healthz", get(healthz::<D>))
        .route("/v1/enroll", post(enroll::<D>))
        .route("/v1/townships/{code}/manifest", post(manifest::<D>))
        .route("/v1/townships/{code}/sync", post(sync::<D>))
        .route("/v1/townships/{code}/directory", post(directory::<D>))
        .route("/v1/townships/{code}/pages/status", post(page_status::<D>))
        .route("/v1/townships/{code}/pages/put", post(page_put::<D>))
        .route("/v1/townships/{code}/pages/get", post(page_get::<D>))
        .route("/v1/townships/{code}/audit", post(audit_push::<D>))
        .route("/v1/townships/{code}/audit/read", post(audit_read::<D>))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(AppState {
            db,
            pages: Arc::new(pages),
            audit: Arc::new(audit),
        })
}

fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

async fn healthz<D: HubDb>(State(state): State<AppState<D>>) -> Result<&'static str, ApiError> {
    state.db.ping().await?;
    Ok("ok")
}

pub fn hash_enroll_code(code: &str) -> String {
    use sha2::Digest;
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(sha2::Sha256::digest(normal.as_bytes()))
}

async fn enroll<D: HubDb>(
    State(state): State<AppState<D>>,
    body: Result<Json<EnrollRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<EnrollResponse>, ApiError> {
    let Json(req) = body.map_err(|e| ApiError::BadRequest(format!("{e} / 登记请求格式错误")))?;
    let user = check_user_name(&req.user).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    if req.label.chars().count() > 100 {
        return Err(ApiError::BadRequest(
            "the desk's label must have at most 100 characters / 设备名称不得超过100个字符".into(),
        ));
    }
    auth::verify_enrollment(&req.code, &req.public_key, &req.user, &req.signature)
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    let code_hash = hash_enroll_code(&req.code);
    let bad_code = || {
        ApiError::Unauthorized(
            "enrolment code is unknown, used or expired; ask the operator for a new one / 登记码无效、已使用或已过期，请向管理员索取新码"
                .into(),
        )
    };
    // The account is checked before the code is spent, so a mistyped password costs nothing.
    let township = state
        .db
        .enroll_code_township(&code_hash, now_secs())
        .await?
        .ok_or_else(bad_code)?;
    let account = state
        .db
        .users(&township)
        .await?
        .into_iter()
        .find(|u| u.name == user);
    let password = req.password.clone();
    let verified = match account {
        Some(account) => tokio::task::spawn_blocking(move || {
            auth::verify_password(&account.password_hash, &password)
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?,
        None => false,
    };
    if !verified {
        return Err(ApiError::Unauthorized(format!(
            "no account {user} with this password in the code's township; the operator adds accounts with `tongban-hub user add` / 该乡镇没有用户{user}或密码错误，账户由管理员用 tongban-hub user add 添加"
        )));
    }
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|e| ApiError::Internal(e.to_string()))?;
    let device = NewDevice {
        id: hex::encode(id),
        public_key: req.public_key,
        user: user.to_string(),
        label: req.label,
        enrolled_at: now_secs(),
    };
    let device = state
        .db
        .redeem_enroll_code(&code_hash, now_secs(), device)
        .await?
        .ok_or_else(bad_code)?;
    let township = state
        .db
        .township(&device.township)
        .await?
        .ok_or_else(|| ApiError::Internal("township vanished".into()))?;
    tracing::info!(device = %device.id, township = %device.township, serial = device.serial, "device enrolled");
    Ok(Json(EnrollResponse {
        device_id: device.id,
        device_serial: device.serial,
        directory: crate::directory::build(&state.db, &township.code).await?,
        township_code: township.code,
        township_name: township.name,
        audit_key: state.audit.public_key(),
    }))
}

fn header_text<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, ApiError> {
    headers
        .get(name)
        .ok_or(AuthError::Missing(name))
        .and_then(|v| v.to_str().map_err(|_| AuthError::Malformed))
        .map_err(|e| ApiError::Unauthorized(e.to_string()))
}

/// Checks who is asking: a known, unrevoked device of this township, a valid signature, a fresh
/// nonce. The township check comes after the signature so that forgers learn nothing.
async fn authenticate<D: HubDb>(
    db: &D,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    township: &str,
    body: &[u8],
) -> Result<Device, ApiError> {
    let signed = SignedHeaders {
        device: header_text(headers, auth::HEADER_DEVICE)?.to_string(),
        timestamp: header_text(headers, auth::HEADER_TIMESTAMP)?
            .parse()
            .map_err(|_| ApiError::Unauthorized(AuthError::Malformed.to_string()))?,
        nonce: header_text(headers, auth::HEADER_NONCE)?.to_string(),
        signature: header_text(headers, auth::HEADER_SIGNATURE)?.to_string(),
    };
    let unknown =
        || ApiError::Unauthorized("device is not enrolled at this hub / 本设备未在中心登记".into());
    let device = db.device(&signed.device).await?.ok_or_else(unknown)?;
    let key = auth::parse_public_key(&device.public_key).map_err(|_| unknown())?;
    let now = now_secs();
    auth::verify_request(&key, &signed, method.as_str(), path, body, now)
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    if device.revoked {
        return Err(ApiError::Revoked(
            "this device has been revoked; contact the operator / 本设备已被吊销，请联系管理员"
                .into(),
        ));
    }
    if device.township != township {
        return Err(ApiError::Forbidden(format!(
            "this device belongs to township {}, not {township} / 本设备属于乡镇{}，无权访问乡镇{township}",
            device.township, device.township
        )));
    }
    let fresh = db
        .remember_nonce(
            &device.id,
            &signed.nonce,
            now + 2 * auth::MAX_SKEW_SECS,
            now,
        )
        .await?;
    if !fresh {
        return Err(ApiError::Unauthorized(
            "request was already received (replayed nonce) / 重复的请求（随机数已使用）".into(),
        ));
    }
    Ok(device)
}

/// Every document named in a request must be a case of the township the request is for.
pub(crate) fn check_doc_id(doc_id: &str, township: &str) -> Result<(), ApiError> {
    let number = CaseNumber::parse(doc_id).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    if number.township() != township {
        return Err(ApiError::Forbidden(format!(
            "case {doc_id} belongs to another township / 办件{doc_id}属于其他乡镇"
        )));
    }
    Ok(())
}

fn cbor_response(body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// The common prologue of the signed endpoints: read the body, check who sent it.
async fn signed_request<D: HubDb>(
    state: &AppState<D>,
    township: &str,
    endpoint: &str,
    method: &Method,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(Device, Bytes), ApiError> {
    let body = body?;
    let path = format!("/v1/townships/{township}/{endpoint}");
    let device = authenticate(&state.db, headers, method, &path, township, &body).await?;
    Ok((device, body))
}

async fn manifest<D: HubDb>(
    State(state): State<AppState<D>>,
    Path(code): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (device, body) = signed_request(&state, &code, "manifest", &method, &headers, body).await?;
    let req: ManifestRequest = wire::decode(&body)?;
    if req.docs.len() > MAX_MANIFEST_DOCS {
        return Err(ApiError::BadRequest(format!(
            "manifest lists more than {MAX_MANIFEST_DOCS} documents / 清单文档数超过{MAX_MANIFEST_DOCS}"
        )));
    }
    for doc in &req.docs {
        check_doc_id(&doc.doc_id, &code)?;
    }
    let ids: Vec<String> = req.docs.iter().map(|d| d.doc_id.clone()).collect();
    let hub = state.db.digests(&code, &ids).await?;
    let differing: Vec<String> = req
        .docs
        .iter()
        .filter(|d| hub.get(&d.doc_id) != Some(&d.digest))
        .map(|d| d.doc_id.clone())
        .collect();
    let listed: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let (changed, cursor) = state.db.changed_since(&code, req.cursor).await?;
    let changed = changed
        .into_iter()
        .filter(|d| !listed.contains(d.doc_id.as_str()))
        .collect();
    tracing::info!(device = %device.id, listed = ids.len(), differing = differing.len(), "manifest");
    Ok(cbor_response(wire::encode(&ManifestResponse {
        cursor,
        differing,
        changed,
    })))
}

async fn sync<D: HubDb>(
    State(state): State<AppState<D>>,
    Path(code): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (device, body) = signed_request(&state, &code, "sync", &method, &headers, body).await?;
    let batch: SyncBatch = wire::decode(&body)?;
    batch.check_size()?;
    let replies = sync_docs::apply_batch(&state.db, &device, &code, batch).await?;
    Ok(cbor_response(wire::encode(&replies)))
}

async fn directory<D: HubDb>(
    State(state): State<AppState<D>>,
    Path(code): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (_, body) = signed_request(&state, &code, "directory", &method, &headers, body).await?;
    let req: DirectoryRequest = wire::decode(&body)?;
    let directory = crate::directory::build(&state.db, &code).await?;
    let current = req.digest.as_deref() == Some(directory.digest().as_str());
    Ok(cbor_response(wire::encode(&DirectoryResponse {
        directory: (!current).then_some(directory),
    })))
}

async fn page_status<D: HubDb>(
    State(state): State<AppState<D>>,
    Path(code): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (_, body) = signed_request(&state, &code, "pages/status", &method, &headers, body).await?;
    let req: PageStatusRequest = wire::decode(&body)?;
    if req.pages.len() > MAX_STATUS_PAGES {
        return Err(ApiError::BadRequest(format!(
            "ask about at most {MAX_STATUS_PAGES} pages at once / 每次最多查询{MAX_STATUS_PAGES}个页面"
        )));
    }
    let mut pages = Vec::with_capacity(req.pages.len());
    for sha256 in &req.pages {
        pages.push(state.pages.status(&code, sha256).await?);
    }
    Ok(cbor_response(wire::encode(&PageStatusResponse { pages })))
}

async fn page_put<D: HubDb>(
    State(state): State<AppState<D>>,
    Path(code): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (device, body) =
        signed_request(&state, &code, "pages/put", &method, &headers, body).await?;
    let chunk: PageChunk = wire::decode(&body)?;
    let (sha256, index) = (chunk.sha256.clone(), chunk.index);
    let complete = state.pages.put_chunk(&code, chunk).await?;
    tracing::debug!(device = %device.id, %sha256, index, complete, "page chunk");
    Ok(cbor_response(wire::encode(&PageChunkAck { complete })))
}

async fn page_get<D: HubDb>(
    State(state): State<AppState<D>>,
    Path(code): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (_, body) = signed_request(&state, &code, "pages/get", &method, &headers, body).await?;
    let req: PageFetch = wire::decode(&body)?;
    let chunk = state.pages.fetch(&code, &req.sha256, req.index).await?;
    Ok(cbor_response(wire::encode(&chunk)))
}

async fn audit_push<D: HubDb>(
    State(state): State<AppState<D>>,
    Path(code): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (device, body) = signed_request(&state, &code, "audit", &method, &headers, body).await?;
    let push: AuditPush = wire::decode(&body)?;
    let answer = state.audit.push(&state.db, &device, push).await?;
    Ok(cbor_response(wire::encode(&answer)))
}

async fn audit_read<D: HubDb>(
    State(state): State<AppState<D>>,
    Path(code): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (_, body) = signed_request(&state, &code, "audit/read", &method, &headers, body).await?;
    let read: AuditRead = wire::decode(&body)?;
    let entries = state
        .db
        .audit_entries(&code, read.from, wire::MAX_AUDIT_READ)
        .await?
        .into_iter()
        .map(|e| tongban_audit::SignedEvent {
            bytes: e.bytes,
            signature: e.signature,
        })
        .collect();
    Ok(cbor_response(wire::encode(&AuditReadResponse { entries })))
}
