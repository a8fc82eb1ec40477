//! `case attach`, `case pages` and `case print`: scans in, pages out, documents onto paper.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use tongban_domain::PaperKind;
use tongban_domain::session::Session;
use tongban_pages::{ImportOptions, PageLimits};
use tongban_store::{DocKind, Store};

/// What scanned pages are attached to: a material of the case, or a signed paper.
pub enum Target {
    Material(String),
    Paper(PaperKind),
}

/// Every file is checked before anything is stored: a bad file among good ones attaches none.
pub fn attach(
    store: &mut Store,
    session: &Session,
    number: &str,
    target: &Target,
    files: &[PathBuf],
    greyscale: bool,
    now: OffsetDateTime,
) -> Result<()> {
    if files.is_empty() {
        bail!("name at least one file to attach / 请至少指定一个要附加的文件");
    }
    let limits = PageLimits::default();
    let mut pages = Vec::with_capacity(files.len());
    for file in files {
        pages.push(tongban_pages::import_file(
            file,
            ImportOptions { greyscale },
            &limits,
        )?);
    }
    let material = match target {
        Target::Material(code) => {
            let code = code.trim().to_ascii_uppercase();
            store.attach_pages(number, &code, &pages, session, now)?;
            code
        }
        Target::Paper(kind) => {
            store.attach_paper(number, *kind, &pages, session, now)?;
            kind.as_str().to_string()
        }
    };
    for page in &pages {
        println!(
            "{number} {material} {} {} {}",
            page.sha256,
            page.bytes.len(),
            page.mime
        );
    }
    println!(
        "attached {} page(s) to {material} of {number} / 已为{number}的材料{material}附加{}页",
        pages.len(),
        pages.len()
    );
    Ok(())
}

/// Lists a case's pages; with `export`, writes each stored page to that folder.
pub fn pages(
    store: &Store,
    session: &Session,
    number: &str,
    export: Option<&Path>,
    json: bool,
    now: OffsetDateTime,
) -> Result<()> {
    store.view(session, number, now)?;
    let pages = store.case_pages(number)?;
    if let Some(dir) = export {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create {} / 无法创建目录", dir.display()))?;
    }
    let mut absent = 0;
    let mut rows = Vec::new();
    for p in &pages {
        let name = p.export_name();
        if let Some(dir) = export {
            match store.page_bytes(&p.page.sha256)? {
                Some(bytes) => {
                    write_atomically(&dir.join(&name), &bytes)?;
                    let access = tongban_store::Access {
                        detail: "page",
                        digest: &p.page.sha256,
                        ..tongban_store::Access::done(
                            &session.user,
                            tongban_store::audit::AuditAction::Export,
                            number,
                        )
                    };
                    store.audit(&access, tongban_store::now_ms(now))?;
                }
                None => absent += 1,
            }
        }
        rows.push(serde_json::json!({
            "material": p.material,
            "position": p.position,
            "sha256": p.page.sha256,
            "bytes": p.page.bytes,
            "mime": p.page.mime,
            "width": p.page.width,
            "height": p.page.height,
            "present": p.present,
            "file": name,
        }));
    }
    if json {
        println!("{}", serde_json::Value::Array(rows));
    } else {
        for (p, row) in pages.iter().zip(&rows) {
            println!(
                "{} {:>2} {} {:>9} {}{}",
                p.material,
                p.position + 1,
                p.page.sha256,
                p.page.bytes,
                row["file"].as_str().unwrap_or(""),
                if p.present {
                    ""
                } else {
                    "  (not yet here / 尚未同步到本机)"
                }
            );
        }
    }
    if absent > 0 {
        bail!(
            "{absent} page(s) are not on this desk yet; run `tongban sync` and export again / {absent}页尚未同步到本机，请先同步再导出"
        );
    }
    Ok(())
}

pub fn print(
    store: &Store,
    session: &Session,
    number: &str,
    kind: DocKind,
    out: &Path,
    now: OffsetDateTime,
) -> Result<()> {
    let pdf = store.print_document(session, number, kind, now)?;
    write_atomically(out, &pdf)?;
    println!(
        "{} {} ({} bytes) / 已生成{}",
        kind.as_str(),
        out.display(),
        pdf.len(),
        kind.label_zh()
    );
    Ok(())
}

/// Written beside the target and renamed, so a half-written file never has the final name.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {} / 无法写入目录", dir.display()))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {} / 无法写入文件", path.display()))?;
    Ok(())
}
