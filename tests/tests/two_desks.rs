//! Two desks of one township, offline edits on both, one hub on each backend.

use tongban_e2e::{Backend, postgres_database, two_desks_scenario};

#[test]
fn two_desks_converge_through_the_sqlite_hub() {
    two_desks_scenario(Backend::Sqlite);
}

#[test]
fn two_desks_converge_through_the_postgres_hub() {
    if let Some(url) = postgres_database() {
        two_desks_scenario(Backend::Postgres(url));
    }
}
