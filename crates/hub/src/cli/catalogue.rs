//! `tongban-hub catalogue …`: the county's implementation list, published to every desk.

use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use tongban_hub::{Hub, HubDb};

#[derive(Subcommand)]
pub enum CatalogueCommand {
    /// Publish a new version (JSON as in assets/catalog.json, with a higher `version`); desks
    /// register under it after their next sync, and earlier cases keep theirs.
    Set {
        #[arg(long)]
        file: PathBuf,
    },
    /// The versions this hub knows, newest last.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run<D: HubDb>(hub: &Hub<D>, command: CatalogueCommand) -> Result<()> {
    match command {
        CatalogueCommand::Set { file } => {
            let text = super::read_text(&file)?;
            let catalogue = hub.set_catalogue(&text).await?;
            println!(
                "catalogue version {} with {} items published / 事项目录第{}版（{}项）已发布",
                catalogue.version,
                catalogue.items.len(),
                catalogue.version,
                catalogue.items.len()
            );
        }
        CatalogueCommand::List { json } => {
            let all = hub.catalogues().await?;
            let published = hub.published_catalogues().await?;
            let rows: Vec<_> = tongban_domain::Catalogues::shipped()
                .versions()
                .map(|c| (c.version, c.items.len(), None))
                .chain(
                    published
                        .iter()
                        .map(|p| (p.catalogue.version, p.catalogue.items.len(), Some(p.at_ms))),
                )
                .collect();
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(version, items, at_ms)| {
                        serde_json::json!({"version": version, "items": items, "published_at_ms": at_ms})
                    })
                    .collect();
                println!("{}", serde_json::to_string(&list)?);
            } else {
                for (version, items, at_ms) in &rows {
                    let origin = at_ms.map_or("shipped / 随程序发布".to_string(), |ms| {
                        format!(
                            "published / 发布于 {}",
                            tongban_domain::desk::china_time_text(ms)
                        )
                    });
                    println!("{version}\t{items} items / 项\t{origin}");
                }
                println!(
                    "new cases are registered under version {} / 新办件按第{}版登记",
                    all.latest().version,
                    all.latest().version
                );
            }
        }
    }
    Ok(())
}
