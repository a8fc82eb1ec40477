//! `tongban passwd`: a person chooses a new password on this desk. Their key is sealed again
//! under it here at once; the hub takes it at the next sync and gives it to their other desks.

use anyhow::Result;
use tongban_store::Store;

pub fn run(
    store: &mut Store,
    user: &str,
    current: &str,
    code: Option<&str>,
    new: &str,
    now_ms: i64,
) -> Result<()> {
    store.change_password(user, current, code, new, now_ms)?;
    println!(
        "password changed for {user}; the hub takes it at the next sync / {user}的密码已修改，下次同步时报送中心"
    );
    Ok(())
}
