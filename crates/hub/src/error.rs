//! The hub's one error type. Services and stores return it with a typed [`Code`]; only the HTTP
//! edge (`api`) turns codes into statuses, and only the command line prints the rest.

use tongban_sync::wire::SignedStatement;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The device was revoked; the hub's signed statement says so to that device alone.
    #[error("this device has been revoked; contact the operator / 本设备已被吊销，请联系管理员")]
    Revoked(Box<SignedStatement>),
    #[error("request body is larger than {0} bytes / 请求体超过{0}字节")]
    TooLarge(usize),
    #[error(
        "too many requests from {0}; wait a minute and try again / 来自{0}的请求过多，请稍候一分钟再试"
    )]
    RateLimited(String),
    #[error("the request body did not arrive in time / 请求体未能按时送达")]
    TimedOut,
    /// A stored page failed its authentication tag: damaged at rest, never served.
    #[error("page {0} is damaged at the hub; it is being looked into / 中心存储的页面{0}已损坏")]
    Damaged(String),
    #[error("township {0} already exists / 乡镇{0}已存在")]
    TownshipExists(String),
    #[error(
        "township {0} does not exist; add it with `tongban-hub township add` / 乡镇{0}不存在，请先用 tongban-hub township add 添加"
    )]
    NoTownship(String),
    #[error("township {0} has no device serials left / 乡镇{0}的设备序号已用完")]
    SerialsExhausted(String),
    #[error("township {0} already has a user named {1} / 乡镇{0}已有名为{1}的用户")]
    UserExists(String, String),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL pool: {0}")]
    Pool(String),
    #[error("{0}")]
    Keys(String),
    #[error("page storage: {0}")]
    Storage(String),
    #[error("{0}")]
    Internal(String),
}

pub type HubResult<T> = Result<T, HubError>;

/// What kind of failure, as desks and operators' scripts read it (`ErrorBody::error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Revoked,
    TooLarge,
    RateLimited,
    TimedOut,
    Damaged,
    Conflict,
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Revoked => "revoked",
            Self::TooLarge => "too_large",
            Self::RateLimited => "rate_limited",
            Self::TimedOut => "timed_out",
            Self::Damaged => "damaged",
            Self::Conflict => "conflict",
            Self::Internal => "internal",
        }
    }
}

impl HubError {
    pub fn code(&self) -> Code {
        match self {
            Self::BadRequest(_) => Code::BadRequest,
            Self::Unauthorized(_) => Code::Unauthorized,
            Self::Forbidden(_) => Code::Forbidden,
            Self::NotFound(_) | Self::NoTownship(_) => Code::NotFound,
            Self::Revoked(_) => Code::Revoked,
            Self::TooLarge(_) => Code::TooLarge,
            Self::RateLimited(_) => Code::RateLimited,
            Self::TimedOut => Code::TimedOut,
            Self::Damaged(_) => Code::Damaged,
            Self::TownshipExists(_) | Self::UserExists(..) | Self::SerialsExhausted(_) => {
                Code::Conflict
            }
            Self::Sqlite(_)
            | Self::Postgres(_)
            | Self::Pool(_)
            | Self::Keys(_)
            | Self::Storage(_)
            | Self::Internal(_) => Code::Internal,
        }
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    pub(crate) fn storage(e: impl std::fmt::Display) -> Self {
        Self::Storage(e.to_string())
    }
}
