//! Seeded personal data looked for in plain bytes on disk: in UTF-8 and in UTF-16 (as browser
//! storage keeps strings), in every file under the given folders.

use std::path::{Path, PathBuf};

/// The forms `text` may take in a file.
fn encodings(text: &str) -> Vec<Vec<u8>> {
    let utf16 = |big: bool| {
        text.encode_utf16()
            .flat_map(|u| {
                if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    };
    vec![text.as_bytes().to_vec(), utf16(false), utf16(true)]
}

fn files(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        if root.is_file() {
            out.push(root.to_path_buf());
        }
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => files(&path, out),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}

fn needles<'a>(canaries: &[&'a str]) -> Vec<(&'a str, Vec<u8>)> {
    canaries
        .iter()
        .flat_map(|c| encodings(c).into_iter().map(move |e| (*c, e)))
        .collect()
}

/// The first canary found in `bytes`, in any of its encodings.
pub fn found_in<'a>(bytes: &[u8], canaries: &[&'a str]) -> Option<&'a str> {
    needles(canaries)
        .into_iter()
        .find(|(_, needle)| bytes.windows(needle.len()).any(|w| w == needle.as_slice()))
        .map(|(canary, _)| canary)
}

/// Panics naming the first file that holds a canary; returns how many files were read.
pub fn assert_absent(roots: &[&Path], canaries: &[&str]) -> usize {
    let needles = needles(canaries);
    let mut paths = Vec::new();
    for root in roots {
        files(root, &mut paths);
    }
    for path in &paths {
        // A file can vanish while a process exits; what is gone holds nothing.
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        for (canary, needle) in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "{canary} readable in {}",
                path.display()
            );
        }
    }
    paths.len()
}

#[cfg(test)]
mod tests {
    use super::assert_absent;

    #[test]
    fn finds_a_canary_in_any_encoding_and_in_nested_folders() {
        let dir = tempfile::tempdir().expect("dir");
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).expect("nested");
        std::fs::write(nested.join("clean"), "nothing here").expect("write");
        assert_eq!(assert_absent(&[dir.path()], &["覃秀梅"]), 1);
        for bytes in [
            "x覃秀梅y".as_bytes().to_vec(),
            "覃秀梅".encode_utf16().flat_map(u16::to_le_bytes).collect(),
            "覃秀梅".encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ] {
            std::fs::write(nested.join("leak"), &bytes).expect("write");
            let found = std::panic::catch_unwind(|| assert_absent(&[dir.path()], &["覃秀梅"]));
            assert!(found.is_err(), "missed {bytes:?}");
        }
    }
}
