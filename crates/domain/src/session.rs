//! Signing in: password rules, lockout after repeated failures, sign-out when idle. The clock
//! is always passed in, so the rules are tested with a clock the test controls.

use serde::{Deserialize, Serialize};

/// A township's sign-in rules; the hub hands them to every desk with the user directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    pub min_password_chars: u32,
    /// Failed attempts in a row that lock the account on a desk.
    pub max_failures: u32,
    pub lockout_minutes: u32,
    /// A signed-in session ends after this long without use.
    pub idle_minutes: u32,
}

impl Default for SecurityPolicy {
    /// GB/T 22239-2019 level 3 asks for lockout and idle sign-out without fixing numbers; these
    /// are the values commonly required of government terminals.
    fn default() -> Self {
        Self {
            min_password_chars: MIN_PASSWORD_CHARS,
            max_failures: 5,
            lockout_minutes: 15,
            idle_minutes: 10,
        }
    }
}

/// Longest account name; names appear on receipts and in every timeline line.
pub const MAX_USER_NAME_CHARS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub struct UserNameError;

impl crate::l10n::Localized for UserNameError {
    fn text(&self) -> crate::l10n::Text {
        crate::text!(
            "the user name must have 1-{MAX_USER_NAME_CHARS} characters and no control characters",
            "用户名须为1至{MAX_USER_NAME_CHARS}个字符且不含控制字符"
        )
    }
}

/// An account name as it is stored: trimmed, not empty, not too long, printable.
pub fn check_user_name(name: &str) -> Result<&str, UserNameError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_USER_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(UserNameError);
    }
    Ok(name)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum PasswordError {
    TooShort(u32),
    NotMixed,
    ContainsName,
    /// The strength estimate found it guessable; the reason says why.
    Guessable(String, &'static str),
}

impl crate::l10n::Localized for PasswordError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::TooShort(least) => text!(
                "the password must have at least {least} characters",
                "密码至少需要{least}个字符"
            ),
            Self::NotMixed => text!(
                "the password must mix letters and digits",
                "密码须同时包含字母和数字"
            ),
            Self::ContainsName => text!(
                "the password must not contain the user name",
                "密码不得包含用户名"
            ),
            Self::Guessable(reason, reason_zh) => text!(
                "the password is too easy to guess: {reason}",
                "密码太容易被猜中：{reason_zh}"
            ),
        }
    }
}

/// No password or recovery passphrase is shorter, whatever a township's policy says.
pub const MIN_PASSWORD_CHARS: u32 = 10;

