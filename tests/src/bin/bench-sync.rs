//! Bytes on the wire to sync edited cases, in a release build against a real hub process: the
//! desk's sync (HTTP bodies both ways, the audit trail's share shown apart) against (a) sending
//! each edited case whole as JSON, revision style, and (b) the zstd-compressed changed values
//! alone, the floor. Run through `scripts/bench-sync`.
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP};

fn main() {
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    println!(
        "| edited cases | sync: all bytes | of which audit | cases alone | (a) whole JSON | (b) zstd floor | cases / (a) | cases / (b) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut registered = 0;
    for edited in [10usize, 100, 500] {
        desk.ok(&[
            "demo-cases",
            "--count",
            &(edited - registered.min(edited)).to_string(),
            "--seed",
            "7",
        ]);
        registered = registered.max(edited);
        desk.sync();
        let numbers: Vec<String> = desk
            .list()
            .iter()
            .take(edited)
            .map(|c| c["number"].as_str().unwrap().to_string())
            .collect();
        let mut changed = String::new();
        let mut whole = 0usize;
        for (k, number) in numbers.iter().enumerate() {
            let address = format!("檀圩镇金鸡村{}组{}号", k % 12 + 1, 100 + k);
            desk.set(number, "address", &address);
            changed.push_str(&format!("{number}\taddress\t{address}\n"));
            whole += desk
                .ok(&["case", "show", number, "--json", "--unmask"])
                .len();
        }
        let report = desk.sync();
        let all = report["bytes_up"].as_u64().unwrap() + report["bytes_down"].as_u64().unwrap();
        let audit = report["audit_bytes"].as_u64().unwrap();
        let cases = all - audit;
        let floor = zstd::encode_all(changed.as_bytes(), 19).unwrap().len();
        println!(
            "| {edited} | {all} | {audit} | {cases} | {whole} | {floor} | {:.2} | {:.2} |",
            cases as f64 / whole as f64,
            cases as f64 / floor as f64
        );
        if edited == 500 {
            println!(
                "row\tsync bytes, {edited} edited cases\t(a) whole JSON\t{whole}\t{cases}\t{:.2}\t≤ 0.3×",
                cases as f64 / whole as f64
            );
            println!(
                "row\tsync bytes, {edited} edited cases\t(b) zstd floor\t{floor}\t{cases}\t{:.2}\t≤ 1.5×",
                cases as f64 / floor as f64
            );
        }
    }
}
