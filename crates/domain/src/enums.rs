//! Enums shared by every crate: household categories, industries, risk
//! grades and loan products.

/// Household category under the 2021 policy (脱贫人口 and 监测对象).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// 脱贫户: lifted out of poverty.
    Lifted = 0,
    /// 脱贫不稳定户: monitored, unstable after lifting.
    Unstable = 1,
    /// 边缘易致贫户: monitored, at the edge of poverty.
    Edge = 2,
    /// 突发严重困难户: monitored, sudden severe hardship.
    SuddenHardship = 3,
}

impl Category {
    /// All categories in index order.
    pub const ALL: [Category; 4] =
        [Category::Lifted, Category::Unstable, Category::Edge, Category::SuddenHardship];
    /// Number of categories.
    pub const COUNT: usize = 4;

    /// The key used in scenario files.
    pub fn key(self) -> &'static str {
        match self {
            Category::Lifted => "lifted",
            Category::Unstable => "unstable",
            Category::Edge => "edge",
            Category::SuddenHardship => "sudden_hardship",
        }
    }
}

/// A household's main industry (主导产业).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Industry {
    /// Beef cattle (肉牛).
    Cattle = 0,
    /// Pigs (生猪).
    Pigs = 1,
    /// Tea (茶叶).
    Tea = 2,
    /// Coffee (咖啡).
    Coffee = 3,
    /// Walnut (核桃).
    Walnut = 4,
    /// Tobacco (烤烟).
    Tobacco = 5,
    /// Fruit and vegetables (果蔬).
    FruitVeg = 6,
    /// Migrant wages (务工).
    MigrantWages = 7,
    /// Processing and other (加工及其他).
    Other = 8,
}

impl Industry {
    /// All industries in index order.
    pub const ALL: [Industry; 9] = [
        Industry::Cattle,
        Industry::Pigs,
        Industry::Tea,
        Industry::Coffee,
        Industry::Walnut,
        Industry::Tobacco,
        Industry::FruitVeg,
        Industry::MigrantWages,
        Industry::Other,
    ];
    /// Number of industries.
    pub const COUNT: usize = 9;

    /// The key used in scenario files.
    pub fn key(self) -> &'static str {
        match self {
            Industry::Cattle => "cattle",
            Industry::Pigs => "pigs",
            Industry::Tea => "tea",
            Industry::Coffee => "coffee",
            Industry::Walnut => "walnut",
            Industry::Tobacco => "tobacco",
            Industry::FruitVeg => "fruit_veg",
            Industry::MigrantWages => "migrant_wages",
            Industry::Other => "other",
        }
    }

    /// The industry for a scenario-file key.
    pub fn from_key(key: &str) -> Option<Industry> {
        Industry::ALL.into_iter().find(|i| i.key() == key)
    }
}

/// A borrower's risk grade from the bank's rating (评级授信).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grade {
    /// Best grade.
    A = 0,
    /// Middle grade.
    B = 1,
    /// Weakest grade still granted credit.
    C = 2,
}

impl Grade {
    /// All grades in index order.
    pub const ALL: [Grade; 3] = [Grade::A, Grade::B, Grade::C];
    /// Number of grades.
    pub const COUNT: usize = 3;

    /// The key used in scenario files.
    pub fn key(self) -> &'static str {
        match self {
            Grade::A => "a",
            Grade::B => "b",
            Grade::C => "c",
        }
    }
}

/// Loan product in the "5+5+N" ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Product {
    /// First loan: up to 50,000 yuan, interest-subsidised, fund-covered.
    First = 0,
    /// Follow-up loan: up to 50,000 more, no subsidy.
    FollowUp = 1,
    /// Commercial credit (the "N").
    Commercial = 2,
}

impl Product {
    /// All products in index order.
    pub const ALL: [Product; 3] = [Product::First, Product::FollowUp, Product::Commercial];

    /// The key used in scenario files and outputs.
    pub fn key(self) -> &'static str {
        match self {
            Product::First => "first",
            Product::FollowUp => "follow_up",
            Product::Commercial => "commercial",
        }
    }
}
