//! A stored or received Automerge document: the hub loads every stored case, desks load theirs
//! from the database and the backup.

use tongban_sync::automerge::AutoCommit;
use tongban_sync::case_doc;

pub fn check(data: &[u8]) {
    let Ok(mut doc) = AutoCommit::load(data) else {
        return;
    };
    let case = case_doc::read(&doc);
    // What was loaded must save and load again as the same document: a desk that accepted a
    // document must be able to keep it.
    let saved = doc.save();
    let mut again = AutoCommit::load(&saved).expect("a loaded document saves into a loadable one");
    assert_eq!(
        case_doc::heads_digest(&again.get_heads()),
        case_doc::heads_digest(&doc.get_heads()),
        "saving and loading changed the document's heads"
    );
    let reread = case_doc::read(&again);
    match (case, reread) {
        (Ok(before), Ok(after)) => {
            assert_eq!(before, after, "the case read differently after a save")
        }
        (Err(_), Err(_)) => {}
        (before, after) => panic!(
            "reading the case is not stable across a save: {:?} then {:?}",
            before.is_ok(),
            after.is_ok()
        ),
    }
}
