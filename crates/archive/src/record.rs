//! Reading a package's metadata record back, as a checker sees it: every element with its path
//! and text, from which the rules of DA/T 46 and our own are checked. Nothing is trusted here;
//! the reader only reports what is written.

use crate::metadata::FileEntry;
use quick_xml::Reader;
use quick_xml::events::Event;
use tongban_domain::l10n::Text;
use tongban_domain::text;

/// An element that holds text, with where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// Element names from below the root, joined by `/`.
    pub path: String,
    /// The `算法` attribute of a digest, the only attribute the record uses.
    pub algorithm: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReadRecord {
    pub root: String,
    pub leaves: Vec<Leaf>,
}

const FILE: &str = "被签名对象/电子文件封装内容/文件实体块/文件实体/";

impl ReadRecord {
    /// Parses the record; the reason when it is not UTF-8 or not well-formed XML.
    pub fn read(bytes: &[u8]) -> Result<Self, Text> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let at = e.valid_up_to();
            text!(
                "metadata.xml is not UTF-8 (byte {at} is not)",
                "metadata.xml不是UTF-8编码（第{at}字节起）"
            )
        })?;
        let mut reader = Reader::from_str(text);
        let mut stack: Vec<String> = Vec::new();
        let mut record = ReadRecord::default();
        let mut algorithm = None;
        let mut text_of = String::new();
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    let name = e.name().as_ref().to_string();
                    algorithm = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "算法")
                        .map(|a| a.value.to_string());
                    if stack.is_empty() {
                        record.root = name.clone();
                    }
                    stack.push(name);
                    text_of.clear();
                }
                Ok(Event::Text(t)) => {
                    // Entities arrive as their own events; text is as written.
                    text_of.push_str(&t.xml10_content());
                }
                Ok(Event::GeneralRef(r)) => {
                    let entity = format!("&{};", r.into_inner());
                    let resolved = quick_xml::escape::unescape(&entity).map_err(|e| {
                        text!(
                            "metadata.xml has an unknown entity: {e}",
                            "metadata.xml含有未知实体：{e}"
                        )
                    })?;
                    text_of.push_str(&resolved);
                }
                Ok(Event::End(_)) => {
                    let path = stack[1.min(stack.len())..].join("/");
                    if !text_of.trim().is_empty() || !path.is_empty() {
                        record.leaves.push(Leaf {
                            path,
                            algorithm: algorithm.take(),
                            text: std::mem::take(&mut text_of).trim().to_string(),
                        });
                    }
                    stack.pop();
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => {
                    let at = reader.error_position();
                    return Err(text!(
                        "metadata.xml is not well-formed XML at byte {at}: {e}",
                        "metadata.xml在第{at}字节处不是格式正确的XML：{e}"
                    ));
                }
            }
        }
        if !stack.is_empty() {
            return Err(text!(
                "metadata.xml ends inside an element",
                "metadata.xml在元素未结束时截止"
            ));
        }
        Ok(record)
    }

    /// The text of the first element at `path` (below the root).
    pub fn value(&self, path: &str) -> Option<&str> {
        self.leaves
            .iter()
            .find(|l| l.path == path)
            .map(|l| l.text.as_str())
    }

    /// A value of the file entity, e.g. `档号/档号全文`.
    pub fn file_value(&self, field: &str) -> Option<&str> {
        self.value(&format!("{FILE}{field}"))
    }

    /// Every leaf whose path ends with `name`: the values of one element wherever it repeats.
    pub fn all<'a>(&'a self, suffix: &'a str) -> impl Iterator<Item = &'a Leaf> + 'a {
        self.leaves.iter().filter(move |l| l.path.ends_with(suffix))
    }

    /// The files the record describes, in order: one per 电子属性.
    pub fn files(&self) -> Vec<FileEntry> {
        let mut files: Vec<FileEntry> = Vec::new();
        let base = format!("{FILE}电子属性/");
        for leaf in &self.leaves {
            let Some(field) = leaf.path.strip_prefix(&base) else {
                continue;
            };
            if field == "计算机文件名" {
                files.push(FileEntry {
                    path: leaf.text.clone(),
                    format: String::new(),
                    bytes: 0,
                    sha256: String::new(),
                    sm3: String::new(),
                });
                continue;
            }
            let Some(file) = files.last_mut() else {
                continue;
            };
            match (field, leaf.algorithm.as_deref()) {
                ("格式信息", _) => file.format = leaf.text.clone(),
                ("计算机文件大小", _) => file.bytes = leaf.text.parse().unwrap_or(u64::MAX),
                ("数字摘要", Some("SHA-256")) => file.sha256 = leaf.text.clone(),
                ("数字摘要", Some("SM3")) => file.sm3 = leaf.text.clone(),
                _ => {}
            }
        }
        files
    }

    /// The business entities (one per event), each as its fields.
    pub fn events(&self) -> Vec<Vec<(&str, &str)>> {
        let base = "被签名对象/电子文件封装内容/业务实体块/业务实体";
        let mut events: Vec<Vec<(&str, &str)>> = Vec::new();
        for leaf in &self.leaves {
            if leaf.path == base {
                events.push(Vec::new());
            }
        }
        // Fields come before their entity closes: walk again, assigning each to the next close.
        let mut index = 0;
        for leaf in &self.leaves {
            if leaf.path == base {
                index += 1;
            } else if let Some(field) = leaf.path.strip_prefix(&format!("{base}/"))
                && let Some(event) = events.get_mut(index)
            {
                event.push((field, leaf.text.as_str()));
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_with_its_files_and_events() {
        let xml = "<?xml version=\"1.0\"?><电子文件封装包><被签名对象><电子文件封装内容><文件实体块><文件实体>\
            <档号><档号全文>Z1-2026-D30-MZ-0001</档号全文></档号>\
            <电子属性><计算机文件名>a.pdf</计算机文件名><格式信息>PDF/A-2b</格式信息><计算机文件大小>12</计算机文件大小>\
            <数字摘要 算法=\"SHA-256\">ab</数字摘要><数字摘要 算法=\"SM3\">cd</数字摘要></电子属性>\
            </文件实体></文件实体块><业务实体块><业务实体><业务行为>登记</业务行为><行为描述>收入&lt;标准</行为描述></业务实体>\
            <业务实体><业务行为>受理</业务行为></业务实体></业务实体块></电子文件封装内容></被签名对象></电子文件封装包>";
        let record = ReadRecord::read(xml.as_bytes()).unwrap();
        assert_eq!(record.root, "电子文件封装包");
        assert_eq!(
            record.file_value("档号/档号全文"),
            Some("Z1-2026-D30-MZ-0001")
        );
        let files = record.files();
        assert_eq!(files.len(), 1);
        assert_eq!(
            (
                files[0].bytes,
                files[0].sha256.as_str(),
                files[0].sm3.as_str()
            ),
            (12, "ab", "cd")
        );
        let events = record.events();
        assert_eq!(
            events,
            [
                vec![("业务行为", "登记"), ("行为描述", "收入<标准")],
                vec![("业务行为", "受理")]
            ]
        );
        assert!(ReadRecord::read(b"<a><b></a>").is_err());
        assert!(
            ReadRecord::read(&[0x3c, 0x61, 0x3e, 0xb5, 0xe7])
                .unwrap_err()
                .en
                .contains("UTF-8")
        );
    }
}