/// Refuses a secret an attacker would guess early (zxcvbn's estimate below 10^8 guesses), with
/// the estimator's reason; `context` holds words that make it weaker (the user's name).
pub fn check_strength(secret: &str, context: &[&str]) -> Result<(), PasswordError> {
    use zxcvbn::feedback::Warning;
    let estimate = zxcvbn::zxcvbn(secret, context);
    if estimate.score() >= zxcvbn::Score::Three {
        return Ok(());
    }
    let warning = estimate
        .feedback()
        .and_then(zxcvbn::feedback::Feedback::warning);
    let zh = match warning {
        Some(
            Warning::StraightRowsOfKeysAreEasyToGuess
            | Warning::ShortKeyboardPatternsAreEasyToGuess,
        ) => "键盘上相邻的按键很容易被猜中",
        Some(
            Warning::RepeatsLikeAaaAreEasyToGuess
            | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
        ) => "重复的字符或片段很容易被猜中",
        Some(
            Warning::ThisIsATop10Password
            | Warning::ThisIsATop100Password
            | Warning::ThisIsACommonPassword
            | Warning::ThisIsSimilarToACommonlyUsedPassword,
        ) => "这是常用密码或与常用密码相似",
        Some(Warning::SequencesLikeAbcAreEasyToGuess) => "abc、123这样的顺序很容易被猜中",
        Some(Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess) => {
            "年份和日期很容易被猜中"
        }
        Some(Warning::AWordByItselfIsEasyToGuess) => "单个词语很容易被猜中",
        Some(
            Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
            | Warning::CommonNamesAndSurnamesAreEasyToGuess,
        ) => "姓名很容易被猜中",
        None => "请加入更多不相关的词语或字符",
    };
    let en = warning.map_or_else(
        || "add more unrelated words or characters".to_string(),
        |w| w.to_string().trim_end_matches('.').to_lowercase(),
    );
    Err(PasswordError::Guessable(en, zh))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum SignInError {
    Wrong(u32),
    Locked(i64),
    CodeRequired,
    WrongCode,
    Idle(u32),
    NotSignedIn,
    MustChange,
    NoPersonKey,
}

impl crate::l10n::Localized for SignInError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Wrong(left) => text!(
                "user name or password is wrong ({left} attempts left before the account is locked)",
                "用户名或密码错误（再错{left}次将锁定账户）"
            ),
            Self::Locked(minutes) => text!(
                "too many failed attempts: the account is locked on this desk for {minutes} more minutes",
                "失败次数过多，账户在本机锁定，{minutes}分钟后再试"
            ),
            Self::CodeRequired => text!(
                "this user needs a one-time code from the authenticator app",
                "该用户须输入动态验证码"
            ),
            Self::WrongCode => text!(
                "the one-time code is wrong or expired",
                "动态验证码错误或已过期"
            ),
            Self::Idle(minutes) => text!(
                "signed out after {minutes} minutes without use; sign in again",
                "超过{minutes}分钟未操作，已自动退出，请重新登录"
            ),
            Self::NotSignedIn => text!("nobody is signed in", "尚未登录"),
            Self::MustChange => text!(
                "this password was set by the county for a reset: choose your own before anything else",
                "该密码为县中心重置时设定，请先修改为自己的密码"
            ),
            Self::NoPersonKey => text!(
                "this account has no personal key yet: ask the county to reset its password",
                "该账户尚无个人密钥，请联系县中心重置密码"
            ),
        }
    }
}

impl SecurityPolicy {
    pub fn check_password(&self, user: &str, password: &str) -> Result<(), PasswordError> {
        let min = self.min_password_chars.max(MIN_PASSWORD_CHARS);
        if (password.chars().count() as u64) < u64::from(min) {
            return Err(PasswordError::TooShort(min));
        }
        let letters = password.chars().any(char::is_alphabetic);
        let digits = password.chars().any(|c| c.is_ascii_digit());
        if !(letters && digits) {
            return Err(PasswordError::NotMixed);
        }
        let name = user.trim().to_lowercase();
        if !name.is_empty() && password.to_lowercase().contains(&name) {
            return Err(PasswordError::ContainsName);
        }
        check_strength(password, &[user.trim()])
    }

    fn lockout_ms(&self) -> i64 {
        i64::from(self.lockout_minutes) * 60_000
    }

    pub fn idle_ms(&self) -> i64 {
        i64::from(self.idle_minutes) * 60_000
    }
}

/// A user's failed attempts on one desk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    pub failures: u32,
    pub locked_until_ms: Option<i64>,
}

