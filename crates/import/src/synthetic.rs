//! A synthetic ledger for tests, benchmarks and newcomers: rows as a bank
//! exports them (the Chinese headers of `docs/data-format.md`), of
//! Yunnan's size if asked, with fake names and well-formed fake ID numbers.
//! Nothing in it is real data; it is deterministic in the seed.
//!
//! What it draws, per county (the 129 of `data/yunnan-counties.csv`, or
//! any list): 6–14 townships with fake names, 5–12 villages (行政村) each;
//! households of the four categories, about one in twelve holding a 追贷
//! beside its 首贷; loans of at most 5万 from five banks, terms of one to
//! three years disbursed in the 2021–23 waves (heaviest in spring), at the
//! one-year LPR of the disbursement date (追贷 above it); extensions (展期,
//! once, six or twelve months), renewals (续贷) and an overdue stock on
//! the ledger date of about 2 % of the principal outstanding, varying by
//! county (0–10 % in the default file) and township (up to ≈19 %), as the
//! public figures do (罗平县 4.36 % and its 阿岗镇 11.99 % in October
//! 2023, 重庆 0.26 %, 广元 0.6 %). Overdue days agree with the dates as
//! [`crate::read_ledger`] checks them.
//!
//! **Fake ID numbers.** Each is the county's code, a birth year and month
//! (1960–2005), the day `00` — no calendar day, so no generated number is
//! a real person's — a sequence number and the GB 11643 check character.

use std::collections::BTreeMap;

use mcstress_domain::Fen;

use crate::date::Date;
use crate::table::Table;

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

/// Options of the generator.
#[derive(Clone, Debug)]
pub struct LedgerOptions {
    /// The ledger's date: loans are on the book on it.
    pub as_of: Date,
    /// The seed; the same seed gives the same ledger.
    pub seed: u64,
    /// Marker name and ID number to put into a few rows (for tests that
    /// search outputs for personal data).
    pub plant: Option<Plant>,
}

/// A marker borrower put into the first, middle and last rows.
#[derive(Clone, Debug)]
pub struct Plant {
    /// The name to plant.
    pub name: String,
    /// The ID number to plant (should be well-formed, or the rows are
    /// refused by the reader).
    pub id_number: String,
}

/// One generated loan, typed; [`SyntheticLoan::cells`] writes it as a row
/// under [`SYNTHETIC_HEADER`].
#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticLoan {
    /// The bank's loan number.
    pub loan_id: String,
    /// A fake name.
    pub name: String,
    /// A fake, well-formed ID number.
    pub id_number: String,
    /// The county's code.
    pub county: u32,
    /// Township (乡镇).
    pub township: String,
    /// Village (行政村).
    pub village: String,
    /// 户类型, as written.
    pub category: &'static str,
    /// 贷款银行.
    pub bank: &'static str,
    /// 首贷 or 追贷.
    pub product: &'static str,
    /// Amount disbursed.
    pub amount: Fen,
    /// Principal outstanding on the ledger date.
    pub balance: Fen,
    /// Disbursement date.
    pub disbursed: Date,
    /// Maturity date, after any extension.
    pub maturity: Date,
    /// 还款方式, as written.
    pub repayment: &'static str,
    /// 执行利率 in basis points.
    pub rate_bp: u32,
    /// Days overdue on the ledger date.
    pub days_overdue: u32,
    /// 展期次数.
    pub extensions: u8,
    /// 是否续贷.
    pub renewed: bool,
    /// 产业类型, as written.
    pub industry: &'static str,
}

impl SyntheticLoan {
    /// The row's cells, in [`SYNTHETIC_HEADER`]'s order.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.loan_id.clone(),
            self.name.clone(),
            self.id_number.clone(),
            format!("{:06}", self.county),
            self.township.clone(),
            self.village.clone(),
            self.category.to_string(),
            self.bank.to_string(),
            self.product.to_string(),
            yuan(self.amount),
            yuan(self.balance),
            self.disbursed.to_string(),
            self.maturity.to_string(),
            self.repayment.to_string(),
            format!("{}.{:02}", self.rate_bp / 100, self.rate_bp % 100),
            self.days_overdue.to_string(),
            self.extensions.to_string(),
            if self.renewed { "是" } else { "否" }.to_string(),
            self.industry.to_string(),
        ]
    }
}

