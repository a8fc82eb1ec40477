//! `tongban status`: which desk this profile is, of which township, pinned to which hub. Needs
//! no sign-in (nothing of a case is shown) but the keyring must open the profile.

use anyhow::Result;
use tongban_store::Store;

pub fn run(store: &Store, json: bool) -> Result<()> {
    let e = store.enrollment()?;
    if json {
        let status = serde_json::json!({
            "device": e.device_id,
            "serial": e.device_serial,
            "township": e.township.as_str(),
            "township_name": e.township_name,
            "user": e.user,
            "hub": e.hub_url,
            "hub_key": e.hub_key,
        });
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        println!("device / 设备\t{} ({:03})", e.device_id, e.device_serial);
        println!(
            "township / 乡镇\t{} {}",
            e.township.as_str(),
            e.township_name
        );
        println!("hub / 中心\t{}", e.hub_url);
        println!("hub key / 中心密钥指纹\t{}", e.hub_key);
    }
    Ok(())
}
