//! A4 pages drawn line by line: text in the shipped CJK font, rules and a QR code.

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem,
};
use std::sync::OnceLock;

/// WenQuanYi Micro Hei (Apache-2.0), face 0 of the collection; see `assets/fonts/`.
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/wqy-microhei.ttc");

pub const PAGE_W: f32 = 210.0;
pub const PAGE_H: f32 = 297.0;
pub const MARGIN: f32 = 22.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum PrintError {
    Font,
    QrCode(String),
    Workbook(String),
    /// The PDF/A rendition cannot be written (krilla's validator refused it, or a shape).
    Archival(String),
}

impl tongban_domain::l10n::Localized for PrintError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Font => text!(
                "the shipped CJK font cannot be read",
                "内置中文字体无法读取"
            ),
            Self::QrCode(detail) => text!(
                "the QR code cannot be made: {detail}",
                "二维码无法生成：{detail}"
            ),
            Self::Archival(detail) => text!(
                "the archival PDF/A cannot be written: {detail}",
                "归档用PDF/A文件无法生成：{detail}"
            ),
            Self::Workbook(detail) => text!(
                "the workbook cannot be written: {detail}",
                "Excel文件无法生成：{detail}"
            ),
        }
    }
}

/// The shipped font's bytes, for the archival rendering.
pub(crate) fn font_bytes() -> &'static [u8] {
    FONT_BYTES
}

/// Parsing the 5 MB collection takes a moment; it is done once per process.
fn font() -> Result<&'static ParsedFont, PrintError> {
    static FONT: OnceLock<Option<ParsedFont>> = OnceLock::new();
    FONT.get_or_init(|| ParsedFont::from_bytes(FONT_BYTES, 0, &mut Vec::new()))
        .as_ref()
        .ok_or(PrintError::Font)
}

fn pt_to_mm(pt: f32) -> f32 {
    pt * 25.4 / 72.0
}

/// Width of `text` in mm at `size` pt. Han characters are one em; Latin and digits about half.
fn width_mm(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum::<f32>()
        * pt_to_mm(size)
}

/// Breaks `text` into lines no wider than `max_mm`.
fn wrap(text: &str, size: f32, max_mm: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let mut candidate = current.clone();
        candidate.push(c);
        if width_mm(&candidate, size) > max_mm && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// What a page shows, in mm from the top-left corner: kept as marks so one sheet renders both
/// for the printer (printpdf) and for the archives (PDF/A, `archival`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    /// Text with its baseline `top` mm below the top edge.
    Text {
        x: f32,
        top: f32,
        size: f32,
        text: String,
    },
    /// A rule across the text width.
    Rule { top: f32 },
    /// A filled square, for a QR code's dark modules.
    Square { x: f32, top: f32, side: f32 },
}

pub struct Sheet {
    title: String,
    /// Pages filled before the current one (a report may run over several).
    done: Vec<Vec<Mark>>,
    marks: Vec<Mark>,
    /// Distance of the next line's baseline from the top edge, in mm.
    y: f32,
}

/// A finished document: its pages as marks, rendered on demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Paper {
    pub(crate) title: String,
    pub(crate) pages: Vec<Vec<Mark>>,
}

impl Sheet {
    pub fn new(title: &str) -> Result<Self, PrintError> {
        // Fail here, not at rendering, when the shipped font is unreadable.
        font()?;
        Ok(Self {
            title: title.to_string(),
            done: Vec::new(),
            marks: Vec::new(),
            y: MARGIN,
        })
    }

    /// Text with its baseline `top` mm below the top edge.
    pub fn text_at(&mut self, x: f32, top: f32, size: f32, text: &str) {
        self.marks.push(Mark::Text {
            x,
            top,
            size,
            text: text.to_string(),
        });
    }

    /// Starts a new page, at its top margin.
    pub fn next_page(&mut self) {
        self.done.push(std::mem::take(&mut self.marks));
        self.y = MARGIN;
    }

    /// Room left on the page, in mm above the bottom margin.
    pub fn room(&self) -> f32 {
        PAGE_H - MARGIN - self.y
    }

    pub fn gap(&mut self, mm: f32) {
        self.y += mm;
    }

    pub fn centered(&mut self, size: f32, text: &str) {
        self.y += pt_to_mm(size) * 1.5;
        let x = (PAGE_W - width_mm(text, size)) / 2.0;
        self.text_at(x.max(MARGIN), self.y, size, text);
    }

