//! Every seed and every input a fuzzer once crashed on (kept under `regressions/<target>/`),
//! through every target, on the stable toolchain.

use std::path::Path;

#[test]
fn every_seed_and_kept_input_passes_its_target() {
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut count = 0;
    for (name, check) in tongban_fuzz::TARGETS {
        let seeds = tongban_fuzz::seeds::for_target(name);
        assert!(!seeds.is_empty(), "{name} has no seeds");
        for seed in seeds {
            check(&seed);
            count += 1;
        }
        let Ok(files) = std::fs::read_dir(kept.join(name)) else {
            continue;
        };
        for file in files {
            let path = file.unwrap().path();
            println!("{name}: {}", path.display());
            check(&std::fs::read(&path).unwrap());
            count += 1;
        }
    }
    assert!(count >= tongban_fuzz::TARGETS.len());
}

#[test]
fn the_seeds_get_past_the_first_check() {
    use tongban_sync::wire::{self, SyncBatch};
    let requests = tongban_fuzz::seeds::for_target("sync_request");
    let batch: SyncBatch = wire::decode(&requests[0][1..]).unwrap();
    assert!(
        batch
            .messages
            .iter()
            .any(|m| tongban_sync::peer::carries_changes(&m.message))
    );
    for page in tongban_fuzz::seeds::for_target("page_import") {
        let name = if page[0] & 1 == 0 {
            "scan.jpg"
        } else {
            "scan.pdf"
        };
        tongban_pages::import_bytes(name, &page[1..], Default::default(), &Default::default())
            .unwrap();
    }
}
