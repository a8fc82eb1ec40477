//! Talking to the hub: TLS pinned to the hub's key (plain HTTP only to this machine), signed
//! requests carrying CBOR+zstd bodies, and the hub's statements checked against its key before
//! anything is done on their word.

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde::Serialize;
use std::time::Duration;
use tongban_domain::l10n::Text;
use tongban_sync::auth;
use tongban_sync::ed25519_dalek::SigningKey;
use tongban_sync::endpoint::{Endpoint, Enroll};
use tongban_sync::wire::{
    self, CONTENT_TYPE, EnrollRequest, EnrollResponse, ErrorBody, Refusal, StatementKind,
};
use tongban_trust::{EnrolmentCode, Fingerprint, Pins, client_config, pin_mismatch};

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum HubError {
    Unreachable {
        url: String,
        detail: String,
    },
    WrongKey {
        url: String,
        pinned: String,
        presented: String,
    },
    Refused {
        status: u16,
        /// What kind of refusal, as the hub declares it.
        refusal: Refusal,
        /// The hub's reason, in both languages.
        reason: Text,
    },
    /// An answer claiming this device was revoked without the hub's valid statement: a relay
    /// on the path may forge that, so nothing is deleted on its word.
    UnsignedRevocation(String),
    /// The hub revoked this device and said so under its key, answering this very request.
    Revoked,
    BadAnswer(String),
    BadUrl(String),
}

impl tongban_domain::l10n::Localized for HubError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Unreachable { url, detail } => text!(
                "the hub at {url} cannot be reached ({detail}); work continues offline and syncs when the link is back",
                "无法连接中心 {url}（{detail}），可继续离线办理，联网后再同步"
            ),
            Self::WrongKey {
                url,
                pinned,
                presented,
            } => text!(
                "the server at {url} presented key {presented}, but this desk trusts only the hub's key {pinned}. Nothing was sent. Someone may be intercepting the link, or the hub's key was replaced without notice: ask the county's operator which key the hub has (`tongban-hub key show`); if it really changed, enrol this desk again with a new code",
                "{url} 出示的密钥为 {presented}，本机只信任中心密钥 {pinned}，未发送任何数据。链路可能被截取，或中心密钥未经通告被更换：请向县级管理员核实（tongban-hub key show），确有更换请用新登记码重新登记"
            ),
            Self::Refused { status, reason, .. } => reason.clone().within(text!(
                "the hub refused the request ({status})",
                "中心拒绝了请求（{status}）"
            )),
            Self::UnsignedRevocation(why) => text!(
                "the answer said this device was revoked, but without the hub's valid signed statement ({why}); nothing was deleted",
                "应答称本设备已被吊销，但没有中心的有效签名声明（{why}），未删除任何数据"
            ),
            Self::Revoked => text!("this device was revoked at the hub", "本设备已被中心吊销"),
            Self::BadAnswer(detail) => text!(
                "the hub answered with something unreadable: {detail}",
                "中心的应答无法解读：{detail}"
            ),
            Self::BadUrl(address) => text!(
                "hub address {address:?} is not usable: use https://, or http:// to this machine only (127.0.0.1, localhost)",
                "中心地址“{address}”不可用：请使用 https://，http:// 仅限本机地址"
            ),
        }
    }
}

impl HubError {
    /// The hub no longer accepts this device: its local data must go.
    pub fn is_revoked(&self) -> bool {
        matches!(self, Self::Revoked)
    }

    /// Worth trying again later: the link or the hub itself, not the request.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } => true,
            // A page damaged at the hub stays so until an operator mends it.
            Self::Refused {
                status, refusal, ..
            } => {
                (*status >= 500 || *status == 429 || *status == 408) && *refusal != Refusal::Damaged
            }
            Self::WrongKey { .. }
            | Self::Revoked
            | Self::UnsignedRevocation(_)
            | Self::BadAnswer(_)
            | Self::BadUrl(_) => false,
        }
    }
}

