//! `tongban-hub report`: the same figures as a desk's report, across the county's townships
//! (or one of them), with the same forms: table, JSON, .xlsx, PDF, and the cases behind one.

use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use tongban_domain::TownshipCode;
use tongban_domain::figures::{Measure, Query};
use tongban_hub::service::figures::Scope;
use tongban_hub::{Hub, HubDb};

#[derive(clap::Args)]
pub struct ReportArgs {
    /// First day received (YYYY-MM-DD); the first of this month by default.
    #[arg(long)]
    from: Option<String>,
    /// Last day received (YYYY-MM-DD); today by default.
    #[arg(long)]
    to: Option<String>,
    /// Group by township, item, clerk or month.
    #[arg(long)]
    by: Option<String>,
    /// Only this township's cases (9 digits); by default the whole county's.
    #[arg(long, conflicts_with = "county")]
    township: Option<String>,
    /// The county (6 digits) when the hub's townships lie in several.
    #[arg(long)]
    county: Option<String>,
    #[arg(long)]
    json: bool,
    #[arg(long)]
    xlsx: Option<PathBuf>,
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// List the cases behind one figure (received, overdue, overdue_open, ...).
    #[arg(long)]
    cases: Option<String>,
    /// With --cases and --by: the group (a township code, an item code, a clerk, a month).
    #[arg(long)]
    key: Option<String>,
}

pub async fn run<D: HubDb>(hub: &Hub<D>, args: ReportArgs) -> Result<()> {
    let today = tongban_domain::calendar::china_date(now_ms());
    let query = Query::parse(
        args.from.as_deref(),
        args.to.as_deref(),
        args.by.as_deref(),
        today,
    )?;
    let (scope, unit) = match (&args.township, &args.county) {
        (Some(code), _) => {
            let code = TownshipCode::parse(code)?;
            let name = hub
                .township_name(code.as_str())
                .await?
                .ok_or_else(|| anyhow!("no township {code} / 没有乡镇{code}"))?;
            (Scope::Township(code), name)
        }
        (None, county) => {
            let unit = hub
                .unit(None, Some(county.as_deref().unwrap_or("")))
                .await?;
            let name = hub.township_name(&unit).await?.unwrap_or_default();
            let county = unit.get(..6).unwrap_or_default().to_string();
            (Scope::County(county), name)
        }
    };
    if let Some(measure) = &args.cases {
        let measure = Measure::parse(measure)
            .ok_or_else(|| anyhow!("unknown figure {measure:?} / 未知的统计项“{measure}”"))?;
        let numbers = hub
            .cases_behind(&scope, &query, args.key.as_deref(), measure)
            .await?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&numbers)?);
        } else {
            numbers.iter().for_each(|n| println!("{n}"));
        }
        return Ok(());
    }
    let report = hub.report(&scope, &query).await?;
    if let Some(path) = &args.xlsx {
        write(path, &tongban_print::report_xlsx(&report, &unit)?)?;
    }
    if let Some(path) = &args.pdf {
        write(path, &tongban_print::report_pdf(&report, &unit)?)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if args.xlsx.is_none() && args.pdf.is_none() {
        print!("{}", tongban_print::report_text(&report, true));
    }
    Ok(())
}

fn now_ms() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.is_dir() {
        bail!(
            "{} is a folder / {}是文件夹",
            path.display(),
            path.display()
        );
    }
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
