//! A secret held in memory: 32 bytes that never print and are wiped when dropped. A signed-in
//! person's unlocked key travels in their session as one.

use zeroize::Zeroizing;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<[u8; 32]>);

impl Secret {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let secret = Secret::new([0xAB; 32]);
        let shown = format!("{secret:?}");
        assert_eq!(shown, "Secret(redacted)");
        assert!(!shown.to_lowercase().contains("ab"));
    }
}
