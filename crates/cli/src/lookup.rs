//! `tongban lookup --id-number N --purpose TEXT [--json]` (一证通办): every case of one applicant
//! across the county's townships, through the hub; each case found records the lookup as a use
//! its applicant sees. Without a link, this township's cases on this desk, and it says so.

use anyhow::Result;
use time::OffsetDateTime;
use tongban_domain::session::Session;
use tongban_store::{CaseFilter, Store};

#[derive(clap::Args)]
pub struct LookupArgs {
    /// The applicant's resident ID number (the whole number: a lookup is never by a part).
    #[arg(long)]
    id_number: String,
    /// Why: the service the applicant asked for here.
    #[arg(long)]
    purpose: String,
    #[arg(long)]
    json: bool,
}

pub fn run(
    store: &mut Store,
    session: &Session,
    args: LookupArgs,
    now: OffsetDateTime,
) -> Result<()> {
    store.allow_lookup(session, &args.id_number, &args.purpose, now)?;
    let found = tongban_client::lookup_at_hub(store, session, &args.id_number, &args.purpose)
        .map_err(|text| anyhow::anyhow!("{text}"))?;
    let (online, rows) = match found {
        Some(answer) => (
            true,
            answer
                .cases
                .into_iter()
                .map(|c| {
                    (
                        c.number,
                        c.township_name,
                        c.item_name,
                        c.status_zh,
                        c.registered_ms,
                    )
                })
                .collect::<Vec<_>>(),
        ),
        None => {
            let filter = CaseFilter {
                query: Some(args.id_number.trim().to_owned()),
                limit: Some(200),
                ..CaseFilter::default()
            };
            let township = store.enrollment()?.township_name;
            let here = store.search(session, filter, now)?;
            let rows = here
                .cases
                .into_iter()
                .map(|c| {
                    let status = c
                        .status
                        .parse::<tongban_domain::CaseStatus>()
                        .map_or(c.status.clone(), |s| s.label_zh().to_owned());
                    (
                        c.number,
                        township.clone(),
                        c.item_name,
                        status,
                        c.created_at_ms,
                    )
                })
                .collect();
            (false, rows)
        }
    };
    if args.json {
        let cases: Vec<_> = rows
            .iter()
            .map(|(number, township, item, status, at)| {
                serde_json::json!({"number": number, "township_name": township,
                    "item_name": item, "status_zh": status, "registered_ms": at})
            })
            .collect();
        println!("{}", serde_json::json!({"online": online, "cases": cases}));
        return Ok(());
    }
    if !online {
        println!("hub unreachable: this township's cases only / 未连接中心：仅显示本乡镇办件");
    }
    for (number, township, item, status, at) in &rows {
        let day = tongban_domain::desk::china_time_text(*at);
        println!("{number}\t{township}\t{item}\t{status}\t{day}");
    }
    if rows.is_empty() {
        println!("no cases / 暂无办件");
    }
    Ok(())
}
