//! Schema migrations: one SQL file per step and dialect under `migrations/`, applied in order,
//! each once, recorded in `schema_migrations` by both stores alike.

pub(crate) struct Migration {
    pub version: i32,
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dialect:literal: $($version:literal => $file:literal),* $(,)?) => {
        &[$(Migration {
            version: $version,
            sql: include_str!(concat!("../migrations/", $dialect, "/", $file)),
        }),*]
    };
}

pub(crate) const SQLITE: &[Migration] = migrations!("sqlite":
    1 => "0001_init.sql",
    2 => "0002_accounts.sql",
    3 => "0003_audit.sql",
    4 => "0004_hardening.sql",
    5 => "0005_people.sql",
    6 => "0006_person_keys.sql",
    7 => "0007_county.sql",
    8 => "0008_figures.sql",
    9 => "0009_archives.sql",
    10 => "0010_sharing.sql",
    11 => "0011_desk_versions.sql",
);

pub(crate) const POSTGRES: &[Migration] = migrations!("postgres":
    1 => "0001_init.sql",
    2 => "0002_accounts.sql",
    3 => "0003_audit.sql",
    4 => "0004_hardening.sql",
    5 => "0005_people.sql",
    6 => "0006_person_keys.sql",
    7 => "0007_county.sql",
    8 => "0008_figures.sql",
    9 => "0009_archives.sql",
    10 => "0010_sharing.sql",
    11 => "0011_desk_versions.sql",
);

/// The bookkeeping table, the same in both dialects.
pub(crate) const LEDGER: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)";
pub(crate) const APPLIED: &str = "SELECT coalesce(max(version), 0) FROM schema_migrations";

/// The steps still to apply to a database at `applied`.
pub(crate) fn pending(
    all: &'static [Migration],
    applied: i32,
) -> impl Iterator<Item = &'static Migration> {
    all.iter().filter(move |m| m.version > applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dialects_have_the_same_steps_in_order() {
        for list in [SQLITE, POSTGRES] {
            let versions: Vec<i32> = list.iter().map(|m| m.version).collect();
            let expected: Vec<i32> = (1..=versions.len() as i32).collect();
            assert_eq!(versions, expected);
        }
        assert_eq!(SQLITE.len(), POSTGRES.len());
        assert_eq!(
            pending(SQLITE, 2).map(|m| m.version).collect::<Vec<_>>(),
            [3, 4, 5, 6, 7, 8, 9, 10, 11]
        );
    }
}
