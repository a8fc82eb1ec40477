//! The package's metadata record: an XML 电子文件封装包 structured as DA/T 48-2009 has it (the
//! signed object holding the file, business and person entities, then the signature block), with
//! the element names of DA/T 46-2009. Digests of each file sit in the file entity's 电子属性 as
//! 数字摘要 elements (SHA-256 and SM3), which DA/T 46 leaves to the system; the signature is
//! Ed25519 over the exact bytes of the 被签名对象 element as written.

use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;
use tongban_domain::archival::ArchivalCode;
use tongban_domain::calendar::china_date;
use tongban_domain::l10n::Text;
use tongban_domain::text;
use tongban_domain::workflow::action_of;
use tongban_domain::{Case, Role};

/// One file of the package as the metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Its path in the bag's `data/`.
    pub path: String,
    /// e.g. `PDF/A-2b`, `JPEG`, `JSON`.
    pub format: String,
    pub bytes: u64,
    pub sha256: String,
    pub sm3: String,
}

/// What the record is made of: the case and what the package knows around it.
pub struct Record<'a> {
    pub case: &'a Case,
    pub code: &'a ArchivalCode,
    /// 立档单位: the organ that decided the case.
    pub organ: &'a str,
    pub township_name: &'a str,
    /// The item's legal basis, from the catalogue: each act's 行为依据.
    pub legal_basis: &'a [String],
    /// The role each person held, by name, as the hub's records give it.
    pub roles: &'a [(String, Role)],
    pub files: &'a [FileEntry],
    /// When the package was made (RFC 3339).
    pub created: &'a str,
    /// Where the case's events sit in the township's audit log, as the audit extract proves.
    pub audit: &'a AuditRef,
}

/// The positions of a case's events in its township's audit log of `size` entries: named in
/// the signed record, so an extract that drops one is caught.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditRef {
    pub township: String,
    pub size: u64,
    pub positions: Vec<u64>,
}

fn iso(ms: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.to_offset(offset))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

type Xml = Writer<Vec<u8>>;

fn leaf(w: &mut Xml, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(text))
        .map(|_| ())
}

fn file_entity(w: &mut Xml, r: &Record<'_>) -> io::Result<()> {
    let case = r.case;
    leaf(w, "聚合层次", "件")?;
    w.create_element("来源").write_inner_content(|w| {
        leaf(w, "全宗名称", r.organ)?;
        leaf(w, "立档单位名称", r.organ)?;
        leaf(
            w,
            "受理单位名称",
            &format!("{}便民服务中心", r.township_name),
        )
    })?;
    leaf(w, "电子文件号", case.number.as_str())?;
    w.create_element("档号").write_inner_content(|w| {
        leaf(w, "档号全文", &r.code.to_string())?;
        leaf(w, "全宗号", &r.code.fonds)?;
        leaf(w, "年度", &r.code.year.to_string())?;
        leaf(w, "保管期限", r.code.retention.label_zh())?;
        leaf(w, "机构或问题", &r.code.class)?;
        leaf(w, "件号", &format!("{:04}", r.code.item))
    })?;
    w.create_element("内容描述").write_inner_content(|w| {
        leaf(
            w,
            "题名",
            &format!("{}（{}）", case.item_name, case.applicant.name),
        )?;
        leaf(w, "文件编号", case.number.as_str())?;
        leaf(w, "责任者", r.organ)?;
        let day = china_date(case.created_at_ms);
        leaf(
            w,
            "日期",
            &format!(
                "{:04}{:02}{:02}",
                day.year(),
                u8::from(day.month()),
                day.day()
            ),
        )
    })?;
    w.create_element("形式特征").write_inner_content(|w| {
        leaf(w, "文件组合类型", "组合文件")?;
        leaf(w, "件数", &r.files.len().to_string())?;
        leaf(w, "语种", "汉语")
    })?;
    for file in r.files {
        w.create_element("电子属性").write_inner_content(|w| {
            leaf(w, "计算机文件名", &file.path)?;
            leaf(w, "格式信息", &file.format)?;
            leaf(w, "计算机文件大小", &file.bytes.to_string())?;
            w.create_element("数字摘要")
                .with_attribute(("算法", "SHA-256"))
                .write_text_content(BytesText::new(&file.sha256))?;
            w.create_element("数字摘要")
                .with_attribute(("算法", "SM3"))
                .write_text_content(BytesText::new(&file.sm3))?;
            Ok(())
        })?;
    }
    Ok(())
}

fn business_entities(w: &mut Xml, r: &Record<'_>) -> io::Result<()> {
    let basis = r.legal_basis.join("；");
    for event in &r.case.events {
        w.create_element("业务实体").write_inner_content(|w| {
            leaf(w, "业务标识", &event.id)?;
            leaf(w, "机构人员标识", &event.by)?;
            leaf(
                w,
                "业务状态",
                event.to.map_or(r.case.status.label_zh(), |s| s.label_zh()),
            )?;
            let act = action_of(&event.kind).map_or(event.kind.as_str(), |a| a.label_zh());
            leaf(w, "业务行为", act)?;
            leaf(w, "行为时间", &iso(event.at_ms))?;
            leaf(w, "行为依据", &basis)?;
            let mut said = format!("设备{}", event.device);
            if let (Some(from), Some(to)) = (event.from, event.to) {
                said.push_str(&format!("；{}→{}", from.label_zh(), to.label_zh()));
            }
            if let Some(reason) = &event.reason {
                said.push_str(&format!("；{reason}"));
            }
            leaf(w, "行为描述", &said)
        })?;
    }
    Ok(())
}

