//! Talking to the hub over HTTP: enrolment, and signed requests carrying CBOR+zstd bodies.

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde::{Serialize, de::DeserializeOwned};
use std::time::Duration;
use tongban_sync::auth;
use tongban_sync::ed25519_dalek::SigningKey;
use tongban_sync::wire::{self, CONTENT_TYPE, EnrollRequest, EnrollResponse, ErrorBody};

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(
        "the hub at {url} cannot be reached ({detail}); work continues offline and syncs when the link is back / 无法连接中心 {url}（{detail}），可继续离线办理，联网后再同步"
    )]
    Unreachable { url: String, detail: String },
    #[error("the hub refused the request ({status}): {message}")]
    Refused {
        status: u16,
        /// The hub's stable code for the refusal (`revoked`, `forbidden`, ...).
        code: String,
        message: String,
    },
    #[error("the hub answered with something unreadable: {0} / 中心的应答无法解读：{0}")]
    BadAnswer(String),
    #[error("hub address {0:?} is not an http(s) URL / 中心地址“{0}”不是有效的 http(s) 地址")]
    BadUrl(String),
}

impl HubError {
    /// The hub no longer accepts this device: its local data must go.
    pub fn is_revoked(&self) -> bool {
        matches!(self, Self::Refused { code, .. } if code == "revoked")
    }

    /// Worth trying again later: the link or the hub itself, not the request.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } => true,
            Self::Refused { status, .. } => *status >= 500,
            Self::BadAnswer(_) | Self::BadUrl(_) => false,
        }
    }
}

fn http() -> Result<Client, HubError> {
    Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| HubError::BadAnswer(e.to_string()))
}

fn base(url: &str) -> Result<String, HubError> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|_| HubError::BadUrl(url.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(HubError::BadUrl(url.to_string()));
    }
    Ok(trimmed.to_string())
}

fn unreachable(url: &str, e: reqwest::Error) -> HubError {
    let detail = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection failed".to_string()
    } else {
        e.to_string()
    };
    HubError::Unreachable {
        url: url.to_string(),
        detail,
    }
}

fn refusal(response: Response) -> HubError {
    let status = response.status();
    let text = response.text().unwrap_or_default();
    let (code, message) = serde_json::from_str::<ErrorBody>(&text)
        .map(|b| (b.error, b.message))
        .unwrap_or_else(|_| (String::new(), text.chars().take(300).collect()));
    HubError::Refused {
        status: status.as_u16(),
        code,
        message,
    }
}

pub fn enroll(
    hub_url: &str,
    code: &str,
    user: &str,
    password: &str,
    label: &str,
    key: &SigningKey,
) -> Result<EnrollResponse, HubError> {
    let base = base(hub_url)?;
    let (public_key, signature) = auth::sign_enrollment(key, code.trim(), user);
    let request = EnrollRequest {
        code: code.trim().to_string(),
        public_key,
        user: user.to_string(),
        password: password.to_string(),
        label: label.to_string(),
        signature,
    };
    let url = format!("{base}/v1/enroll");
    let response = http()?
        .post(&url)
        .json(&request)
        .send()
        .map_err(|e| unreachable(&base, e))?;
    if response.status() != StatusCode::OK {
        return Err(refusal(response));
    }
    response
        .json()
        .map_err(|e| HubError::BadAnswer(e.to_string()))
}

/// A desk's signed connection to its township at the hub.
pub struct HubClient {
    base: String,
    township: String,
    device_id: String,
    key: SigningKey,
    http: Client,
}

/// A decoded answer and how many bytes crossed the wire each way.
pub struct Exchange<T> {
    pub answer: T,
    pub sent: u64,
    pub received: u64,
}

impl HubClient {
    pub fn new(
        hub_url: &str,
        township: &str,
        device_id: &str,
        key: SigningKey,
    ) -> Result<Self, HubError> {
        Ok(Self {
            base: base(hub_url)?,
            township: township.to_string(),
            device_id: device_id.to_string(),
            key,
            http: http()?,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// POSTs a signed request to `/v1/townships/{township}/{endpoint}`.
    pub fn call<Q: Serialize, A: DeserializeOwned>(
        &self,
        endpoint: &str,
        request: &Q,
    ) -> Result<Exchange<A>, HubError> {
        let body = wire::encode(request);
        let path = format!("/v1/townships/{}/{endpoint}", self.township);
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|e| HubError::BadAnswer(e.to_string()))?;
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let signed = auth::sign_request(
            &self.key,
            &self.device_id,
            "POST",
            &path,
            timestamp,
            &hex::encode(nonce),
            &body,
        );
        let sent = body.len() as u64;
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header(auth::HEADER_DEVICE, &signed.device)
            .header(auth::HEADER_TIMESTAMP, signed.timestamp.to_string())
            .header(auth::HEADER_NONCE, &signed.nonce)
            .header(auth::HEADER_SIGNATURE, &signed.signature)
            .body(body)
            .send()
            .map_err(|e| unreachable(&self.base, e))?;
        if response.status() != StatusCode::OK {
            return Err(refusal(response));
        }
        let bytes = response.bytes().map_err(|e| unreachable(&self.base, e))?;
        let answer = wire::decode(&bytes).map_err(|e| HubError::BadAnswer(e.to_string()))?;
        Ok(Exchange {
            answer,
            sent,
            received: bytes.len() as u64,
        })
    }
}
