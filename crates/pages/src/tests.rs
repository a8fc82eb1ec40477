#![allow(clippy::unwrap_used)]

use super::*;
use image::{GenericImageView, GrayImage, RgbImage};

/// A page-like picture: noise over a gradient, so JPEG has something to keep.
fn photo(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_f491_u32;
    RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state & 0x3f) as u8;
        image::Rgb([
            (x % 190) as u8 + n,
            (y % 190) as u8 + n,
            ((x + y) % 128) as u8 + n,
        ])
    })
}

fn encode_jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(image)
        .unwrap();
    out
}

/// Inserts an EXIF block saying "rotate 90° clockwise to view" (orientation 6).
fn with_orientation_6(jpeg: &[u8]) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    exif.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0]);
    exif.extend_from_slice(&[0, 0, 0, 0]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A valid small JPEG whose frame header claims `width` × `height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = encode_jpeg(&photo(16, 16));
    let sof = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("baseline frame header");
    bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    bytes
}

fn minimal_pdf(pages: usize) -> Vec<u8> {
    use lopdf::{Document, Object, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let kids: Vec<Object> = (0..pages)
        .map(|_| {
            doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            })
            .into()
        })
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => i64::try_from(pages).unwrap(),
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn import(name: &str, bytes: &[u8]) -> Result<Page, PageError> {
    import_bytes(
        name,
        bytes,
        ImportOptions::default(),
        &PageLimits::default(),
    )
}

#[test]
fn a_large_photo_is_scaled_to_a4_at_300_dpi_and_re_encoded() {
    let source = encode_jpeg(&photo(4000, 3000));
    let page = import("photo.jpg", &source).unwrap();
    assert_eq!(page.mime, MIME_JPEG);
    assert_eq!((page.width, page.height), (3307, 2480));
    let decoded = image::load_from_memory(&page.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (3307, 2480));
    assert_eq!(page.sha256, sha256_hex(&page.bytes));
    let thumb = image::load_from_memory(page.thumbnail.as_ref().unwrap()).unwrap();
    assert!(thumb.width() <= THUMB_WIDTH && thumb.height() <= THUMB_HEIGHT);
    assert!(
        thumb.width() > 100,
        "thumbnail keeps the page's proportions"
    );
}

#[test]
fn a_page_within_a4_keeps_its_size_and_the_same_file_gives_the_same_page() {
    let source = encode_jpeg(&photo(1240, 1754));
    let first = import("a.jpg", &source).unwrap();
    let second = import("b.jpg", &source).unwrap();
    assert_eq!((first.width, first.height), (1240, 1754));
    assert_eq!(first.sha256, second.sha256, "the same scan deduplicates");
}

#[test]
fn exif_orientation_turns_the_page_upright() {
    let source = with_orientation_6(&encode_jpeg(&photo(400, 300)));
    let page = import("phone.jpg", &source).unwrap();
    assert_eq!((page.width, page.height), (300, 400));
}

#[test]
fn greyscale_pages_are_stored_as_one_channel() {
    let source = encode_jpeg(&photo(800, 600));
    let colour = import("c.jpg", &source).unwrap();
    let grey = import_bytes(
        "g.jpg",
        &source,
        ImportOptions { greyscale: true },
        &PageLimits::default(),
    )
    .unwrap();
    let decoded = image::load_from_memory(&grey.bytes).unwrap();
    assert_eq!(decoded.color(), image::ColorType::L8);
    assert!(grey.bytes.len() < colour.bytes.len());
}

#[test]
fn png_and_tiff_scans_are_taken() {
    let grey = GrayImage::from_fn(300, 400, |x, y| image::Luma([((x * y) % 251) as u8]));
    for format in [ImageFormat::Png, ImageFormat::Tiff] {
        let mut bytes = Vec::new();
        grey.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
        let page = import("scan", &bytes).unwrap();
        assert_eq!((page.width, page.height), (300, 400), "{format:?}");
        let decoded = image::load_from_memory(&page.bytes).unwrap();
        assert_eq!(
            decoded.color(),
            image::ColorType::L8,
            "{format:?} stays grey"
        );
    }
}

#[test]
fn a_bomb_header_is_refused_before_decoding() {
    let bytes = jpeg_claiming(60_000, 60_000);
    let err = import("bomb.jpg", &bytes).unwrap_err();
    assert!(
        matches!(
            err,
            PageError::TooManyPixels {
                width: 60_000,
                height: 60_000,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("60000×60000"), "{err}");
    // Under the per-side limit but over the total.
    let err = import("wide.jpg", &jpeg_claiming(9_000, 9_000)).unwrap_err();
    assert!(matches!(err, PageError::TooManyPixels { .. }), "{err}");
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.jpg");
    let file = std::fs::File::create(&path).unwrap();
    // Sparse: a gigabyte on paper, nothing on disk.
    file.set_len(1 << 30).unwrap();
    let err = import_file(&path, ImportOptions::default(), &PageLimits::default()).unwrap_err();
    assert!(
        matches!(err, PageError::FileTooLarge { bytes, .. } if bytes == 1 << 30),
        "{err}"
    );
}

#[test]
fn a_truncated_jpeg_is_refused_as_cut_off() {
    let whole = encode_jpeg(&photo(600, 800));
    for cut in [whole.len() / 2, whole.len() - 2, 200] {
        let err = import("cut.jpg", &whole[..cut]).unwrap_err();
        assert!(
            matches!(err, PageError::Truncated { .. }),
            "at {cut}: {err}"
        );
    }
}

#[test]
fn damaged_and_foreign_files_get_their_own_messages() {
    let err = import("notes.txt", b"just some words").unwrap_err();
    assert!(matches!(err, PageError::Unsupported { .. }), "{err}");
    let err = import("empty.png", b"").unwrap_err();
    assert!(matches!(err, PageError::Empty { .. }), "{err}");
    let mut png = Vec::new();
    GrayImage::new(50, 50)
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .unwrap();
    let half = &png[..png.len() - 20];
    let err = import("half.png", half).unwrap_err();
    assert!(
        matches!(err, PageError::Truncated { .. } | PageError::Damaged { .. }),
        "{err}"
    );
}

#[test]
fn pdfs_are_checked_and_kept_as_they_are() {
    let pdf = minimal_pdf(3);
    let page = import("household.pdf", &pdf).unwrap();
    assert_eq!(page.mime, MIME_PDF);
    assert_eq!(page.sheets, 3);
    assert_eq!(page.bytes, pdf);
    assert!(page.thumbnail.is_none());

    let err = import("fake.pdf", b"this was never a PDF").unwrap_err();
    assert!(
        matches!(
            &err,
            PageError::NotPdf {
                problem: PdfProblem::NoHeader,
                ..
            }
        ),
        "{err}"
    );
    let err = import("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog").unwrap_err();
    assert!(matches!(err, PageError::NotPdf { .. }), "{err}");
    let err = import("renamed.pdf", &encode_jpeg(&photo(10, 10))).unwrap_err();
    assert!(matches!(err, PageError::NotPdf { .. }), "{err}");
    let limits = PageLimits {
        max_pdf_pages: 2,
        ..PageLimits::default()
    };
    let err = import_bytes("long.pdf", &pdf, ImportOptions::default(), &limits).unwrap_err();
    assert!(
        matches!(err, PageError::TooManyPdfPages { pages: 3, .. }),
        "{err}"
    );
}

#[test]
fn thumbnails_can_be_made_for_pages_from_elsewhere() {
    let page = import("p.jpg", &encode_jpeg(&photo(600, 800))).unwrap();
    let again = image::load_from_memory(&thumbnail_of(&page.bytes).unwrap()).unwrap();
    let first = image::load_from_memory(page.thumbnail.as_ref().unwrap()).unwrap();
    assert_eq!(again.dimensions(), first.dimensions());
    assert!(thumbnail_of(b"not an image").is_none());
}

#[test]
fn a_multi_page_tiff_is_refused_rather_than_cut_to_its_first_page() {
    let page = GrayImage::from_fn(64, 80, |x, y| image::Luma([((x + y) % 255) as u8]));
    let mut bytes = Vec::new();
    {
        let mut encoder = tiff::encoder::TiffEncoder::new(Cursor::new(&mut bytes)).unwrap();
        for _ in 0..2 {
            encoder
                .write_image::<tiff::encoder::colortype::Gray8>(64, 80, page.as_raw())
                .unwrap();
        }
    }
    let err = import("batch.tif", &bytes).unwrap_err();
    assert!(matches!(err, PageError::MultiPageTiff { .. }), "{err}");
}
