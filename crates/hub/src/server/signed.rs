//! The checks before reading. A signed request is authenticated from its headers alone (device,
//! time, nonce, signature over them and the announced body hash), its nonce spent, and only then
//! is its body read, under the endpoint's cap and a time limit, and matched against the hash.
//! An unsigned endpoint (enrolment) is rate-limited per peer before its small body is read.

use super::api::AppState;
use crate::db::{Device, HubDb, HubError, HubResult};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request};
use axum::http::{HeaderMap, header};
use http_body_util::BodyExt;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::OwnedSemaphorePermit;
use tongban_domain::Localized;
use tongban_domain::l10n::Text;
use tongban_domain::text;
use tongban_sync::auth::{self, AuthError, SignedHeaders};
use tongban_sync::endpoint::Endpoint;
use tongban_sync::wire;

/// A request whose sender was authenticated before its body was read.
pub struct Signed<E: Endpoint> {
    pub device: Device,
    pub request: E::Request,
    endpoint: PhantomData<E>,
    /// Its share of the memory all bodies in flight may take, held until it is answered.
    _budget: OwnedSemaphorePermit,
}

/// A request to an endpoint anyone may call (enrolment), from `peer`.
pub struct Open<E: Endpoint> {
    pub peer: SocketAddr,
    pub request: E::Request,
    _budget: OwnedSemaphorePermit,
}

const KIB: u64 = 1024;

fn header_text<'a>(headers: &'a HeaderMap, name: &'static str) -> HubResult<&'a str> {
    headers
        .get(name)
        .ok_or(AuthError::Missing(name))
        .and_then(|v| v.to_str().map_err(|_| AuthError::Malformed))
        .map_err(|e| HubError::Unauthorized(e.text()))
}

fn signed_headers(headers: &HeaderMap) -> HubResult<SignedHeaders> {
    Ok(SignedHeaders {
        device: header_text(headers, auth::HEADER_DEVICE)?.to_string(),
        timestamp: header_text(headers, auth::HEADER_TIMESTAMP)?
            .parse()
            .map_err(|_| HubError::Unauthorized(AuthError::Malformed.text()))?,
        nonce: header_text(headers, auth::HEADER_NONCE)?.to_string(),
        signature: header_text(headers, auth::HEADER_SIGNATURE)?.to_string(),
        body_sha256: header_text(headers, auth::HEADER_BODY_HASH)?.to_string(),
    })
}

pub fn peer(parts: &axum::http::request::Parts) -> HubResult<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .ok_or_else(|| HubError::internal("no peer address"))
}

/// Who is asking: a known, unrevoked device of this township, a valid signature, a fresh nonce.
/// The township check comes after the signature so that forgers learn nothing.
async fn authenticate<D: HubDb>(
    state: &AppState<D>,
    headers: &SignedHeaders,
    method: &str,
    path: &str,
    township: &str,
) -> HubResult<Device> {
    let unknown = || {
        HubError::Unauthorized(text!(
            "device is not enrolled at this hub",
            "本设备未在中心登记"
        ))
    };
    if headers.device.len() > 64 {
        return Err(unknown());
    }
    let db = &state.hub.db;
    let device = db.device(&headers.device).await?.ok_or_else(unknown)?;
    let key = auth::parse_public_key(&device.public_key).map_err(|_| unknown())?;
    let now = crate::service::now_secs();
    auth::verify_request(&key, headers, method, path, now)
        .map_err(|e| HubError::Unauthorized(e.text()))?;
    if device.revoked {
        return Err(state.hub.revocation(&device, &headers.nonce));
    }
    if device.township != township {
        return Err(HubError::Forbidden(Text::new(
            format!(
                "this device belongs to township {}, not {township}",
                device.township
            ),
            format!("本设备属于乡镇{}，无权访问乡镇{township}", device.township),
        )));
    }
    spend_nonce(db, &device.id, &headers.nonce, now).await?;
    Ok(device)
}

/// A request's nonce, spent once: the same signed request sent again is refused.
async fn spend_nonce<D: HubDb>(db: &D, sender: &str, nonce: &str, now: i64) -> HubResult<()> {
    let fresh = db
        .remember_nonce(sender, nonce, now + 2 * auth::MAX_SKEW_SECS, now)
        .await?;
    if fresh {
        Ok(())
    } else {
        Err(HubError::Unauthorized(text!(
            "request was already received (replayed nonce)",
            "重复的请求（随机数已使用）"
        )))
    }
}

