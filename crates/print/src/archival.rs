//! The archival rendition of a paper: PDF/A-2b (ISO 19005-2), as GB/T 42727 asks of archived
//! documents. krilla writes what the standard requires (the font embedded as a subset, XMP
//! metadata with `pdfaid`, an sRGB output intent, device-independent colour) and refuses to
//! write a file its PDF/A validator would not pass.

use crate::sheet::{MARGIN, Mark, PAGE_H, PAGE_W, Paper, PrintError, font_bytes};
use krilla::Document;
use krilla::SerializeSettings;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use time::OffsetDateTime;

fn pt(mm: f32) -> f32 {
    mm * 72.0 / 25.4
}

fn archival_error(detail: impl ToString) -> PrintError {
    PrintError::Archival(detail.to_string())
}

impl Paper {
    /// The paper as PDF/A-2b, dated `created` (the date its metadata carries).
    pub fn pdf_a(&self, created: OffsetDateTime) -> Result<Vec<u8>, PrintError> {
        let configuration = ConfigurationBuilder::new()
            .with_archival_validator(Archival::A2_B)
            .finish()
            .map_err(|e| archival_error(format!("{e:?}")))?;
        let mut document = Document::new_with(SerializeSettings {
            configuration,
            ..SerializeSettings::default()
        });
        let font = Font::new(font_bytes().into(), 0).ok_or(PrintError::Font)?;
        let settings = PageSettings::from_wh(pt(PAGE_W), pt(PAGE_H))
            .ok_or_else(|| archival_error("page size"))?;
        for marks in &self.pages {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            draw(&mut surface, marks, &font)?;
            surface.finish();
            page.finish();
        }
        let date = DateTime::new(created.year().clamp(0, 9999) as u16)
            .month(created.month() as u8)
            .day(created.day())
            .hour(created.hour())
            .minute(created.minute())
            .second(created.second())
            .utc_offset_hour(created.offset().whole_hours())
            .utc_offset_minute(created.offset().minutes_past_hour().unsigned_abs());
        document.set_metadata(
            Metadata::new()
                .title(self.title.clone())
                .language("zh-CN".into())
                .creator("通办 Tongban".into())
                .creation_date(date),
        );
        document.finish().map_err(archival_error)
    }
}

fn draw(surface: &mut Surface<'_>, marks: &[Mark], font: &Font) -> Result<(), PrintError> {
    surface.set_fill(Some(Fill::default()));
    let mut squares = PathBuilder::new();
    for mark in marks {
        match mark {
            Mark::Text { x, top, size, text } => surface.draw_text(
                Point::from_xy(pt(*x), pt(*top)),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            ),
            Mark::Rule { top } => {
                let mut rule = PathBuilder::new();
                rule.move_to(pt(MARGIN), pt(*top));
                rule.line_to(pt(PAGE_W - MARGIN), pt(*top));
                let path = rule.finish().ok_or_else(|| archival_error("rule"))?;
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: 0.6,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
                surface.set_fill(Some(Fill::default()));
            }
            Mark::Square { x, top, side } => {
                let square = Rect::from_xywh(pt(*x), pt(*top), pt(*side), pt(*side))
                    .ok_or_else(|| archival_error("QR module"))?;
                squares.push_rect(square);
            }
        }
    }
    // All of a QR code's modules as one path: one fill instead of hundreds.
    if let Some(path) = squares.finish() {
        surface.draw_path(&path);
    }
    Ok(())
}
