//! A synthetic ledger for tests, benchmarks and newcomers: rows as a bank
//! exports them (the Chinese headers of `docs/data-format.md`), with fake
//! names and well-formed fake ID numbers, the loans of the 2022–23 waves
//! still on the book (spring-heavy), extensions and an overdue stock on the
//! ledger date (about 3 % of loans, within Yunnan's reported county range).
//! Deterministic in the seed. Nothing in it is real data.

use crate::date::Date;

/// A county to generate loans for.
#[derive(Clone, Debug)]
pub struct SyntheticCounty {
    /// Six-digit code.
    pub code: u32,
    /// Name.
    pub name: String,
    /// Townships.
    pub townships: u32,
    /// Loans outstanding on the ledger date.
    pub loans: u32,
}

/// The header row the generator writes.
pub const SYNTHETIC_HEADER: [&str; 19] = [
    "贷款编号",
    "借款人姓名",
    "身份证号码",
    "县(区)代码",
    "乡(镇)",
    "行政村",
    "户类型",
    "贷款银行",
    "贷款产品",
    "贷款金额（元）",
    "贷款余额（元）",
    "发放日期",
    "到期日期",
    "还款方式",
    "执行利率",
    "逾期天数",
    "展期次数",
    "是否续贷",
    "产业类型",
];

const SURNAMES: &[&str] =
    &["张", "王", "李", "赵", "刘", "杨", "陈", "黄", "周", "吴", "马", "罗", "何", "段", "普", "字", "杞"];
const GIVEN: &[&str] =
    &["明", "华", "芳", "强", "丽", "军", "秀", "国", "兰", "文", "永", "春", "海", "云", "琼", "学", "忠"];
const TOWNS: &[&str] =
    &["龙头山", "桃源", "新街", "水磨", "大水井", "茨院", "火德红", "乐红", "梭山", "江底", "文屏", "小寨"];
const VILLAGES: &[&str] = &["光明", "团结", "红星", "新华", "胜利", "和平", "幸福", "前进"];

/// SplitMix64: the generator's one source of randomness.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform in [0, 1).
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Index drawn from cumulative weights.
fn pick(u: f64, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w / total;
        if u < acc {
            return i;
        }
    }
    weights.len() - 1
}

/// The date `days` after 1970-01-01.
fn from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    Date { year: (yoe + era * 400 + i64::from(month <= 2)) as i32, month, day }
}

/// The one-year LPR on a date (the subsidised rate cap): 3.45 % until
/// 2024-06, 3.35 % from 2024-07, 3.10 % from 2024-10, 3.00 % from 2025-05.
fn lpr(d: Date) -> &'static str {
    match (d.year, d.month) {
        (y, _) if y < 2024 => "3.45",
        (2024, m) if m < 7 => "3.45",
        (2024, m) if m < 10 => "3.35",
        (2024, _) => "3.10",
        (2025, m) if m < 5 => "3.10",
        _ => "3.00",
    }
}