/// Reads at most `cap` bytes, within the time the announced length allows at the slowest rate a
/// desk's link is expected to manage, once the bodies already in flight leave room for it.
async fn read_body<D: HubDb>(
    body: Body,
    headers: &HeaderMap,
    cap: usize,
    state: &AppState<D>,
) -> HubResult<(Vec<u8>, OwnedSemaphorePermit)> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > cap as u64) {
        return Err(HubError::TooLarge(cap));
    }
    let expected = announced.unwrap_or(cap as u64);
    let timeouts = &state.timeouts;
    let allowed = timeouts.body_base
        + std::time::Duration::from_secs(expected / timeouts.min_body_bytes_per_sec.max(1));
    let read = async {
        // A body and its decoded form are held while the request is served: room for both.
        let share = u32::try_from((2 * expected).div_ceil(KIB).max(1)).unwrap_or(u32::MAX);
        let permit = Arc::clone(&state.bodies)
            .acquire_many_owned(share.min(timeouts.bodies_in_flight_mib.saturating_mul(1024)))
            .await
            .map_err(HubError::internal)?;
        let limited = http_body_util::Limited::new(body, cap);
        match limited.collect().await {
            Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(HubError::TooLarge(cap)),
            Err(e) => Err(HubError::BadRequest(text!(
                "unreadable request body: {e}",
                "请求体无法读取"
            ))),
            Ok(collected) => Ok((collected.to_bytes().to_vec(), permit)),
        }
    };
    tokio::time::timeout(allowed, read)
        .await
        .map_err(|_| HubError::TimedOut)?
}

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> HubResult<T> {
    wire::decode(body).map_err(|e| match e {
        wire::WireError::TooLarge => HubError::TooLarge(wire::MAX_DECODED_BYTES),
        other => HubError::BadRequest(other.text()),
    })
}

impl<D: HubDb, E: Endpoint> FromRequest<AppState<D>> for Signed<E> {
    type Rejection = HubError;

    async fn from_request(req: Request, state: &AppState<D>) -> HubResult<Self> {
        let (mut parts, body) = req.into_parts();
        let Path(township) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(|e| HubError::BadRequest(Text::untranslated(e.body_text())))?;
        let headers = signed_headers(&parts.headers)?;
        let device = authenticate(
            state,
            &headers,
            parts.method.as_str(),
            &E::path(&township),
            &township,
        )
        .await?;
        let (bytes, budget) = read_body(body, &parts.headers, E::MAX_BODY, state).await?;
        auth::check_body(&headers, &bytes).map_err(|e| HubError::Unauthorized(e.text()))?;
        Ok(Self {
            device,
            request: decode(&bytes)?,
            endpoint: PhantomData,
            _budget: budget,
        })
    }
}

impl<D: HubDb, E: Endpoint> FromRequest<AppState<D>> for Open<E> {
    type Rejection = HubError;

    async fn from_request(req: Request, state: &AppState<D>) -> HubResult<Self> {
        let (parts, body) = req.into_parts();
        let peer = peer(&parts)?;
        state
            .hub
            .limit_rate(E::PATH, peer.ip(), state.hub.limits.enrolments_per_minute)
            .await?;
        let (bytes, budget) = read_body(body, &parts.headers, E::MAX_BODY, state).await?;
        Ok(Self {
            peer,
            request: decode(&bytes)?,
            _budget: budget,
        })
    }
}

/// A department system's request, authenticated like a desk's before its body is read: a
/// registered, enabled department, its signature, a fresh nonce.
pub struct DepartmentSigned<E: Endpoint> {
    pub department: crate::sharing_db::Department,
    pub request: E::Request,
    /// The SHA-256 of the body as signed, which the log entry names.
    pub body_sha256: String,
    _budget: OwnedSemaphorePermit,
}

impl<D: HubDb, E: Endpoint> FromRequest<AppState<D>> for DepartmentSigned<E> {
    type Rejection = HubError;

    async fn from_request(req: Request, state: &AppState<D>) -> HubResult<Self> {
        let (parts, body) = req.into_parts();
        let headers = signed_headers(&parts.headers)?;
        let unknown = || {
            HubError::Unauthorized(text!(
                "department is not registered at this hub",
                "该部门未在中心登记"
            ))
        };
        if headers.device.len() > 64 {
            return Err(unknown());
        }
        let db = &state.hub.db;
        let department = db.department(&headers.device).await?.ok_or_else(unknown)?;
        let key = auth::parse_public_key(&department.public_key).map_err(|_| unknown())?;
        let now = crate::service::now_secs();
        auth::verify_request(&key, &headers, parts.method.as_str(), E::PATH, now)
            .map_err(|e| HubError::Unauthorized(e.text()))?;
        if department.disabled_at_ms.is_some() {
            return Err(HubError::Forbidden(text!(
                "this department's access was ended at the hub",
                "该部门的共享权限已被中心停用"
            )));
        }
        // Nonces share the devices' table under a prefix no device id has.
        let sender = format!("department:{}", department.code);
        spend_nonce(db, &sender, &headers.nonce, now).await?;
        let (bytes, budget) = read_body(body, &parts.headers, E::MAX_BODY, state).await?;
        auth::check_body(&headers, &bytes).map_err(|e| HubError::Unauthorized(e.text()))?;
        Ok(Self {
            department,
            request: decode(&bytes)?,
            body_sha256: headers.body_sha256.clone(),
            _budget: budget,
        })
    }
}