    /// A paragraph at the left margin (indented by `indent` mm), wrapped to the text width.
    pub fn paragraph(&mut self, size: f32, indent: f32, text: &str) {
        for line in wrap(text, size, TEXT_W - indent) {
            self.y += pt_to_mm(size) * 1.6;
            self.text_at(MARGIN + indent, self.y, size, &line);
        }
    }

    /// "label：value", the value wrapped under itself.
    pub fn field(&mut self, label: &str, value: &str) {
        const SIZE: f32 = 11.0;
        let label = format!("{label}：");
        let label_w = width_mm(&label, SIZE).max(28.0);
        let mut first = true;
        for line in wrap(value, SIZE, TEXT_W - label_w) {
            self.y += pt_to_mm(SIZE) * 1.7;
            if first {
                self.text_at(MARGIN, self.y, SIZE, &label);
                first = false;
            }
            self.text_at(MARGIN + label_w, self.y, SIZE, &line);
        }
    }

    pub fn rule(&mut self) {
        self.y += 3.0;
        self.marks.push(Mark::Rule { top: self.y });
        self.y += 2.0;
    }

    /// A QR code `side` mm wide with its top-left corner at (`x`, `top`), drawn as vector
    /// squares: sharp on any printer and a few hundred bytes.
    pub fn qr(&mut self, x: f32, top: f32, side: f32, payload: &str) -> Result<(), PrintError> {
        let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
            .map_err(|e| PrintError::QrCode(e.to_string()))?;
        let n = code.width();
        let module = side / n as f32;
        for (i, colour) in code.to_colors().iter().enumerate() {
            if *colour == qrcode::Color::Dark {
                let (col, row) = (i % n, i / n);
                self.marks.push(Mark::Square {
                    x: x + col as f32 * module,
                    top: top + row as f32 * module,
                    side: module,
                });
            }
        }
        Ok(())
    }

    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn set_y(&mut self, y: f32) {
        self.y = y;
    }

    pub fn finish(mut self) -> Paper {
        self.done.push(std::mem::take(&mut self.marks));
        Paper {
            title: self.title,
            pages: self.done,
        }
    }
}

impl Paper {
    /// The PDF to print, with only the glyphs used embedded.
    pub fn pdf(&self) -> Result<Vec<u8>, PrintError> {
        let mut doc = PdfDocument::new(&self.title);
        let font = doc.add_font(font()?);
        let pages = self
            .pages
            .iter()
            .map(|marks| PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops(marks, &font)))
            .collect();
        let options = PdfSaveOptions {
            subset_fonts: true,
            ..PdfSaveOptions::default()
        };
        Ok(doc.with_pages(pages).save(&options, &mut Vec::new()))
    }
}

fn point(x: f32, top: f32) -> Point {
    Point::new(Mm(x), Mm(PAGE_H - top))
}

/// A page's marks as printpdf operations.
fn ops(marks: &[Mark], font: &FontId) -> Vec<Op> {
    let black = || Color::Greyscale(Greyscale::new(0.0, None));
    let mut ops = Vec::new();
    let mut filling = false;
    for mark in marks {
        match mark {
            Mark::Text { x, top, size, text } => ops.extend([
                Op::StartTextSection,
                Op::SetTextCursor {
                    pos: point(*x, *top),
                },
                Op::SetFont {
                    font: PdfFontHandle::External(font.clone()),
                    size: Pt(*size),
                },
                Op::ShowText {
                    items: vec![TextItem::Text(text.clone())],
                },
                Op::EndTextSection,
            ]),
            Mark::Rule { top } => ops.extend([
                Op::SetOutlineColor { col: black() },
                Op::SetOutlineThickness { pt: Pt(0.6) },
                Op::DrawLine {
                    line: Line {
                        points: [MARGIN, PAGE_W - MARGIN]
                            .map(|x| LinePoint {
                                p: point(x, *top),
                                bezier: false,
                            })
                            .to_vec(),
                        is_closed: false,
                    },
                },
            ]),
            Mark::Square { x, top, side } => {
                let mut square = Rect::from_xywh(
                    Mm(*x).into_pt(),
                    Mm(PAGE_H - top - side).into_pt(),
                    Mm(*side).into_pt(),
                    Mm(*side).into_pt(),
                );
                // Without a paint mode the square is only a path and nothing is drawn.
                square.mode = Some(PaintMode::Fill);
                if !filling {
                    ops.push(Op::SetFillColor { col: black() });
                    filling = true;
                }
                ops.push(Op::DrawRectangle { rectangle: square });
            }
        }
    }
    ops
}