/// A fake ID number of the county, with a valid check character.
fn fake_id(county: u32, bits: u64) -> String {
    let birth = from_days(Date { year: 1955, month: 1, day: 1 }.days() + (bits % 16_000) as i64);
    let stem =
        format!("{county:06}{:04}{:02}{:02}{:03}", birth.year, birth.month, birth.day, (bits >> 20) % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = stem.bytes().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{stem}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// The rows of a synthetic ledger on `as_of`, in county order.
pub fn synthetic_ledger(counties: &[SyntheticCounty], as_of: Date, seed: u64) -> Vec<Vec<String>> {
    let mut rows = Vec::with_capacity(counties.iter().map(|c| c.loans as usize).sum());
    for c in counties {
        for k in 0..c.loans {
            let b = mix(seed ^ mix(u64::from(c.code) << 32 | u64::from(k)));
            let b2 = mix(b);
            let b3 = mix(b2);
            let b4 = mix(b3);
            // The loans still on the book: the 2022–23 waves (3-year
            // loans), less of 2024–25; months weighted to spring, when the
            // loans for the season are made.
            let year = [2022, 2023, 2024, 2025][pick(unit(b), &[20.0, 45.0, 22.0, 13.0])];
            let month =
                1 + pick(unit(b2), &[6.0, 8.0, 14.0, 14.0, 12.0, 8.0, 7.0, 7.0, 7.0, 6.0, 6.0, 5.0]) as u8;
            let day = 1 + (b3 % 28) as u8;
            let mut disbursed = Date { year, month, day };
            if disbursed > as_of {
                disbursed = from_days(as_of.days() - 30 - (b3 % 300) as i64);
            }
            let mut maturity = Date { year: disbursed.year + 3, ..disbursed };
            let mut extensions = 0;
            let mut days_overdue: i64 = 0;
            // A loan still on the ledger after its maturity was extended
            // (most) or is overdue since then.
            if maturity <= as_of {
                if unit(b4) < 0.85 {
                    extensions = 1;
                    maturity = Date { year: maturity.year + 1, ..maturity };
                }
                if maturity <= as_of {
                    days_overdue = as_of.days() - maturity.days() + 1;
                }
            } else if unit(mix(b4)) < 0.012 {
                // Interest missed on a current loan: up to 89 days.
                days_overdue = 1 + (b4 % 89) as i64;
                days_overdue = days_overdue.min(as_of.days() - disbursed.days());
            }
            let amount = [50_000, 30_000, 20_000, 10_000][pick(unit(b3), &[60.0, 25.0, 10.0, 5.0])];
            let category = ["脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
                [pick(unit(mix(b)), &[85.0, 8.0, 5.0, 2.0])];
            let product = ["首贷", "追贷", "商业贷款"][pick(unit(mix(b2)), &[88.0, 10.0, 2.0])];
            let bank = ["农村信用社", "农业银行", "邮储银行"][pick(unit(mix(b3)), &[70.0, 20.0, 10.0])];
            let industry = ["肉牛", "生猪", "茶叶", "咖啡", "核桃", "烤烟", "果蔬", "务工", "其他"]
                [pick(unit(mix(mix(b))), &[25.0, 20.0, 8.0, 5.0, 8.0, 10.0, 10.0, 6.0, 8.0])];
            let township = (b2 >> 8) % u64::from(c.townships.max(1));
            let name = format!(
                "{}{}{}",
                SURNAMES[(b >> 3) as usize % SURNAMES.len()],
                GIVEN[(b >> 9) as usize % GIVEN.len()],
                GIVEN[(b >> 15) as usize % GIVEN.len()]
            );
            rows.push(vec![
                format!("{:06}{:07}", c.code, k),
                name,
                fake_id(c.code, mix(b ^ 0x1D)),
                format!("{:06}", c.code),
                format!(
                    "{}{}镇",
                    TOWNS[township as usize % TOWNS.len()],
                    if township as usize >= TOWNS.len() {
                        (township as usize / TOWNS.len()).to_string()
                    } else {
                        String::new()
                    }
                ),
                format!("{}村", VILLAGES[(b3 >> 5) as usize % VILLAGES.len()]),
                category.to_string(),
                bank.to_string(),
                product.to_string(),
                amount.to_string(),
                amount.to_string(),
                disbursed.to_string(),
                maturity.to_string(),
                "按季付息到期还本".to_string(),
                lpr(disbursed).to_string(),
                days_overdue.to_string(),
                extensions.to_string(),
                if unit(mix(b4 ^ 7)) < 0.05 { "是" } else { "否" }.to_string(),
                industry.to_string(),
            ]);
        }
    }
    rows
}

/// The rows as CSV text (UTF-8, CRLF, a title row above the header, as
/// banks export them).
pub fn synthetic_csv(title: &str, rows: &[Vec<String>]) -> String {
    let mut out = String::with_capacity(rows.len() * 160);
    out.push_str(title);
    out.push_str("\r\n");
    out.push_str(&SYNTHETIC_HEADER.join(","));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Table, decode, read_ledger};

    const AS_OF: Date = Date { year: 2025, month: 10, day: 31 };

    fn counties() -> Vec<SyntheticCounty> {
        vec![
            SyntheticCounty { code: 530621, name: "鲁甸县".into(), townships: 12, loans: 1_500 },
            SyntheticCounty { code: 530324, name: "罗平县".into(), townships: 13, loans: 1_000 },
        ]
    }

    #[test]
    fn the_synthetic_ledger_reads_back_without_a_problem_even_in_gbk() {
        let rows = synthetic_ledger(&counties(), AS_OF, 7);
        let text = synthetic_csv("鲁甸县、罗平县脱贫人口小额信贷台账（2025年10月末）", &rows);
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable);
        let decoded = decode(&gbk).unwrap();
        let ledger = read_ledger(&Table::from_csv(&decoded.text).unwrap(), AS_OF, b"k").unwrap();
        assert_eq!(ledger.loans.len(), 2_500);
        // Extensions and an overdue stock, as a real book on a date has.
        let overdue = ledger.loans.iter().filter(|l| l.days_overdue > 0).count();
        let extended = ledger.loans.iter().filter(|l| l.extensions > 0).count();
        // About 3 % overdue (Luoping, a high county, reported 4.36 % by balance).
        assert!(overdue > 25 && overdue < 125, "{overdue}");
        assert!(extended > 100, "{extended}");
        // The same seed, the same rows; no name reaches a loan.
        assert_eq!(rows, synthetic_ledger(&counties(), AS_OF, 7));
        assert!(!format!("{ledger:?}").contains(&rows[0][1]));
    }
}
