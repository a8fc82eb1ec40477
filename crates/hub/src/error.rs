//! The hub's one error type. Services and stores return it with a typed [`Refusal`]; only the
//! HTTP edge (`api`) turns refusals into statuses, and only the command line prints the rest.

use tongban_domain::l10n::Text;
use tongban_sync::wire::{Refusal, SignedStatement};

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum HubError {
    BadRequest(Text),
    Unauthorized(Text),
    Forbidden(Text),
    NotFound(Text),
    /// The device was revoked; the hub's signed statement says so to that device alone.
    Revoked(Box<SignedStatement>),
    TooLarge(usize),
    RateLimited(String),
    /// Too many wrong query codes from this peer or for this case: refused for a while.
    QueryThrottled,
    TimedOut,
    /// A stored page failed its authentication tag: damaged at rest, never served.
    Damaged(String),
    TownshipExists(String),
    NoTownship(String),
    SerialsExhausted(String),
    UserExists(String, String),
    Sqlite(#[from] rusqlite::Error),
    Postgres(#[from] tokio_postgres::Error),
    Pool(String),
    Keys(String),
    Storage(String),
    Internal(String),
}

impl tongban_domain::l10n::Localized for HubError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::BadRequest(text) => text.clone(),
            Self::Unauthorized(text) => text.clone(),
            Self::Forbidden(text) => text.clone(),
            Self::NotFound(text) => text.clone(),
            Self::Revoked(..) => text!(
                "this device has been revoked; contact the operator",
                "本设备已被吊销，请联系管理员"
            ),
            Self::TooLarge(limit) => text!(
                "request body is larger than {limit} bytes",
                "请求体超过{limit}字节"
            ),
            Self::RateLimited(peer) => text!(
                "too many requests from {peer}; wait a minute and try again",
                "来自{peer}的请求过多，请稍候一分钟再试"
            ),
            Self::QueryThrottled => text!(
                "too many wrong query codes; try again in ten minutes",
                "查询码错误次数过多，请十分钟后再试"
            ),
            Self::TimedOut => text!(
                "the request body did not arrive in time",
                "请求体未能按时送达"
            ),
            Self::Damaged(page) => text!(
                "page {page} is damaged at the hub; it is being looked into",
                "中心存储的页面{page}已损坏"
            ),
            Self::TownshipExists(township) => {
                text!("township {township} already exists", "乡镇{township}已存在")
            }
            Self::NoTownship(township) => text!(
                "township {township} does not exist; add it with `tongban-hub township add`",
                "乡镇{township}不存在，请先用 tongban-hub township add 添加"
            ),
            Self::SerialsExhausted(township) => text!(
                "township {township} has no device serials left",
                "乡镇{township}的设备序号已用完"
            ),
            Self::UserExists(township, user) => text!(
                "township {township} already has a user named {user}",
                "乡镇{township}已有名为{user}的用户"
            ),
            Self::Sqlite(e) => text!("SQLite: {e}", "SQLite数据库：{e}"),
            Self::Postgres(e) => text!("PostgreSQL: {e}", "PostgreSQL数据库：{e}"),
            Self::Pool(e) => text!("PostgreSQL pool: {e}", "PostgreSQL连接池：{e}"),
            Self::Keys(words) => Text::untranslated(words),
            Self::Storage(e) => text!("page storage: {e}", "页面存储：{e}"),
            Self::Internal(words) => Text::untranslated(words),
        }
    }
}

pub type HubResult<T> = Result<T, HubError>;

impl HubError {
    pub fn refusal(&self) -> Refusal {
        match self {
            Self::BadRequest(_) => Refusal::BadRequest,
            Self::Unauthorized(_) => Refusal::Unauthorized,
            Self::Forbidden(_) => Refusal::Forbidden,
            Self::NotFound(_) | Self::NoTownship(_) => Refusal::NotFound,
            Self::Revoked(_) => Refusal::Revoked,
            Self::TooLarge(_) => Refusal::TooLarge,
            Self::RateLimited(_) | Self::QueryThrottled => Refusal::RateLimited,
            Self::TimedOut => Refusal::TimedOut,
            Self::Damaged(_) => Refusal::Damaged,
            Self::TownshipExists(_) | Self::UserExists(..) | Self::SerialsExhausted(_) => {
                Refusal::Conflict
            }
            Self::Sqlite(_)
            | Self::Postgres(_)
            | Self::Pool(_)
            | Self::Keys(_)
            | Self::Storage(_)
            | Self::Internal(_) => Refusal::Internal,
        }
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    pub(crate) fn storage(e: impl std::fmt::Display) -> Self {
        Self::Storage(e.to_string())
    }
}
