//! `tongban report`: the supervision figures of this desk's cases for a period, as a table,
//! JSON, an .xlsx workbook or a PDF; `--cases MEASURE` lists the cases behind one figure.

use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use tongban_domain::figures::{Measure, Query};
use tongban_domain::session::Session;
use tongban_store::Store;

#[derive(clap::Args)]
pub struct ReportArgs {
    /// First day received (YYYY-MM-DD); the first of this month by default.
    #[arg(long)]
    from: Option<String>,
    /// Last day received (YYYY-MM-DD); today by default.
    #[arg(long)]
    to: Option<String>,
    /// Group by item, clerk or month (a county desk also by township).
    #[arg(long)]
    by: Option<String>,
    #[arg(long)]
    json: bool,
    #[arg(long)]
    xlsx: Option<PathBuf>,
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// List the cases behind one figure: received, accepted, decided, decided_on_time,
    /// overdue, overdue_open, first_time, on_the_spot, returned, withdrawn, terminated,
    /// intake_refused.
    #[arg(long)]
    cases: Option<String>,
    /// With --cases and --by: the group (an item code, a clerk, a month like 2026-11).
    #[arg(long)]
    key: Option<String>,
}

pub fn run(
    store: &mut Store,
    session: &Session,
    args: ReportArgs,
    now: OffsetDateTime,
) -> Result<()> {
    let query = Query::parse(
        args.from.as_deref(),
        args.to.as_deref(),
        args.by.as_deref(),
        now.date(),
    )?;
    if let Some(measure) = &args.cases {
        let measure = Measure::parse(measure).ok_or_else(|| {
            anyhow!(
                "unknown figure {measure:?}; see tongban report --help / 未知的统计项“{measure}”"
            )
        })?;
        let cases = store.cases_behind(session, &query, args.key.as_deref(), measure, now)?;
        return crate::output::case_list(&cases, args.json);
    }
    let report = store.report(session, &query, now)?;
    let unit = store.enrollment()?.township_name;
    if let Some(path) = &args.xlsx {
        write(path, &tongban_print::report_xlsx(&report, &unit)?)?;
    }
    if let Some(path) = &args.pdf {
        write(path, &tongban_print::report_pdf(&report, &unit)?)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if args.xlsx.is_none() && args.pdf.is_none() {
        print!("{}", tongban_print::report_text(&report, false));
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| {
        format!(
            "cannot write {} / 无法写入{}",
            path.display(),
            path.display()
        )
    })?;
    eprintln!("wrote {} / 已生成{}", path.display(), path.display());
    Ok(())
}