/// Fen as yuan, with decimals only when there are fen.
fn yuan(f: Fen) -> String {
    if f.0 % 100 == 0 { (f.0 / 100).to_string() } else { format!("{}.{:02}", f.0 / 100, f.0 % 100) }
}

/// One county of `data/yunnan-counties.csv`.
struct CountyInfo {
    code: u32,
    name: String,
    prefecture: String,
    former_poverty: bool,
    key_county: bool,
    border: bool,
}

/// The reference table of Yunnan's 129 county-level divisions.
fn yunnan_table() -> Vec<CountyInfo> {
    let text = include_str!("../../../data/yunnan-counties.csv");
    let Ok(table) = Table::from_csv(text) else { return Vec::new() };
    table
        .rows
        .iter()
        .skip(1)
        .filter_map(|r| {
            Some(CountyInfo {
                code: r.cell(0).parse().ok()?,
                name: r.cell(1).to_string(),
                prefecture: r.cell(4).to_string(),
                former_poverty: r.cell(5) == "1",
                key_county: r.cell(7) == "1",
                border: r.cell(9) == "1",
            })
        })
        .collect()
}

/// Yunnan's 129 counties (or those of `only`, by code, when it is not
/// empty) sharing `total_loans` loans: a former poverty county weighs 1 (a
/// national key county 1.3), another county 0.35, a city district half of
/// that; 6–14 townships each. Codes of `only` that are not Yunnan's are
/// returned as the error.
pub fn yunnan_counties(total_loans: u32, only: &[u32]) -> Result<Vec<SyntheticCounty>, Vec<u32>> {
    let mut table = yunnan_table();
    let unknown: Vec<u32> = only.iter().copied().filter(|c| !table.iter().any(|i| i.code == *c)).collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    if !only.is_empty() {
        table.retain(|i| only.contains(&i.code));
    }
    let weight = |c: &CountyInfo| {
        let w = if c.key_county {
            1.3
        } else if c.former_poverty {
            1.0
        } else {
            0.35
        };
        if c.name.ends_with('区') { w * 0.5 } else { w }
    };
    let total_weight: f64 = table.iter().map(weight).sum();
    // Largest remainders, so that the loans add up to the total exactly.
    let exact: Vec<f64> = table.iter().map(|c| f64::from(total_loans) * weight(c) / total_weight).collect();
    let mut loans: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let short = total_loans - loans.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..table.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b))
    });
    for &i in order.iter().take(short as usize) {
        loans[i] += 1;
    }
    Ok(table
        .iter()
        .zip(loans)
        .map(|(c, loans)| SyntheticCounty {
            code: c.code,
            name: c.name.clone(),
            townships: 6 + (mix(u64::from(c.code)) % 9) as u32,
            loans,
        })
        .collect())
}

/// SplitMix64: the generator's one source of randomness.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stream of draws keyed by (seed, county, item, purpose), so that a
/// change to one county's count or one purpose shifts no other draw.
struct Draws {
    state: u64,
    counter: u64,
}

impl Draws {
    fn new(seed: u64, county: u32, item: u64, purpose: u64) -> Draws {
        Draws { state: mix(mix(seed ^ mix(u64::from(county))) ^ mix(item ^ (purpose << 48))), counter: 0 }
    }