impl Attempts {
    /// Refuses while the lock holds; the password is not even looked at then.
    pub fn check(&self, now_ms: i64) -> Result<(), SignInError> {
        match self.locked_until_ms {
            Some(until) if now_ms < until => {
                Err(SignInError::Locked((until - now_ms + 59_999) / 60_000))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failure; the one that reaches the limit locks the account.
    pub fn failed(self, policy: &SecurityPolicy, now_ms: i64) -> (Self, SignInError) {
        // A lock that has run out starts a fresh count.
        let failures = if self.locked_until_ms.is_some() {
            1
        } else {
            self.failures + 1
        };
        if failures >= policy.max_failures {
            let until = now_ms + policy.lockout_ms();
            let next = Self {
                failures,
                locked_until_ms: Some(until),
            };
            (next, SignInError::Locked(i64::from(policy.lockout_minutes)))
        } else {
            let next = Self {
                failures,
                locked_until_ms: None,
            };
            (next, SignInError::Wrong(policy.max_failures - failures))
        }
    }
}

/// A signed-in user's session on a desk; it ends when idle for longer than the policy allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: String,
    pub role: crate::Role,
    pub last_use_ms: i64,
    /// The person's own signing key, opened with their password at sign-in; every event they
    /// write is signed with it. Gone (and wiped) when the session ends.
    pub key: crate::Secret,
}

impl Session {
    /// Whether the session sat idle too long, without counting this look as a use.
    pub fn check_idle(&self, policy: &SecurityPolicy, now_ms: i64) -> Result<(), SignInError> {
        if now_ms - self.last_use_ms > policy.idle_ms() {
            return Err(SignInError::Idle(policy.idle_minutes));
        }
        Ok(())
    }

    /// Marks a use of the session, or ends it when it sat idle too long.
    pub fn touch(&mut self, policy: &SecurityPolicy, now_ms: i64) -> Result<(), SignInError> {
        self.check_idle(policy, now_ms)?;
        self.last_use_ms = self.last_use_ms.max(now_ms);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    #[test]
    fn password_rules() {
        let p = SecurityPolicy::default();
        assert_eq!(
            p.check_password("lim", "short1"),
            Err(PasswordError::TooShort(10))
        );
        assert_eq!(
            p.check_password("lim", "onlyletterswords"),
            Err(PasswordError::NotMixed)
        );
        assert_eq!(
            p.check_password("lim", "1234567890"),
            Err(PasswordError::NotMixed)
        );
        assert_eq!(
            p.check_password("lim", "LIM-password-1"),
            Err(PasswordError::ContainsName)
        );
        assert_eq!(p.check_password("李明", "窗口收件密码2026年"), Ok(()));
        // Long enough, mixed, and still among the first guesses an attacker tries.
        for guessable in ["password123", "qwertyuiop1", "abcdefghij1", "aaaaaaaaaa1"] {
            assert!(
                matches!(
                    p.check_password("lim", guessable),
                    Err(PasswordError::Guessable(..))
                ),
                "{guessable}"
            );
        }
        let Err(e) = p.check_password("lim", "password123") else {
            panic!("accepted");
        };
        assert!(e.to_string().contains("常用密码"), "{e}");
        assert_eq!(p.check_password("lim", "Tb-window-desk-42"), Ok(()));
    }

    #[test]
    fn lockout_after_the_fifth_failure_and_release_after_fifteen_minutes() {
        let policy = SecurityPolicy::default();
        let mut attempts = Attempts::default();
        let mut clock = 1_000_000;
        for left in (1..5).rev() {
            attempts.check(clock).unwrap();
            let (next, error) = attempts.failed(&policy, clock);
            assert_eq!(error, SignInError::Wrong(left));
            attempts = next;
            clock += MINUTE;
        }
        let (locked, error) = attempts.failed(&policy, clock);
        assert_eq!(error, SignInError::Locked(15));
        assert_eq!(
            locked.check(clock + 14 * MINUTE),
            Err(SignInError::Locked(1))
        );
        assert_eq!(locked.check(clock + 15 * MINUTE), Ok(()));
        // After the lock runs out, one more failure does not lock again at once.
        let (after, error) = locked.failed(&policy, clock + 16 * MINUTE);
        assert_eq!(error, SignInError::Wrong(4));
        assert_eq!(after.check(clock + 16 * MINUTE), Ok(()));
    }

    #[test]
    fn idle_sessions_end() {
        let policy = SecurityPolicy::default();
        let mut session = Session {
            user: "李明".into(),
            role: crate::Role::Clerk,
            last_use_ms: 0,
            key: crate::Secret::new([1; 32]),
        };
        session.touch(&policy, 9 * MINUTE).unwrap();
        session.touch(&policy, 19 * MINUTE).unwrap();
        assert_eq!(
            session.touch(&policy, 29 * MINUTE + 1),
            Err(SignInError::Idle(10))
        );
    }

    #[test]
    fn looking_at_a_session_does_not_keep_it_alive() {
        let policy = SecurityPolicy::default();
        let session = Session {
            user: "李明".into(),
            role: crate::Role::Clerk,
            last_use_ms: 0,
            key: crate::Secret::new([1; 32]),
        };
        // The window polls every two seconds; only the clerk's own actions count as use.
        for second in (0..600).step_by(2) {
            session.check_idle(&policy, second * 1000).unwrap();
        }
        assert_eq!(session.last_use_ms, 0);
        assert_eq!(
            session.check_idle(&policy, 10 * MINUTE + 1),
            Err(SignInError::Idle(10))
        );
    }
}
