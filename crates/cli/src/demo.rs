//! Made-up but valid cases, for training a new clerk and for measuring a desk with many cases.

use anyhow::Result;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tongban_domain::identity::with_resident_check;
use tongban_domain::session::Session;
use tongban_domain::{ApplicantKind, CaseField, Catalogue, FieldEdit, Registration};
use tongban_store::Store;

const SURNAMES: [&str; 15] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "覃", "韦", "蒙", "梁", "莫",
];
const GIVEN: [&str; 12] = [
    "秀英", "国强", "丽华", "建军", "桂兰", "志明", "海燕", "德胜", "春梅", "永福", "玉珍", "振华",
];

/// A resident ID of the demo county (450721) with a real birth date and a correct check character.
fn resident_id(rng: &mut StdRng) -> String {
    let year = rng.random_range(1930..2006);
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=28);
    let seq = rng.random_range(0..1000);
    let body = format!("450721{year:04}{month:02}{day:02}{seq:03}");
    with_resident_check(&body).unwrap_or(body)
}

/// Registers `count` cases spread over the past days, about thirty a day, as a busy window's
/// history would be (a desk's daily sequence stops at 9,999). Returns their numbers.
pub fn register(
    store: &mut Store,
    session: &Session,
    count: u32,
    seed: u64,
) -> Result<Vec<String>> {
    let now = tongban_store::china_now();
    let catalogue = Catalogue::builtin();
    let items: Vec<_> = catalogue
        .items
        .iter()
        .filter(|i| i.applicant == ApplicantKind::Person)
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut numbers = Vec::with_capacity(count as usize);
    for n in 0..count {
        let item = items[n as usize % items.len()];
        let name = format!(
            "{}{}",
            SURNAMES[rng.random_range(0..SURNAMES.len())],
            GIVEN[rng.random_range(0..GIVEN.len())]
        );
        let registration = Registration {
            item: item.code.clone(),
            name,
            id_number: resident_id(&mut rng),
            id_type: Default::default(),
            agent: None,
            phone: Some(format!("13{:09}", rng.random_range(0..1_000_000_000u32))),
            address: Some(format!(
                "檀圩镇{}村{}号",
                GIVEN[n as usize % GIVEN.len()],
                n % 200 + 1
            )),
            received: item
                .materials
                .iter()
                .take(1)
                .map(|m| m.code.clone())
                .collect(),
        };
        let at = now - time::Duration::minutes(47 * i64::from(count - 1 - n));
        let case = store.register(registration, session, at)?;
        numbers.push(case.number.as_str().to_string());
    }
    Ok(numbers)
}

/// Makes `count` corrections to the cases `numbers`, chosen at random: new phone numbers and
/// addresses in turn, as a week of follow-up calls brings.
pub fn correct(
    store: &mut Store,
    session: &Session,
    numbers: &[String],
    count: u32,
    seed: u64,
) -> Result<u32> {
    if numbers.is_empty() {
        return Ok(0);
    }
    // Not the registration's stream: the same seed would pick the same digits again.
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(0x9e37_79b9));
    for n in 0..count {
        let number = &numbers[rng.random_range(0..numbers.len())];
        let edit = if n % 2 == 0 {
            let phone = format!("13{:09}", rng.random_range(0..1_000_000_000u32));
            FieldEdit::new(CaseField::Phone, &phone)?
        } else {
            let address = format!(
                "檀圩镇{}村{}组{}号",
                GIVEN[rng.random_range(0..GIVEN.len())],
                rng.random_range(1..13),
                rng.random_range(1..300)
            );
            FieldEdit::new(CaseField::Address, &address)?
        };
        store.set_field(number, &edit, session, tongban_store::china_now())?;
    }
    Ok(count)
}
