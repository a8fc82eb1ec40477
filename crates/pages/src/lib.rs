//! Scanned pages, from whatever a scanner or a phone produced to what a case keeps.
//!
//! Every image is decoded under explicit limits (file size, width, height, pixels, allocation)
//! checked against the header before any pixel is decoded, so a decompression bomb costs
//! nothing. It is then turned upright (EXIF orientation), scaled down to fit A4 at 300 dpi and
//! re-encoded as JPEG at quality [`JPEG_QUALITY`]. PDFs are kept as they are after a structural
//! check: re-rendering them would need a PDF renderer and lose their text.

#![forbid(unsafe_code)]

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read};
use std::path::Path;

/// Quality 85: printed text and stamps stay sharp when the page is printed again, at roughly a
/// third of the size of quality 95; below 80 ringing shows around small characters.
pub const JPEG_QUALITY: u8 = 85;
/// A4 at 300 dpi: 210 × 297 mm. More resolution than that is never printed or read.
pub const A4_SHORT: u32 = 2480;
pub const A4_LONG: u32 = 3508;
/// Thumbnails fit in this box (portrait A4 proportions).
pub const THUMB_WIDTH: u32 = 170;
pub const THUMB_HEIGHT: u32 = 240;
const THUMB_QUALITY: u8 = 70;

pub const MIME_JPEG: &str = "image/jpeg";
pub const MIME_PDF: &str = "application/pdf";

/// What a single intake may cost. The defaults take a 600 dpi A4 colour scan and a 50 MP phone
/// photo; anything larger is refused before it is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    pub max_file_bytes: u64,
    pub max_side: u32,
    pub max_pixels: u64,
    pub max_alloc: u64,
    pub max_pdf_pages: usize,
}

impl Default for PageLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 80 * 1024 * 1024,
            max_side: 16_000,
            max_pixels: 60_000_000,
            max_alloc: 512 * 1024 * 1024,
            max_pdf_pages: 300,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Black-and-white paperwork needs no colour; greyscale pages are about a third smaller.
    pub greyscale: bool,
}

/// A page ready to be stored: the bytes to keep, their SHA-256 and a thumbnail.
#[derive(Clone, PartialEq, Eq)]
pub struct Page {
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub mime: &'static str,
    /// Pixels for images; 0 for PDFs.
    pub width: u32,
    pub height: u32,
    /// Number of pages inside a PDF; 1 for an image.
    pub sheets: u32,
    /// A small JPEG for lists; PDFs have none.
    pub thumbnail: Option<Vec<u8>>,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("sha256", &self.sha256)
            .field("mime", &self.mime)
            .field("bytes", &self.bytes.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum PageError {
    Read {
        name: String,
        detail: String,
    },
    FileTooLarge {
        name: String,
        bytes: u64,
        max: u64,
    },
    Empty {
        name: String,
    },
    TooManyPixels {
        name: String,
        width: u32,
        height: u32,
        max_side: u32,
        max_pixels: u64,
    },
    Truncated {
        name: String,
    },
    Damaged {
        name: String,
        detail: String,
    },
    NotPdf {
        name: String,
        problem: PdfProblem,
    },
    TooManyPdfPages {
        name: String,
        pages: usize,
        max: usize,
    },
    MultiPageTiff {
        name: String,
    },
    Unsupported {
        name: String,
    },
    Encode {
        name: String,
        detail: String,
    },
}

impl tongban_domain::l10n::Localized for PageError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Read { name, detail } => text!(
                "cannot read {name}: {detail}",
                "无法读取文件{name}：{detail}"
            ),
            Self::FileTooLarge { name, bytes, max } => text!(
                "{name} is {bytes} bytes; a scanned page may be at most {max} bytes",
                "文件{name}大小为{bytes}字节，超过扫描件上限{max}字节"
            ),
            Self::Empty { name } => text!("{name} is empty", "文件{name}为空"),
            Self::TooManyPixels {
                name,
                width,
                height,
                max_side,
                max_pixels,
            } => text!(
                "{name} claims {width}×{height} pixels, more than a scanned page may have (at most {max_side} per side and {max_pixels} in all); it is refused without decoding",
                "文件{name}声明为{width}×{height}像素，超过扫描件上限（每边不超过{max_side}，总计不超过{max_pixels}），未解码即拒收"
            ),
            Self::Truncated { name } => text!(
                "{name} is cut off (the image data ends early); scan or copy the page again",
                "文件{name}不完整（图像数据提前结束），请重新扫描或复制"
            ),
            Self::Damaged { name, detail } => text!(
                "{name} is a damaged image: {detail}",
                "文件{name}图像已损坏：{detail}"
            ),
            Self::NotPdf { name, problem } => problem
                .text()
                .within(text!("{name} is not a PDF", "文件{name}不是有效的PDF")),
            Self::TooManyPdfPages { name, pages, max } => text!(
                "{name} has {pages} pages; split it into files of at most {max} pages",
                "文件{name}共{pages}页，请拆分为每份不超过{max}页"
            ),
            Self::MultiPageTiff { name } => text!(
                "{name} holds several pages; scan them to a PDF or to one file per page",
                "文件{name}包含多页，请扫描为PDF或每页一个文件"
            ),
            Self::Unsupported { name } => text!(
                "{name} is not a JPEG, PNG, TIFF or PDF file",
                "文件{name}不是JPEG、PNG、TIFF或PDF格式"
            ),
            Self::Encode { name, detail } => text!(
                "could not encode {name}: {detail}",
                "无法保存文件{name}：{detail}"
            ),
        }
    }
}

