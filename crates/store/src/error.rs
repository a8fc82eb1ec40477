use std::path::PathBuf;
use tongban_domain::{ApplicantError, CaseNumberError, Denied, RegistrationError, SignInError};
use tongban_sync::case_doc::CaseDocError;

/// Everything that can go wrong with a profile, each saying what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no profile in {0}; enrol this desk first: tongban --profile {0} enroll --hub URL --code CODE --user NAME / {0} 中没有档案，请先登记本机：tongban --profile {0} enroll"
    )]
    NoProfile(PathBuf),
    #[error(
        "no home folder to keep the profile in; pass --profile DIR / 找不到用户目录，请用 --profile 指定档案目录"
    )]
    NoHome,
    #[error("{0} already holds a profile; refusing to overwrite it / {0} 已有档案，拒绝覆盖")]
    ProfileExists(PathBuf),
    #[error(
        "{0} holds other files; a desk's profile goes into an empty folder (or one that does not exist yet) / {0} 中已有其他文件，档案只能建在空目录中"
    )]
    FolderNotEmpty(PathBuf),
    #[error(
        "the case database of this profile is missing but its key file is present; refusing to create an empty one. Restore the database from a backup / 档案的数据库文件丢失（密钥文件仍在），拒绝新建空库，请从备份恢复"
    )]
    DatabaseMissing,
    #[error(
        "the key file profile.json is missing beside an existing database; refusing to open or replace it. Restore profile.json from a backup / 已有数据库但缺少密钥文件 profile.json，拒绝打开或覆盖，请从备份恢复"
    )]
    KeyFileMissing,
    #[error(
        "this profile's key is not in the system keyring. Restore it with the recovery passphrase: TONGBAN_RECOVERY_PASSPHRASE=... tongban --profile DIR recover / 系统密钥环中没有本档案的密钥，请用恢复口令恢复：tongban --profile 目录 recover"
    )]
    KeyringEntryMissing,
    #[error(
        "the system keyring holds a different key for this profile; nothing was opened. Restore access with the recovery passphrase: tongban --profile DIR recover / 系统密钥环中的密钥与本档案不符，未打开任何数据；请用恢复口令执行 tongban --profile 目录 recover"
    )]
    KeyringMismatch,
    #[error(
        "the system keyring is unavailable ({0}); unlock your desktop keyring and try again / 系统密钥环不可用（{0}），请解锁密钥环后重试"
    )]
    KeyringUnavailable(String),
    #[error(
        "this database is older than this machine's record of it: its audit trail holds {database} events, the machine saw {recorded}. An older copy of cases.db was put in place; put the latest one back, or move this folder aside and restore the latest backup with tongban restore / 本机数据库比本机记录的旧：审计记录只有{database}条，本机曾记录{recorded}条，可能被替换为旧副本；请放回最新的数据库，或移开本目录后用 tongban restore 恢复最新备份"
    )]
    RolledBack { database: u64, recorded: u64 },
    #[error(
        "this database's audit trail holds another event at position {0} than this machine recorded: it is not the database this desk last wrote. Put the latest one back, or move this folder aside and restore the latest backup / 本机数据库第{0}条审计事件与本机记录不符，并非本机最后写入的数据库；请放回最新的数据库，或移开本目录后恢复最新备份"
    )]
    TrailForked(u64),
    #[error(
        "this desk was restored from a backup: sync once with the hub before registering new cases, so that no case number is given twice / 本机已从备份恢复，请先与中心同步一次再登记新办件，以免办件编号重复"
    )]
    AwaitingRejoin,
    #[error("{0} is not a Tongban backup / {0} 不是通办备份文件")]
    NotABackup(PathBuf),
    #[error("the recovery passphrase is wrong / 恢复口令不正确")]
    WrongPassphrase,
    #[error(
        "the recovery passphrase must have at least {} characters / 恢复口令至少需要{}个字符",
        crate::keys::MIN_PASSPHRASE_CHARS,
        crate::keys::MIN_PASSPHRASE_CHARS
    )]
    WeakPassphrase,
    #[error(
        "the case database cannot be decrypted with this profile's key: it is damaged or was replaced / 数据库无法用本档案密钥解密：文件已损坏或被替换"
    )]
    Undecryptable,
    #[error("the profile is damaged: {0} / 档案已损坏：{0}")]
    Corrupt(String),
    #[error("no case numbered {0} on this desk / 本机没有编号为 {0} 的办件")]
    NoSuchCase(String),
    #[error("this desk is not enrolled / 本机尚未登记")]
    NotEnrolled,
    #[error(
        "this desk was enrolled before desks pinned the hub's key; enrol it again with a new code / 本机登记时尚未固定中心密钥，请用新的登记码重新登记"
    )]
    NoHubKey,
    #[error("the system random generator failed: {0} / 系统随机数生成失败：{0}")]
    Random(String),
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Password(#[from] tongban_domain::session::PasswordError),
    #[error(transparent)]
    PersonKey(#[from] tongban_sync::person::PersonKeyError),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("no user {0} in this township / 本乡镇没有用户{0}")]
    UnknownUser(String),
    #[error(transparent)]
    Registration(#[from] RegistrationError),
    #[error(transparent)]
    Applicant(#[from] ApplicantError),
    #[error(transparent)]
    CaseNumber(#[from] CaseNumberError),
    #[error(transparent)]
    Document(#[from] CaseDocError),
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0} / 数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("file error: {0} / 文件错误：{0}")]
    Io(#[from] std::io::Error),
}
