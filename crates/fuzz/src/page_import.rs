//! A scan or PDF as a clerk's scanner, phone or USB stick hands it over. Limits are smaller than
//! the desk's so each input is quick; the code paths are the same.

use tongban_pages::{ImportOptions, MIME_PDF, PageLimits, import_bytes, sha256_hex};

const LIMITS: PageLimits = PageLimits {
    max_file_bytes: 4 * 1024 * 1024,
    max_side: 4_000,
    max_pixels: 4_000_000,
    max_alloc: 128 * 1024 * 1024,
    max_pdf_pages: 20,
};

pub fn check(data: &[u8]) {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    let name = if mode & 1 == 0 {
        "scan.jpg"
    } else {
        "scan.pdf"
    };
    let options = ImportOptions {
        greyscale: mode & 2 != 0,
    };
    let Ok(page) = import_bytes(name, bytes, options, &LIMITS) else {
        return;
    };
    assert_eq!(
        page.sha256,
        sha256_hex(&page.bytes),
        "the digest is not the kept bytes'"
    );
    if page.mime == MIME_PDF {
        assert_eq!(page.bytes, bytes, "a PDF is kept as it came");
        return;
    }
    assert!(
        page.width > 0
            && page.height > 0
            && page.width <= LIMITS.max_side
            && page.height <= LIMITS.max_side,
        "a page of {}×{} was kept",
        page.width,
        page.height
    );
    // What a desk keeps it must be able to take in again (exported and imported elsewhere).
    let again = import_bytes("again.jpg", &page.bytes, options, &LIMITS)
        .expect("a kept page imports again");
    assert_eq!(
        (again.mime, again.width, again.height),
        (page.mime, page.width, page.height),
        "a kept page changed shape when imported again"
    );
}