/// Why a file that should be a PDF is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfProblem {
    NoHeader,
    NoPages,
    /// The parser's own words (technical, so the same in both languages).
    Unreadable(String),
}

impl tongban_domain::l10n::Localized for PdfProblem {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::NoHeader => text!("it does not start with %PDF-", "缺少PDF文件头"),
            Self::NoPages => text!("it has no pages", "没有页面"),
            Self::Unreadable(detail) => text!(
                "its structure cannot be read ({detail})",
                "文件结构无法读取（{detail}）"
            ),
        }
    }
}

/// Reads and normalises one file. The size is checked before a byte is read.
pub fn import_file(
    path: &Path,
    options: ImportOptions,
    limits: &PageLimits,
) -> Result<Page, PageError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let read_err = |e: std::io::Error| PageError::Read {
        name: name.clone(),
        detail: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let size = file.metadata().map_err(read_err)?.len();
    check_size(&name, size, limits)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // `take` guards against a file that grows while it is read (a scanner still writing).
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    check_size(&name, bytes.len() as u64, limits)?;
    import_bytes(&name, &bytes, options, limits)
}

fn check_size(name: &str, bytes: u64, limits: &PageLimits) -> Result<(), PageError> {
    if bytes == 0 {
        return Err(PageError::Empty {
            name: name.to_string(),
        });
    }
    if bytes > limits.max_file_bytes {
        return Err(PageError::FileTooLarge {
            name: name.to_string(),
            bytes,
            max: limits.max_file_bytes,
        });
    }
    Ok(())
}

/// Normalises the bytes of one file; `name` is only used in messages and to spot PDFs.
pub fn import_bytes(
    name: &str,
    bytes: &[u8],
    options: ImportOptions,
    limits: &PageLimits,
) -> Result<Page, PageError> {
    check_size(name, bytes.len() as u64, limits)?;
    let says_pdf = name.to_ascii_lowercase().ends_with(".pdf");
    if says_pdf || bytes.starts_with(b"%PDF-") {
        return check_pdf(name, bytes, limits);
    }
    let format = image::guess_format(bytes).map_err(|_| PageError::Unsupported {
        name: name.to_string(),
    })?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Tiff
    ) {
        return Err(PageError::Unsupported {
            name: name.to_string(),
        });
    }
    if format == ImageFormat::Jpeg && !jpeg_complete(bytes) {
        // Some decoders paint the missing part grey instead of failing; a half page is no page.
        return Err(PageError::Truncated {
            name: name.to_string(),
        });
    }
    if format == ImageFormat::Tiff && tiff_has_more_pages(bytes) {
        // Only the first page would be decoded: refusing beats silently losing the others.
        return Err(PageError::MultiPageTiff {
            name: name.to_string(),
        });
    }
    let image = decode(name, bytes, format, limits)?;
    encode_page(name, image, options)
}

fn tiff_has_more_pages(bytes: &[u8]) -> bool {
    tiff::decoder::Decoder::new(Cursor::new(bytes)).is_ok_and(|d| d.more_images())
}

/// A complete JPEG ends with the end-of-image marker, perhaps followed by padding.
fn jpeg_complete(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0 && b != b'\n' && b != b'\r' && b != b' ')
        .map_or(0, |i| i + 1);
    end >= 4 && bytes[end - 2..end] == [0xFF, 0xD9]
}

fn decode(
    name: &str,
    bytes: &[u8],
    format: ImageFormat,
    limits: &PageLimits,
) -> Result<DynamicImage, PageError> {
    let damaged = |e: image::ImageError| classify(name, e);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decode_limits = Limits::default();
    decode_limits.max_image_width = Some(limits.max_side);
    decode_limits.max_image_height = Some(limits.max_side);
    decode_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(|e| {
        if matches!(e, image::ImageError::Limits(_)) {
            // The header named a size over the limits; report it as such.
            too_many_pixels(name, bytes, format, limits)
        } else {
            damaged(e)
        }
    })?;
    let (width, height) = decoder.dimensions();
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(pixels_error(name, width, height, limits));
    }
    let orientation = decoder.orientation().map_err(damaged)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn pixels_error(name: &str, width: u32, height: u32, limits: &PageLimits) -> PageError {
    PageError::TooManyPixels {
        name: name.to_string(),
        width,
        height,
        max_side: limits.max_side,
        max_pixels: limits.max_pixels,
    }
}

