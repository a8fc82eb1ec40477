//! Writes every target's seeds as files, one folder per target, for cargo fuzz to start from.

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let out = std::env::args_os()
        .nth(1)
        .context("usage: write-seeds <folder>")?;
    let out = std::path::PathBuf::from(out);
    for (name, _) in tongban_fuzz::TARGETS {
        let folder = out.join(name);
        std::fs::create_dir_all(&folder)?;
        for (i, seed) in tongban_fuzz::seeds::for_target(name).iter().enumerate() {
            std::fs::write(folder.join(format!("seed-{i}")), seed)?;
        }
    }
    Ok(())
}
