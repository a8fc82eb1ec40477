//! Archival information packages (归档, GB/T 42727) as BagIt 1.0 bags (RFC 8493): the payload
//! under `data/`, `bagit.txt`, `bag-info.txt`, and a payload manifest and a tag manifest for each
//! of SHA-256 and SM3 (GB/T 32905, for 国密 audits). `check` reads a bag back and says, file by
//! file, what does not hold: no bag is trusted for being well formed alone.

#![forbid(unsafe_code)]

mod bag;
mod batch;
mod check;
mod content;
mod digest;
mod inspect;
mod items;
pub mod metadata;
mod package;
mod record;
mod report;
mod rules;
#[cfg(test)]
mod test_case;

pub use bag::{BagInfo, Payload, write_bag};
pub use batch::{
    ListedPackage, TRANSFER_LIST, TransferList, check_batch, packages_in, transfer_list,
};
pub use check::{Finding, Outcome, check_fixity};
pub use digest::Algorithm;
pub use inspect::{Row, Trust, check_package, installed_scanner};
pub use items::{ITEMS, Item, Stage};
pub use package::{AUDIT, Contents, METADATA, PackageFile, build};
pub use report::{Report, check_path};

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum ArchiveError {
    Io(#[from] std::io::Error),
    /// A payload path that would leave `data/`, or is not plain.
    Path(String),
    /// A folder that already holds something.
    NotEmpty(std::path::PathBuf),
    /// Neither a package nor a folder of packages.
    NotAPackage(std::path::PathBuf),
    /// A stage that is not gd, yj or bc.
    UnknownStage(String),
}

impl tongban_domain::l10n::Localized for ArchiveError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Io(e) => text!("the package cannot be written: {e}", "档案包无法写入：{e}"),
            Self::Path(path) => text!(
                "payload path {path:?} is not a plain relative path",
                "档案包内文件路径“{path}”不合规"
            ),
            Self::UnknownStage(stage) => text!(
                "unknown stage {stage:?}: use gd, yj or bc",
                "未知的检测环节“{stage}”：可选 gd（归档）、yj（移交与接收）、bc（长期保存）"
            ),
            Self::NotAPackage(path) => {
                let path = path.display();
                text!(
                    "{path} is not a package (a folder with bagit.txt) nor a folder of packages",
                    "{path}不是档案包（含bagit.txt的文件夹），也不是档案包所在的文件夹"
                )
            }
            Self::NotEmpty(dir) => {
                let dir = dir.display();
                text!(
                    "{dir} is not empty; a package is written into an empty folder",
                    "{dir}不是空文件夹，档案包只能写入空文件夹"
                )
            }
        }
    }
}