/// The decoder refused the header under its limits; read the size without limits to say what
/// it was (reading dimensions allocates nothing).
fn too_many_pixels(
    name: &str,
    bytes: &[u8],
    format: ImageFormat,
    limits: &PageLimits,
) -> PageError {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.no_limits();
    match reader.into_dimensions() {
        Ok((width, height)) => pixels_error(name, width, height, limits),
        Err(e) => classify(name, e),
    }
}

fn classify(name: &str, e: image::ImageError) -> PageError {
    let detail = e.to_string();
    let lower = detail.to_ascii_lowercase();
    let cut = matches!(&e, image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof)
        || lower.contains("eof")
        || lower.contains("end of file")
        || lower.contains("unexpected end");
    if cut {
        PageError::Truncated {
            name: name.to_string(),
        }
    } else {
        PageError::Damaged {
            name: name.to_string(),
            detail,
        }
    }
}

fn encode_page(name: &str, image: DynamicImage, options: ImportOptions) -> Result<Page, PageError> {
    // Into one of the two stored layouts first: fewer bytes to scale, and no copy when the
    // decoder already produced it.
    let image = if options.greyscale || is_grey(&image) {
        DynamicImage::ImageLuma8(image.into_luma8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    let (w, h) = (image.width(), image.height());
    let (box_w, box_h) = if w <= h {
        (A4_SHORT, A4_LONG)
    } else {
        (A4_LONG, A4_SHORT)
    };
    let image = if w > box_w || h > box_h {
        downscale(name, &image, fit(w, h, box_w, box_h))?
    } else {
        image
    };
    let bytes = jpeg(name, &image, JPEG_QUALITY)?;
    let thumbnail = jpeg(
        name,
        &image.thumbnail(THUMB_WIDTH, THUMB_HEIGHT),
        THUMB_QUALITY,
    )?;
    Ok(Page {
        sha256: sha256_hex(&bytes),
        bytes,
        mime: MIME_JPEG,
        width: image.width(),
        height: image.height(),
        sheets: 1,
        thumbnail: Some(thumbnail),
    })
}

/// The largest size with the same proportions that fits the box.
fn fit(w: u32, h: u32, box_w: u32, box_h: u32) -> (u32, u32) {
    let ratio = f64::min(
        f64::from(box_w) / f64::from(w),
        f64::from(box_h) / f64::from(h),
    );
    let side = |v: u32| ((f64::from(v) * ratio).round() as u32).max(1);
    (side(w).min(box_w), side(h).min(box_h))
}

/// Bilinear convolution is sharp enough for a downscale under 2× and, with SIMD, a small part
/// of the import; the image crate's own resize took as long as decoding.
fn downscale(
    name: &str,
    image: &DynamicImage,
    (width, height): (u32, u32),
) -> Result<DynamicImage, PageError> {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    let mut scaled = DynamicImage::new(width, height, image.color());
    Resizer::new()
        .resize(
            image,
            &mut scaled,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear)),
        )
        .map_err(|e| PageError::Encode {
            name: name.to_string(),
            detail: e.to_string(),
        })?;
    Ok(scaled)
}

fn is_grey(image: &DynamicImage) -> bool {
    matches!(
        image,
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageLuma16(_)
    )
}

fn jpeg(name: &str, image: &DynamicImage, quality: u8) -> Result<Vec<u8>, PageError> {
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, quality);
    image
        .write_with_encoder(encoder)
        .map_err(|e| PageError::Encode {
            name: name.to_string(),
            detail: e.to_string(),
        })?;
    Ok(out)
}

/// A PDF is kept byte for byte once it parses as one and its page count is sane.
fn check_pdf(name: &str, bytes: &[u8], limits: &PageLimits) -> Result<Page, PageError> {
    let not_pdf = |problem: PdfProblem| PageError::NotPdf {
        name: name.to_string(),
        problem,
    };
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(not_pdf(PdfProblem::NoHeader));
    }
    let document = lopdf::Document::load_mem(bytes)
        .map_err(|e| not_pdf(PdfProblem::Unreadable(e.to_string())))?;
    let pages = document.get_pages().len();
    if pages == 0 {
        return Err(not_pdf(PdfProblem::NoPages));
    }
    if pages > limits.max_pdf_pages {
        return Err(PageError::TooManyPdfPages {
            name: name.to_string(),
            pages,
            max: limits.max_pdf_pages,
        });
    }
    Ok(Page {
        sha256: sha256_hex(bytes),
        bytes: bytes.to_vec(),
        mime: MIME_PDF,
        width: 0,
        height: 0,
        sheets: u32::try_from(pages).unwrap_or(u32::MAX),
        thumbnail: None,
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The thumbnail of a stored page (for pages that arrived from another desk).
pub fn thumbnail_of(bytes: &[u8]) -> Option<Vec<u8>> {
    let limits = PageLimits::default();
    let format = image::guess_format(bytes).ok()?;
    let image = decode("page", bytes, format, &limits).ok()?;
    jpeg(
        "page",
        &image.thumbnail(THUMB_WIDTH, THUMB_HEIGHT),
        THUMB_QUALITY,
    )
    .ok()
}

#[cfg(test)]
mod tests;