fn person_entities(w: &mut Xml, r: &Record<'_>) -> io::Result<()> {
    let mut people: Vec<&str> = r.case.events.iter().map(|e| e.by.as_str()).collect();
    people.sort_unstable();
    people.dedup();
    for name in people {
        let role = r
            .roles
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, role)| *role);
        w.create_element("机构人员实体").write_inner_content(|w| {
            leaf(w, "机构人员标识", name)?;
            leaf(w, "机构人员类型", "个人")?;
            leaf(w, "机构人员名称", name)?;
            leaf(w, "组织机构代码", r.case.number.township())?;
            leaf(w, "个人职位", role.map_or("", Role::label_zh))
        })?;
    }
    Ok(())
}

/// The 被签名对象 element, as the bytes that are signed.
pub fn signed_object(r: &Record<'_>) -> io::Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.create_element("被签名对象").write_inner_content(|w| {
        leaf(w, "封装包类型", "原始型")?;
        leaf(
            w,
            "封装包类型描述",
            "政务服务事项办件电子文件归档（GB/T 42727-2023）",
        )?;
        leaf(w, "封装包创建时间", r.created)?;
        leaf(w, "封装包创建单位", r.organ)?;
        w.create_element("电子文件封装内容")
            .write_inner_content(|w| {
                w.create_element("文件实体块").write_inner_content(|w| {
                    w.create_element("文件实体")
                        .write_inner_content(|w| file_entity(w, r))
                        .map(|_| ())
                })?;
                w.create_element("业务实体块")
                    .write_inner_content(|w| business_entities(w, r))?;
                w.create_element("机构人员实体块")
                    .write_inner_content(|w| person_entities(w, r))?;
                Ok(())
            })?;
        w.create_element("审计日志").write_inner_content(|w| {
            leaf(w, "乡镇代码", &r.audit.township)?;
            leaf(w, "日志长度", &r.audit.size.to_string())?;
            let positions: Vec<String> = r.audit.positions.iter().map(u64::to_string).collect();
            leaf(w, "条目位置", &positions.join(" "))
        })?;
        Ok(())
    })?;
    String::from_utf8(w.into_inner()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The whole metadata file: the signed object, then its signature by `signer` (the hub) at `at`.
pub fn package_xml(signed: &str, signer: &str, at: &str, key: &SigningKey) -> io::Result<String> {
    let signature = key.sign(signed.as_bytes());
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("电子文件封装包")
        .write_inner_content(|w| {
            leaf(
                w,
                "封装包格式描述",
                "本封装包依据DA/T 48-2009组织，元数据元素取自DA/T 46-2009",
            )?;
            leaf(w, "版本", "2009")?;
            // The signed object goes in byte for byte, so its signature can be checked as written.
            w.get_mut().extend_from_slice(b"\n");
            w.get_mut().extend_from_slice(signed.as_bytes());
            w.create_element("电子签名块").write_inner_content(|w| {
                w.create_element("电子签名").write_inner_content(|w| {
                    leaf(w, "签名规则", "Ed25519，对被签名对象元素的UTF-8字节签名")?;
                    leaf(w, "签名时间", at)?;
                    leaf(w, "签名人", signer)?;
                    leaf(
                        w,
                        "签名结果",
                        &base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
                    )?;
                    w.create_element("证书块").write_inner_content(|w| {
                        leaf(w, "证书", &hex::encode(key.verifying_key().to_bytes()))
                    })?;
                    leaf(w, "签名算法标识", "Ed25519")
                })?;
                Ok(())
            })?;
            Ok(())
        })?;
    String::from_utf8(w.into_inner()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn between<'a>(xml: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = xml.find(open)?;
    let end = xml[start..].find(close)? + start + close.len();
    Some(&xml[start..end])
}

/// Whether the record's signature holds over its signed object, by a key among `trusted`.
pub fn signature_holds(xml: &str, trusted: &[VerifyingKey]) -> Result<(), Text> {
    let signed = between(xml, "<被签名对象>", "</被签名对象>")
        .ok_or_else(|| text!("the record has no 被签名对象", "元数据缺少被签名对象"))?;
    let field = |name: &str| {
        between(xml, &format!("<{name}>"), &format!("</{name}>"))
            .map(|s| s[name.len() + 2..s.len() - name.len() - 3].to_string())
            .ok_or_else(|| text!("the signature block has no {name}", "电子签名块缺少{name}"))
    };
    let not_a_key = || text!("证书 is not an Ed25519 key", "证书不是Ed25519公钥");
    let key = hex::decode(field("证书")?).map_err(|_| not_a_key())?;
    let key: [u8; 32] = key.try_into().map_err(|_| not_a_key())?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| not_a_key())?;
    if !trusted.contains(&key) {
        return Err(text!(
            "the record is signed by a key this checker does not trust",
            "元数据的签名密钥不在本机信任的密钥之列"
        ));
    }
    let not_a_signature = || text!("签名结果 is not a signature", "签名结果不是有效的签名");
    let signature = base64::engine::general_purpose::STANDARD
        .decode(field("签名结果")?)
        .map_err(|_| not_a_signature())?;
    let signature = Signature::from_slice(&signature).map_err(|_| not_a_signature())?;
    key.verify(signed.as_bytes(), &signature).map_err(|_| {
        text!(
            "the signature does not hold over 被签名对象",
            "签名与被签名对象不符"
        )
    })
}

#[cfg(test)]
#[path = "metadata_tests.rs"]
mod tests;
