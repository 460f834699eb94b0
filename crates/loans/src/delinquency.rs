//! Delinquency buckets and how a loan rolls or cures month by month.
//!
//! The engine counts whole months overdue: a payment missed in month `t` is
//! 1–30 days overdue at the end of `t`, 31–60 at the end of `t + 1`, and so
//! on. Months overdue map to the regulator's buckets.

/// Delinquency bucket (逾期天数).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bucket {
    /// Not overdue.
    Current = 0,
    /// 1–30 days overdue.
    Days1To30 = 1,
    /// 31–90 days overdue.
    Days31To90 = 2,
    /// 91–180 days overdue (non-performing from here).
    Days91To180 = 3,
    /// More than 180 days overdue.
    Days181Plus = 4,
}

impl Bucket {
    /// The bucket for a number of whole months overdue.
    pub fn from_months_overdue(months: u8) -> Bucket {
        match months {
            0 => Bucket::Current,
            1 => Bucket::Days1To30,
            2..=3 => Bucket::Days31To90,
            4..=6 => Bucket::Days91To180,
            _ => Bucket::Days181Plus,
        }
    }

    /// Whether the loan counts as non-performing (more than 90 days).
    pub fn is_non_performing(self) -> bool {
        self >= Bucket::Days91To180
    }

    /// Index of an overdue bucket, 0–3 (`None` when current).
    pub fn overdue_index(self) -> Option<usize> {
        (self != Bucket::Current).then(|| self as usize - 1)
    }

    /// Label for outputs.
    pub fn label(self) -> &'static str {
        match self {
            Bucket::Current => "current",
            Bucket::Days1To30 => "1-30",
            Bucket::Days31To90 => "31-90",
            Bucket::Days91To180 => "91-180",
            Bucket::Days181Plus => "181+",
        }
    }
}

/// Months overdue at the end of a month in which an overdue loan either
/// cured (paid its arrears: back to current) or did not (one month older).
pub fn roll_overdue(months_overdue: u8, cured: bool) -> u8 {
    if cured { 0 } else { months_overdue.saturating_add(1) }
}

/// What happens to an overdue loan at the end of a month (核销).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteOff {
    /// It stays on the books.
    Keep,
    /// A fund-covered loan reached the claim trigger: it enters the claim
    /// cycle (notice, legal collection, loss determination), at whose end
    /// the bank writes it off and claims on the fund — at once when the
    /// cycle takes no time.
    Claim,
    /// An uncovered loan reached the write-off limit: the bank bears it.
    WriteOff,
}

/// The write-off rule: a covered loan reaches the claim trigger once it is
/// `claim_months` overdue; an uncovered one is written off once it is
/// `write_off_months` overdue.
pub fn write_off_due(
    covered: bool,
    months_overdue: u8,
    claim_months: u16,
    write_off_months: u16,
) -> WriteOff {
    let m = months_overdue as u16;
    if covered && m >= claim_months {
        WriteOff::Claim
    } else if !covered && m >= write_off_months {
        WriteOff::WriteOff
    } else {
        WriteOff::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_one_to_thirty_thirty_one_to_ninety_ninety_one_to_one_eighty_and_beyond() {
        let buckets: Vec<_> = (0..=8).map(Bucket::from_months_overdue).collect();
        use Bucket::*;
        assert_eq!(
            buckets,
            [
                Current,
                Days1To30,
                Days31To90,
                Days31To90,
                Days91To180,
                Days91To180,
                Days91To180,
                Days181Plus,
                Days181Plus
            ]
        );
    }

    #[test]
    fn overdue_loan_rolls_to_the_next_bucket_unless_it_cures() {
        assert_eq!(roll_overdue(1, false), 2);
        assert_eq!(roll_overdue(3, false), 4);
        assert_eq!(Bucket::from_months_overdue(roll_overdue(3, false)), Bucket::Days91To180);
        assert_eq!(roll_overdue(5, true), 0);
        assert_eq!(roll_overdue(u8::MAX, false), u8::MAX);
    }

    #[test]
    fn covered_loan_is_claimed_at_the_trigger_and_uncovered_one_written_off_at_its_limit() {
        assert_eq!(write_off_due(true, 5, 6, 12), WriteOff::Keep);
        assert_eq!(write_off_due(true, 6, 6, 12), WriteOff::Claim);
        assert_eq!(write_off_due(false, 6, 6, 12), WriteOff::Keep);
        assert_eq!(write_off_due(false, 12, 6, 12), WriteOff::WriteOff);
    }

    #[test]
    fn non_performing_starts_beyond_ninety_days() {
        assert!(!Bucket::Days31To90.is_non_performing());
        assert!(Bucket::Days91To180.is_non_performing());
        assert!(Bucket::Days181Plus.is_non_performing());
    }
}
