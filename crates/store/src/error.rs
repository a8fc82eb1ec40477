use std::path::PathBuf;
use tongban_domain::{ApplicantError, CaseNumberError, Denied, RegistrationError, SignInError};
use tongban_sync::case_doc::CaseDocError;

/// Everything that can go wrong with a profile, each saying what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum StoreError {
    NoProfile(PathBuf),
    NoHome,
    ProfileExists(PathBuf),
    FolderNotEmpty(PathBuf),
    DatabaseMissing,
    KeyFileMissing,
    KeyringEntryMissing,
    KeyringMismatch,
    KeyringUnavailable(String),
    RolledBack {
        database: u64,
        recorded: u64,
    },
    TrailForked(u64),
    AwaitingRejoin,
    NotABackup(PathBuf),
    WrongPassphrase,
    WeakPassphrase,
    Undecryptable,
    Corrupt(String),
    NoSuchCase(String),
    NotEnrolled,
    NoHubKey,
    /// A case registered under a catalogue version this desk has not received yet.
    UnknownCatalogue(u32),
    Random(String),
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Password(#[from] tongban_domain::session::PasswordError),
    #[error(transparent)]
    PersonKey(#[from] tongban_sync::person::PersonKeyError),
    #[error(transparent)]
    Denied(#[from] Denied),
    UnknownUser(String),
    #[error(transparent)]
    Registration(#[from] RegistrationError),
    #[error(transparent)]
    Applicant(#[from] ApplicantError),
    #[error(transparent)]
    CaseNumber(#[from] CaseNumberError),
    #[error(transparent)]
    Document(#[from] CaseDocError),
    Invalid(tongban_domain::l10n::Text),
    Sqlite(#[from] rusqlite::Error),
    Io(#[from] std::io::Error),
}

impl tongban_domain::l10n::Localized for StoreError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::NoProfile(dir) => {
                let dir = dir.display();
                text!(
                    "no profile in {dir}; enrol this desk first: tongban --profile {dir} enroll --hub URL --code CODE --user NAME",
                    "{dir} 中没有档案，请先登记本机：tongban --profile {dir} enroll"
                )
            }
            Self::NoHome => text!(
                "no home folder to keep the profile in; pass --profile DIR",
                "找不到用户目录，请用 --profile 指定档案目录"
            ),
            Self::ProfileExists(dir) => {
                let dir = dir.display();
                text!(
                    "{dir} already holds a profile; refusing to overwrite it",
                    "{dir} 已有档案，拒绝覆盖"
                )
            }
            Self::FolderNotEmpty(dir) => {
                let dir = dir.display();
                text!(
                    "{dir} holds other files; a desk's profile goes into an empty folder (or one that does not exist yet)",
                    "{dir} 中已有其他文件，档案只能建在空目录中"
                )
            }
            Self::DatabaseMissing => text!(
                "the case database of this profile is missing but its key file is present; refusing to create an empty one. Restore the database from a backup",
                "档案的数据库文件丢失（密钥文件仍在），拒绝新建空库，请从备份恢复"
            ),
            Self::KeyFileMissing => text!(
                "the key file profile.json is missing beside an existing database; refusing to open or replace it. Restore profile.json from a backup",
                "已有数据库但缺少密钥文件 profile.json，拒绝打开或覆盖，请从备份恢复"
            ),
            Self::KeyringEntryMissing => text!(
                "this profile's key is not in the system keyring. Restore it with the recovery passphrase: TONGBAN_RECOVERY_PASSPHRASE=... tongban --profile DIR recover",
                "系统密钥环中没有本档案的密钥，请用恢复口令恢复：tongban --profile 目录 recover"
            ),
            Self::KeyringMismatch => text!(
                "the system keyring holds a different key for this profile; nothing was opened. Restore access with the recovery passphrase: tongban --profile DIR recover",
                "系统密钥环中的密钥与本档案不符，未打开任何数据；请用恢复口令执行 tongban --profile 目录 recover"
            ),
            Self::KeyringUnavailable(detail) => text!(
                "the system keyring is unavailable ({detail}); unlock your desktop keyring and try again",
                "系统密钥环不可用（{detail}），请解锁密钥环后重试"
            ),
            Self::RolledBack { database, recorded } => text!(
                "this database is older than this machine's record of it: its audit trail holds {database} events, the machine saw {recorded}. An older copy of cases.db was put in place; put the latest one back, or move this folder aside and restore the latest backup with tongban restore",
                "本机数据库比本机记录的旧：审计记录只有{database}条，本机曾记录{recorded}条，可能被替换为旧副本；请放回最新的数据库，或移开本目录后用 tongban restore 恢复最新备份"
            ),
            Self::TrailForked(position) => text!(
                "this database's audit trail holds another event at position {position} than this machine recorded: it is not the database this desk last wrote. Put the latest one back, or move this folder aside and restore the latest backup",
                "本机数据库第{position}条审计事件与本机记录不符，并非本机最后写入的数据库；请放回最新的数据库，或移开本目录后恢复最新备份"
            ),
            Self::AwaitingRejoin => text!(
                "this desk was restored from a backup: sync once with the hub before registering new cases, so that no case number is given twice",
                "本机已从备份恢复，请先与中心同步一次再登记新办件，以免办件编号重复"
            ),
            Self::NotABackup(path) => {
                let path = path.display();
                text!("{path} is not a Tongban backup", "{path} 不是通办备份文件")
            }
            Self::WrongPassphrase => text!("the recovery passphrase is wrong", "恢复口令不正确"),
            Self::WeakPassphrase => {
                let least = crate::keys::MIN_PASSPHRASE_CHARS;
                text!(
                    "the recovery passphrase must have at least {least} characters",
                    "恢复口令至少需要{least}个字符"
                )
            }
            Self::Undecryptable => text!(
                "the case database cannot be decrypted with this profile's key: it is damaged or was replaced",
                "数据库无法用本档案密钥解密：文件已损坏或被替换"
            ),
            Self::Corrupt(detail) => {
                text!("the profile is damaged: {detail}", "档案已损坏：{detail}")
            }
            Self::NoSuchCase(number) => text!(
                "no case numbered {number} on this desk",
                "本机没有编号为 {number} 的办件"
            ),
            Self::NotEnrolled => text!("this desk is not enrolled", "本机尚未登记"),
            Self::NoHubKey => text!(
                "this desk was enrolled before desks pinned the hub's key; enrol it again with a new code",
                "本机登记时尚未固定中心密钥，请用新的登记码重新登记"
            ),
            Self::UnknownCatalogue(version) => text!(
                "this case was registered under catalogue version {version}, which this desk has not received yet; sync with the hub first",
                "本办件按事项目录第{version}版登记，本机尚未收到该版目录，请先与中心同步"
            ),
            Self::Random(detail) => text!(
                "the system random generator failed: {detail}",
                "系统随机数生成失败：{detail}"
            ),
            Self::SignIn(e) => e.text(),
            Self::Password(e) => e.text(),
            Self::PersonKey(e) => e.text(),
            Self::Denied(e) => e.text(),
            Self::UnknownUser(user) => {
                text!("no user {user} in this township", "本乡镇没有用户{user}")
            }
            Self::Registration(e) => e.text(),
            Self::Applicant(e) => e.text(),
            Self::CaseNumber(e) => e.text(),
            Self::Document(e) => e.text(),
            Self::Invalid(text) => text.clone(),
            Self::Sqlite(detail) => text!("database error: {detail}", "数据库错误：{detail}"),
            Self::Io(detail) => text!("file error: {detail}", "文件错误：{detail}"),
        }
    }
}
