//! What a content file is, by its bytes rather than its name, and whether it opens: JPEG scans
//! decode, PDFs parse, are not encrypted and say which PDF/A part they claim, JSON parses.

use std::io::Read;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Pdf,
    Json,
    Xml,
    /// A program: ELF, PE (MZ), Mach-O, a script with `#!`.
    Executable,
    Unknown,
}

impl Kind {
    /// The 格式信息 values a record may give for this kind.
    pub fn matches(self, format: &str) -> bool {
        match self {
            Self::Jpeg => format == "JPEG",
            Self::Png => format == "PNG",
            Self::Pdf => format == "PDF" || format.starts_with("PDF/A-"),
            Self::Json => format == "JSON",
            Self::Xml => format == "XML",
            Self::Executable | Self::Unknown => false,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Pdf => "PDF",
            Self::Json => "JSON",
            Self::Xml => "XML",
            Self::Executable => "an executable program",
            Self::Unknown => "an unknown format",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Executable => "可执行程序",
            Self::Unknown => "未知格式",
            other => other.name(),
        }
    }
}

/// The kind of a file from its first bytes.
pub fn sniff(head: &[u8]) -> Kind {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"\x7fELF")
        || starts(b"MZ")
        || starts(b"#!")
        || starts(&[0xcf, 0xfa, 0xed, 0xfe])
        || starts(&[0xfe, 0xed, 0xfa, 0xcf])
        || starts(&[0xca, 0xfe, 0xba, 0xbe])
    {
        Kind::Executable
    } else if starts(&[0xff, 0xd8, 0xff]) {
        Kind::Jpeg
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Kind::Png
    } else if starts(b"%PDF-") {
        Kind::Pdf
    } else if starts(b"<?xml") {
        Kind::Xml
    } else if matches!(
        head.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) {
        Kind::Json
    } else {
        Kind::Unknown
    }
}

/// The first bytes of a file, enough to sniff it.
pub fn head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(16);
    std::fs::File::open(path)?.take(16).read_to_end(&mut head)?;
    Ok(head)
}

/// The most of a record, an extract or a transfer list read into memory: far beyond any real
/// one, so a hostile package cannot make the checker exhaust memory.
pub const TEXT_CAP: u64 = 64 * 1024 * 1024;
/// The most of one content file opened to check it decodes (a 600 dpi A3 colour scan is well
/// under it).
pub const CONTENT_CAP: u64 = 512 * 1024 * 1024;

/// A file read whole, unless it is over `cap` bytes: `Err(Some(size))` then, `Err(None)` when it
/// cannot be read at all.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, Option<u64>> {
    let size = std::fs::metadata(path).map_err(|_| None)?.len();
    if size > cap {
        return Err(Some(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|f| f.take(cap + 1).read_to_end(&mut bytes))
        .map_err(|_| None)?;
    if bytes.len() as u64 > cap {
        return Err(Some(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What a PDF says of itself, once parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfFacts {
    pub encrypted: bool,
    pub pages: usize,
    /// `2B` for PDF/A-2b, from the XMP's pdfaid; none when it claims no part.
    pub pdfa: Option<String>,
    pub fonts_embedded: bool,
}

/// Parses a PDF; the reason when it does not parse.
pub fn pdf_facts(bytes: &[u8]) -> Result<PdfFacts, String> {
    // An encrypted file is refused before anything tries to read inside it.
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    if contains(tail, b"/Encrypt") {
        return Ok(PdfFacts {
            encrypted: true,
            pages: 0,
            pdfa: None,
            fonts_embedded: false,
        });
    }
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| e.to_string())?;
    if doc.is_encrypted() || doc.was_encrypted() {
        return Ok(PdfFacts {
            encrypted: true,
            pages: 0,
            pdfa: None,
            fonts_embedded: false,
        });
    }
    let pdfa = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(|m| m.as_reference().ok())
        .and_then(|id| doc.get_object(id).ok())
        .and_then(|o| o.as_stream().ok())
        .and_then(|s| {
            s.decompressed_content()
                .ok()
                .or_else(|| Some(s.content.clone()))
        })
        .and_then(|xmp| pdfa_part(&String::from_utf8_lossy(&xmp)));
    let fonts_embedded = doc.objects.values().all(|object| {
        let Ok(dict) = object.as_dict() else {
            return true;
        };
        let is_descriptor = dict
            .get(b"Type")
            .and_then(|t| t.as_name())
            .is_ok_and(|n| n == b"FontDescriptor");
        !is_descriptor
            || [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| dict.has(k))
    });
    Ok(PdfFacts {
        encrypted: false,
        pages: doc.get_pages().len(),
        pdfa,
        fonts_embedded,
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `2B` from `<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>` or the
/// attribute form.
fn pdfa_part(xmp: &str) -> Option<String> {
    let value = |name: &str| {
        let element = format!("<pdfaid:{name}>");
        let attribute = format!("pdfaid:{name}=\"");
        if let Some(start) = xmp.find(&element) {
            let rest = &xmp[start + element.len()..];
            rest.find('<').map(|end| rest[..end].trim().to_string())
        } else {
            let start = xmp.find(&attribute)? + attribute.len();
            let rest = &xmp[start..];
            rest.find('"').map(|end| rest[..end].trim().to_string())
        }
    };
    Some(format!("{}{}", value("part")?, value("conformance")?))
}

/// Whether a JPEG or PNG decodes whole.
pub fn image_decodes(bytes: &[u8]) -> Result<(), String> {
    image::load_from_memory(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_bytes() {
        assert_eq!(sniff(b"\x7fELF\x02\x01"), Kind::Executable);
        assert_eq!(sniff(b"MZ\x90\x00"), Kind::Executable);
        assert_eq!(sniff(b"#!/bin/sh\n"), Kind::Executable);
        assert_eq!(sniff(&[0xff, 0xd8, 0xff, 0xe0]), Kind::Jpeg);
        assert_eq!(sniff(b"%PDF-1.7\n"), Kind::Pdf);
        assert_eq!(sniff(b"  {\"a\":1}"), Kind::Json);
        assert_eq!(sniff(b"hello"), Kind::Unknown);
        assert!(Kind::Pdf.matches("PDF/A-2b") && !Kind::Jpeg.matches("PDF"));
        assert_eq!(
            pdfa_part("<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"),
            Some("2B".into())
        );
        assert_eq!(
            pdfa_part("pdfaid:part=\"3\" pdfaid:conformance=\"U\""),
            Some("3U".into())
        );
        assert!(pdf_facts(b"%PDF-1.7 nothing").is_err());
    }

    #[test]
    fn a_file_over_the_cap_is_not_read_into_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.jpg");
        // Sparse: it takes no disk, and must not be read either.
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(CONTENT_CAP + 1).unwrap();
        assert_eq!(read_capped(&path, CONTENT_CAP), Err(Some(CONTENT_CAP + 1)));
        std::fs::write(&path, b"small").unwrap();
        assert_eq!(read_capped(&path, 5), Ok(b"small".to_vec()));
        assert_eq!(read_capped(&path, 4), Err(Some(5)));
        assert_eq!(read_capped(&dir.path().join("none"), 4), Err(None));
    }
}