    fn bits(&mut self) -> u64 {
        self.counter += 1;
        mix(self.state.wrapping_add(self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
    }

    /// A uniform in [0, 1).
    fn u(&mut self) -> f64 {
        (self.bits() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A whole number in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.bits() % (hi - lo + 1) as u64) as i64
    }

    /// An index drawn from weights.
    fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let u = self.u() * total;
        let mut acc = 0.0;
        for (i, w) in weights.iter().enumerate() {
            acc += w;
            if u < acc {
                return i;
            }
        }
        weights.len() - 1
    }

    /// A standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.u();
        let u2 = self.u();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

// Purposes of the draw streams.
const P_COUNTY: u64 = 1;
const P_TOWNSHIP: u64 = 2;
const P_HOUSEHOLD: u64 = 3;
const P_LOAN: u64 = 4;

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

/// `d` plus `months` calendar months (the day kept, or the month's last).
fn add_months(d: Date, months: i32) -> Date {
    let m0 = d.year * 12 + i32::from(d.month) - 1 + months;
    let (year, month) = (m0.div_euclid(12), (m0.rem_euclid(12) + 1) as u8);
    let mut day = d.day;
    while Date::parse(&format!("{year:04}-{month:02}-{day:02}")).is_none() {
        day -= 1;
    }
    Date { year, month, day }
}

/// The one-year LPR in basis points on a date (the rate the subsidised
/// product is priced at), from its fixing dates 2019–2025.
fn lpr_bp(d: Date) -> u32 {
    const FIXINGS: [(i32, u8, u8, u32); 9] = [
        (2020, 4, 20, 385),
        (2021, 12, 20, 380),
        (2022, 1, 20, 370),
        (2022, 8, 22, 365),
        (2023, 6, 20, 355),
        (2023, 8, 21, 345),
        (2024, 7, 22, 335),
        (2024, 10, 21, 310),
        (2025, 5, 20, 300),
    ];
    FIXINGS
        .iter()
        .rev()
        .find(|(y, m, day, _)| d >= Date { year: *y, month: *m, day: *day })
        .map_or(405, |f| f.3)
}

/// A fake ID number: the county's code, a birth year and month, day `00`
/// (no calendar day: never a real person's), a sequence number and the
/// check character. Distinct for `household` below 552,000 in a county.
fn fake_id(county: u32, household: u64) -> String {
    // A bijection of 0..552,000 (46 years of months × 1,000 sequence
    // numbers): 7,919 is prime to 552,000.
    let slot = household.wrapping_mul(7_919) % 552_000;
    let months = (slot / 1_000) as i32;
    let (year, month) = (1960 + months / 12, 1 + months % 12);
    let stem = format!("{county:06}{year:04}{month:02}00{:03}", slot % 1_000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = stem.bytes().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{stem}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "杨", "陈", "黄", "周", "吴", "马", "罗", "何", "段", "普", "字", "杞",
    "李", "杨", "王", "罗", "鲁", "和", "木", "施", "岩", "刀", "龙", "熊", "陶",
];
const GIVEN: &[&str] = &[
    "明", "华", "芳", "强", "丽", "军", "秀", "国", "兰", "文", "永", "春", "海", "云", "琼", "学", "忠",
    "梅", "红", "福", "贵", "富", "光", "荣", "英", "兴", "德", "志", "平", "山",
];
const PLACE_A: &[&str] = &[
    "龙", "桃", "新", "水", "大", "茨", "火", "乐", "梭", "江", "文", "小", "石", "松", "白", "黑", "青",
    "金", "银", "马", "羊", "牛", "凤", "鹤",
];
const PLACE_B: &[&str] = &[
    "头山", "源", "街", "磨", "井", "院", "德红", "红", "山", "底", "屏", "寨", "坪", "林", "沙", "河", "塘",
    "岩", "坝", "场", "厂", "溪", "哨", "营",
];
const VILLAGE_A: &[&str] = &[
    "光明", "团结", "红星", "新华", "胜利", "和平", "幸福", "前进", "民主", "友谊", "东风", "向阳", "振兴",
    "兴隆", "长安", "太平",
];
const VILLAGE_B: &[&str] = &["", "一", "二", "三", "上", "下", "中", "新"];

/// Township `j` of a county: distinct names within the county.
fn township_name(county: u32, j: u32, district: bool) -> String {
    let n = (PLACE_A.len() * PLACE_B.len()) as u64;
    // A step prime to n (576) walks distinct pairs.
    let k = (mix(u64::from(county)) + u64::from(j) * 7) % n;
    let stem = format!(
        "{}{}",
        PLACE_A[(k / PLACE_B.len() as u64) as usize],
        PLACE_B[(k % PLACE_B.len() as u64) as usize]
    );
    let suffix = if district && j < 2 {
        "街道"
    } else if j % 4 == 3 {
        "乡"
    } else {
        "镇"
    };
    format!("{stem}{suffix}")
}

/// Village `v` of township `j`: distinct names within the township.
fn village_name(county: u32, j: u32, v: u32) -> String {
    let n = (VILLAGE_A.len() * VILLAGE_B.len()) as u64;
    let k = (mix(u64::from(county) << 8 | u64::from(j)) + u64::from(v) * 5) % n;
    format!(
        "{}{}村",
        VILLAGE_A[(k / VILLAGE_B.len() as u64) as usize],
        VILLAGE_B[(k % VILLAGE_B.len() as u64) as usize]
    )
}

const INDUSTRIES: [&str; 9] = ["肉牛", "生猪", "茶叶", "咖啡", "核桃", "烤烟", "果蔬", "务工", "其他"];

/// Industry weights in a prefecture: tea and coffee in the south-west,
/// tobacco on the central plateau, walnuts in the west, cattle in the
/// north-east.
fn industry_weights(prefecture: &str) -> [f64; 9] {
    let mut w = [22.0, 20.0, 6.0, 2.0, 8.0, 10.0, 14.0, 10.0, 8.0];
    let is = |names: &[&str]| names.iter().any(|n| prefecture.starts_with(n));
    if is(&["普洱", "临沧", "西双版纳"]) {
        w[2] *= 4.0;
    }
    if is(&["普洱", "保山", "德宏"]) {
        w[3] *= 6.0;
    }
    if is(&["曲靖", "玉溪", "红河", "大理", "楚雄"]) {
        w[5] *= 2.5;
    }
    if is(&["大理", "楚雄", "临沧", "保山"]) {
        w[4] *= 2.0;
    }
    if is(&["曲靖", "昭通", "文山"]) {
        w[0] *= 1.5;
    }
    w
}

/// The province-wide share of the principal overdue the generator aims at.
pub const TARGET_OVERDUE_SHARE: f64 = 0.02;

/// Generates the loans of `counties` on `options.as_of`, in county order.
pub fn generate_loans(counties: &[SyntheticCounty], options: &LedgerOptions) -> Vec<SyntheticLoan> {
    let info = yunnan_table();
    let mut out = Vec::with_capacity(counties.iter().map(|c| c.loans as usize).sum());
    for c in counties {
        let meta = info.iter().find(|i| i.code == c.code);
        let prefecture = meta.map_or("", |m| m.prefecture.as_str());
        let industries = industry_weights(prefecture);
        let district = c.name.ends_with('区');
        // The county's overdue level: log-normal around the target, mean
        // one; a key county higher, a county that was never poor lower.
        let mut cd = Draws::new(options.seed, c.code, 0, P_COUNTY);
        let class = match meta {
            Some(m) if m.key_county => 1.3,
            Some(m) if !m.former_poverty => 0.6,
            _ => 1.0,
        };
        let county_level = class * (0.6 * cd.normal() - 0.18).exp();
        let townships = c.townships.max(1);
        let township_levels: Vec<f64> = (0..townships)
            .map(|j| {
                let mut td = Draws::new(options.seed, c.code, u64::from(j), P_TOWNSHIP);
                (0.5 * td.normal() - 0.125).exp()
            })
            .collect();
        let villages: Vec<u32> =
            (0..townships).map(|j| 5 + (mix(u64::from(c.code) ^ u64::from(j) << 20) % 8) as u32).collect();
        let mut k = 0u32;
        let mut household = 0u64;
        while k < c.loans {
            let mut hd = Draws::new(options.seed, c.code, household, P_HOUSEHOLD);
            let township = hd.int(0, i64::from(townships) - 1) as u32;
            let village = hd.int(0, i64::from(villages[township as usize]) - 1) as u32;
            let category =
                ["脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"][hd.pick(&[85.0, 8.0, 5.0, 2.0])];
            let name = format!(
                "{}{}{}",
                SURNAMES[hd.int(0, SURNAMES.len() as i64 - 1) as usize],
                GIVEN[hd.int(0, GIVEN.len() as i64 - 1) as usize],
                if hd.u() < 0.7 { GIVEN[hd.int(0, GIVEN.len() as i64 - 1) as usize] } else { "" }
            );
            let industry = INDUSTRIES[hd.pick(&industries)];
            let two = hd.u() < 0.085 && k + 1 < c.loans;
            let level = county_level * township_levels[township as usize];
            for product in if two { &["首贷", "追贷"][..] } else { &["首贷"][..] } {
                let mut ld = Draws::new(options.seed, c.code, u64::from(k), P_LOAN);
                let loan = draw_loan(&mut ld, options.as_of, product, level);
                let bank_index = ld.pick(&[55.0, 20.0, 15.0, 5.0, 5.0]);
                out.push(SyntheticLoan {
                    loan_id: format!("{}{:06}{:07}", ["NX", "AB", "PS", "CZ", "CC"][bank_index], c.code, k),
                    name: name.clone(),
                    id_number: fake_id(c.code, household),
                    county: c.code,
                    township: township_name(c.code, township, district),
                    village: village_name(c.code, township, village),
                    category,
                    bank: ["农村信用社", "农业银行", "邮储银行", "村镇银行", "建设银行"][bank_index],
                    product,
                    industry,
                    ..loan
                });
                k += 1;
            }
            household += 1;
        }
    }
    if let Some(p) = &options.plant {
        let n = out.len();
        for i in [0, n / 2, n.saturating_sub(1)] {
            if let Some(l) = out.get_mut(i) {
                l.name = p.name.clone();
                l.id_number = p.id_number.clone();
            }
        }
    }
    out
}

/// The dates, money and state of one loan (the household's fields left
/// empty). `level` scales the chance that it is overdue.
fn draw_loan(d: &mut Draws, as_of: Date, product: &'static str, level: f64) -> SyntheticLoan {
    let term_years = [3, 2, 1][d.pick(&[70.0, 10.0, 20.0])];
    let amount_yuan: i64 = if product == "首贷" {
        [50_000, 40_000, 30_000, 20_000, 10_000][d.pick(&[75.0, 7.0, 10.0, 5.0, 3.0])]
    } else {
        [50_000, 30_000, 20_000, 10_000][d.pick(&[30.0, 30.0, 25.0, 15.0])]
    };
    let amount = Fen(amount_yuan * 100);
    let repayment_index = d.pick(&[80.0, 8.0, 8.0, 4.0]);
    let repayment = ["按季付息到期还本", "按月付息到期还本", "等额本息", "等额本金"][repayment_index];
    let instalments = repayment_index >= 2;
    let overdue_chance = (TARGET_OVERDUE_SHARE * level).min(0.3);
    let mut extensions = 0u8;
    let mut days_overdue = 0i64;
    let (disbursed, maturity);
    if d.u() < overdue_chance {
        if d.u() < 0.65 {
            // Not repaid at maturity: overdue since the maturity date.
            let past = match d.pick(&[15.0, 20.0, 20.0, 45.0]) {
                0 => d.int(1, 30),
                1 => d.int(31, 90),
                2 => d.int(91, 180),
                _ => d.int(181, 720),
            };
            maturity = from_days(as_of.days() - past);
            let original = if d.u() < 0.3 {
                extensions = 1;
                add_months(maturity, -[6, 12][d.pick(&[1.0, 1.0])])
            } else {
                maturity
            };
            disbursed = add_months(original, -12 * term_years);
            days_overdue = past;
        } else {
            // Interest (or an instalment) missed on a loan not yet due.
            disbursed = wave_date(d, add_months(as_of, -12 * term_years), as_of);
            maturity = add_months(disbursed, 12 * term_years);
            let since = as_of.days() - disbursed.days();
            let days = match d.pick(&[45.0, 40.0, 15.0]) {
                0 => d.int(1, 30),
                1 => d.int(31, 90),
                _ => d.int(91, 180),
            };
            days_overdue = days.min(since);
        }
    } else if d.u() < 0.05 {
        // Extended once: due within the last year, moved on by 6 or 12 months.
        let months = [6, 12][d.pick(&[1.0, 1.0])];
        let original = from_days(as_of.days() - d.int(0, i64::from(months) * 30 - 1));
        extensions = 1;
        maturity = add_months(original, months);
        disbursed = add_months(original, -12 * term_years);
    } else {
        disbursed = wave_date(d, add_months(as_of, -12 * term_years), as_of);
        maturity = add_months(disbursed, 12 * term_years);
    }
    let renewed = disbursed.year >= 2022 && extensions == 0 && d.u() < 0.06;
    // Principal left: all of it for a bullet loan (part, for some overdue
    // ones); the instalments not yet due for an instalment loan.
    let balance = if instalments {
        let total = (maturity.days() - disbursed.days()).max(1);
        let left = (maturity.days() - as_of.days()).clamp(0, total);
        let share = if left == 0 { 0.2 + 0.6 * d.u() } else { left as f64 / total as f64 };
        Fen(((amount.0 as f64 * share) as i64).max(100))
    } else if days_overdue > 0 && maturity <= as_of && d.u() < 0.3 {
        Fen((amount_yuan as f64 * (0.3 + 0.65 * d.u())) as i64 / 100 * 100 * 100)
    } else {
        amount
    };
    let lpr = lpr_bp(disbursed);
    let rate_bp = if product == "追贷" { lpr + 5 * d.int(10, 40) as u32 } else { lpr };
    SyntheticLoan {
        loan_id: String::new(),
        name: String::new(),
        id_number: String::new(),
        county: 0,
        township: String::new(),
        village: String::new(),
        category: "",
        bank: "",
        product,
        amount,
        balance,
        disbursed,
        maturity,
        repayment,
        rate_bp,
        days_overdue: days_overdue as u32,
        extensions,
        renewed,
        industry: "",
    }
}

/// A disbursement date after `from` and on or before `to`: the 2021–23
/// waves (years weighted 12, 28, 34, then 15 and 11 for 2024–25), months
/// weighted towards spring, when the season's loans are made.
fn wave_date(d: &mut Draws, from: Date, to: Date) -> Date {
    const MONTHS: [f64; 12] = [5.0, 8.0, 16.0, 16.0, 12.0, 7.0, 6.0, 6.0, 6.0, 5.0, 5.0, 4.0];
    let year_weight = |y: i32| match y {
        ..=2020 => 5.0,
        2021 => 12.0,
        2022 => 28.0,
        2023 => 34.0,
        2024 => 15.0,
        _ => 11.0,
    };
    let first = from.year * 12 + i32::from(from.month) - 1;
    let last = to.year * 12 + i32::from(to.month) - 1;
    let months: Vec<i32> = (first..=last).collect();
    let weights: Vec<f64> =
        months.iter().map(|m| year_weight(m.div_euclid(12)) * MONTHS[m.rem_euclid(12) as usize]).collect();
    let m = months[d.pick(&weights)];
    let (year, month) = (m.div_euclid(12), (m.rem_euclid(12) + 1) as u8);
    let mut day = d.int(1, 28) as u8;
    if (year, month) == (from.year, from.month) {
        day = day.max(from.day.saturating_add(1).min(28));
    }
    let date = Date { year, month, day };
    let date = if date <= from { from_days(from.days() + 1) } else { date };
    if date > to { to } else { date }
}

/// The rows of a synthetic ledger on `as_of`, in county order (no planted
/// markers).
pub fn synthetic_ledger(counties: &[SyntheticCounty], as_of: Date, seed: u64) -> Vec<Vec<String>> {
    generate_loans(counties, &LedgerOptions { as_of, seed, plant: None })
        .iter()
        .map(SyntheticLoan::cells)
        .collect()
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

/// The header of the county file [`synthetic_county_file`] writes: the
/// columns a ledger can fill (no eligible households, no fund figures),
/// then the balance maturing in each of eight quarters from the one the
/// ledger date is in (after the ledger date).
pub fn synthetic_county_header(as_of: Date) -> Vec<String> {
    let mut h: Vec<String> = [
        "县(区)代码",
        "县(区)",
        "乡(镇)",
        "州(市)",
        "原贫困县",
        "国家乡村振兴重点帮扶县",
        "边境县",
        "首贷笔数",
        "追贷笔数",
        "首贷余额（元）",
        "追贷余额（元）",
        "逾期1-30天笔数",
        "逾期31-90天笔数",
        "逾期91-180天笔数",
        "逾期180天以上笔数",
        "逾期1-30天本金（元）",
        "逾期31-90天本金（元）",
        "逾期91-180天本金（元）",
        "逾期180天以上本金（元）",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (y, q) in quarters_after(as_of) {
        h.push(format!("{y}Q{q}到期余额（元）"));
    }
    h
}

/// Eight quarters from the one `as_of` is in.
fn quarters_after(as_of: Date) -> Vec<(i32, u8)> {
    let q0 = as_of.year * 4 + i32::from((as_of.month - 1) / 3);
    (0..8).map(|i| ((q0 + i).div_euclid(4), ((q0 + i).rem_euclid(4) + 1) as u8)).collect()
}

/// Aggregates per county or township.
#[derive(Default)]
struct Totals {
    loans: [u32; 2],
    balance: [i64; 2],
    overdue_loans: [u32; 4],
    overdue_principal: [i64; 4],
    maturing: [i64; 8],
}

impl Totals {
    fn add(&mut self, l: &SyntheticLoan, quarters: &[(i32, u8)], as_of: Date) {
        let p = usize::from(l.product == "追贷");
        self.loans[p] += 1;
        self.balance[p] += l.balance.0;
        if l.days_overdue > 0 {
            let b = match l.days_overdue {
                1..=30 => 0,
                31..=90 => 1,
                91..=180 => 2,
                _ => 3,
            };
            self.overdue_loans[b] += 1;
            self.overdue_principal[b] += l.balance.0;
        }
        let q = (l.maturity.year, (l.maturity.month - 1) / 3 + 1);
        if let Some(i) = quarters.iter().position(|x| *x == q && l.maturity > as_of) {
            self.maturing[i] += l.balance.0;
        }
    }
}

/// A county data file aggregated from generated loans: one row per
/// county, then one per township of it, under
/// [`synthetic_county_header`]. Counts and amounts are those of the loans
/// exactly.
pub fn synthetic_county_file(
    counties: &[SyntheticCounty],
    loans: &[SyntheticLoan],
    as_of: Date,
) -> Vec<Vec<String>> {
    let info = yunnan_table();
    let quarters = quarters_after(as_of);
    let mut by_county: BTreeMap<u32, (Totals, BTreeMap<String, Totals>)> = BTreeMap::new();
    for l in loans {
        let (county, townships) = by_county.entry(l.county).or_default();
        county.add(l, &quarters, as_of);
        townships.entry(l.township.clone()).or_default().add(l, &quarters, as_of);
    }
    let yes_no = |b: bool| if b { "是" } else { "否" }.to_string();
    let mut rows = Vec::new();
    for c in counties {
        let Some((county, townships)) = by_county.get(&c.code) else { continue };
        let meta = info.iter().find(|i| i.code == c.code);
        let fixed = |township: &str| {
            vec![
                format!("{:06}", c.code),
                c.name.clone(),
                township.to_string(),
                meta.map_or(String::new(), |m| m.prefecture.clone()),
                meta.map_or(String::new(), |m| yes_no(m.former_poverty)),
                meta.map_or(String::new(), |m| yes_no(m.key_county)),
                meta.map_or(String::new(), |m| yes_no(m.border)),
            ]
        };
        let figures = |t: &Totals| {
            let mut v: Vec<String> = t.loans.iter().map(u32::to_string).collect();
            v.extend(t.balance.iter().map(|f| yuan(Fen(*f))));
            v.extend(t.overdue_loans.iter().map(u32::to_string));
            v.extend(t.overdue_principal.iter().map(|f| yuan(Fen(*f))));
            v.extend(t.maturing.iter().map(|f| yuan(Fen(*f))));
            v
        };
        rows.push([fixed(""), figures(county)].concat());
        for (name, t) in townships {
            rows.push([fixed(name), figures(t)].concat());
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, id_number_is_well_formed, read_ledger};

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
        let extended = ledger.loans.iter().filter(|l| l.extensions > 0).count();
        assert!(extended > 50, "{extended}");
        // The same seed, the same rows; no name reaches a loan.
        assert_eq!(rows, synthetic_ledger(&counties(), AS_OF, 7));
        assert_ne!(rows, synthetic_ledger(&counties(), AS_OF, 8));
        assert!(!format!("{ledger:?}").contains(&rows[0][1]));
    }

    #[test]
    fn yunnan_shares_its_loans_among_its_129_counties_exactly() {
        let c = yunnan_counties(405_600, &[]).unwrap();
        assert_eq!(c.len(), 129);
        let three = yunnan_counties(1_000, &[530621, 530324, 530102]).unwrap();
        assert_eq!(three.iter().map(|c| c.loans).sum::<u32>(), 1_000);
        assert_eq!(three.len(), 3);
        assert_eq!(yunnan_counties(1_000, &[530621, 110101]).unwrap_err(), [110101]);
        assert_eq!(c.iter().map(|c| c.loans).sum::<u32>(), 405_600);
        assert!(c.iter().all(|c| (6..=14).contains(&c.townships)));
        // A former poverty county lends more than a city district.
        let of = |code: u32| c.iter().find(|c| c.code == code).map(|c| c.loans).unwrap();
        assert!(of(530621) > 2 * of(530102), "鲁甸县 {} vs 五华区 {}", of(530621), of(530102));
    }

    #[test]
    fn fake_id_numbers_are_well_formed_distinct_and_no_calendar_birth_date() {
        let ids: Vec<String> = (0..20_000).map(|h| fake_id(530621, h)).collect();
        assert!(ids.iter().all(|i| id_number_is_well_formed(i)));
        assert!(ids.iter().all(|i| &i[12..14] == "00" && i.starts_with("530621")));
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len());
    }

    #[test]
    fn planted_markers_sit_in_the_first_middle_and_last_rows_and_read_back() {
        let plant = Plant { name: "测试标记人".into(), id_number: "11010519491231002X".into() };
        let options = LedgerOptions { as_of: AS_OF, seed: 3, plant: Some(plant) };
        let loans = generate_loans(&counties(), &options);
        let marked: Vec<usize> =
            loans.iter().enumerate().filter(|(_, l)| l.name == "测试标记人").map(|(i, _)| i).collect();
        assert_eq!(marked, [0, 1_250, 2_499]);
        assert!(marked.iter().all(|i| loans[*i].id_number == "11010519491231002X"));
        let rows: Vec<Vec<String>> = loans.iter().map(SyntheticLoan::cells).collect();
        let ledger =
            read_ledger(&Table::from_csv(&synthetic_csv("台账", &rows)).unwrap(), AS_OF, b"k").unwrap();
        assert_eq!(ledger.loans[0].household, ledger.loans[2_499].household);
        let shown = format!("{ledger:?}");
        assert!(!shown.contains("测试标记人") && !shown.contains("11010519491231002X"));
    }

    #[test]
    fn the_draws_are_pinned() {
        // A change here changes every generated ledger: say so where it is made.
        let rows = synthetic_ledger(&counties(), AS_OF, 7);
        assert_eq!(
            rows[0].join(","),
            "CC5306210000000,杨学,530621196001000009,530621,乐磨镇,和平下村,脱贫户,建设银行,首贷,40000,40000,2022-11-10,2025-11-10,按季付息到期还本,3.65,0,0,否,果蔬"
        );
    }

    #[test]
    fn the_lpr_follows_its_fixings() {
        assert_eq!(lpr_bp(Date { year: 2021, month: 3, day: 1 }), 385);
        assert_eq!(lpr_bp(Date { year: 2023, month: 8, day: 21 }), 345);
        assert_eq!(lpr_bp(Date { year: 2024, month: 7, day: 21 }), 345);
        assert_eq!(lpr_bp(Date { year: 2024, month: 12, day: 1 }), 310);
        assert_eq!(lpr_bp(Date { year: 2025, month: 6, day: 1 }), 300);
        assert_eq!(
            add_months(Date { year: 2024, month: 2, day: 29 }, 12),
            Date { year: 2025, month: 2, day: 28 }
        );
        assert_eq!(
            add_months(Date { year: 2023, month: 3, day: 31 }, -1),
            Date { year: 2023, month: 2, day: 28 }
        );
    }
}