/// A hub address as this desk may use it: `https://`, or `http://` to a loopback address.
pub fn check_url(url: &str) -> Result<reqwest::Url, HubError> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|_| HubError::BadUrl(url.to_string()))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| HubError::BadUrl(url.to_string()))?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => Err(HubError::BadUrl(url.to_string())),
    }
}

/// The HTTP client for a hub: pinned TLS for `https://`, plain for a loopback `http://`.
fn http(url: &reqwest::Url, pins: &Pins) -> Result<Client, HubError> {
    let builder = Client::builder()
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .https_only(url.scheme() == "https");
    let builder = if url.scheme() == "https" {
        let tls = client_config(pins.clone()).map_err(|e| HubError::BadAnswer(e.to_string()))?;
        builder.tls_backend_preconfigured(tls)
    } else {
        builder
    };
    builder
        .build()
        .map_err(|e| HubError::BadAnswer(e.to_string()))
}

fn unreachable(url: &str, e: reqwest::Error) -> HubError {
    if let Some(mismatch) = pin_mismatch(&e) {
        return HubError::WrongKey {
            url: url.to_string(),
            pinned: mismatch.pinned.to_string(),
            presented: mismatch.presented.to_string(),
        };
    }
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

fn read_refusal(response: Response) -> (u16, ErrorBody) {
    let status = response.status().as_u16();
    let text = response.text().unwrap_or_default();
    // Something on the path that is not the hub (a proxy's error page) answers in its own words.
    let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or_else(|_| {
        let words: String = text.chars().take(300).collect();
        ErrorBody {
            error: Refusal::Other,
            message: words.clone(),
            text: Text::untranslated(words),
            statement: None,
        }
    });
    (status, body)
}

fn refusal(status: u16, body: ErrorBody) -> HubError {
    HubError::Refused {
        status,
        refusal: body.error,
        reason: body.text,
    }
}

/// Enrols with a one-time code that carries the hub key's fingerprint: the TLS handshake must
/// show that key, and the certificate the hub hands over must be that key's.
pub fn enroll(
    hub_url: &str,
    code: &EnrolmentCode,
    user: &str,
    password: &str,
    label: &str,
    key: &SigningKey,
) -> Result<EnrollResponse, HubError> {
    let url = check_url(hub_url)?;
    let base = url.as_str().trim_end_matches('/').to_string();
    let pins = Pins::new(code.hub_key.clone(), None);
    let (public_key, signature) = auth::sign_enrollment(key, &code.code, user);
    let request = EnrollRequest {
        code: code.code.clone(),
        public_key,
        user: user.to_string(),
        password: password.to_string(),
        label: label.to_string(),
        signature,
    };
    let response = http(&url, &pins)?
        .post(format!("{base}{}", Enroll::PATH))
        .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
        .body(wire::encode(&request))
        .send()
        .map_err(|e| unreachable(&base, e))?;
    if response.status() != StatusCode::OK {
        let (status, body) = read_refusal(response);
        return Err(refusal(status, body));
    }
    let bytes = response.bytes().map_err(|e| unreachable(&base, e))?;
    let answer: EnrollResponse =
        wire::decode(&bytes).map_err(|e| HubError::BadAnswer(e.to_string()))?;
    let handed = Fingerprint::of_certificate(&answer.hub_certificate)
        .map_err(|e| HubError::BadAnswer(e.to_string()))?;
    if handed != code.hub_key {
        return Err(HubError::WrongKey {
            url: base,
            pinned: code.hub_key.to_string(),
            presented: handed.to_string(),
        });
    }
    Ok(answer)
}

/// What the desk knows of its hub's key.
#[derive(Debug, Clone)]
pub struct HubKey {
    pub pins: Pins,
    /// The current key's certificate: statements are checked against it.
    pub certificate: Vec<u8>,
}

/// A desk's signed connection to its township at the hub.
pub struct HubClient {
    base: String,
    township: String,
    device_id: String,
    key: SigningKey,
    hub_key: HubKey,
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
        hub_key: HubKey,
    ) -> Result<Self, HubError> {
        let url = check_url(hub_url)?;
        Ok(Self {
            base: url.as_str().trim_end_matches('/').to_string(),
            township: township.to_string(),
            device_id: device_id.to_string(),
            key,
            http: http(&url, &hub_key.pins)?,
            hub_key,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The hub's key as shown in the last TLS handshake.
    pub fn presented_key(&self) -> Option<Fingerprint> {
        self.hub_key.pins.presented()
    }

    pub fn hub_key(&self) -> &HubKey {
        &self.hub_key
    }

    /// Sends a signed request to the endpoint for this desk's township.
    pub fn call<E: Endpoint>(&self, request: &E::Request) -> Result<Exchange<E::Response>, HubError>
    where
        E::Request: Serialize,
    {
        let body = wire::encode(request);
        let path = E::path(&self.township);
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
            .header(auth::HEADER_BODY_HASH, &signed.body_sha256)
            .body(body)
            .send()
            .map_err(|e| unreachable(&self.base, e))?;
        if response.status() != StatusCode::OK {
            let (status, body) = read_refusal(response);
            return Err(self.judge_refusal(status, body, &signed.nonce));
        }
        let bytes = response.bytes().map_err(|e| unreachable(&self.base, e))?;
        let answer = wire::decode(&bytes).map_err(|e| HubError::BadAnswer(e.to_string()))?;
        Ok(Exchange {
            answer,
            sent,
            received: bytes.len() as u64,
        })
    }

    /// A refusal saying "revoked" counts only with the hub's signed statement naming this
    /// device and answering this request; anything else is logged and treated as a plain
    /// refusal, so no forged answer makes a desk delete its data.
    fn judge_refusal(&self, status: u16, body: ErrorBody, nonce: &str) -> HubError {
        if body.error != Refusal::Revoked {
            return refusal(status, body);
        }
        match self.revocation_holds(body.statement.as_deref(), nonce) {
            Ok(()) => HubError::Revoked,
            Err(why) => {
                tracing::warn!(reason = %why, "a revocation without the hub's valid statement was ignored");
                HubError::UnsignedRevocation(why)
            }
        }
    }

    fn revocation_holds(&self, statement: Option<&str>, nonce: &str) -> Result<(), String> {
        use base64::Engine;
        let text = statement.ok_or("no statement")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| e.to_string())?;
        let signed = wire::decode_plain(&bytes).map_err(|e| e.to_string())?;
        let statement =
            tongban_trust::verify_statement(&self.hub_key.certificate, &signed, &self.device_id)
                .map_err(|e| e.to_string())?;
        if statement.kind != StatementKind::Revoked {
            return Err("not a revocation".into());
        }
        if statement.answers_nonce.as_deref() != Some(nonce) {
            return Err("it answers another request".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(json: &str) -> HubError {
        refusal(503, serde_json::from_str(json).unwrap())
    }

    #[test]
    fn a_refusal_is_read_by_its_kind_never_its_words() {
        let damaged = refused(
            r#"{"error":"damaged","message":"x","en":"page 1 is damaged","zh":"页面1已损坏"}"#,
        );
        // Damaged at rest stays damaged: asking again soon would not help.
        assert!(!damaged.is_transient());
        let busy = refused(r#"{"error":"internal","message":"x","en":"busy","zh":"忙"}"#);
        assert!(busy.is_transient());
        // A kind from a newer hub is still a refusal, with its words intact.
        let newer = refused(r#"{"error":"quota","message":"x","en":"over quota","zh":"超出配额"}"#);
        assert!(
            matches!(&newer, HubError::Refused { refusal: Refusal::Other, reason, .. } if reason.zh == "超出配额"),
            "{newer:?}"
        );
        let text = tongban_domain::Localized::text(&newer);
        assert_eq!(text.zh, "中心拒绝了请求（503）：超出配额");
        assert_eq!(text.en, "the hub refused the request (503): over quota");
    }
}
