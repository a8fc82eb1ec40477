//! The detection items of DA/T 70-2018 (文书类电子档案检测一般要求), numbered as its table A.1,
//! with the stages each applies to: 归档 (GD), 移交与接收 (YJ), 长期保存 (BC). A package check
//! reports every item of its stage: what software decides here, and NA with the reason for the
//! rest (carriers, manual inspection, the environment).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Gd,
    Yj,
    Bc,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Gd, Stage::Yj, Stage::Bc];

    pub fn prefix(self) -> &'static str {
        match self {
            Self::Gd => "GD",
            Self::Yj => "YJ",
            Self::Bc => "BC",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Gd => "归档",
            Self::Yj => "移交与接收",
            Self::Bc => "长期保存",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.prefix().eq_ignore_ascii_case(text))
    }

    /// As an operator types it (`--stage`), refused with the stages there are.
    pub fn from_arg(text: &str) -> Result<Self, crate::ArchiveError> {
        Self::parse(text.trim()).ok_or_else(|| crate::ArchiveError::UnknownStage(text.to_string()))
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One item: its number in table A.1, its name, and at which of GD, YJ, BC it is checked.
pub struct Item {
    pub number: &'static str,
    pub name_zh: &'static str,
    stages: [bool; 3],
    /// Why software does not decide it here, when it does not (English, Chinese).
    pub not_decided: Option<(&'static str, &'static str)>,
}

impl Item {
    pub fn applies(&self, stage: Stage) -> bool {
        self.stages[stage.index()]
    }

    pub fn code(&self, stage: Stage) -> String {
        format!("{}-{}", stage.prefix(), self.number)
    }
}

const ALL: [bool; 3] = [true, true, true];
const GD_YJ: [bool; 3] = [true, true, false];
const GD: [bool; 3] = [true, false, false];
const YJ: [bool; 3] = [false, true, false];
const BC: [bool; 3] = [false, false, true];

type Reason = Option<(&'static str, &'static str)>;
const MANUAL: Reason = Some((
    "opened and judged by a person; software does not decide it",
    "需人工打开检查，软件不作判定",
));
const CARRIER: Reason = Some((
    "a carrier check: packages travel over the network, not on offline carriers",
    "载体检测：档案包经网络传输，不使用离线载体",
));
const ENVIRONMENT: Reason = Some((
    "a check of the system environment, made by operations under their rules, not in a package",
    "系统环境检测，由运维按制度检查，不在档案包内判定",
));

const fn item(
    number: &'static str,
    name_zh: &'static str,
    stages: [bool; 3],
    not_decided: Reason,
) -> Item {
    Item {
        number,
        name_zh,
        stages,
        not_decided,
    }
}

/// Table A.1, in its order.
pub static ITEMS: [Item; 45] = [
    item("1-1", "固化信息有效性检测", ALL, None),
    item("1-2", "元数据项数据长度检测", ALL, None),
    item("1-3", "元数据项数据类型、格式检测", ALL, None),
    item("1-4", "设定值域的元数据项值域符合度检测", ALL, None),
    item("1-5", "元数据项数据值合理性检测", ALL, None),
    item("1-6", "元数据项数据包含特殊字符检测", ALL, None),
    item("1-7", "档号规范性检测", ALL, None),
    item("1-8", "元数据项数据重复性检测", GD_YJ, None),
    item(
        "1-9",
        "元数据项（全宗号、目录号、分类号）与档案馆要求的一致性检测",
        YJ,
        None,
    ),
    item("1-10", "内容数据的电子属性一致性检测", ALL, None),
    item("1-11", "元数据是否关联内容数据检测", ALL, None),
    item("1-12", "说明文件和目录文件规范性检测", GD_YJ, None),
    item("1-13", "信息包目录结构规范性检测", GD_YJ, None),
    item("1-14", "信息包一致性检测", ALL, None),
    item("1-15", "电子档案封装包规范性检测", BC, None),
    item("1-16", "电子档案封装包电子签名有效性检测", BC, None),
    item("2-1", "总件数相符性检测", ALL, None),
    item("2-2", "总字节数相符性检测", ALL, None),
    item("2-3", "元数据项完整性检测", GD_YJ, None),
    item("2-4", "元数据必填著录项目检测", ALL, None),
    item("2-5", "过程信息完整性检测", GD_YJ, None),
    item("2-6", "连续性元数据项检测", ALL, None),
    item("2-7", "内容数据完整性检测", ALL, MANUAL),
    item("2-8", "附件数据完整性检测", ALL, MANUAL),
    item("2-9", "归档范围检测", GD, None),
    item("2-10", "信息包元数据完整性检测", BC, None),
    item("2-11", "信息包内容数据完整性检测", ALL, None),
    item("3-1", "信息包中元数据的可读性检测", ALL, None),
    item(
        "3-2",
        "目标数据库中的元数据可访问性检测",
        ALL,
        Some((
            "the check reads the package itself, not a target database",
            "检测对象为档案包本身，不连接目标数据库",
        )),
    ),
    item("3-3", "内容数据格式检测", GD_YJ, None),
    item("3-4", "内容数据的可读性检测", ALL, None),
    item("3-5", "内容数据格式长期可用性检测", BC, None),
    item("3-6", "软硬件环境合规性检测", GD_YJ, ENVIRONMENT),
    item("3-7", "保存环境变化情况检测", BC, ENVIRONMENT),
    item("3-8", "信息包中包含的内容数据格式合规性检测", GD_YJ, None),
    item(
        "3-9",
        "备份数据可恢复性检测",
        BC,
        Some((
            "restoring backups is rehearsed with tongban-hub backup, not judged in a package",
            "备份恢复由 tongban-hub backup 演练检查，不在档案包内判定",
        )),
    ),
    item("4-1", "系统环境中是否安装杀毒软件检测", ALL, None),
    item("4-2", "病毒感染检测", ALL, None),
    item("4-3", "载体中多余文件检测", GD_YJ, None),
    item("4-4", "载体读取速度检测", ALL, CARRIER),
    item("4-5", "载体外观检测", ALL, CARRIER),
    item("4-6", "光盘合格性检测", GD, CARRIER),
    item(
        "4-7",
        "操作过程安全性检测",
        GD_YJ,
        Some((
            "a management measure, kept by rules; software does not decide it",
            "管理措施，由制度保障，软件不作判定",
        )),
    ),
    item("4-8", "软件系统安全漏洞检测", BC, ENVIRONMENT),
    item("4-9", "载体保管环境安全性检测", BC, CARRIER),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stage_has_the_items_the_standard_lists() {
        let count = |stage| ITEMS.iter().filter(|i| i.applies(stage)).count();
        // DA/T 70-2018 §5: 归档 36 items, 移交与接收 35, 长期保存 32.
        assert_eq!(
            (count(Stage::Gd), count(Stage::Yj), count(Stage::Bc)),
            (36, 35, 32)
        );
        let mut numbers: Vec<&str> = ITEMS.iter().map(|i| i.number).collect();
        numbers.dedup();
        assert_eq!(numbers.len(), 45);
        assert_eq!(ITEMS[0].code(Stage::Bc), "BC-1-1");
        assert_eq!(Stage::parse("yj"), Some(Stage::Yj));
    }
}
