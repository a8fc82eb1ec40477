//! The 公示 a township posts in the household's village for seven days: who applied, how many
//! people the household has and the amount proposed, where to object. It hangs on a public
//! board, so it carries no ID number, no phone and no case details beyond these.

use crate::sheet::{Paper, PrintError, Sheet};
use crate::{footer, organ_heading, reprint_mark, seal_block};
use time::Date;
use tongban_domain::Case;
use tongban_domain::calendar::official_date;

pub struct PublicityList<'a> {
    pub case: &'a Case,
    /// The township's name: its government posts the list.
    pub township: &'a str,
    /// The county organ that decides, where objections may also go.
    pub organ: &'a str,
    pub first_day: Date,
    pub last_day: Date,
    pub household: u8,
    pub monthly_yuan: u32,
    pub reprint: bool,
}

pub fn publicity_list(p: &PublicityList<'_>) -> Result<Paper, PrintError> {
    let case = p.case;
    let government = format!("{}人民政府", p.township);
    let title = format!("{}审核公示", case.item_name);
    let mut sheet = Sheet::new(&title)?;
    reprint_mark(&mut sheet, p.reprint);
    organ_heading(&mut sheet, &government, &title, "");
    sheet.paragraph(
        11.0,
        0.0,
        &format!(
            "经家庭经济状况核对和入户调查，现将以下申请家庭的情况予以公示。公示期自{}至{}，共7天。",
            official_date(p.first_day),
            official_date(p.last_day)
        ),
    );
    sheet.gap(3.0);
    sheet.field("申请人（户主）", &case.applicant.name);
    if let Some(address) = case.applicant.address.as_deref().filter(|a| !a.is_empty()) {
        sheet.field("所在村（居）", address);
    }
    sheet.field("家庭人口", &format!("{}人", p.household));
    sheet.field("拟保障金额", &format!("每月{}元", p.monthly_yuan));
    sheet.gap(3.0);
    sheet.paragraph(
        10.0,
        0.0,
        &format!(
            "公示期内，对上述情况如有异议，可向{government}或{}实名反映，我们将依法核实处理，并为反映人保密。",
            p.organ
        ),
    );
    seal_block(&mut sheet, &government, p.first_day);
    footer(
        &mut sheet,
        &format!("{government} · 张贴于申请家庭所在村（居）村务公开栏 · 不载明身份证件号码"),
    );
    Ok(sheet.finish())
}
