//! One TOML file for every flag: its keys are the flags' long names, its values become the flags'
//! defaults, so the command line and the environment still win. A key that names no flag is an
//! error, not a silently ignored typo.

use anyhow::{Context, Result, bail};
use clap::Command;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The `--config` file named on the command line or in the environment.
fn config_path() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--config=")) {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("TONGBAN_HUB_CONFIG").map(PathBuf::from)
}

/// A value as the flag would take it on the command line.
fn flag_values(key: &str, value: &toml::Value) -> Result<Vec<String>> {
    Ok(match value {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Integer(i) => vec![i.to_string()],
        toml::Value::Float(f) => vec![f.to_string()],
        toml::Value::Boolean(b) => vec![b.to_string()],
        toml::Value::Array(items) => items
            .iter()
            .map(|v| flag_values(key, v).map(|mut v| v.remove(0)))
            .collect::<Result<_>>()?,
        _ => bail!(
            "configuration key {key} must be a string, number, boolean or list / 配置项{key}的值类型不正确"
        ),
    })
}

fn apply(
    mut command: Command,
    values: &BTreeMap<String, Vec<String>>,
    used: &mut Vec<String>,
) -> Command {
    let ids: Vec<(String, String)> = command
        .get_arguments()
        .filter_map(|a| Some((a.get_id().to_string(), a.get_long()?.to_string())))
        .collect();
    for (id, long) in ids {
        if let Some(defaults) = values.get(&long) {
            used.push(long);
            let defaults = defaults.clone();
            command = command.mut_arg(id, |arg| {
                if defaults.len() == 1 {
                    arg.default_value(defaults[0].clone())
                } else {
                    arg.default_values(defaults)
                }
            });
        }
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, |sub| apply(sub, values, used));
    }
    command
}

pub fn with_file_defaults(command: Command) -> Result<Command> {
    let Some(path) = config_path() else {
        return Ok(command);
    };
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read the configuration file {} / 无法读取配置文件{}",
            path.display(),
            path.display()
        )
    })?;
    let table: toml::Table = toml::from_str(&text).with_context(|| {
        format!(
            "the configuration file {} is not valid TOML / 配置文件{}不是有效的TOML",
            path.display(),
            path.display()
        )
    })?;
    let mut values = BTreeMap::new();
    for (key, value) in &table {
        // Both spellings of a flag's name: listen-addr and listen_addr.
        values.insert(key.replace('_', "-"), flag_values(key, value)?);
    }
    let mut used = Vec::new();
    let command = apply(command, &values, &mut used);
    if let Some(unknown) = values.keys().find(|k| !used.contains(k)) {
        bail!(
            "the configuration file {} names {unknown:?}, which is no flag of tongban-hub / 配置文件{}中的“{unknown}”不是 tongban-hub 的参数",
            path.display(),
            path.display()
        );
    }
    Ok(command)
}
