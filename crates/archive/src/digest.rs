//! The two digests every package carries.

use sha2::Digest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha256,
    /// GB/T 32905-2016.
    Sm3,
}

impl Algorithm {
    pub const ALL: [Algorithm; 2] = [Algorithm::Sha256, Algorithm::Sm3];

    /// The name BagIt gives it in manifest file names.
    pub fn bagit_name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sm3 => "sm3",
        }
    }

    /// A file's digest, read in blocks: a package's scans may be larger than memory allows.
    pub fn hex_file(self, path: &std::path::Path) -> std::io::Result<String> {
        use std::io::Read;
        let mut file = std::fs::File::open(path)?;
        let mut block = vec![0u8; 64 * 1024];
        let mut sha = sha2::Sha256::new();
        let mut sm3 = sm3::Sm3::new();
        loop {
            let n = file.read(&mut block)?;
            if n == 0 {
                break;
            }
            match self {
                Self::Sha256 => sha.update(&block[..n]),
                Self::Sm3 => sm3.update(&block[..n]),
            }
        }
        Ok(match self {
            Self::Sha256 => hex::encode(sha.finalize()),
            Self::Sm3 => hex::encode(sm3.finalize()),
        })
    }

    pub fn hex(self, bytes: &[u8]) -> String {
        match self {
            Self::Sha256 => hex::encode(sha2::Sha256::digest(bytes)),
            Self::Sm3 => hex::encode(sm3::Sm3::digest(bytes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GB/T 32905-2016 附录A: the two examples.
    #[test]
    fn sm3_gives_the_standards_examples() {
        assert_eq!(
            Algorithm::Sm3.hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            Algorithm::Sm3.hex(&b"abcd".repeat(16)),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
    }

    #[test]
    fn a_file_read_in_blocks_has_the_digest_of_its_bytes() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("scan.jpg");
        std::fs::write(&file, &data).unwrap();
        for algorithm in Algorithm::ALL {
            assert_eq!(algorithm.hex_file(&file).unwrap(), algorithm.hex(&data));
        }
    }

    /// An independent implementation: Python's hashlib over OpenSSL (Debian's offers SM3).
    #[test]
    fn sm3_agrees_with_openssl_through_python() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.bin");
        std::fs::write(&file, &data).unwrap();
        let out = std::process::Command::new("/usr/bin/python3")
            .args([
                "-c",
                "import hashlib, sys; print(hashlib.new('sm3', open(sys.argv[1], 'rb').read()).hexdigest())",
            ])
            .arg(&file)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            Algorithm::Sm3.hex(&data)
        );
    }
}
