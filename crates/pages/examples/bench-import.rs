//! Page import against the image crate alone, in one run: ten 12-megapixel JPEG photos of
//! paperwork, decoded and re-encoded by `image` (the baseline), then imported by Tongban
//! (limits, orientation, A4 downscale, JPEG quality 85, thumbnail, SHA-256). Prints a table.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use std::time::{Duration, Instant};
use tongban_pages::{ImportOptions, JPEG_QUALITY, PageLimits};

const PAGES: u32 = 10;
const ROUNDS: usize = 3;

/// A phone photo of a form: paper tone, printed lines, sensor noise.
fn photo(seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    let image = RgbImage::from_fn(4000, 3000, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 0x0f) as u8;
        let ink = (y % 90 < 3 && x % 1400 > 200) || ((x / 14 + y / 30) % 23 == 0 && y % 90 < 40);
        let base: u8 = if ink { 40 } else { 215 };
        Rgb([base + noise, base + noise, base.saturating_sub(8) + noise])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(&image)
        .expect("encode photo");
    out
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut files = Vec::new();
    let mut input_bytes = 0;
    for i in 0..PAGES {
        let bytes = photo(i + 1);
        input_bytes += bytes.len();
        let path = dir.path().join(format!("photo-{i}.jpg"));
        std::fs::write(&path, &bytes)?;
        files.push(path);
    }

    let mut baseline = Vec::new();
    let mut baseline_out = 0;
    let mut ours = Vec::new();
    let mut ours_out = 0;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        baseline_out = 0;
        for path in &files {
            let image = image::open(path)?;
            let mut out = Vec::new();
            image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))?;
            baseline_out += out.len();
        }
        baseline.push(start.elapsed());

        let start = Instant::now();
        ours_out = 0;
        for path in &files {
            let page =
                tongban_pages::import_file(path, ImportOptions::default(), &PageLimits::default())?;
            ours_out += page.bytes.len();
        }
        ours.push(start.elapsed());
    }
    let (baseline, ours) = (median(baseline), median(ours));
    let mb = |b: usize| b as f64 / 1_048_576.0;
    println!(
        "Page import: {PAGES} JPEG photos of 4000×3000 (12 MP), {:.1} MB in; median of {ROUNDS} runs",
        mb(input_bytes)
    );
    println!("| work | total | per page | output |");
    println!("|---|---|---|---|");
    println!(
        "| image crate alone: decode + JPEG q{JPEG_QUALITY} encode (baseline) | {:.2} s | {:.0} ms | {:.1} MB |",
        baseline.as_secs_f64(),
        baseline.as_secs_f64() * 1000.0 / f64::from(PAGES),
        mb(baseline_out)
    );
    println!(
        "| Tongban import: limits, orientation, A4 300 dpi downscale, q{JPEG_QUALITY}, thumbnail, SHA-256 | {:.2} s | {:.0} ms | {:.1} MB |",
        ours.as_secs_f64(),
        ours.as_secs_f64() * 1000.0 / f64::from(PAGES),
        mb(ours_out)
    );
    println!(
        "| ratio Tongban / baseline | {:.2}× | | {:.2}× |",
        ours.as_secs_f64() / baseline.as_secs_f64(),
        ours_out as f64 / baseline_out as f64
    );
    // The one-table summary of scripts/bench.
    println!(
        "row\tpage import, {PAGES} photos of 12 MP (s)\timage crate decode + encode\t{:.2}\t{:.2}\t{:.2}\t",
        baseline.as_secs_f64(),
        ours.as_secs_f64(),
        ours.as_secs_f64() / baseline.as_secs_f64()
    );
    Ok(())
}
