//! A county's loan book as a structure of arrays, with a free list so that
//! closed loans' slots are reused and the arrays stay compact.

/// `next_event` of a free slot: never.
pub(crate) const NEVER: i16 = i16::MAX;

/// One county's loans. Index `i` of every array is one loan.
#[derive(Clone, Debug, Default)]
pub(crate) struct LoanBook {
    /// Stable loan id: keys the loan's random draws.
    pub id: Vec<u64>,
    /// Outstanding principal, fen.
    pub principal: Vec<i64>,
    /// Unpaid interest, fen.
    pub arrears: Vec<i64>,
    /// Month of disbursement (negative before the start).
    pub start: Vec<i16>,
    /// Month of maturity.
    pub maturity: Vec<i16>,
    /// Next month in which the loan needs attention: its next due date
    /// while current, every month while overdue, [`NEVER`] for a free
    /// slot. The monthly scan skips every other loan with one comparison.
    pub next_event: Vec<i16>,
    /// Whole months overdue (0 = current).
    pub overdue: Vec<u8>,
    /// Extensions granted.
    pub extensions: Vec<u8>,
    /// Renewals granted.
    pub renewals: Vec<u8>,
    /// Risk cell: (category × 3 + grade) × 9 + industry.
    pub risk: Vec<u8>,
    /// Product index.
    pub product: Vec<u8>,
    /// Township, global index.
    pub township: Vec<u32>,
    /// Free slots.
    pub free: Vec<u32>,
}

/// A new loan's fields.
pub(crate) struct NewLoan {
    pub id: u64,
    pub principal: i64,
    pub start: i16,
    pub maturity: i16,
    pub next_event: i16,
    pub risk: u8,
    pub product: u8,
    pub township: u32,
}

impl LoanBook {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Adds a loan, reusing a free slot if there is one.
    pub fn push(&mut self, l: NewLoan) {
        if let Some(i) = self.free.pop() {
            let i = i as usize;
            self.id[i] = l.id;
            self.principal[i] = l.principal;
            self.arrears[i] = 0;
            self.start[i] = l.start;
            self.maturity[i] = l.maturity;
            self.next_event[i] = l.next_event;
            self.overdue[i] = 0;
            self.extensions[i] = 0;
            self.renewals[i] = 0;
            self.risk[i] = l.risk;
            self.product[i] = l.product;
            self.township[i] = l.township;
        } else {
            self.id.push(l.id);
            self.principal.push(l.principal);
            self.arrears.push(0);
            self.start.push(l.start);
            self.maturity.push(l.maturity);
            self.next_event.push(l.next_event);
            self.overdue.push(0);
            self.extensions.push(0);
            self.renewals.push(0);
            self.risk.push(l.risk);
            self.product.push(l.product);
            self.township.push(l.township);
        }
    }

    /// Frees slot `i`.
    pub fn close(&mut self, i: usize) {
        self.next_event[i] = NEVER;
        self.principal[i] = 0;
        self.arrears[i] = 0;
        self.free.push(i as u32);
    }

    /// Copies `other` into `self`, reusing allocations.
    pub fn reset_from(&mut self, other: &LoanBook) {
        self.id.clone_from(&other.id);
        self.principal.clone_from(&other.principal);
        self.arrears.clone_from(&other.arrears);
        self.start.clone_from(&other.start);
        self.maturity.clone_from(&other.maturity);
        self.next_event.clone_from(&other.next_event);
        self.overdue.clone_from(&other.overdue);
        self.extensions.clone_from(&other.extensions);
        self.renewals.clone_from(&other.renewals);
        self.risk.clone_from(&other.risk);
        self.product.clone_from(&other.product);
        self.township.clone_from(&other.township);
        self.free.clone_from(&other.free);
    }
}
